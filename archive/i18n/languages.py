"""Which language a request is answered in.

In order: the visitor's explicit choice (the header's switcher, or a link carrying ``?lang=hy``),
kept in the session so it survives navigation and sign-in; the signed-in user's saved preference;
the browser's ``Accept-Language``; then English. The JSON API answers in the language
``Accept-Language`` asks for.
"""

from __future__ import annotations

from flask import has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from archive.extensions import db

# The interface languages, each named in itself, in the order the switcher shows them.
LANGUAGES = {"hy": "Հայերեն", "az": "Azərbaycanca", "ru": "Русский", "en": "English"}
DEFAULT = "en"
SESSION_KEY = "lang"


def interface_language(value: object) -> str | None:
    """``value`` when it names an interface language (``hy``, ``hy-AM``, ``RU``), else None."""
    if not isinstance(value, str) or not value.isascii():
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def _signed_in_user():
    try:
        return current_user if current_user and current_user.is_authenticated else None
    except Exception:  # noqa: BLE001 - no login manager outside a request
        return None


def select() -> str:
    """The language this request is answered in (Flask-Babel's locale selector); English outside one."""
    if not has_request_context():
        return DEFAULT
    if request.path.startswith("/api/"):
        return from_browser()
    chosen = interface_language(session.get(SESSION_KEY))
    if chosen:
        return chosen
    user = _signed_in_user()
    saved = interface_language(getattr(user, "locale", None))
    if saved:
        return saved
    return from_browser()


def from_browser() -> str:
    """The interface language the browser ranks highest; ``ru-RU`` counts as ``ru``, ``*`` as none."""
    for value, quality in request.accept_languages:  # best first
        chosen = interface_language(value) if quality > 0 else None
        if chosen:
            return chosen
    return DEFAULT


def current() -> str:
    """The language code of the current request (English outside one)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def remember_choice(language: str) -> None:
    """Keep ``language`` for this browser and, when someone is signed in, as their saved preference."""
    session[SESSION_KEY] = language
    user = _signed_in_user()
    if user is not None and user.locale != language:
        user.locale = language
        db.session.commit()
