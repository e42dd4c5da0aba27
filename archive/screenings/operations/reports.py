"""Attendance reports after a screening, with the venue's photographs."""

from __future__ import annotations

import io
from datetime import datetime
from typing import BinaryIO

from flask_babel import gettext as _

from archive.errors import ValidationError
from archive.extensions import db
from archive.media.errors import MediaError
from archive.media.photos import clean_photo
from archive.screenings.models import ReportPhoto, Screening, ScreeningReport
from archive.screenings.operations.refusals import Refused, expect_status
from archive.screenings.operations.venues import MAX_AUDIENCE, may_act_for
from archive.storage import StorageError, get_storage
from archive.timeutil import utcnow
from archive.validation import one_line, raise_if_any, refuse_unknown, text, whole

MAX_PHOTO_BYTES = 20 * 1024 * 1024
PHOTO_MIME = "image/jpeg"  # every report photo is stored re-encoded, without metadata
ATTENDANCE_FIELDS = ("total", "women", "men", "other", "youth", "displaced")
REPORT_FIELDS = {"attendance", "discussion", "notes"}


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
        raise Refused("forbidden", _("Only the venue that held the screening (or staff) can report on it."), 403)
    expect_status(screening, ("approved",), "reported on")
    if now < screening.starts_at:
        raise Refused("too_early", _("Report on a screening after it has started."), 409)
    if screening.report is not None:
        raise Refused("report_exists", _("A report for this screening has already been filed."), 409)
    if not isinstance(data, dict):
        raise ValidationError({"attendance": _("Send the report as an object.")})
    refuse_unknown(data, REPORT_FIELDS)
    attendance = data.get("attendance")
    if not isinstance(attendance, dict):
        raise ValidationError({"attendance": _('Give attendance as {"total": 80, "women": 45, "men": 30, "other": 5, ...}.')})
    errors: dict[str, str] = {}
    counts = _counts(attendance, errors)
    discussion = text(data.get("discussion"), "discussion", errors, limit=10_000, multiline=True)
    notes = text(data.get("notes"), "notes", errors, limit=10_000, multiline=True)
    checked = []
    for filename, stream, _declared in photos or ():
        try:
            checked.append((filename, _cleaned(filename or "photo", stream)))
        except MediaError as exc:
            errors["photos"] = str(exc)
    raise_if_any(errors)

    storage = get_storage()
    stored = []
    try:
        rows = []
        for filename, data in checked:
            obj = storage.save(io.BytesIO(data), prefix="screenings/photos", content_type=PHOTO_MIME,
                               max_bytes=MAX_PHOTO_BYTES)
            stored.append(obj)
            name = one_line(filename or "").replace("/", "_")[-200:] or "photo"  # a display name: no controls
            rows.append(ReportPhoto(storage_key=obj.key, filename=name, size=obj.size, sha256=obj.sha256,
                                    mime=PHOTO_MIME))
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


def _counts(attendance: dict, errors: dict) -> dict[str, int]:
    """The head counts, each at most the total; only the total is required."""
    unknown = set(attendance) - set(ATTENDANCE_FIELDS)
    if unknown:
        errors["attendance"] = _("Unknown attendance fields: %(unknown)s; use %(known)s.",
                                 unknown=", ".join(sorted(map(str, unknown))), known=", ".join(ATTENDANCE_FIELDS))
    counts = {}
    for name in ATTENDANCE_FIELDS:
        default = None if name == "total" else 0
        value = whole(attendance.get(name, default), name, errors, low=0, high=MAX_AUDIENCE, required=name == "total")
        if name in errors and _negative(attendance.get(name)):
            hint = _("no negative numbers")
            message = errors[name]
            errors[name] = (message.replace("out of range", f"out of range ({hint})") if "out of range" in message
                            else f"{message} ({hint})")
        counts[name] = value or 0
    if not errors:
        genders = counts["women"] + counts["men"] + counts["other"]
        if genders > counts["total"]:
            errors["total"] = _("Women, men and other add up to %(sum)s, more than the total of %(total)s.", sum=genders,
                                total=counts["total"])
        for part in ("youth", "displaced"):
            if counts[part] > counts["total"]:
                errors[part] = _("%(count)s is more than the total of %(total)s.", count=counts[part], total=counts["total"])
    return counts


def _negative(value) -> bool:
    """Whether a head count was given as a number below zero."""
    try:
        return int(str(value).strip()) < 0
    except ValueError:
        return False


def _cleaned(name: str, stream: BinaryIO) -> bytes:
    """The photo re-encoded without metadata; MediaError for one too large or not a photograph."""
    data = stream.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise MediaError(_("%(name)s is larger than %(size)s MB; send a smaller copy.", name=name,
                           size=MAX_PHOTO_BYTES // (1024 * 1024)))
    return clean_photo(data, name)


def photo_url(photo: ReportPhoto) -> str:
    """A short-lived link to a report photo (the caller has checked who may see it)."""
    return get_storage().url(photo.storage_key, content_type=photo.mime)


def _delete_quietly(storage, stored) -> None:
    for obj in stored:
        try:
            storage.delete(obj.key)
        except StorageError:
            pass  # an orphaned object is harmless; a half-written report is not
