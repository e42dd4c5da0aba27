"""API routes for venues, licences, screenings, decisions and attendance reports."""

from __future__ import annotations

from datetime import datetime

from flask import abort, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from archive.api import bp, json_body, parsed_json
from archive.api.catalogue import page_json
from archive.auth.permissions import ADMIN, SIGNED_IN, STAFF, acting_user, has_role, require
from archive.catalogue.models import Item
from archive.errors import ValidationError, error_body
from archive.extensions import db
from archive.pagination import page_number, paginate
from archive.screenings import kit, times
from archive.screenings.models import STATUSES as SCREENING_STATUSES
from archive.screenings.models import Licence, Screening, ScreeningReport, Venue
from archive.screenings.operations import booking, decisions, licences, reports, venues
from archive.screenings.operations.refusals import Refused
from archive.screenings.visibility import can_see_screening, visible_screenings
from archive.screenings.withdrawals import hidden_film_warning
from archive.validation import choice, moment, optional, raise_if_any, record_id


@bp.errorhandler(Refused)
def refused(exc: Refused):
    """A booking rule said no: the status and a code a program can test (``clash``, ``no_licence``...)."""
    body = error_body(exc.code, exc.message)
    body["error"].update(exc.extra)
    return body, exc.status


def venue_json(venue: Venue) -> dict:
    """A venue as the API shows it; linked accounts only to staff."""
    data = {
        "id": venue.id, "name": venue.name, "address": venue.address, "city": venue.city, "country": venue.country,
        "timezone": venue.timezone, "capacity": venue.capacity, "buffer_minutes": venue.buffer_minutes,
        "accessibility": venue.accessibility, "contact": venue.contact,
        "calendar": url_for("screenings.venue_feed", venue_id=venue.id, _external=True),
    }
    if has_role(acting_user(), STAFF):
        data["members"] = [user.email for user in venue.members]
    return data


def licence_json(licence: Licence) -> dict:
    """A licence as the API shows it."""
    return {
        "id": licence.id, "item_id": licence.item_id, "territories": licence.territories,
        "starts_on": licence.starts_on.isoformat(), "ends_on": licence.ends_on.isoformat(), "uses": licence.uses,
        "max_screenings": licence.max_screenings, "note": licence.note,
    }


def report_json(report: ScreeningReport) -> dict:
    """An attendance report."""
    return {
        "id": report.id,
        "attendance": {"total": report.total, "women": report.women, "men": report.men, "other": report.other_gender,
                       "youth": report.youth, "displaced": report.displaced},
        "discussion": report.discussion, "notes": report.notes, "photos": len(report.photos),
        "created_at": report.created_at.isoformat() + "Z",
    }


def _kit_copy(found) -> dict | None:
    """What a projectionist checks a download against."""
    if found is None:
        return None
    return {"source": found.source, "filename": found.filename, "size": found.size, "sha256": found.sha256}


def screening_json(screening: Screening, user) -> dict:
    """A screening with times in the venue's zone; booking details only for its venue and staff."""
    tz = times.zone(screening.venue.timezone)
    data = {
        "id": screening.id, "status": screening.status,
        "item_id": screening.item_id, "item_title": screening.item.display_title(),
        "venue_id": screening.venue_id, "venue_name": screening.venue.name, "timezone": screening.venue.timezone,
        "starts_at": times.local_iso(screening.starts_at, tz), "ends_at": times.local_iso(screening.ends_at, tz),
        "starts_at_utc": screening.starts_at.isoformat() + "Z", "ends_at_utc": screening.ends_at.isoformat() + "Z",
        "audio_lang": screening.audio_lang, "subtitle_lang": screening.subtitle_lang, "format": screening.format,
        "discussion_minutes": screening.discussion_minutes, "sequence": screening.sequence,
        "url": url_for("screenings.screening", screening_id=screening.id, _external=True),
    }
    if venues.may_act_for(user, screening.venue):
        opens, closes = kit.kit_window(screening)
        data.update(
            blocked_until=times.local_iso(screening.blocked_until, tz), use=screening.use,
            expected_audience=screening.expected_audience, notes=screening.notes,
            decision_reason=screening.decision_reason, licence_id=screening.licence_id,
            kit={
                "opens_at": times.local_iso(opens, tz), "closes_at": times.local_iso(closes, tz),
                "film": url_for("screenings.kit_file", screening_id=screening.id, name="film", _external=True),
                "poster": url_for("screenings.kit_file", screening_id=screening.id, name="poster", _external=True),
                "copy": _kit_copy(kit.screening_copy(screening.item)),
                "open_captions": url_for("screenings.kit_file", screening_id=screening.id, name="open-captions",
                                         _external=True) if kit.open_captions(screening.item, screening.subtitle_lang) else None,
                "event": url_for("screenings.kit_file", screening_id=screening.id, name="event.ics", _external=True),
                "subtitles": {
                    fmt: url_for("screenings.kit_file", screening_id=screening.id, name=f"subtitles.{fmt}", _external=True)
                    for fmt in ("srt", "vtt")
                } if screening.subtitle_lang else {},
            },
            report=report_json(screening.report) if screening.report else None,
        )
    return data


def _venue_or_404(venue_id: int) -> Venue:
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        abort(404, description=_("No venue %(id)s.", id=venue_id))
    return venue


