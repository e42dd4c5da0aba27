"""What a film's page says about screening it: "Request a screening" for a venue that may book it, with the terms.

The screenings feature adds this part to the item page at start-up (``init_app``), so the catalogue
never imports screenings. A venue account sees the request link only for a film it may book: one of
``licensed_films`` (visible to it, licensed), with its length known, under a licence that covers the
country of a venue it acts for (``acting_for``) and has not ended. Staff see a link to the film's
licences instead; anyone else sees nothing.
"""

from __future__ import annotations

from flask import Flask, url_for

from archive.auth.models import Role
from archive.auth.permissions import STAFF, has_role
from archive.catalogue import item_page
from archive.catalogue.models import Item
from archive.screenings.models import Licence
from archive.screenings.operations.licences import is_licensed_film, licences_of
from archive.screenings.operations.venues import acting_for
from archive.timeutil import utcnow

PART = "screening_request"
TEMPLATE = "screenings/_film_part.html"


def bookable_licences(item: Item, user) -> list[Licence]:
    """The licences under which this venue account may book ``item`` now or later; empty when it may not book it."""
    if item.kind != "film" or not has_role(user, (Role.VENUE.value,)) or item.duration_seconds is None:
        return []
    if not is_licensed_film(item, user):
        return []
    countries = {venue.country for venue in acting_for(user)}
    today = utcnow().date()
    return [licence for licence in licences_of(item)
            if countries.intersection(licence.territories) and licence.ends_on >= today]


def film_part(item: Item, user) -> dict | None:
    """The request link and licence terms for a venue, the licences link for staff, else nothing."""
    if item.kind != "film":
        return None
    if has_role(user, STAFF):
        return {"staff": True, "licences_url": url_for("screenings.licences", item_id=item.id),
                "licence_count": len(licences_of(item))}
    licences = bookable_licences(item, user)
    if not licences:
        return None
    return {"staff": False, "request_url": url_for("screenings.new_request", item_id=item.id), "licences": licences}


def init_app(app: Flask) -> None:
    """Show "Request a screening" (or, for staff, the licences link) on film pages."""
    item_page.add_part(PART, film_part, template=TEMPLATE)
