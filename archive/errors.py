"""Errors a person can act on: one validation exception and the app's error pages."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from archive.extensions import db


class ActionableError(Exception):
    """A failure whose message already tells a person what happened and what to do about it."""

    status = 500
    code = "error"
    headers: dict[str, str] = {}  # sent with the answer, such as Retry-After
    reason = None  # a job failure's message key and values (jobs.reasons.Reason), when it has one


class ValidationError(Exception):
    """Input that breaks a rule; ``errors`` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


# Plain words for the statuses a person may meet; the default texts are written for developers.
# Lazy: each is written in the language of the request that shows it (``message(status)``).
MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Sign in to continue."),
    403: _l("You do not have permission to see this page."),
    404: _l("There is nothing at this address. It may have been removed, or the link is mistyped."),
    405: _l("This address does not accept that kind of request."),
    410: _l("This link has expired."),
    413: _l("The upload is larger than this archive accepts."),
    429: _l("Too many requests; wait a minute and try again."),
    500: _l("Something went wrong on our side. The error was logged; try again later."),
    503: _l("The archive's database is not answering just now. Try again in a few seconds."),
}
DATABASE_RETRY_SECONDS = 5


def message(status: int, default: str = "") -> str:
    """The plain words for ``status`` in the request's language (``default`` when there are none)."""
    found = MESSAGES.get(status)
    return str(found) if found is not None else default


def wants_json() -> bool:
    """Whether the caller is a program (API paths) rather than a browser page."""
    return request.path.startswith("/api/")


def error_body(code: str, message: str) -> dict:
    """The JSON API's error shape."""
    return {"error": {"code": code, "message": message}}


def carried_headers(exc: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error must keep on any body (``Allow`` on 405, ``Content-Range`` on 416, ...).

    Our answer brings its own body, so the error's own content type (and length) are left out.
    """
    if exc.response is not None:
        found = list(exc.response.headers.items())
    else:
        found = exc.get_headers()
    return [(name, value) for name, value in found if name.lower() not in ("content-type", "content-length")]


def _forget_session() -> None:
    """Roll the request's session back, so it holds no broken connection; a dead one may refuse even that."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone; the pool replaces it
        db.session.remove()


def init_app(app: Flask) -> None:
    """Register error pages (HTML) and error documents (JSON under /api/)."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        text = _("The form was sent without a valid security token. Reload the page and submit it again.")
        if wants_json():
            return error_body("csrf", text), 400
        return render_template("error.html", status=400, message=text), 400

    @app.errorhandler(ActionableError)
    def actionable_error(exc: ActionableError):
        app.logger.warning("%s on %s %s: %s", type(exc).__name__, request.method, request.path, exc)
        if wants_json() or request.accept_mimetypes.best == "application/json":
            return error_body(exc.code, str(exc)), exc.status, exc.headers
        return render_template("error.html", status=exc.status, message=str(exc)), exc.status, exc.headers

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        text = message(status, exc.description or "")
        # An explicit abort(..., description=...) from our own code carries the better message.
        if exc.description and exc.description != type(exc).description:
            text = str(exc.description)
        headers = carried_headers(exc)
        if wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            return error_body(code, text), status, headers
        return render_template("error.html", status=status, message=text), status, headers

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc: Exception):
        # The server is down, restarting or unreachable: a fault to wait out, not a bug. The pool
        # pings each connection before use (pool_pre_ping), so once it is back the next request works.
        app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path, str(exc).splitlines()[0])
        _forget_session()
        headers = {"Retry-After": str(DATABASE_RETRY_SECONDS)}
        if wants_json():
            return error_body("database_unavailable", message(503)), 503, headers
        try:
            return render_template("error.html", status=503, message=message(503)), 503, headers
        except (OperationalError, InterfaceError):  # the page wanted the signed-in user from the database
            _forget_session()
            return Response(message(503) + "\n", status=503, headers=headers, mimetype="text/plain")

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return error_body("internal", message(500)), 500
        return render_template("error.html", status=500, message=message(500)), 500
