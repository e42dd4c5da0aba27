"""Time helpers: the archive stores naive UTC datetimes everywhere."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time in UTC without tzinfo, the form every ``*_at`` column holds."""
    return datetime.now(UTC).replace(tzinfo=None)
