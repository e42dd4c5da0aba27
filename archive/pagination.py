"""Page numbers from the query string and paginated queries, shared by pages and the API."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from archive.extensions import db

MAX_PER_PAGE = 100


def page_number() -> int:
    """The ``page`` argument: a whole number from 1; anything else is a 400 saying so."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        abort(400, description=f"page={raw!r} is not a page number; use 1, 2, 3 ...")
    return int(raw)


def per_page() -> int:
    """The ``per_page`` argument, capped, defaulting to the configured page size."""
    raw = request.args.get("per_page")
    if raw is None:
        return current_app.config["PAGE_SIZE"]
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PER_PAGE:
        abort(400, description=f"per_page={raw!r} is out of range; use 1 to {MAX_PER_PAGE}.")
    return int(raw)


def paginate(query: Select, page: int) -> Pagination:
    """One page of ``query``; a page past the end is empty rather than an error."""
    return db.paginate(query, page=page, per_page=per_page(), error_out=False, max_per_page=MAX_PER_PAGE)
