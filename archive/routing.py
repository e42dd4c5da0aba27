"""URL converters: an ``<int:...>`` in a route names a row, so it holds only what an id column can.

Werkzeug's own ``int`` converter takes any run of digits, Unicode ones included, and hands the
database numbers its integer columns cannot hold (a 500 on PostgreSQL, an OverflowError on
SQLite). This one matches ASCII digits only and treats anything above the largest id as no
match, so such an address answers 404 like any other that names nothing.
"""

from __future__ import annotations

import builtins
from urllib.parse import urlsplit

from flask import Flask, url_for
from werkzeug.routing import IntegerConverter, Map
from werkzeug.routing import ValidationError as NoMatch

from archive.validation import MAX_RECORD_ID, text_problem

_MAX_DIGITS = len(str(MAX_RECORD_ID))


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` bounded to the ids a database row can have (a ``max`` given in a route still applies)."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (Werkzeug's names)
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        bound = MAX_RECORD_ID if max is None else builtins.min(max, MAX_RECORD_ID)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)

    def to_python(self, value: str) -> int:
        """The id, or no match when it has more digits than any id (int() never sees a million of them)."""
        if len(value.lstrip("-").lstrip("0")) > _MAX_DIGITS:
            raise NoMatch()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Use the bounded converter for every ``<int:...>``; call before any blueprint is registered."""
    app.url_map.converters["int"] = RecordIdConverter


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in, never another host nor a header of its own."""
    # A CR or LF would end the Location header and start another (Set-Cookie: ...); any control
    # character or broken one makes the target no address we link to.
    if not target or text_problem(target):
        return url_for("catalogue.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("catalogue.index")
    return target
