"""Booking: the slot a screening occupies, the per-venue lock, clashes, free slots, and the request.

Race freedom: the clash check and the insert run in one transaction that holds a per-venue lock
(``SELECT ... FOR UPDATE`` on the venue row on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite, which
takes the database's single write lock), so two overlapping requests can never both pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from archive.catalogue.models import Item
from archive.catalogue.visibility import can_see_item
from archive.errors import ValidationError
from archive.extensions import db
from archive.i18n.names import language_name
from archive.screenings import kit, times
from archive.screenings.models import BLOCKING_STATUSES, FORMATS, USES, Screening, Venue
from archive.screenings.operations.licences import licence_for
from archive.screenings.operations.refusals import Refused
from archive.screenings.operations.venues import MAX_AUDIENCE, check_venue_permission
from archive.timeutil import utcnow
from archive.validation import (
    choice,
    language_tag,
    optional,
    raise_if_any,
    record_id,
    refuse_unknown,
    required,
    text,
    whole,
)

# Bounds that keep one booking's footprint small, so the clash check only has to look at
# screenings that started at most MAX_SPAN before the new one: a bounded index range.
MAX_SPAN = timedelta(hours=24)
MAX_DISCUSSION_MINUTES = 240
FREE_SLOT_HORIZON = timedelta(days=7)
FREE_SLOT_STEP = timedelta(minutes=15)

SCREENING_FIELDS = {
    "item_id", "venue_id", "starts_at", "audio_lang", "subtitle_lang", "expected_audience", "format",
    "discussion_minutes", "use", "notes",
}


@dataclass
class Slot:
    """What one booking occupies, in naive UTC."""

    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    extra: dict = field(default_factory=dict)


def _ceil_minute(moment: datetime) -> datetime:
    floored = moment.replace(second=0, microsecond=0)
    return floored if floored == moment else floored + timedelta(minutes=1)


def occupancy(item: Item, venue: Venue, start: datetime, discussion_minutes: int) -> Slot:
    """The slot a screening needs: film + discussion, then the venue's changeover buffer."""
    duration = item.duration_seconds
    if duration is None:
        raise Refused(
            "no_duration",
            _("This film's length is not known yet (its media is still being processed); try again once processing has finished."),
        )
    if not math.isfinite(duration) or duration <= 0:
        raise Refused("no_duration", _("This film has a duration of zero; an archivist must check its media before it can be booked."))
    ends_at = _ceil_minute(start + timedelta(seconds=duration, minutes=discussion_minutes))
    blocked_until = ends_at + timedelta(minutes=venue.buffer_minutes)
    if blocked_until - start > MAX_SPAN:
        raise ValidationError({"discussion_minutes": _("Film, discussion and changeover together exceed 24 hours; book a shorter slot.")})
    return Slot(start, ends_at, blocked_until)


def lock_venue(venue_id: int) -> None:
    """Serialise bookings at one venue until the current transaction ends."""
    connection = db.session.connection()
    try:
        if connection.dialect.name == "sqlite":
            # SQLite has one writer at a time: taking the write lock at BEGIN (rather than at the
            # first INSERT) makes the clash check and the insert one atomic step. The driver only
            # opens a transaction on a write, so none is open unless this one already wrote.
            if not connection.connection.dbapi_connection.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            db.session.execute(select(Venue.id).where(Venue.id == venue_id).with_for_update())
    except OperationalError:
        db.session.rollback()
        raise Refused("busy", _("The booking system is busy; try again in a moment."), 503) from None


def clashes_query(venue_id: int, slot: Slot, ignore: int | None = None):
    """The query for pending or approved screenings at the venue overlapping ``slot``."""
    # Bounded range on ix_screenings_venue_starts: nothing that started more than MAX_SPAN before
    # the new slot can still be running, so older screenings are never read.
    query = select(Screening).where(
        Screening.venue_id == venue_id,
        Screening.starts_at > slot.starts_at - MAX_SPAN,
        Screening.starts_at < slot.blocked_until,
        Screening.blocked_until > slot.starts_at,
        Screening.status.in_(BLOCKING_STATUSES),
    )
    if ignore is not None:
        query = query.where(Screening.id != ignore)
    return query.order_by(Screening.starts_at)


def clashes(venue_id: int, slot: Slot, ignore: int | None = None) -> list[Screening]:
    """Pending or approved screenings at the venue whose occupancy overlaps ``slot``."""
    return list(db.session.scalars(clashes_query(venue_id, slot, ignore)))


def free_slots(venue: Venue, wanted: Slot, now: datetime, count: int = 3) -> list[datetime]:
    """The free start times nearest the wanted one (within a week), for the same length of slot."""
    span = wanted.blocked_until - wanted.starts_at
    low, high = wanted.starts_at - FREE_SLOT_HORIZON, wanted.starts_at + FREE_SLOT_HORIZON
    busy = list(
        db.session.execute(
            select(Screening.starts_at, Screening.blocked_until).where(
                Screening.venue_id == venue.id,
                Screening.starts_at > low - MAX_SPAN,
                Screening.starts_at < high + span,
                Screening.status.in_(BLOCKING_STATUSES),
            )
        )
    )
    step = int(FREE_SLOT_STEP.total_seconds())
    candidates = set()
    for starts_at, blocked_until in busy:
        after = blocked_until + timedelta(seconds=(-blocked_until.timestamp()) % step)
        before = starts_at - span
        before -= timedelta(seconds=before.timestamp() % step)
        candidates.update((after, before))
    result = []
    for candidate in sorted(candidates, key=lambda moment: abs(moment - wanted.starts_at)):
        if candidate <= now or not low <= candidate <= high:
            continue
        end = candidate + span
        if any(start < end and until > candidate for start, until in busy):
            continue
        result.append(candidate)
        if len(result) == count:
            break
    return result


