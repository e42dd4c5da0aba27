"""Screening pages: public calendars and feeds, the venues' booking pages, staff decisions, impact."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from archive.auth.permissions import ADMIN, SIGNED_IN, STAFF, acting_user, has_role, require
from archive.catalogue.models import Item
from archive.catalogue.visibility import can_see_item, visible_items
from archive.errors import ValidationError
from archive.extensions import db
from archive.pagination import page_number, paginate
from archive.screenings import calendars, forms, impact, kit, operations, times
from archive.screenings.models import FORMATS, USES, Licence, ReportPhoto, Screening, Venue, VenueMessage
from archive.screenings.operations import Refused
from archive.storage import get_storage
from archive.timeutil import utcnow

bp = Blueprint("screenings", __name__)


def _refused(exc: Refused):
    abort(exc.status, description=exc.message)


def _venue_or_404(venue_id: int) -> Venue:
    return db.get_or_404(Venue, venue_id)


def _screening_for_actor(screening_id: int) -> Screening:
    """A screening the current user acts on (own venue or staff); others get 404 or 403."""
    screening = db.session.get(Screening, screening_id)
    user = acting_user()
    if screening is None or not can_see_item(user, screening.item):
        abort(404)
    if not operations.may_act_for(user, screening.venue):
        abort(403, description="This screening belongs to another venue.")
    return screening


def _may_view(user, screening: Screening) -> bool:
    """Staff and the venue's accounts see every screening of theirs; others only calendar ones."""
    if not can_see_item(user, screening.item):
        return False
    if operations.may_act_for(user, screening.venue):
        return True
    return screening.status in ("approved", "cancelled") and screening.item.visibility != "restricted"


# --- public calendars ---------------------------------------------------------------------------


def _filtered(query, args):
    """Apply the calendar's filters: country, city, venue, film and language."""
    filters = {}
    if args.get("country"):
        filters["country"] = args["country"].strip().upper()[:2]
        query = query.where(Venue.country == filters["country"])
    if args.get("city"):
        filters["city"] = args["city"].strip()[:120]
        query = query.where(Venue.city == filters["city"])
    for name, column in (("venue", Screening.venue_id), ("film", Screening.item_id)):
        raw = args.get(name, "")
        if raw:
            if not raw.isdigit() or len(raw) > 9:
                abort(400, description=f"{name}={raw!r} is not an id; pick one from the list.")
            filters[name] = int(raw)
            query = query.where(column == int(raw))
    if args.get("lang"):
        filters["lang"] = args["lang"].strip()[:35]
        query = query.where(or_(Screening.subtitle_lang == filters["lang"], Screening.audio_lang == filters["lang"]))
    return query, filters


def _month(raw: str | None) -> date:
    today = utcnow().date()
    if not raw:
        return today.replace(day=1)
    try:
        return datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        abort(400, description=f"month={raw!r} is not a month; use YYYY-MM such as 2027-03.")


@bp.get("/screenings")
def calendar():
    """Upcoming screenings as a list, or a month at a glance, with filters."""
    user = acting_user()
    query, filters = _filtered(calendars.calendar_query(user, include_cancelled=True), request.args)
    view = "month" if request.args.get("view") == "month" else "list"
    films = db.session.scalars(
        select(Item).where(Item.kind == "film", calendars.calendar_items(user)).order_by(Item.id.desc()).limit(200)
    ).all()
    venues = db.session.scalars(select(Venue).order_by(Venue.name)).all()
    context = {"filters": filters, "view": view, "films": films, "venues": venues}
    if view == "month":
        first = _month(request.args.get("month"))
        following = (first + timedelta(days=32)).replace(day=1)
        rows = db.session.scalars(
            query.where(
                Screening.starts_at >= datetime.combine(first, datetime.min.time()) - timedelta(days=1),
                Screening.starts_at < datetime.combine(following, datetime.min.time()) + timedelta(days=1),
            ).order_by(Screening.starts_at)
        ).unique().all()
        return render_template("screenings/calendar.html", weeks=calendars.month_grid(first, rows), month=first,
                               previous=(first - timedelta(days=1)).replace(day=1), following=following, **context)
    query = query.where(Screening.starts_at >= utcnow()).order_by(Screening.starts_at, Screening.id)
    return render_template("screenings/calendar.html", page=paginate(query, page_number()), **context)


