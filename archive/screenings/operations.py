"""Screening rules: venues, licences, booking (rights and clashes), decisions, kits and reports.

Pages and the JSON API hand plain values to these functions. Input that breaks a field rule
raises ``ValidationError`` (422 ``invalid``); a booking that is well formed but cannot happen
raises ``Refused`` with an error code a program can test (``clash``, ``no_licence``, ...). Nothing
is written unless every check passed.

Race freedom: the clash check and the insert run in one transaction that holds a per-venue lock
(``SELECT ... FOR UPDATE`` on the venue row on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite, which
takes the database's single write lock), so two overlapping requests can never both pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from archive.auth.models import Role, User
from archive.auth.permissions import STAFF, has_role
from archive.catalogue.models import Item
from archive.catalogue.visibility import can_see_item
from archive.errors import ValidationError
from archive.extensions import db
from archive.screenings import times
from archive.screenings.models import (
    BLOCKING_STATUSES,
    FORMATS,
    USES,
    Licence,
    ReportPhoto,
    Screening,
    ScreeningReport,
    Venue,
    venue_members,
)
from archive.storage import StorageError, get_storage
from archive.timeutil import utcnow
from archive.validation import country_code, language_tag

# Bounds that keep one booking's footprint small, so the clash check only has to look at
# screenings that started at most MAX_SPAN before the new one: a bounded index range.
MAX_SPAN = timedelta(hours=24)
MAX_DISCUSSION_MINUTES = 240
MAX_BUFFER_MINUTES = 240
MAX_AUDIENCE = 1_000_000
KIT_OPENS_BEFORE = timedelta(hours=48)
KIT_CLOSES_AFTER = timedelta(hours=24)
FREE_SLOT_HORIZON = timedelta(days=7)
FREE_SLOT_STEP = timedelta(minutes=15)
MAX_PHOTO_BYTES = 20 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}

VENUE_FIELDS = {"name", "address", "city", "country", "timezone", "capacity", "buffer_minutes", "accessibility", "contact"}
LICENCE_FIELDS = {"territories", "starts_on", "ends_on", "uses", "max_screenings", "note"}
SCREENING_FIELDS = {
    "item_id", "venue_id", "starts_at", "audio_lang", "subtitle_lang", "expected_audience", "format",
    "discussion_minutes", "use", "notes",
}
ATTENDANCE_FIELDS = ("total", "women", "men", "other", "youth", "displaced")


class Refused(Exception):
    """A request that is well formed but cannot be carried out; ``code`` is for programs."""

    def __init__(self, code: str, message: str, status: int = 422, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


# --- small validators -------------------------------------------------------------------------


def _text(data: dict, name: str, errors: dict, limit: int, required: bool = False) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = "Give text."
        return ""
    value = value.strip()
    if required and not value:
        errors[name] = "This is required."
    elif len(value) > limit:
        errors[name] = f"Keep it under {limit} characters (it is {len(value)})."
    return value


def _whole(value: Any, name: str, errors: dict, *, low: int, high: int, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            errors[name] = "This is required."
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        errors[name] = f"{value!r} is not a whole number."
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = f"{value!r} is not a whole number."
        return None
    if not low <= number <= high:
        errors[name] = f"{number} is out of range; use {low} to {high}."
        return None
    return number


def _date(value: Any, name: str, errors: dict) -> date | None:
    if value in (None, ""):
        errors[name] = "Give a date as YYYY-MM-DD."
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = f"{value!r} is not a date; use YYYY-MM-DD."
        return None


def _unknown(data: dict, allowed: set[str]) -> None:
    extra = set(data) - allowed
    if extra:
        raise ValidationError({key: "Unknown field; known fields are " + ", ".join(sorted(allowed)) + "." for key in sorted(extra)})


def _optional_tag(data: dict, name: str, errors: dict) -> str | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return language_tag(value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


# --- venues -----------------------------------------------------------------------------------


def create_venue(data: dict) -> Venue:
    """Register a venue after checking every field (ISO country, IANA zone, sane numbers)."""
    _unknown(data, VENUE_FIELDS)
    errors: dict[str, str] = {}
    name = _text(data, "name", errors, 200, required=True)
    city = _text(data, "city", errors, 120, required=True)
    address = _text(data, "address", errors, 300)
    accessibility = _text(data, "accessibility", errors, 5000)
    contact = _text(data, "contact", errors, 300)
    country = None
    try:
        country = country_code(data.get("country"))
    except ValueError as exc:
        errors["country"] = str(exc)
    zone_name = data.get("timezone")
    try:
        times.zone(zone_name)  # type: ignore[arg-type]
    except ValueError as exc:
        errors["timezone"] = str(exc)
    capacity = _whole(data.get("capacity"), "capacity", errors, low=1, high=MAX_AUDIENCE)
    buffer = _whole(data.get("buffer_minutes", 30), "buffer_minutes", errors, low=0, high=MAX_BUFFER_MINUTES)
    if errors:
        raise ValidationError(errors)
    venue = Venue(
        name=name, city=city, address=address, accessibility=accessibility, contact=contact, country=country,
        timezone=zone_name, capacity=capacity, buffer_minutes=30 if buffer is None else buffer,
    )
    db.session.add(venue)
    db.session.commit()
    return venue


def add_member(venue: Venue, email: Any) -> User:
    """Link a venue account (found by e-mail) to ``venue``; linking twice is harmless."""
    if not isinstance(email, str) or not email.strip():
        raise ValidationError({"email": "Give the e-mail of a venue account."})
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise ValidationError({"email": f"No account for {email.strip()}; create it first with the venue role."})
    if user.role != Role.VENUE.value:
        raise ValidationError({"email": f"{user.email} is a {user.role} account; only venue accounts are linked to venues."})
    if user not in venue.members:
        venue.members.append(user)
        db.session.commit()
    return user


def venue_ids_of(user) -> list[int]:
    """The venues a venue account acts for."""
    if user is None:
        return []
    return list(db.session.scalars(select(venue_members.c.venue_id).where(venue_members.c.user_id == user.id)))


def may_act_for(user, venue: Venue) -> bool:
    """Staff act for every venue; a venue account only for the venues it is linked to."""
    if has_role(user, STAFF):
        return True
    return has_role(user, (Role.VENUE.value,)) and venue.id in venue_ids_of(user)


def _check_venue_permission(user, venue: Venue) -> None:
    if not may_act_for(user, venue):
        raise Refused("forbidden", f"Your account does not act for {venue.name}; book only for your own venue.", 403)


# --- licences ---------------------------------------------------------------------------------


def create_licence(item: Item, data: dict) -> Licence:
    """Record a screening licence for a film: territories, date window, uses, optional limit."""
    _unknown(data, LICENCE_FIELDS)
    errors: dict[str, str] = {}
    if item.kind != "film":
        errors["item"] = "Only films are screened; this item is a photograph."
    territories = data.get("territories")
    if isinstance(territories, str):
        territories = [part for part in territories.replace(";", ",").split(",") if part.strip()]
    codes: list[str] = []
    if not isinstance(territories, list) or not territories:
        errors["territories"] = 'Give at least one ISO 3166 country code, such as ["AM", "GE"].'
    else:
        for code in territories:
            try:
                parsed = country_code(code)
            except ValueError as exc:
                errors["territories"] = str(exc)
                break
            if parsed not in codes:
                codes.append(parsed)
    starts_on = _date(data.get("starts_on"), "starts_on", errors)
    ends_on = _date(data.get("ends_on"), "ends_on", errors)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = f"The licence ends ({ends_on}) before it starts ({starts_on}); swap or fix the dates."
    uses = data.get("uses")
    if isinstance(uses, str):
        uses = [part.strip() for part in uses.split(",") if part.strip()]
    if not isinstance(uses, list) or not uses or any(use not in USES for use in uses):
        errors["uses"] = "Give one or more permitted uses from: " + ", ".join(USES) + "."
        uses = []
    max_screenings = _whole(data.get("max_screenings"), "max_screenings", errors, low=1, high=1_000_000)
    note = _text(data, "note", errors, 2000)
    if errors:
        raise ValidationError(errors)
    licence = Licence(
        item_id=item.id, territories=codes, starts_on=starts_on, ends_on=ends_on, uses=list(dict.fromkeys(uses)),
        max_screenings=max_screenings, note=note,
    )
    db.session.add(licence)
    db.session.commit()
    return licence


def licences_of(item: Item) -> list[Licence]:
    """A film's licences, newest window last."""
    return list(db.session.scalars(select(Licence).where(Licence.item_id == item.id).order_by(Licence.starts_on, Licence.id)))


