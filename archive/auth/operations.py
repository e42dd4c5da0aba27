"""Account rules: creating users, checking passwords, ending sessions, issuing API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from archive.auth.models import ApiToken, Role, User
from archive.errors import ValidationError
from archive.extensions import db
from archive.i18n.languages import LANGUAGES
from archive.timeutil import utcnow
from archive.validation import raise_if_any, text, text_problem


def _hasher() -> PasswordHasher:
    """The app's Argon2id hasher (memory-hard; cost from ARCHIVE_ARGON2_* settings)."""
    hasher = current_app.extensions.get("password_hasher")
    if hasher is None:
        hasher = PasswordHasher(
            memory_cost=current_app.config["ARGON2_MEMORY_KIB"], time_cost=current_app.config["ARGON2_TIME_COST"]
        )
        current_app.extensions["password_hasher"] = hasher
    return hasher


def _dummy_hash() -> str:
    """A hash to check against when the e-mail is unknown, so both paths cost the same time."""
    if "password_dummy_hash" not in current_app.extensions:
        current_app.extensions["password_dummy_hash"] = _hasher().hash("not-a-real-password")
    return current_app.extensions["password_dummy_hash"]


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
WRONG_CREDENTIALS = _l("E-mail or password is wrong.")
TOKEN_PREFIX = "da_"  # noqa: S105 (a public marker, not a secret)
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says whether the e-mail exists)."""


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding spaces."""
    return (email or "").strip().lower()


def validate_password(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError({"password": _("Use at least %(num)s characters.", num=MIN_PASSWORD)})


def create_user(email: str, password: str, role: str, name: str = "", locale: str = "") -> User:
    """Create an account; refuses a malformed or already used e-mail, unknown roles and languages."""
    email = normalise_email(email)
    errors = {}
    if not EMAIL_RE.match(email) or len(email) > 254 or text_problem(email):
        errors["email"] = _("Enter an e-mail address such as name@example.org.")
    elif db.session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = _("An account for %(email)s already exists.", email=email)
    if role not in {r.value for r in Role}:
        errors["role"] = _choose_role()
    name = text(name, "name", errors, limit=200)
    locale = interface_locale(locale, errors)
    try:
        validate_password(password)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    user = User(email=email, role=role, name=name, locale=locale, password_hash=_hasher().hash(password))
    db.session.add(user)
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """Replace a user's password; every session of the account ends."""
    validate_password(password)
    user.password_hash = _hasher().hash(password)
    end_sessions(user)
    db.session.commit()


def _choose_role() -> str:
    return _("Choose one of: %(choices)s.", choices=", ".join(r.value for r in Role))


def interface_locale(value: object, errors: dict) -> str:
    """An account's interface language: one of the interface languages' codes, or empty for none chosen."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or value.strip() not in LANGUAGES:
        errors["locale"] = _("Choose one of the interface languages (%(choices)s), or none.", choices=", ".join(LANGUAGES))
        return ""
    return value.strip()


def update_user(
    user: User, *, role: str | None = None, active: bool | None = None, name: str | None = None, locale: str | None = None
) -> User:
    """Change role, name, interface language or whether the account may sign in.

    A new role or switching off ends the account's sessions.
    """
    if locale is not None:
        errors: dict[str, str] = {}
        chosen = interface_locale(locale, errors)
        raise_if_any(errors)
    if role is not None:
        if role not in {r.value for r in Role}:
            raise ValidationError({"role": _choose_role()})
        if user.role == Role.ADMIN.value and role != Role.ADMIN.value and _admin_count() <= 1:
            raise ValidationError({"role": _("This is the last admin; make another admin first.")})
        if role != user.role:
            end_sessions(user)
        user.role = role
    if active is not None:
        if not active and user.role == Role.ADMIN.value and _admin_count() <= 1:
            raise ValidationError({"active": _("This is the last admin; it cannot be switched off.")})
        if not active and user.active:
            end_sessions(user)
        user.active = active
    if name is not None:
        errors = {}
        user.name = text(name, "name", errors, limit=200)
        if errors:
            db.session.rollback()
            raise ValidationError(errors)
    if locale is not None:
        user.locale = chosen
    db.session.commit()
    return user


def _admin_count() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN.value, User.active.is_(True))
    )


def authenticate(email: str, password: str) -> User:
    """Check credentials, spending the same time and giving the same answer whether the e-mail exists or not.

    Nothing is counted on the account: repeated failures are slowed down by the sign-in rate limits
    (``archive/ratelimit.py``), so nobody can lock another person out by typing wrong passwords.
    """
    email = normalise_email(email)
    # No account has such an address (PostgreSQL would not even compare one with a NUL in it):
    # treated as unknown, so the answer and its timing are the same as for any unknown address.
    unreadable = len(email) > 254 or text_problem(email) is not None
    user = None if unreadable else db.session.scalar(select(User).where(User.email == email))
    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(), password or "")
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise SignInRefused(str(WRONG_CREDENTIALS))
    if not user.active:
        raise SignInRefused(_("This account is switched off. Ask an admin to switch it on."))
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def end_sessions(user: User) -> None:
    """Make every session of ``user`` stop working at its next request (added, not committed)."""
    user.session_version = (user.session_version or 0) + 1


def sign_out(user: User) -> None:
    """Sign out everywhere: a copy of the session cookie stops working too."""
    end_sessions(user)
    db.session.commit()


def user_for_session(session_id: str) -> User | None:
    """The user a session belongs to, or None once that session has been ended."""
    user_id, _dot, version = (session_id or "").partition(".")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version) != version:
        return None
    return user


def _token_digest(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, label: str = "") -> str:
    """Create a bearer token for the API and return it; only its hash is kept."""
    errors: dict[str, str] = {}
    label = text(label, "label", errors, limit=100)
    raise_if_any(errors)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_token_digest(token), label=label))
    db.session.commit()
    return token


def revoke_token(token: ApiToken) -> None:
    """Stop a token from working."""
    token.revoked_at = utcnow()
    db.session.commit()


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None; noting when it was used never stops a read."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    _note_use(row)
    return row.user


def _note_use(row: ApiToken) -> None:
    """Record the token's last use, at most once a minute; a database that refuses the write is logged."""
    now = utcnow()
    if row.last_used_at is not None and now - row.last_used_at < TOKEN_USE_RESOLUTION:
        return
    token_id = row.id
    row.last_used_at = now
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        # A read-only replica or a held lock must not turn a read into an error: the date is a courtesy.
        db.session.rollback()
        current_app.logger.warning("Could not record the use of API token %s: %s", token_id, exc)
