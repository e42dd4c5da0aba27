"""Secret calendar addresses: the feed a calendar program fetches without signing in, and the links to it.

``/calendar/<token>.ics`` answers with what the token's account may see, as its own ``/calendar.ics``
would when signed in (``calendars.feed`` on the screenings' visibility rule), in the account's
interface language. Any token that opens no feed (unknown, revoked, malformed, a switched-off
account's) gets the same bare 404 as an address that never existed.
"""

from __future__ import annotations

import hashlib
from contextlib import nullcontext

from flask import Response, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from archive.auth import calendar_feeds
from archive.auth.permissions import acting_user
from archive.extensions import db
from archive.i18n.languages import interface_language
from archive.ratelimit import counter_key, limiter, setting
from archive.screenings import calendars
from archive.screenings.models import Venue
from archive.screenings.views import bp, ics_response
from archive.validation import record_id


def _address_key() -> str:
    """Counts fetches per secret address (calendar services fetch for many people from one address)."""
    token = (request.view_args or {}).get("token", "")
    return counter_key("calendar:" + hashlib.sha256(str(token).encode()).hexdigest())


def _opened_nothing(response: Response) -> bool:
    return response.status_code == 404


@bp.get("/calendar/<token>.ics")
@limiter.limit(setting("CALENDAR_FEED_LIMIT"), key_func=_address_key,
               error_message=lambda: _("This calendar address is fetched too often."))
# Guessing addresses: only the ones that open nothing count against the address they come from.
@limiter.limit(setting("TOKEN_FAILURE_LIMIT"), deduct_when=_opened_nothing,
               error_message=lambda: _("Too many unknown calendar addresses from this address."))
def subscription_feed(token: str):
    """The iCalendar feed behind an account's secret address (``?venue=ID`` for one venue's screenings)."""
    user = calendar_feeds.user_for_token(token)
    if user is None:
        return nothing_here()
    venue_id = None
    if "venue" in request.args:
        try:
            venue_id = record_id(request.args["venue"])
        except ValueError:
            return nothing_here()
    venue = db.session.get(Venue, venue_id) if venue_id is not None else None
    if venue_id is not None and venue is None:
        return nothing_here()
    language = interface_language(user.locale)
    with force_locale(language) if language else nullcontext():
        if venue is not None:
            name = _("Screenings at %(venue)s", venue=venue.name)
        else:
            name = _("Dialogue Archive screenings")
        response = ics_response(calendars.feed(user, venue_id=venue_id), name)
    # A feed of one account: no shared cache keeps it, no search engine lists it, no link leaks it on.
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/calendar/<path:rest>")
def not_a_feed(rest: str):
    """Anything else under ``/calendar/`` (no ``.ics``, a slash in the token): the same bare 404."""
    return nothing_here()


def nothing_here() -> Response:
    """The answer for every address under ``/calendar/`` that opens no feed: no page, no cookie, no hint."""
    response = Response("Not Found\n", 404, mimetype="text/plain")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def subscription_links(venue: Venue | None = None) -> dict | None:
    """The signed-in account's secret address (for one venue if given) as https and webcal links; None without one."""
    user = acting_user()
    token = calendar_feeds.token_of(user) if user is not None else None
    if token is None:
        return None
    args = {"venue": venue.id} if venue is not None else {}
    return links(url_for("screenings.subscription_feed", token=token, _external=True, **args))


def links(address: str) -> dict:
    """An address of a feed as the web link and the ``webcal://`` link calendar programs open."""
    return {"https": address, "webcal": "webcal://" + address.split("://", 1)[1]}


bp.add_app_template_global(subscription_links, "subscription_links")
bp.add_app_template_global(lambda endpoint, **args: links(url_for(endpoint, _external=True, **args)), "feed_links")