def request_screening(data: dict, user, now: datetime | None = None) -> Screening:
    """Book a film at a venue, refusing at once outside every licence or on a clash."""
    now = now or utcnow()
    if not isinstance(data, dict):
        raise ValidationError({"request": _("Send the screening as an object of fields.")})
    refuse_unknown(data, SCREENING_FIELDS)
    errors: dict[str, str] = {}
    venue_id = required(record_id, data.get("venue_id"), "venue_id", errors)
    item_id = required(record_id, data.get("item_id"), "item_id", errors)
    venue = db.session.get(Venue, venue_id) if venue_id else None
    if venue_id and venue is None:
        errors["venue_id"] = _("No venue %(id)s.", id=venue_id)
    if venue is not None:
        check_venue_permission(user, venue)
    item = db.session.get(Item, item_id) if item_id else None
    # A film the booker may not see is reported exactly like a missing one: no probing.
    if item_id and (item is None or not can_see_item(user, item)):
        errors["item_id"] = _("No film %(id)s that you can book.", id=item_id)
        item = None
    elif item is not None and item.kind != "film":
        errors["item_id"] = _("Item %(id)s is a photograph; only films are screened.", id=item_id)
    fmt = choice(data.get("format") or "cinema", "format", FORMATS, errors)
    use = choice(data.get("use") or "non-commercial", "use", USES, errors)
    discussion = whole(data.get("discussion_minutes", 0), "discussion_minutes", errors, low=0, high=MAX_DISCUSSION_MINUTES)
    audience = whole(data.get("expected_audience"), "expected_audience", errors, low=1, high=MAX_AUDIENCE)
    if audience and venue is not None and venue.capacity and audience > venue.capacity:
        errors["expected_audience"] = ngettext("%(venue)s seats %(num)s; expect at most that many.",
                                               "%(venue)s seats %(num)s; expect at most that many.",
                                               venue.capacity, venue=venue.name)
    audio_lang = optional(language_tag, data.get("audio_lang"), "audio_lang", errors)
    subtitle_lang = _subtitle_lang(data.get("subtitle_lang"), item, errors)
    notes = text(data.get("notes"), "notes", errors, limit=5000, multiline=True)
    start = None
    if venue is not None:
        try:
            start = times.parse_start(data.get("starts_at"), times.zone(venue.timezone))
        except ValueError as exc:
            errors["starts_at"] = str(exc)
        if start is not None and start <= now:
            errors["starts_at"] = _("The start %(time)s is in the past; choose a future time.",
                                    time=times.shown(start, times.zone(venue.timezone)))
    raise_if_any(errors)
    assert venue is not None and item is not None and start is not None and fmt is not None and use is not None
    slot = occupancy(item, venue, start, discussion or 0)

    lock_venue(venue.id)
    try:
        licence = licence_for(item, venue, start, use)
        found = clashes(venue.id, slot)
        if found:
            raise _clash(venue, slot, found[0], now)
        screening = Screening(
            item_id=item.id, venue_id=venue.id, licence_id=licence.id, status="requested",
            starts_at=slot.starts_at, ends_at=slot.ends_at, blocked_until=slot.blocked_until,
            audio_lang=audio_lang, subtitle_lang=subtitle_lang, expected_audience=audience, format=fmt, use=use,
            discussion_minutes=discussion or 0, notes=notes, requested_by_id=user.id if user is not None else None,
        )
        db.session.add(screening)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return screening


def _clash(venue: Venue, slot: Slot, other: Screening, now: datetime) -> Refused:
    """The 409 refusal for a busy slot, naming the booking in the way and the nearest free starts."""
    tz = times.zone(venue.timezone)
    suggestions = free_slots(venue, slot, now)
    busy = _("%(venue)s is busy from %(start)s until %(end)s (including the changeover).", venue=venue.name,
             start=times.shown(other.starts_at, tz), end=times.shown(other.blocked_until, tz))
    if suggestions:
        # Translators: the free start times are a list of dates and times separated by semicolons.
        nearby = _("Free nearby: %(times)s.", times="; ".join(times.shown(s, tz) for s in suggestions))
    else:
        nearby = _("No free slot of this length within a week; try other dates.")
    return Refused(
        "clash",
        f"{busy} {nearby}",
        409,
        free_slots=[times.local_iso(s, tz) for s in suggestions],
    )


def _subtitle_lang(value, item: Item | None, errors: dict) -> str | None:
    """A valid BCP-47 tag naming one of the film's subtitle tracks."""
    tag = optional(language_tag, value, "subtitle_lang", errors)
    if tag is None or item is None:
        return tag
    available = kit.subtitle_languages(item)
    if tag not in available:
        errors["subtitle_lang"] = (
            # Translators: %(language)s and each of %(choices)s are a language's name with its tag: "Russian (ru)".
            _("This film has no subtitles in this language (%(language)s); choose one of: %(choices)s.",
              language=_named(tag), choices=", ".join(_named(code) for code in available)) if available
            else _("This film has no subtitles yet; leave the subtitle language empty or ask the archive for subtitles in "
                   "%(language)s.", language=language_name(tag))
        )
    return tag


def _named(tag: str) -> str:
    """A subtitle language as a person and a program both read it: ``Russian (ru)``."""
    return f"{language_name(tag)} ({tag})"