@bp.get("/screenings/<int:screening_id>")
def screening(screening_id: int):
    """One screening: public details; for its venue and staff also the kit, decisions and report."""
    record = db.session.get(Screening, screening_id)
    user = acting_user()
    if record is None or not _may_view(user, record):
        abort(404)
    acting = operations.may_act_for(user, record.venue)
    opens, closes = operations.kit_window(record)
    now = utcnow()
    return render_template(
        "screenings/screening.html", screening=record, acting=acting, now=now, kit_opens=opens, kit_closes=closes,
        kit_open=record.status == "approved" and opens <= now <= closes,
        copy=kit.screening_copy(record.item) if acting else None,
        poster=kit.poster(record.item) if acting else None,
        subtitle_formats=("srt", "vtt") if acting and record.subtitle_lang in kit.subtitle_languages(record.item) else (),
        is_staff=has_role(user, STAFF),
    )


@bp.get("/venues")
def venues():
    """Every venue, by country and city."""
    rows = db.session.scalars(select(Venue).order_by(Venue.country, Venue.city, Venue.name)).all()
    return render_template("screenings/venues.html", venues=rows)


@bp.get("/venues/<int:venue_id>")
def venue(venue_id: int):
    """A venue's page with its upcoming screenings."""
    record = _venue_or_404(venue_id)
    query = calendars.calendar_query(acting_user(), include_cancelled=True).where(
        Screening.venue_id == record.id, Screening.starts_at >= utcnow()
    ).order_by(Screening.starts_at)
    return render_template("screenings/venue.html", venue=record, page=paginate(query, page_number()))


@bp.get("/items/<int:item_id>/screenings")
def film(item_id: int):
    """A film's upcoming screenings."""
    user = acting_user()
    item = db.session.get(Item, item_id)
    if item is None or not can_see_item(user, item) or item.visibility == "restricted":
        abort(404)
    query = calendars.calendar_query(user, include_cancelled=True).where(
        Screening.item_id == item.id, Screening.starts_at >= utcnow()
    ).order_by(Screening.starts_at)
    return render_template("screenings/film.html", item=item, page=paginate(query, page_number()))


