"""Venue-local times: IANA zones, turning what a venue typed into UTC, and UTC back into local time.

Everything is stored as naive UTC. A time without an offset is read as wall-clock time at the
venue; one that the clocks skip (spring forward) or show twice (fall back) is refused with a
message that says how to fix it, never silently shifted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from archive.i18n import formats
from archive.validation import FIRST_YEAR, LAST_YEAR, time_zone


def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``, or ValueError saying what a valid name looks like."""
    return ZoneInfo(time_zone(name))


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A stored naive-UTC time as an aware time in the venue's zone."""
    return moment.replace(tzinfo=UTC).astimezone(tz)


def is_ambiguous(local: datetime, tz: ZoneInfo) -> bool:
    """Whether the wall-clock time of ``local`` happens twice in ``tz`` (the hour the clocks go back)."""
    wall = local.replace(tzinfo=None)
    return wall.replace(tzinfo=tz, fold=0).utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset()


def local_iso(moment: datetime, tz: ZoneInfo) -> str:
    """ISO 8601 in the venue's zone with its offset, to the minute: 2027-03-01T19:00:00+04:00."""
    return to_local(moment, tz).replace(microsecond=0).isoformat()


def local_label(moment: datetime, tz: ZoneInfo) -> str:
    """A readable local time with the offset and zone: 2027-03-01 19:00 (UTC+04:00, Asia/Yerevan)."""
    local = to_local(moment, tz)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]}, {tz.key})"


def offset_label(moment: datetime, tz: ZoneInfo) -> str:
    """The venue's offset from UTC at ``moment``: ``UTC+04:00``."""
    offset = to_local(moment, tz).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def shown(moment: datetime, tz: ZoneInfo) -> str:
    """A local time at the venue written the interface's way, with offset and zone city.

    ``Mon, Mar 1, 2027, 19:00 (UTC+04:00, Yerevan)`` / ``пн, 1 мар. 2027 г., 19:00 (UTC+04:00, Ереван)``.
    """
    return f"{formats.when(moment, tz)} ({offset_label(moment, tz)}, {formats.zone_label(tz)})"


def parse_start(value: object, tz: ZoneInfo) -> datetime:
    """Turn ``2027-03-01T19:00`` (venue time) or ``...+04:00`` (any offset) into naive UTC.

    Raises ValueError with a message a person can act on.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("Give the start as a date and time, such as 2027-03-01T19:00 (venue time) or 2027-03-01T19:00+04:00."))
    text = value.strip()
    if len(text) < 16 or text[10] not in "T ":
        raise ValueError(_("%(value)s has no time of day; use YYYY-MM-DDTHH:MM, such as 2027-03-01T19:00.", value=repr(text)))
    try:
        if not text.isascii():
            raise ValueError(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(_("%(value)s is not a date and time; use YYYY-MM-DDTHH:MM, optionally with an offset such as +04:00.",
                           value=repr(text))) from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(_("%(value)s is out of range; give a start between %(first)s and %(last)s.",
                           value=repr(text), first=FIRST_YEAR, last=LAST_YEAR))
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC).replace(tzinfo=None)
    return local_to_utc(parsed, tz)


def local_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """Naive venue wall-clock time to naive UTC, refusing skipped and repeated times."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        wall_text = f"{wall:%Y-%m-%d %H:%M}"
        if round_trip != wall:
            later = (wall + (second.utcoffset() - first.utcoffset()))  # type: ignore[operator]
            later_text = f"{later:%H:%M}"
            raise ValueError(_(
                "%(time)s does not exist in %(zone)s: the clocks skip that hour (daylight saving starts). "
                "Choose another time, such as %(later)s.", time=wall_text, zone=tz.key, later=later_text,
            ))
        first_text = f"{wall:%Y-%m-%dT%H:%M}{_offset(first)}"
        second_text = f"{wall:%Y-%m-%dT%H:%M}{_offset(second)}"
        raise ValueError(_(
            "%(time)s happens twice in %(zone)s (the clocks go back that night). Include the UTC offset to say "
            "which one: %(first)s (the first) or %(second)s (the second).", time=wall_text, zone=tz.key,
            first=first_text, second=second_text,
        ))
    return first.astimezone(UTC).replace(tzinfo=None)


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"

UTC_ZONE = UTC
