"""Dates, times, numbers and durations written the local way, through Babel's CLDR data.

Times are always on the 24-hour clock and, for screenings, in the venue's time zone: stored times
are naive UTC, and every function that shows one takes the zone it is shown in. The Jinja filters
``when``, ``day``, ``month_title``, ``duration``, ``file_size``, ``number`` and ``zone_label`` call these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from babel.dates import format_skeleton, get_timezone_location
from babel.numbers import format_decimal
from babel.units import format_unit
from flask import Flask

from archive.i18n.names import interface_locale


def _aware(moment: datetime, zone: tzinfo | None) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone) if zone is not None else moment


def when(moment: datetime | None, zone: tzinfo | None = None, *, weekday: bool = True) -> str:
    """``Mon, Mar 1, 2027, 19:00`` / ``пн, 1 мар. 2027 г., 19:00`` in ``zone`` (UTC when none)."""
    if moment is None:
        return ""
    locale = interface_locale()
    local = _aware(moment, zone)
    day_part = format_skeleton("yMMMEd" if weekday else "yMMMd", local, locale=locale)
    time_part = format_skeleton("Hm", local, locale=locale)
    return locale.datetime_formats["medium"].replace("{1}", day_part).replace("{0}", time_part)


def time_of_day(moment: datetime, zone: tzinfo | None = None) -> str:
    """``19:00`` in ``zone``."""
    return format_skeleton("Hm", _aware(moment, zone), locale=interface_locale())


def day(value: date | datetime | None, zone: tzinfo | None = None) -> str:
    """``March 1, 2027`` / ``1 марта 2027 г.``; a datetime is first moved into ``zone``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _aware(value, zone).date()
    return format_skeleton("yMMMMd", value, locale=interface_locale())


def month_title(value: date) -> str:
    """``March 2027`` / ``март 2027 г.``: the heading of a month view."""
    return format_skeleton("yMMMM", value, locale=interface_locale())


def week_days() -> list[tuple[int, str]]:
    """``(weekday number, short name)`` for a week, starting on the locale's first day (Monday: 0)."""
    locale = interface_locale()
    names = locale.days["stand-alone"]["abbreviated"]
    first = locale.first_week_day
    return [((first + offset) % 7, names[(first + offset) % 7]) for offset in range(7)]


def duration(seconds: float | None) -> str:
    """A film's length: ``1 hr 32 min`` / ``1 ч 32 мин``; under a minute in seconds."""
    if seconds is None:
        return ""
    locale = interface_locale()
    total = round(seconds)
    if total < 60:
        return format_unit(total, "duration-second", length="short", locale=locale)
    hours, minutes = divmod(round(total / 60), 60)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="short", locale=locale))
    if minutes or not hours:
        parts.append(format_unit(minutes, "duration-minute", length="short", locale=locale))
    return " ".join(parts)


_BYTE_UNITS = ("digital-byte", "digital-kilobyte", "digital-megabyte", "digital-gigabyte", "digital-terabyte")


def file_size(size: int | float | None) -> str:
    """``12.3 MB`` / ``12,3 МБ`` / ``12,3 ՄԲ``: decimal units, as CLDR names them."""
    if size is None:
        return ""
    value = float(size)
    unit = 0
    while value >= 1000 and unit < len(_BYTE_UNITS) - 1:
        value /= 1000
        unit += 1
    value = round(value) if unit == 0 or value >= 100 else round(value, 1)
    return format_unit(value, _BYTE_UNITS[unit], length="short", locale=interface_locale())


def number(value: float | int | None) -> str:
    """``12,345`` / ``12 345`` / ``12.345``."""
    return "" if value is None else format_decimal(value, locale=interface_locale())


def zone_label(zone: tzinfo) -> str:
    """The zone's city in the interface language: ``Yerevan`` / ``Երևան`` / ``Ереван``."""
    try:
        return get_timezone_location(zone, locale=interface_locale(), return_city=True)
    except (LookupError, ValueError, AttributeError):
        return str(getattr(zone, "key", zone))


def init_app(app: Flask) -> None:
    """Offer the formats to templates as filters."""
    app.jinja_env.filters.update(
        when=when, time_of_day=time_of_day, day=day, month_title=month_title,
        duration=duration, file_size=file_size, number=number, zone_label=zone_label,
    )
    app.jinja_env.globals.update(week_days=week_days)