def _screening_or_404(screening_id: int) -> Screening:
    """A screening the caller may see at all (hidden ones are 404, so they cannot be probed)."""
    screening = db.session.get(Screening, screening_id)
    if screening is None or not can_see_screening(acting_user(), screening):
        abort(404, description=_("No screening %(id)s.", id=screening_id))
    return screening


@bp.get("/venues")
def list_venues():
    """Every venue."""
    return page_json(paginate(select(Venue).order_by(Venue.name, Venue.id), page_number()), venue_json)


@bp.post("/venues")
@require(ADMIN)
def create_venue():
    """Register a venue (admins)."""
    venue = venues.create_venue(json_body())
    return venue_json(venue), 201, {"Location": url_for("api.get_venue", venue_id=venue.id)}


@bp.get("/venues/<int:venue_id>")
def get_venue(venue_id: int):
    """One venue."""
    return venue_json(_venue_or_404(venue_id))


@bp.post("/venues/<int:venue_id>/members")
@require(ADMIN)
def add_venue_member(venue_id: int):
    """Link a venue account to the venue (admins)."""
    user = venues.add_member(_venue_or_404(venue_id), json_body().get("email"))
    return {"venue_id": venue_id, "user_id": user.id, "email": user.email}, 201


def _item_for_staff(item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None:
        abort(404, description=_("No item %(id)s.", id=item_id))
    return item


@bp.get("/items/<int:item_id>/licences")
@require(STAFF)
def list_licences(item_id: int):
    """A film's licences (staff)."""
    return {"items": [licence_json(lic) for lic in licences.licences_of(_item_for_staff(item_id))]}


@bp.post("/items/<int:item_id>/licences")
@require(STAFF)
def create_licence(item_id: int):
    """Record a screening licence for a film (staff)."""
    return licence_json(licences.create_licence(_item_for_staff(item_id), json_body())), 201


def _moment(name: str) -> datetime | None:
    errors: dict[str, str] = {}
    found = optional(moment, request.args.get(name, "").strip(), name, errors)
    raise_if_any(errors)
    return found


def _id_arg(name: str) -> int | None:
    errors: dict[str, str] = {}
    found = optional(record_id, request.args.get(name, "").strip(), name, errors)
    raise_if_any(errors)
    return found


@bp.get("/screenings")
def list_screenings():
    """Screenings the caller may see: the public calendar, plus all of one's own venues' bookings."""
    user = acting_user()
    query = select(Screening).join(Screening.item).where(visible_screenings(user)).options(joinedload(Screening.venue))
    venue_id, item_id = _id_arg("venue"), _id_arg("item")
    start, end = _moment("from"), _moment("to")
    if start and end and end < start:
        raise ValidationError({"to": _("The end of the range is before its start.")})
    if venue_id:
        query = query.where(Screening.venue_id == venue_id)
    if item_id:
        query = query.where(Screening.item_id == item_id)
    if start:
        query = query.where(Screening.starts_at >= start)
    if end:
        query = query.where(Screening.starts_at < end)
    status = request.args.get("status")
    if status:
        errors: dict[str, str] = {}
        status = choice(status, "status", SCREENING_STATUSES, errors)
        raise_if_any(errors)
        query = query.where(Screening.status == status)
    page = paginate(query.order_by(Screening.starts_at, Screening.id), page_number())
    return page_json(page, lambda s: screening_json(s, user))


@bp.post("/screenings")
@require(SIGNED_IN)
def create_screening():
    """Request a screening: 201, or 409 ``clash`` (with ``free_slots``), 422 ``no_licence``, ``no_duration``, ``invalid``."""
    screening = booking.request_screening(json_body(), acting_user())
    return screening_json(screening, acting_user()), 201, {"Location": url_for("api.get_screening", screening_id=screening.id)}


@bp.get("/screenings/<int:screening_id>")
def get_screening(screening_id: int):
    """One screening."""
    return screening_json(_screening_or_404(screening_id), acting_user())


def _reason() -> str:
    data = parsed_json()
    reason = data.get("reason", "") if isinstance(data, dict) else ""
    if not isinstance(reason, str):
        raise ValidationError({"reason": _("Give the reason as text.")})
    return reason


@bp.post("/screenings/<int:screening_id>/approve")
@require(STAFF)
def approve_screening(screening_id: int):
    """Approve a request (staff); rights and clashes are checked again."""
    screening = decisions.approve(_screening_or_404(screening_id), acting_user(), _reason())
    warning = hidden_film_warning(screening)
    return {**screening_json(screening, acting_user()), "warnings": [warning] if warning else []}


@bp.post("/screenings/<int:screening_id>/decline")
@require(STAFF)
def decline_screening(screening_id: int):
    """Decline a request with a reason (staff)."""
    screening = decisions.decline(_screening_or_404(screening_id), acting_user(), _reason())
    return screening_json(screening, acting_user())


@bp.post("/screenings/<int:screening_id>/cancel")
@require(SIGNED_IN)
def cancel_screening(screening_id: int):
    """Cancel a screening (its venue or staff); its kit is revoked."""
    screening = decisions.cancel(_screening_or_404(screening_id), acting_user(), _reason())
    return screening_json(screening, acting_user())


@bp.post("/screenings/<int:screening_id>/report")
@require(SIGNED_IN)
def report_screening(screening_id: int):
    """File the attendance report after the screening (its venue or staff)."""
    report = reports.file_report(_screening_or_404(screening_id), json_body(), acting_user())
    return report_json(report), 201
