"""Public screening pages: calendars and feeds, venues, a film's screenings, one screening."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from archive.auth.permissions import STAFF, acting_user, has_role
from archive.catalogue.models import Item
from archive.extensions import db
from archive.i18n.formats import week_days
from archive.pagination import page_number, paginate
from archive.screenings import calendars, forms, kit, screening_page
from archive.screenings.models import Screening, Venue
from archive.screenings.operations.venues import by_name, directory, may_act_for
from archive.screenings.views import bp, ics_response
from archive.screenings.visibility import can_list_item, can_see_screening
from archive.timeutil import utcnow


@bp.get("/screenings")
def calendar():
    """Upcoming screenings as a list, or a month at a glance, with filters."""
    user = acting_user()
    filters = forms.calendar_filters(request.args)
    query = calendars.filtered(calendars.calendar_query(user, include_cancelled=True), filters)
    view = "month" if request.args.get("view") == "month" else "list"
    places = by_name()
    languages = sorted(set(calendars.languages_listed(user)) | ({filters["language"]} if "language" in filters else set()))
    context = {"filters": filters, "view": view, "films": calendars.films_listed(user), "venues": places, "languages": languages,
               "countries": sorted({venue.country for venue in places} | ({filters["country"]} if "country" in filters else set()))}
    if view == "month":
        first = forms.month(request.args.get("month"))
        weeks = calendars.month_grid(first, calendars.in_month(query, first), week_days()[0][0])
        return render_template("screenings/calendar.html", weeks=weeks, month=first, previous=calendars.previous_month(first),
                               following=calendars.next_month(first), **context)
    return render_template("screenings/calendar.html", page=paginate(calendars.upcoming(query), page_number()), **context)


@bp.get("/screenings/<int:screening_id>")
def screening(screening_id: int):
    """One screening: public details; for its venue and staff also the kit, decisions and report."""
    record = db.session.get(Screening, screening_id)
    user = acting_user()
    if record is None or not can_see_screening(user, record):
        abort(404)
    acting = may_act_for(user, record.venue)
    opens, closes = kit.kit_window(record)
    now = utcnow()
    return render_template(
        "screenings/screening.html", screening=record, acting=acting, now=now, kit_opens=opens, kit_closes=closes,
        kit_open=kit.is_open(record, now),
        copy=kit.screening_copy(record.item) if acting else None,
        captions=kit.open_captions(record.item, record.subtitle_lang) if acting else None,
        requests=kit.copy_requests(record.item, record.subtitle_lang) if acting and record.status == "approved" else {},
        poster=kit.poster(record.item) if acting else None,
        subtitle_formats=("srt", "vtt") if acting and record.subtitle_lang in kit.subtitle_languages(record.item) else (),
        is_staff=has_role(user, STAFF), **screening_page.parts(record, user),
    )


@bp.get("/venues")
def venues():
    """Every venue, by country and city."""
    return render_template("screenings/venues.html", venues=directory())


@bp.get("/venues/<int:venue_id>")
def venue(venue_id: int):
    """A venue's page with its upcoming screenings."""
    record = db.get_or_404(Venue, venue_id)
    query = calendars.coming(acting_user(), venue_id=record.id)
    return render_template("screenings/venue.html", venue=record, page=paginate(query, page_number()))


def _listed_film_or_404(item_id: int) -> Item:
    """A film whose screenings calendars may list to the caller; 404 for any other."""
    item = db.session.get(Item, item_id)
    if item is None or not can_list_item(acting_user(), item):
        abort(404)
    return item


@bp.get("/items/<int:item_id>/screenings")
def film(item_id: int):
    """A film's upcoming screenings."""
    item = _listed_film_or_404(item_id)
    query = calendars.coming(acting_user(), item_id=item.id)
    return render_template("screenings/film.html", item=item, page=paginate(query, page_number()))


@bp.get("/calendar.ics")
def feed():
    """iCalendar feed of every screening the caller may see."""
    return ics_response(calendars.feed(acting_user()), _("Dialogue Archive screenings"))


@bp.get("/venues/<int:venue_id>/calendar.ics")
def venue_feed(venue_id: int):
    """iCalendar feed of one venue."""
    record = db.get_or_404(Venue, venue_id)
    return ics_response(calendars.feed(acting_user(), venue_id=record.id), _("Screenings at %(venue)s", venue=record.name))


@bp.get("/items/<int:item_id>/calendar.ics")
def film_feed(item_id: int):
    """iCalendar feed of one film; 404 for a film the caller cannot see."""
    item = _listed_film_or_404(item_id)
    return ics_response(calendars.feed(acting_user(), item_id=item.id), _("Screenings of %(film)s", film=item.display_title()))