def _licence_for(item: Item, venue: Venue, start: datetime, use: str, ignore: int | None = None) -> Licence:
    """The first licence covering this screening, or ``Refused('no_licence')`` saying what fails."""
    day = times.to_local(start, times.zone(venue.timezone)).date()
    licences = licences_of(item)
    if not licences:
        raise Refused("no_licence", "This film has no screening licence yet; an archivist must record one before it can be booked.")
    reasons = []
    for licence in licences:
        if venue.country not in licence.territories:
            reasons.append(f"licence {licence.id} covers {', '.join(licence.territories)}, not {venue.country}")
            continue
        if not licence.starts_on <= day <= licence.ends_on:
            reasons.append(f"licence {licence.id} runs from {licence.starts_on} to {licence.ends_on}, not on {day}")
            continue
        if use not in licence.uses:
            reasons.append(f"licence {licence.id} permits {', '.join(licence.uses)} use, not {use}")
            continue
        if licence.max_screenings is not None:
            used = db.session.scalar(
                select(func.count()).select_from(Screening).where(
                    Screening.licence_id == licence.id,
                    Screening.status.in_(BLOCKING_STATUSES),
                    Screening.id != (ignore or 0),
                )
            )
            if used >= licence.max_screenings:
                reasons.append(f"licence {licence.id} allows {licence.max_screenings} screenings and all are booked")
                continue
        return licence
    raise Refused("no_licence", "No licence allows this screening: " + "; ".join(reasons) + ".")


