"""The versioned JSON API under /api/v1, authenticated by bearer tokens."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, Response, abort, g, request
from flask_babel import gettext as _

from archive.auth.operations import user_for_token
from archive.errors import ValidationError, error_body
from archive.extensions import csrf
from archive.ratelimit import client_address, counter_key, limiter, setting

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def api_client() -> str:
    """Whom the API limit counts: the token sent (only its digest is kept), else the address."""
    header = request.headers.get("Authorization", "")
    if header:
        return counter_key("token:" + hashlib.sha256(header.encode()).hexdigest())
    return client_address()


def _token_refused(response: Response) -> bool:
    return response.status_code == 401 and bool(request.headers.get("Authorization"))


limiter.shared_limit(setting("API_LIMIT"), "api", key_func=api_client)(bp)
# Guessing tokens: refused tokens count per address, so an unknown token is slowed down, not a valid one.
limiter.shared_limit(setting("TOKEN_FAILURE_LIMIT"), "api-token", deduct_when=_token_refused,
                     error_message=lambda: _("Too many refused API tokens from this address. Check the token."))(bp)


@bp.before_request
def authenticate_bearer() -> None:
    """Use the bearer token when one is sent; API calls never ride on a browser session."""
    g.api_request = True
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description=_("Use the header Authorization: Bearer TOKEN."))
    user = user_for_token(token.strip())
    if user is None:
        abort(401, description=_("The API token is unknown or revoked; ask an admin for a new one."))
    g.api_user = user


@bp.errorhandler(ValidationError)
def invalid(exc: ValidationError):
    """422 with a message per field."""
    body = error_body("invalid", str(exc))
    body["error"]["fields"] = exc.errors
    return body, 422


def parsed_json():
    """The request's JSON, or None when there is none or it is not JSON; nesting too deep is a 400."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        # The parser recurses once per level: a body of "[[[[..." thousands deep exhausts the stack.
        abort(400, description=_('The JSON is nested too deeply; send a flat object such as {"title": {"en": "..."}}.'))


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    data = parsed_json()
    if data is None:
        abort(400, description=_("Send a JSON object with Content-Type: application/json."))
    if not isinstance(data, dict):
        abort(400, description=_("Send a JSON object, not a list or a value."))
    return data


def init_app(app: Flask) -> None:
    """Register the API's routes; CSRF does not apply since it accepts bearer tokens only."""
    from archive.api import (  # noqa: F401  (registers routes on bp)
        catalogue,
        deletions,  # noqa: F401  (deletion records)
        docs,  # the OpenAPI document and its page
        media,
        screenings,  # noqa: F401  (venues, licences, screenings)
        search,  # noqa: F401  (search, subtitles)
        subtitles,
        uploads,  # noqa: F401  (resumable uploads over tus)
    )

    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(docs.docs_bp)
