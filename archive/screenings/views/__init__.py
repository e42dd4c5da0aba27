"""Screening pages: one blueprint, its routes split by who uses them.

- ``public``: calendars and their feeds, venue and film pages, a screening's page;
- ``bookings``: a venue account's bookings, kit downloads, attendance reports and inbox;
- ``staff``: decisions on requests, licences, venues and the impact figures.

Each route parses the request, checks permission, calls the operations and renders; the rules
live in ``archive.screenings.operations``, ``kit``, ``calendars`` and ``visibility``.
"""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import gettext as _

from archive.auth.permissions import acting_user
from archive.extensions import db
from archive.i18n import formats
from archive.screenings import calendars, labels, times
from archive.screenings.models import Screening, Venue
from archive.screenings.operations.refusals import Refused
from archive.screenings.operations.venues import may_act_for
from archive.screenings.visibility import can_list_item, can_see_screening

bp = Blueprint("screenings", __name__)


def refuse(exc: Refused) -> NoReturn:
    """Answer a refused operation with its status and message."""
    abort(exc.status, description=exc.message)


def screening_for_actor(screening_id: int) -> Screening:
    """A screening the current user acts on (own venue or staff); 403 for one they may only look at, else 404.

    Another venue's request is as hidden as a missing screening: the answer must not tell them apart.
    """
    screening = db.session.get(Screening, screening_id)
    user = acting_user()
    if screening is None or not can_see_screening(user, screening):
        abort(404)
    if not may_act_for(user, screening.venue):
        abort(403, description=_("This screening belongs to another venue."))
    return screening


def ics_response(rows: list[Screening], name: str) -> Response:
    """An iCalendar document of ``rows``, each event linking to its screening's page."""
    body = calendars.document(rows, name, lambda s: url_for("screenings.screening", screening_id=s.id, _external=True))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "inline; filename=screenings.ics"
    return response


bp.add_app_template_filter(labels.status_label, "screening_status")
# Whether a film's screenings page lists anything to this reader (restricted or embargoed films have none).
bp.add_app_template_global(lambda item: can_list_item(acting_user(), item), "film_screenings_listed")
bp.add_app_template_filter(labels.format_label, "screening_format")
bp.add_app_template_filter(labels.use_label, "screening_use")


@bp.app_template_filter("venue_time")
def venue_time(moment: datetime, venue: Venue) -> str:
    """A stored UTC time in the venue's zone, written the interface's way, with the offset and zone."""
    return times.shown(moment, times.zone(venue.timezone))


@bp.app_template_filter("venue_clock")
def venue_clock(moment: datetime, venue: Venue) -> str:
    """The local hour and minute at the venue (24-hour clock), for the month grid."""
    return formats.time_of_day(moment, times.zone(venue.timezone))


@bp.app_template_filter("venue_zone")
def venue_zone(venue: Venue) -> str:
    """The venue's time zone as its city in the interface language."""
    return formats.zone_label(times.zone(venue.timezone))


@bp.app_errorhandler(Refused)
def refused_page(exc: Refused):
    """A booking rule said no on a page: show its message with its status."""
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


# The route modules attach their routes to ``bp``; imported last because they import it from here.
from archive.screenings.views import bookings, public, staff, subscriptions  # noqa: E402, F401