# --- booking ----------------------------------------------------------------------------------


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
            "This film's length is not known yet (its media is still being processed); try again once processing has finished.",
        )
    if not math.isfinite(duration) or duration <= 0:
        raise Refused("no_duration", "This film has a duration of zero; an archivist must check its media before it can be booked.")
    ends_at = _ceil_minute(start + timedelta(seconds=duration, minutes=discussion_minutes))
    blocked_until = ends_at + timedelta(minutes=venue.buffer_minutes)
    if blocked_until - start > MAX_SPAN:
        raise ValidationError({"discussion_minutes": "Film, discussion and changeover together exceed 24 hours; book a shorter slot."})
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
        raise Refused("busy", "The booking system is busy; try again in a moment.", 503) from None


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
        raise ValidationError({"request": "Send the screening as an object of fields."})
    _unknown(data, SCREENING_FIELDS)
    errors: dict[str, str] = {}
    venue_id = _whole(data.get("venue_id"), "venue_id", errors, low=1, high=2**31 - 1, required=True)
    item_id = _whole(data.get("item_id"), "item_id", errors, low=1, high=2**31 - 1, required=True)
    venue = db.session.get(Venue, venue_id) if venue_id else None
    if venue_id and venue is None:
        errors["venue_id"] = f"No venue {venue_id}."
    if venue is not None:
        _check_venue_permission(user, venue)
    item = db.session.get(Item, item_id) if item_id else None
    # A film the booker may not see is reported exactly like a missing one: no probing.
    if item_id and (item is None or not can_see_item(user, item)):
        errors["item_id"] = f"No film {item_id} that you can book."
        item = None
    elif item is not None and item.kind != "film":
        errors["item_id"] = f"Item {item_id} is a photograph; only films are screened."
    fmt = data.get("format") or "cinema"
    if fmt not in FORMATS:
        errors["format"] = "Choose one of: " + ", ".join(FORMATS) + "."
    use = data.get("use") or "non-commercial"
    if use not in USES:
        errors["use"] = "Choose one of: " + ", ".join(USES) + "."
    discussion = _whole(data.get("discussion_minutes", 0), "discussion_minutes", errors, low=0, high=MAX_DISCUSSION_MINUTES)
    audience = _whole(data.get("expected_audience"), "expected_audience", errors, low=1, high=MAX_AUDIENCE)
    if audience and venue is not None and venue.capacity and audience > venue.capacity:
        errors["expected_audience"] = f"{venue.name} seats {venue.capacity}; expect at most that many."
    audio_lang = _optional_tag(data, "audio_lang", errors)
    subtitle_lang = _subtitle_lang(data, item, errors)
    notes = _text(data, "notes", errors, 5000)
    start = None
    if venue is not None:
        try:
            start = times.parse_start(data.get("starts_at"), times.zone(venue.timezone))
        except ValueError as exc:
            errors["starts_at"] = str(exc)
        if start is not None and start <= now:
            errors["starts_at"] = f"The start {times.local_label(start, times.zone(venue.timezone))} is in the past; choose a future time."
    if errors:
        raise ValidationError(errors)
    assert venue is not None and item is not None and start is not None
    slot = occupancy(item, venue, start, discussion or 0)

    lock_venue(venue.id)
    try:
        licence = _licence_for(item, venue, start, use)
        found = clashes(venue.id, slot)
        if found:
            tz = times.zone(venue.timezone)
            suggestions = free_slots(venue, slot, now)
            other = found[0]
            raise Refused(
                "clash",
                f"{venue.name} is busy from {times.local_label(other.starts_at, tz)} until "
                f"{times.local_label(other.blocked_until, tz)} (including the changeover). "
                + ("Free nearby: " + ", ".join(times.local_label(s, tz) for s in suggestions) + "." if suggestions
                   else "No free slot of this length within a week; try other dates."),
                409,
                free_slots=[times.local_iso(s, tz) for s in suggestions],
            )
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


