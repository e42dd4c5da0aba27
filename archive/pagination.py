"""Page numbers from the query string and paginated queries, shared by pages and the API."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from archive.extensions import db
from archive.validation import parse_whole

MAX_PER_PAGE = 100
MAX_PAGE = 10**6  # far past any list here; keeps OFFSET within what every database accepts


def _number(raw: str, low: int, high: int) -> int | None:
    """``raw`` as a whole number from ``low`` to ``high`` (ASCII digits only), or None."""
    try:
        number = parse_whole(raw)
    except ValueError:
        return None
    return number if low <= number <= high else None


def page_number() -> int:
    """The ``page`` argument: a whole number from 1; anything else is a 400 saying so."""
    raw = request.args.get("page", "1")
    number = _number(raw, 1, MAX_PAGE)
    if number is None:
        abort(400, description=_("page=%(value)s is not a page number; use 1, 2, 3 ... (digits 0-9).", value=repr(raw[:40])))
    return number


def per_page() -> int:
    """The ``per_page`` argument, capped, defaulting to the configured page size."""
    raw = request.args.get("per_page")
    if raw is None:
        return current_app.config["PAGE_SIZE"]
    number = _number(raw, 1, MAX_PER_PAGE)
    if number is None:
        abort(400, description=_("per_page=%(value)s is out of range; use 1 to %(most)s (digits 0-9).",
                                  value=repr(raw[:40]), most=MAX_PER_PAGE))
    return number


def paginate(query: Select, page: int) -> Pagination:
    """One page of ``query``; a page past the end is empty rather than an error."""
    return db.paginate(query, page=page, per_page=per_page(), error_out=False, max_per_page=MAX_PER_PAGE)
