"""Who may see which screening: the one rule every screening page, feed and API call applies.

Staff and a venue's own accounts see every screening of theirs, whatever its status, of a film
they may see. Everyone else sees only what calendars show: approved screenings (and cancelled
ones, so subscribed calendars drop them) of films they may see that are not restricted. A
restricted or embargoed film is never listed on a calendar, not even to staff, so a feed copied
out of a staff session cannot leak one.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from archive.auth.models import Role
from archive.auth.permissions import STAFF, has_role
from archive.catalogue.models import Item
from archive.catalogue.visibility import can_see_item, visible_items
from archive.screenings.models import Screening
from archive.screenings.operations.venues import may_act_for, venue_ids_of
from archive.timeutil import utcnow

CALENDAR_STATUSES = ("approved", "cancelled")


def calendar_items(user) -> ColumnElement[bool]:
    """SQL condition selecting the films whose screenings a calendar may list to ``user``."""
    unembargoed = or_(Item.embargo_until.is_(None), Item.embargo_until <= utcnow().date())
    return and_(visible_items(user), Item.visibility != "restricted", unembargoed)


def can_list_item(user, item: Item) -> bool:
    """Whether calendars may list ``item``'s screenings to ``user``; mirrors ``calendar_items``."""
    embargoed = item.embargo_until is not None and item.embargo_until > utcnow().date()
    return can_see_item(user, item) and item.visibility != "restricted" and not embargoed


def visible_screenings(user) -> ColumnElement[bool]:
    """SQL condition selecting the screenings ``user`` may see (the query must join ``Screening.item``)."""
    if has_role(user, STAFF):
        return true()
    public = and_(Screening.status.in_(CALENDAR_STATUSES), calendar_items(user))
    own = venue_ids_of(user) if has_role(user, (Role.VENUE.value,)) else []
    return or_(public, and_(Screening.venue_id.in_(own), visible_items(user))) if own else public


def can_see_screening(user, screening: Screening) -> bool:
    """Whether ``user`` may see ``screening``; mirrors ``visible_screenings``."""
    if not can_see_item(user, screening.item):
        return False
    if may_act_for(user, screening.venue):
        return True
    return screening.status in CALENDAR_STATUSES and can_list_item(user, screening.item)