def _ics(rows, name: str) -> Response:
    body = calendars.document(
        rows, name, lambda s: url_for("screenings.screening", screening_id=s.id, _external=True)
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "inline; filename=screenings.ics"
    return response


@bp.get("/calendar.ics")
def feed():
    """iCalendar feed of every screening the caller may see."""
    rows = db.session.scalars(calendars.feed_query(acting_user())).unique().all()
    return _ics(rows, "Dialogue Archive screenings")


@bp.get("/venues/<int:venue_id>/calendar.ics")
def venue_feed(venue_id: int):
    """iCalendar feed of one venue."""
    record = _venue_or_404(venue_id)
    rows = db.session.scalars(calendars.feed_query(acting_user()).where(Screening.venue_id == record.id)).unique().all()
    return _ics(rows, f"Screenings at {record.name}")


@bp.get("/items/<int:item_id>/calendar.ics")
def film_feed(item_id: int):
    """iCalendar feed of one film; 404 for a film the caller cannot see."""
    user = acting_user()
    item = db.session.get(Item, item_id)
    if item is None or not can_see_item(user, item) or item.visibility == "restricted":
        abort(404)
    rows = db.session.scalars(calendars.feed_query(user).where(Screening.item_id == item.id)).unique().all()
    return _ics(rows, f"Screenings of {item.display_title()}")


# --- venues' pages ----------------------------------------------------------------------------


@bp.get("/venue/")
@require(SIGNED_IN)
def my_screenings():
    """A venue account's screenings (staff: every venue's), newest first."""
    user = acting_user()
    query = select(Screening).options(joinedload(Screening.item), joinedload(Screening.venue))
    if not has_role(user, STAFF):
        query = query.where(Screening.venue_id.in_(operations.venue_ids_of(user) or [0]))
    query = query.join(Screening.item).where(visible_items(user)).order_by(Screening.starts_at.desc(), Screening.id.desc())
    own = db.session.scalars(select(Venue).where(Venue.id.in_(operations.venue_ids_of(user) or [0]))).all()
    return render_template("screenings/my_screenings.html", page=paginate(query, page_number()), venues=own)


def _bookable(user):
    """Films the user may book (visible, with a licence) and venues the user acts for."""
    films = db.session.scalars(
        select(Item).where(Item.kind == "film", visible_items(user), Item.id.in_(select(Licence.item_id)))
        .order_by(Item.id.desc()).limit(500)
    ).all()
    if has_role(user, STAFF):
        venues_ = db.session.scalars(select(Venue).order_by(Venue.name)).all()
    else:
        venues_ = db.session.scalars(select(Venue).where(Venue.id.in_(operations.venue_ids_of(user) or [0])).order_by(Venue.name)).all()
    return films, venues_


@bp.route("/venue/screenings/new", methods=["GET", "POST"])
@require(SIGNED_IN)
def new_request():
    """The request form; a clash shows the nearest free slots."""
    user = acting_user()
    films, venues_ = _bookable(user)
    data = forms.screening_data(request.form if request.method == "POST" else request.args)
    subtitle_choices = kit.subtitle_languages_of([film.id for film in films])
    context = {"films": films, "venues": venues_, "formats": FORMATS, "uses": USES, "data": data, "errors": {},
               "subtitle_choices": subtitle_choices,
               "subtitle_langs": sorted({lang for langs in subtitle_choices.values() for lang in langs})}
    if request.method == "GET":
        return render_template("screenings/request_form.html", **context)
    try:
        record = operations.request_screening(data, user)
    except ValidationError as exc:
        return render_template("screenings/request_form.html", **{**context, "errors": exc.errors}), 422
    except Refused as exc:
        if exc.status == 403:
            _refused(exc)
        slots = exc.extra.get("free_slots", [])
        return render_template("screenings/request_form.html", **context, refusal=exc, slots=slots), exc.status
    flash("Request sent; the archive will approve or decline it, and you will be told.", "success")
    return redirect(url_for("screenings.screening", screening_id=record.id))


@bp.post("/screenings/<int:screening_id>/cancel")
@require(SIGNED_IN)
def cancel(screening_id: int):
    """Cancel a screening (its venue or staff); the kit is revoked."""
    record = _screening_for_actor(screening_id)
    try:
        operations.cancel(record, acting_user(), request.form.get("reason", ""))
    except Refused as exc:
        _refused(exc)
    flash("The screening is cancelled and its kit revoked.", "success")
    return redirect(url_for("screenings.screening", screening_id=record.id))


@bp.get("/screenings/<int:screening_id>/kit/<name>")
@require(SIGNED_IN)
def kit_file(screening_id: int, name: str):
    """A kit download, only from 48 hours before to 24 hours after the screening."""
    record = _screening_for_actor(screening_id)
    try:
        seconds = operations.check_kit(record, acting_user())
    except Refused as exc:
        _refused(exc)
    if name == "event.ics":
        response = _ics([record], f"{record.item.display_title()} at {record.venue.name}")
        response.headers["Content-Disposition"] = f"attachment; filename=screening-{record.id}.ics"
        return response
    if name in ("subtitles.srt", "subtitles.vtt"):
        fmt = name.rsplit(".", 1)[1]
        found = kit.subtitles(record.item, record.subtitle_lang, fmt) if record.subtitle_lang else None
        if found is None:
            abort(404, description="No subtitles were chosen for this screening, or the track is missing.")
        text, filename = found
        mimetype = "application/x-subrip" if fmt == "srt" else "text/vtt"
        return Response(text, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    if name not in ("film", "poster"):
        abort(404)
    found = kit.screening_copy(record.item) if name == "film" else kit.poster(record.item)
    if found is None:
        abort(404, description="This file is not ready yet: the film's media is still being processed.")
    storage = get_storage()
    # The link itself expires quickly, and never outlives the kit's window.
    expires = min(storage.url_seconds, seconds)
    return redirect(storage.url(found.key, expires_in=expires, filename=found.filename, content_type=found.mime))


@bp.route("/screenings/<int:screening_id>/report", methods=["GET", "POST"])
@require(SIGNED_IN)
def report(screening_id: int):
    """The attendance report form, and the report once filed."""
    record = _screening_for_actor(screening_id)
    if request.method == "GET" or record.report is not None:
        return render_template("screenings/report.html", screening=record, data={}, errors={})
    data = forms.report_data(request.form)
    photos = [(f.filename or "photo", f.stream, f.mimetype) for f in request.files.getlist("photos") if f and f.filename]
    try:
        operations.file_report(record, data, acting_user(), photos)
    except ValidationError as exc:
        return render_template("screenings/report.html", screening=record, data=request.form, errors=exc.errors), 422
    except Refused as exc:
        _refused(exc)
    flash("Thank you: the report is filed.", "success")
    return redirect(url_for("screenings.screening", screening_id=record.id))


@bp.get("/screenings/photos/<int:photo_id>")
@require(SIGNED_IN)
def photo(photo_id: int):
    """A report photo (its venue and staff only), through a short-lived link."""
    row = db.get_or_404(ReportPhoto, photo_id)
    _screening_for_actor(row.report.screening_id)
    return redirect(get_storage().url(row.storage_key, content_type=row.mime))


@bp.get("/venue/inbox")
@require(SIGNED_IN)
def inbox():
    """Notices sent to the user's venues (staff: to every venue), newest first."""
    user = acting_user()
    query = select(VenueMessage)
    if not has_role(user, STAFF):
        query = query.where(VenueMessage.venue_id.in_(operations.venue_ids_of(user) or [0]))
    page = paginate(query.order_by(VenueMessage.created_at.desc(), VenueMessage.id.desc()), page_number())
    return render_template("screenings/inbox.html", page=page)


# --- staff ------------------------------------------------------------------------------------


@bp.get("/manage/screenings")
@require(STAFF)
def manage():
    """Pending requests (oldest first) and the coming approved screenings."""
    pending = db.session.scalars(
        select(Screening).where(Screening.status == "requested").order_by(Screening.created_at, Screening.id).limit(200)
    ).all()
    upcoming = paginate(
        select(Screening).where(Screening.status == "approved", Screening.starts_at >= utcnow()).order_by(Screening.starts_at),
        page_number(),
    )
    return render_template("screenings/manage.html", pending=pending, page=upcoming)


@bp.post("/manage/screenings/<int:screening_id>/<any(approve, decline):action>")
@require(STAFF)
def decide(screening_id: int, action: str):
    """Approve or decline a request; the venue is told."""
    record = db.get_or_404(Screening, screening_id)
    reason = request.form.get("reason", "")
    try:
        if action == "approve":
            operations.approve(record, acting_user(), reason)
        else:
            operations.decline(record, acting_user(), reason)
    except ValidationError as exc:
        flash("; ".join(exc.errors.values()), "error")
        return redirect(url_for("screenings.manage"))
    except Refused as exc:
        flash(exc.message, "error")
        return redirect(url_for("screenings.manage"))
    flash(f"Screening {record.id} {record.status}; the venue has been told.", "success")
    return redirect(url_for("screenings.manage"))


@bp.route("/manage/items/<int:item_id>/licences", methods=["GET", "POST"])
@require(STAFF)
def licences(item_id: int):
    """A film's screening licences, and a form to record another."""
    item = db.get_or_404(Item, item_id)
    errors, data = {}, {}
    if request.method == "POST":
        data = forms.licence_data(request.form)
        try:
            operations.create_licence(item, data)
        except ValidationError as exc:
            errors = exc.errors
        else:
            flash("Licence recorded.", "success")
            return redirect(url_for("screenings.licences", item_id=item.id))
    return (
        render_template("screenings/licences.html", item=item, licences=operations.licences_of(item), uses=USES,
                        data=request.form if errors else {}, errors=errors),
        422 if errors else 200,
    )


@bp.route("/manage/venues", methods=["GET", "POST"])
@require(ADMIN)
def manage_venues():
    """Register venues and link venue accounts to them (admins)."""
    errors: dict = {}
    if request.method == "POST":
        try:
            if request.form.get("action") == "member":
                found = db.session.get(Venue, int(request.form.get("venue_id", "0") or 0))
                if found is None:
                    raise ValidationError({"venue_id": "Choose a venue."})
                user = operations.add_member(found, request.form.get("email"))
                flash(f"{user.email} now acts for {found.name}.", "success")
            else:
                created = operations.create_venue(forms.venue_data(request.form))
                flash(f"Venue “{created.name}” registered.", "success")
            return redirect(url_for("screenings.manage_venues"))
        except (ValidationError, ValueError) as exc:
            errors = exc.errors if isinstance(exc, ValidationError) else {"venue_id": "Choose a venue."}
    rows = db.session.scalars(select(Venue).order_by(Venue.name)).all()
    return (
        render_template("screenings/manage_venues.html", venues=rows, errors=errors, data=request.form if errors else {}),
        422 if errors else 200,
    )


@bp.get("/impact")
@require(STAFF)
def impact_page():
    """Screenings and audience per month, country and film, and the gender balance, as charts."""
    span = forms.date_span(request.args)
    figures = impact.figures(*span)
    csv_args = {name: value.isoformat() for name, value in zip(("from", "to"), span, strict=True) if value}
    return render_template("screenings/impact.html", figures=figures, span=span, charts=impact.charts(figures), csv_args=csv_args)


@bp.get("/impact.csv")
@require(STAFF)
def impact_csv():
    """Every report as one CSV row, for spreadsheets."""
    span = forms.date_span(request.args)
    response = Response(impact.csv_text(*span), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=screening-impact.csv"
    return response


@bp.app_template_filter("venue_time")
def venue_time(moment: datetime, venue: Venue) -> str:
    """Show a stored UTC time in the venue's zone with the offset."""
    return times.local_label(moment, times.zone(venue.timezone))


@bp.app_template_filter("venue_clock")
def venue_clock(moment: datetime, venue: Venue) -> str:
    """The local hour and minute at the venue, for the month grid."""
    return f"{times.to_local(moment, times.zone(venue.timezone)):%H:%M}"


@bp.app_errorhandler(Refused)
def refused_page(exc: Refused):
    """A booking rule said no on a page: show its message with its status."""
    return render_template("error.html", status=exc.status, message=exc.message), exc.status
