"""Log lines as JSON objects or plain text, each carrying the id of the request (or job) it belongs to.

A request takes its id from a sane ``X-Request-Id`` header (a proxy's or a client's) or gets a new
one; the id is sent back in the response's ``X-Request-Id``, written on every log line of the
request, and stored with each job the request queues, so the worker's lines about that job carry
it too. ``ARCHIVE_LOG_FORMAT=json`` (production) writes one JSON object a line; ``text`` (the
default, for ``make run``) writes plain lines.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

from flask import Flask, Response, g, request
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-Id"
# Ids from outside are echoed into logs and headers: printable, no spaces or quotes, bounded.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")
_current_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_HANDLER_MARK = "_archive_handler"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"

log = logging.getLogger("archive.request")


def current_request_id() -> str | None:
    """The id of the request or job this code runs for, if any."""
    return _current_id.get()


@contextmanager
def request_id_as(request_id: str | None) -> Iterator[None]:
    """Have the log lines written inside the block carry ``request_id`` (a job runs under its request's id)."""
    token = _current_id.set(request_id)
    try:
        yield
    finally:
        _current_id.reset(token)


def sane_request_id(raw: str | None) -> str | None:
    """``raw`` if it is an id we may repeat in logs and headers, else None."""
    if raw and _SANE_ID.fullmatch(raw):
        return raw
    return None


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (``-`` outside requests and jobs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``request_id``; never drops a record."""
        if not hasattr(record, "request_id"):
            record.request_id = _current_id.get() or "-"
        return True


def formatter(kind: str) -> logging.Formatter:
    """The formatter for ``json`` or ``text``."""
    if kind == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                             timestamp=False)
    return logging.Formatter(TEXT_FORMAT)


def configure(kind: str, level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Send the archive's log lines to ``stream`` (standard error) in ``kind``'s format, replacing an earlier set-up."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return handler


def init_app(app: Flask) -> None:
    """Give every request an id, log one line per request, and set up the log format."""
    if not app.testing:  # tests read records through pytest's own capture
        configure(app.config["LOG_FORMAT"])

    @app.before_request
    def take_request_id() -> None:
        g.request_id = sane_request_id(request.headers.get(HEADER)) or uuid.uuid4().hex
        g.request_id_token = _current_id.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is not None:
            response.headers[HEADER] = request_id
            seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
            log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1), "request_id": request_id,
            })
        return response

    @app.teardown_request
    def forget_request_id(exc: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                _current_id.reset(token)
            except ValueError:  # set in another context (streamed responses); the context ends anyway
                pass
