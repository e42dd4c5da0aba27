"""Which screenings a calendar shows, and the iCalendar (RFC 5545) documents for them.

An event's summary and description are written in the language the feed is requested in (the
interface's), with the film's title in that language when the film has it.

Calendars are public-facing: they show approved screenings (and cancelled ones, so subscribed
calendar apps remove them) of films the visitor may see, and never a restricted film, not even to
staff (the rule is ``archive.screenings.visibility``). Partners-only films appear only to
signed-in accounts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar, Event
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from archive.catalogue.models import Item
from archive.extensions import db
from archive.i18n.names import country_name, language_name
from archive.screenings import labels, times
from archive.screenings.models import Screening, Venue
from archive.screenings.visibility import calendar_items
from archive.timeutil import utcnow
from archive.validation import one_line

PRODID = "-//Dialogue Archive//Screenings//EN"
UID_DOMAIN = "screenings.dialogue-archive"
FEED_PAST = timedelta(days=90)  # recent past stays in feeds so cancellations and changes still reach subscribers
STATUS = {"approved": "CONFIRMED", "requested": "TENTATIVE", "cancelled": "CANCELLED", "declined": "CANCELLED"}


def calendar_query(user, *, include_cancelled: bool = False) -> Select:
    """Screenings a calendar shows ``user``: approved (and optionally cancelled) of visible films."""
    statuses = ("approved", "cancelled") if include_cancelled else ("approved",)
    return (
        select(Screening)
        .join(Screening.item)
        .join(Screening.venue)
        .where(Screening.status.in_(statuses), calendar_items(user))
        .options(joinedload(Screening.item), joinedload(Screening.venue))
    )


def filtered(query: Select, filters: dict) -> Select:
    """Narrow a calendar query by the filters a visitor chose: country, city, venue, film, language."""
    if "country" in filters:
        query = query.where(Venue.country == filters["country"])
    if "city" in filters:
        query = query.where(Venue.city == filters["city"])
    if "venue" in filters:
        query = query.where(Screening.venue_id == filters["venue"])
    if "film" in filters:
        query = query.where(Screening.item_id == filters["film"])
    if "language" in filters:
        language = filters["language"]
        query = query.where(or_(Screening.subtitle_lang == language, Screening.audio_lang == language))
    return query


def upcoming(query: Select, now: datetime | None = None) -> Select:
    """The screenings of ``query`` still to come, soonest first."""
    return query.where(Screening.starts_at >= (now or utcnow())).order_by(Screening.starts_at, Screening.id)


def coming(user, *, venue_id: int | None = None, item_id: int | None = None) -> Select:
    """A venue's or a film's coming screenings as its calendar shows them to ``user``."""
    query = calendar_query(user, include_cancelled=True)
    if venue_id is not None:
        query = query.where(Screening.venue_id == venue_id)
    if item_id is not None:
        query = query.where(Screening.item_id == item_id)
    return upcoming(query)


def in_month(query: Select, first: date) -> list[Screening]:
    """The screenings of ``query`` in the month starting ``first`` (a day either side, for local dates)."""
    start = datetime.combine(first, datetime.min.time()) - timedelta(days=1)
    end = datetime.combine(next_month(first), datetime.min.time()) + timedelta(days=1)
    rows = db.session.scalars(query.where(Screening.starts_at >= start, Screening.starts_at < end).order_by(Screening.starts_at))
    return list(rows.unique())


def next_month(first: date) -> date:
    """The first day of the month after the one starting ``first``."""
    return (first + timedelta(days=32)).replace(day=1)


def previous_month(first: date) -> date:
    """The first day of the month before the one starting ``first``."""
    return (first - timedelta(days=1)).replace(day=1)


def films_listed(user, limit: int = 200) -> list[Item]:
    """Films whose screenings calendars may list to ``user``, newest first (the filter's choices)."""
    return list(db.session.scalars(
        select(Item).where(Item.kind == "film", calendar_items(user)).order_by(Item.id.desc()).limit(limit)
    ))


def languages_listed(user) -> list[str]:
    """Audio and subtitle languages of the screenings calendars show ``user`` (the filter's choices)."""
    query = calendar_query(user, include_cancelled=True).with_only_columns(Screening.audio_lang, Screening.subtitle_lang)
    found = set()
    for audio, subtitles in db.session.execute(query.distinct().limit(500)):
        found.update(tag for tag in (audio, subtitles) if tag)
    return sorted(found)


def feed_query(user, now: datetime | None = None, *, venue_id: int | None = None, item_id: int | None = None) -> Select:
    """The feed's screenings (of one venue or film if given): from 90 days ago on, soonest first."""
    now = now or utcnow()
    query = calendar_query(user, include_cancelled=True).where(Screening.starts_at >= now - FEED_PAST)
    if venue_id is not None:
        query = query.where(Screening.venue_id == venue_id)
    if item_id is not None:
        query = query.where(Screening.item_id == item_id)
    return query.order_by(Screening.starts_at, Screening.id)


def feed(user, *, venue_id: int | None = None, item_id: int | None = None) -> list[Screening]:
    """The screenings of a feed, as ``feed_query`` selects them."""
    return list(db.session.scalars(feed_query(user, venue_id=venue_id, item_id=item_id)).unique())


def uid(screening: Screening) -> str:
    """A UID that never changes for a screening, whatever host serves the feed."""
    return f"screening-{screening.id}@{UID_DOMAIN}"


def event(screening: Screening, url: str | None = None) -> Event:
    """One VEVENT in the venue's time zone, with its SEQUENCE and STATUS."""
    venue = screening.venue
    tz = times.zone(venue.timezone)
    entry = Event()
    entry.add("uid", uid(screening))
    entry.add("dtstamp", (screening.updated_at or screening.created_at).replace(tzinfo=times.UTC_ZONE))
    entry.add("last-modified", (screening.updated_at or screening.created_at).replace(tzinfo=times.UTC_ZONE))
    entry.add("created", screening.created_at.replace(tzinfo=times.UTC_ZONE))
    entry.add("sequence", screening.sequence)
    entry.add("dtstart", _unmistakable(screening.starts_at, tz))
    entry.add("dtend", _unmistakable(screening.ends_at, tz))
    # Stored names are shown on one line each: a line break or control character in a title is no
    # part of a calendar property (icalendar escapes newlines, but passes other controls through).
    title, place = one_line(screening.item.display_title()), one_line(venue.name)
    entry.add("summary", _("%(film)s at %(venue)s", film=title, venue=place))
    entry.add("location", ", ".join(one_line(part) for part in (venue.name, venue.address, venue.city,
                                                                  country_name(venue.country)) if part))
    lines = [_("Film: %(film)s", film=title), _("Format: %(format)s", format=labels.format_label(screening.format))]
    if screening.audio_lang:
        lines.append(_("Audio: %(language)s", language=language_name(screening.audio_lang, capitalise=False)))
    if screening.subtitle_lang:
        lines.append(_("Subtitles: %(language)s", language=language_name(screening.subtitle_lang, capitalise=False)))
    if screening.discussion_minutes:
        lines.append(ngettext("Followed by a %(num)s-minute discussion.", "Followed by a %(num)s-minute discussion.",
                              screening.discussion_minutes))
    entry.add("description", "\n".join(lines))
    entry.add("status", STATUS[screening.status])
    entry.add("transp", "OPAQUE")
    if url:
        entry.add("url", url)
    return entry


def _unmistakable(moment: datetime, tz) -> datetime:
    """``moment`` in the venue's zone, or in UTC when the clocks there show that local time twice.

    A TZID time such as 02:30 on the night the clocks go back names two instants, and calendar
    programs take the first; written in UTC (``...Z``) it can only be read one way.
    """
    local = times.to_local(moment, tz)
    return moment.replace(tzinfo=times.UTC_ZONE) if times.is_ambiguous(local, tz) else local


def document(screenings: list[Screening], name: str, url_for_screening=None) -> bytes:
    """A VCALENDAR with the events and a VTIMEZONE for every zone they use."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", one_line(name))
    for screening in screenings:
        calendar.add_component(event(screening, url_for_screening(screening) if url_for_screening else None))
    if screenings:
        first = min(s.starts_at for s in screenings).date()
        last = max(s.ends_at for s in screenings).date()
        # Only the transitions around the events: a complete history would bloat every feed.
        calendar.add_missing_timezones(first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1))
    return calendar.to_ical()


def month_grid(first: date, screenings: list[Screening], first_weekday: int = 0) -> list[list[dict]]:
    """Weeks of the month starting ``first``, each starting on ``first_weekday`` (Monday: 0, the
    locale's first day of the week); each day lists its screenings by local date."""
    by_day: dict[date, list[Screening]] = {}
    for screening in screenings:
        local_day = times.to_local(screening.starts_at, times.zone(screening.venue.timezone)).date()
        by_day.setdefault(local_day, []).append(screening)
    start = first - timedelta(days=(first.weekday() - first_weekday) % 7)
    following = next_month(first)
    end = following + timedelta(days=(first_weekday - following.weekday()) % 7)
    weeks = []
    day = start
    while day < end:
        week = []
        for _offset in range(7):
            week.append({"date": day, "in_month": day.month == first.month, "screenings": by_day.get(day, [])})
            day += timedelta(days=1)
        weeks.append(week)
    return weeks
