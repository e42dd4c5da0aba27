"""Slowing down password guessing without letting anyone lock another person out.

Sign-in attempts are limited per address (``ARCHIVE_SIGNIN_LIMIT``) and failed ones per account
typed (``ARCHIVE_SIGNIN_ACCOUNT_LIMIT``), whether that account exists or not, so the answer never
tells which e-mails have accounts. A browser that has signed in to an account before carries a
signed "known device" cookie for it and is not held back by that account's failures elsewhere:
someone guessing an admin's password cannot keep the admin out.
"""

from __future__ import annotations

import hashlib

from flask import Response, current_app, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from archive.auth.operations import normalise_email
from archive.ratelimit import counter_key, limiter, setting

DEVICE_COOKIE = "known_device"
DEVICE_DAYS = 180


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")


def _account_key(email: str) -> str:
    """Stands for the account typed, without keeping the e-mail itself in the counter store."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def account_typed() -> str:
    """The rate-limit key of the account a sign-in form names."""
    return counter_key("account:" + _account_key(request.form.get("email", "")))


def on_known_device() -> bool:
    """Whether this browser signed in to the account the form names before."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return False
    try:
        remembered = _serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return False
    return remembered == _account_key(request.form.get("email", ""))


def remember_device(response: Response, email: str) -> Response:
    """After a successful sign-in: mark this browser as one the account uses."""
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps(_account_key(email)), max_age=DEVICE_DAYS * 86400,
        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
    )
    return response


def signin_message() -> str:
    """What a held-back sign-in is told, in the reader's language (the limiter asks at each refusal)."""
    return _("Too many sign-in attempts. Check the e-mail and password, or ask an admin to reset the password.")


def _failed(response: Response) -> bool:
    return response.status_code == 401


# Decorators for the sign-in view: every attempt counts per address, failures count per account.
per_address = limiter.limit(setting("SIGNIN_LIMIT"), methods=["POST"], error_message=signin_message)
per_account = limiter.limit(
    setting("SIGNIN_ACCOUNT_LIMIT"), methods=["POST"], key_func=account_typed, deduct_when=_failed,
    exempt_when=on_known_device, error_message=signin_message, scope="signin-account",
)