def _subtitle_lang(data: dict, item: Item | None, errors: dict) -> str | None:
    """A valid BCP-47 tag naming one of the film's subtitle tracks."""
    tag = _optional_tag(data, "subtitle_lang", errors)
    if tag is None or item is None:
        return tag
    from archive.screenings import kit

    available = kit.subtitle_languages(item)
    if tag not in available:
        errors["subtitle_lang"] = (
            f"This film has no {tag} subtitles; choose one of: {', '.join(available)}." if available
            else f"This film has no subtitles yet; leave the subtitle language empty or ask the archive for {tag} subtitles."
        )
    return tag


# --- decisions --------------------------------------------------------------------------------


def _expect_status(screening: Screening, allowed: tuple[str, ...], action: str) -> None:
    if screening.status not in allowed:
        raise Refused(
            "wrong_status",
            f"Screening {screening.id} is {screening.status}; only a {' or '.join(allowed)} screening can be {action}.",
            409,
        )


def approve(screening: Screening, user, reason: str = "", now: datetime | None = None) -> Screening:
    """Approve a pending request after checking rights and clashes again."""
    now = now or utcnow()
    lock_venue(screening.venue_id)
    try:
        db.session.refresh(screening)
        _expect_status(screening, ("requested",), "approved")
        if screening.starts_at <= now:
            raise Refused("in_past", "This screening's start has passed; it can no longer be approved. Decline it instead.", 409)
        screening.licence_id = _licence_for(screening.item, screening.venue, screening.starts_at, screening.use, ignore=screening.id).id
        slot = Slot(screening.starts_at, screening.ends_at, screening.blocked_until)
        if clashes(screening.venue_id, slot, ignore=screening.id):
            raise Refused("clash", "Another screening now occupies this slot; decline this request.", 409)
        screening.status = "approved"
        _decide(screening, user, reason, now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    _tell_venue(screening, "approved", reason)
    return screening


def decline(screening: Screening, user, reason: str, now: datetime | None = None) -> Screening:
    """Decline a pending request; the venue is told the reason."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": "Say why the request is declined, so the venue can act on it."})
    lock_venue(screening.venue_id)
    try:
        db.session.refresh(screening)
        _expect_status(screening, ("requested",), "declined")
        screening.status = "declined"
        _decide(screening, user, reason.strip()[:2000], now or utcnow())
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    _tell_venue(screening, "declined", reason.strip())
    return screening


def cancel(screening: Screening, user, reason: str = "", now: datetime | None = None) -> Screening:
    """Cancel a pending or approved screening; this revokes its kit and marks it CANCELLED in feeds."""
    if not may_act_for(user, screening.venue):
        raise Refused("forbidden", "Only the venue's own accounts or staff can cancel this screening.", 403)
    lock_venue(screening.venue_id)
    try:
        db.session.refresh(screening)
        _expect_status(screening, ("requested", "approved"), "cancelled")
        screening.status = "cancelled"
        screening.cancelled_at = now or utcnow()
        screening.sequence += 1
        if reason:
            screening.decision_reason = str(reason).strip()[:2000]
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    _tell_venue(screening, "cancelled", str(reason or "").strip())
    return screening


def _decide(screening: Screening, user, reason: str, now: datetime) -> None:
    screening.decided_by_id = user.id if user is not None else None
    screening.decided_at = now
    screening.decision_reason = (reason or "").strip()[:2000]
    screening.sequence += 1


def _tell_venue(screening: Screening, what: str, reason: str) -> None:
    from archive.screenings import mail

    mail.notify_decision(screening, what, reason)


# --- kit --------------------------------------------------------------------------------------


def kit_window(screening: Screening) -> tuple[datetime, datetime]:
    """When the kit's download links work: 48 hours before the start to 24 hours after the end."""
    return screening.starts_at - KIT_OPENS_BEFORE, screening.ends_at + KIT_CLOSES_AFTER


def check_kit(screening: Screening, user, now: datetime | None = None) -> int:
    """Refuse a kit download outside its window or rules; return how many seconds it stays open."""
    now = now or utcnow()
    if not may_act_for(user, screening.venue):
        raise Refused("forbidden", "This kit belongs to another venue.", 403)
    if screening.status == "cancelled":
        raise Refused("kit_revoked", "This screening was cancelled, so its kit has been revoked.", 410)
    if screening.status != "approved":
        raise Refused("not_approved", f"The kit is ready once the screening is approved; it is {screening.status}.", 403)
    opens, closes = kit_window(screening)
    tz = times.zone(screening.venue.timezone)
    if now < opens:
        raise Refused("kit_not_open", f"The kit's download opens 48 hours before the screening, at {times.local_label(opens, tz)}.", 403)
    if now > closes:
        raise Refused("kit_expired", f"The kit's download closed 24 hours after the screening, at {times.local_label(closes, tz)}.", 410)
    return max(1, int((closes - now).total_seconds()))


# --- reports ----------------------------------------------------------------------------------


def file_report(
    screening: Screening,
    data: dict,
    user,
    photos: list[tuple[str, BinaryIO, str]] = (),  # type: ignore[assignment]
    now: datetime | None = None,
) -> ScreeningReport:
    """Record attendance and notes after an approved screening, with optional photos."""
    now = now or utcnow()
    if not may_act_for(user, screening.venue):
        raise Refused("forbidden", "Only the venue that held the screening (or staff) can report on it.", 403)
    _expect_status(screening, ("approved",), "reported on")
    if now < screening.starts_at:
        raise Refused("too_early", "Report on a screening after it has started.", 409)
    if screening.report is not None:
        raise Refused("report_exists", "A report for this screening has already been filed.", 409)
    if not isinstance(data, dict):
        raise ValidationError({"attendance": "Send the report as an object."})
    _unknown(data, {"attendance", "discussion", "notes"})
    attendance = data.get("attendance")
    errors: dict[str, str] = {}
    if not isinstance(attendance, dict):
        raise ValidationError({"attendance": 'Give attendance as {"total": 80, "women": 45, "men": 30, "other": 5, ...}.'})
    unknown = set(attendance) - set(ATTENDANCE_FIELDS)
    if unknown:
        errors["attendance"] = "Unknown attendance fields: " + ", ".join(sorted(unknown)) + "; use " + ", ".join(ATTENDANCE_FIELDS) + "."
    counts = {}
    for name in ATTENDANCE_FIELDS:
        default = None if name == "total" else 0
        value = _whole(attendance.get(name, default), name, errors, low=0, high=MAX_AUDIENCE, required=name == "total")
        if name in errors:
            errors[name] = errors[name].replace("out of range", "out of range (no negative numbers)")
        counts[name] = value or 0
    if not errors:
        genders = counts["women"] + counts["men"] + counts["other"]
        if genders > counts["total"]:
            errors["total"] = f"Women, men and other add up to {genders}, more than the total of {counts['total']}."
        for part in ("youth", "displaced"):
            if counts[part] > counts["total"]:
                errors[part] = f"{counts[part]} is more than the total of {counts['total']}."
    discussion = _text(data, "discussion", errors, 10_000)
    notes = _text(data, "notes", errors, 10_000)
    checked = []
    for filename, stream, mime in photos or ():
        if mime not in PHOTO_TYPES:
            errors["photos"] = f"{filename} is not a JPEG, PNG or WebP photograph."
        checked.append((filename, stream, mime))
    if errors:
        raise ValidationError(errors)

    storage = get_storage()
    stored = []
    try:
        rows = []
        for filename, stream, mime in checked:
            obj = storage.save(stream, prefix="screenings/photos", content_type=mime, max_bytes=MAX_PHOTO_BYTES)
            stored.append(obj)
            name = (filename or "photo").replace("/", "_")[-200:]
            rows.append(ReportPhoto(storage_key=obj.key, filename=name, size=obj.size, sha256=obj.sha256, mime=mime))
        report = ScreeningReport(
            screening_id=screening.id, total=counts["total"], women=counts["women"], men=counts["men"],
            other_gender=counts["other"], youth=counts["youth"], displaced=counts["displaced"],
            discussion=discussion, notes=notes, filed_by_id=user.id if user is not None else None,
        )
        report.photos = rows
        db.session.add(report)
        db.session.commit()
    except StorageError as exc:
        db.session.rollback()
        _delete_quietly(storage, stored)
        raise ValidationError({"photos": str(exc)}) from None
    except BaseException:
        db.session.rollback()
        _delete_quietly(storage, stored)
        raise
    return report


def _delete_quietly(storage, stored) -> None:
    for obj in stored:
        try:
            storage.delete(obj.key)
        except StorageError:
            pass  # an orphaned object is harmless; a half-written report is not
