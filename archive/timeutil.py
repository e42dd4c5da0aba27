"""Time helpers: the archive stores naive UTC datetimes everywhere."""

from datetime import UTC, datetime

from flask import current_app


def utcnow() -> datetime:
    """Current time in UTC without tzinfo, the form every ``*_at`` column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def app_now() -> datetime:
    """What time the running app believes it is: ``utcnow()``, unless ``app.extensions["clock"]`` names
    another clock (tests set one to travel in time instead of sleeping)."""
    return current_app.extensions.get("clock", utcnow)()
