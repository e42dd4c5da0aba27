"""A venue account's pages: its bookings, requests, cancelling, the kit, reports and the inbox."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from archive.auth.permissions import SIGNED_IN, acting_user, audience_of, require
from archive.errors import ValidationError
from archive.extensions import db
from archive.pagination import page_number, paginate
from archive.screenings import forms, kit, mail, times
from archive.screenings.models import FORMATS, USES, ReportPhoto, Venue
from archive.screenings.operations import booking, decisions, reports
from archive.screenings.operations.licences import licensed_films
from archive.screenings.operations.refusals import Refused
from archive.screenings.operations.venues import acting_for, linked_to, screenings_of
from archive.screenings.views import bp, ics_response, refuse, screening_for_actor


@bp.get("/venue/")
@require(SIGNED_IN)
def my_screenings():
    """A venue account's screenings (staff: every venue's), newest first."""
    user = acting_user()
    return render_template("screenings/my_screenings.html", page=paginate(screenings_of(user), page_number()),
                           venues=linked_to(user))


@bp.route("/venue/screenings/new", methods=["GET", "POST"])
@require(SIGNED_IN)
def new_request():
    """The request form; a clash shows the nearest free slots."""
    user = acting_user()
    films, venues = licensed_films(user), acting_for(user)
    data = forms.screening_data(request.form if request.method == "POST" else request.args)
    subtitle_choices = kit.subtitle_languages_of([film.id for film in films])
    context = {"films": films, "venues": venues, "formats": FORMATS, "uses": USES, "data": data, "errors": {},
               "subtitle_choices": subtitle_choices,
               "subtitle_langs": sorted({lang for langs in subtitle_choices.values() for lang in langs})}
    if request.method == "GET":
        return render_template("screenings/request_form.html", **context)
    try:
        record = booking.request_screening(data, user)
    except ValidationError as exc:
        return render_template("screenings/request_form.html", **{**context, "errors": exc.errors}), 422
    except Refused as exc:
        if exc.status == 403:
            refuse(exc)
        slots = _slot_labels(exc.extra.get("free_slots", []), data.get("venue_id"))
        return render_template("screenings/request_form.html", **context, refusal=exc, slots=slots), exc.status
    flash(_("Request sent; the archive will approve or decline it, and you will be told."), "success")
    return redirect(url_for("screenings.screening", screening_id=record.id))


def _slot_labels(slots: list[str], venue_id) -> list[tuple[str, str]]:
    """Each suggested start (ISO with the venue's offset) with how the page writes it."""
    venue = db.session.get(Venue, int(venue_id)) if str(venue_id or "").isdigit() else None
    if venue is None:
        return [(slot, slot) for slot in slots]
    tz = times.zone(venue.timezone)
    return [(slot, times.shown(datetime.fromisoformat(slot).astimezone(UTC).replace(tzinfo=None), tz)) for slot in slots]


@bp.post("/screenings/<int:screening_id>/cancel")
@require(SIGNED_IN)
def cancel(screening_id: int):
    """Cancel a screening (its venue or staff); the kit is revoked."""
    record = screening_for_actor(screening_id)
    try:
        decisions.cancel(record, acting_user(), request.form.get("reason", ""))
    except ValidationError as exc:
        flash("; ".join(exc.errors.values()), "error")
        return redirect(url_for("screenings.screening", screening_id=record.id))
    except Refused as exc:
        refuse(exc)
    flash(_("The screening is cancelled and its kit revoked."), "success")
    return redirect(url_for("screenings.screening", screening_id=record.id))


@bp.get("/screenings/<int:screening_id>/kit/<name>")
@require(SIGNED_IN)
def kit_file(screening_id: int, name: str):
    """A kit download, only from 48 hours before to 24 hours after the screening."""
    record = screening_for_actor(screening_id)
    try:
        seconds = kit.check_kit(record, acting_user())
    except Refused as exc:
        refuse(exc)
    if name == "event.ics":
        response = ics_response([record], _("%(film)s at %(venue)s", film=record.item.display_title(), venue=record.venue.name))
        response.headers["Content-Disposition"] = f"attachment; filename=screening-{record.id}.ics"
        return response
    if name in ("subtitles.srt", "subtitles.vtt"):
        fmt = name.rsplit(".", 1)[1]
        found = kit.subtitles(record.item, record.subtitle_lang, fmt) if record.subtitle_lang else None
        if found is None:
            abort(404, description=_("No subtitles were chosen for this screening, or the track is missing."))
        text, filename = found
        mimetype = "application/x-subrip" if fmt == "srt" else "text/vtt"
        return Response(text, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    if name not in ("film", "poster", "open-captions"):
        abort(404)
    if name == "open-captions":
        stored = kit.open_captions(record.item, record.subtitle_lang)
    else:
        stored = kit.screening_copy(record.item) if name == "film" else kit.poster(record.item)
    if stored is None:
        abort(404, description=_("This file is not ready yet: the film's media is still being processed."))
    return redirect(kit.download_url(stored, seconds, audience_of(acting_user())))


@bp.post("/screenings/<int:screening_id>/kit/prepare")
@require(SIGNED_IN)
def prepare_copy(screening_id: int):
    """Ask for the film's master for projection, or its open-captions version, once the screening is approved."""
    record = screening_for_actor(screening_id)
    if record.status != "approved":
        abort(409, description=_("Copies for projection are made once the screening is approved."))
    what = request.form.get("what", "")
    if what not in ("master", "open_captions"):
        abort(400, description=_("Say which copy to make: the screening copy or the open-captions version."))
    try:
        kit.request_copy(record.item, what, record.subtitle_lang)
    except Refused as exc:
        refuse(exc)
    flash(_("The copy is being made; this page offers it when it is ready."), "success")
    return redirect(url_for("screenings.screening", screening_id=record.id))


@bp.route("/screenings/<int:screening_id>/report", methods=["GET", "POST"])
@require(SIGNED_IN)
def report(screening_id: int):
    """The attendance report form, and the report once filed."""
    record = screening_for_actor(screening_id)
    if request.method == "GET" or record.report is not None:
        return render_template("screenings/report.html", screening=record, data={}, errors={})
    data = forms.report_data(request.form)
    photos = [(f.filename or "photo", f.stream, f.mimetype) for f in request.files.getlist("photos") if f and f.filename]
    try:
        reports.file_report(record, data, acting_user(), photos)
    except ValidationError as exc:
        return render_template("screenings/report.html", screening=record, data=request.form, errors=exc.errors), 422
    except Refused as exc:
        refuse(exc)
    flash(_("Thank you: the report is filed."), "success")
    return redirect(url_for("screenings.screening", screening_id=record.id))


@bp.get("/screenings/photos/<int:photo_id>")
@require(SIGNED_IN)
def photo(photo_id: int):
    """A report photo (its venue and staff only), through a short-lived link."""
    row = db.get_or_404(ReportPhoto, photo_id)
    screening_for_actor(row.report.screening_id)
    return redirect(reports.photo_url(row))


@bp.get("/venue/inbox")
@require(SIGNED_IN)
def inbox():
    """Notices sent to the user's venues (staff: to every venue), newest first."""
    user = acting_user()
    page = paginate(mail.inbox(user), page_number())
    return render_template("screenings/inbox.html", page=page, notices=mail.readable(page.items, user))
