"""Who may see which catalogue record: the one rule every page, feed and API call applies.

Staff see everything. Signed-in venues also see ``partners`` records; everyone else sees only
``public`` ones. An item under embargo is staff-only until its embargo date, whatever its level.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from archive.auth.permissions import audience_of
from archive.catalogue.models import Collection, Item
from archive.timeutil import utcnow

LEVELS = {"public": ("public",), "partners": ("public", "partners")}


def visible_items(user) -> ColumnElement[bool]:
    """SQL condition selecting the items ``user`` may see."""
    audience = audience_of(user)
    if audience == "staff":
        return true()
    today = utcnow().date()
    return and_(
        Item.visibility.in_(LEVELS[audience]),
        or_(Item.embargo_until.is_(None), Item.embargo_until <= today),
    )


def can_see_item(user, item: Item) -> bool:
    """Whether ``user`` may see ``item``; mirrors ``visible_items``."""
    return audience_may_see(audience_of(user), item)


def audience_may_see(audience: str, item: Item) -> bool:
    """Whether an audience ('public', 'partners' or 'staff') may see ``item`` today."""
    if audience == "staff":
        return True
    if item.embargo_until is not None and item.embargo_until > utcnow().date():
        return False
    return item.visibility in LEVELS.get(audience, ())


def visible_collections(user) -> ColumnElement[bool]:
    """SQL condition selecting the collections ``user`` may see."""
    audience = audience_of(user)
    if audience == "staff":
        return true()
    return Collection.visibility.in_(LEVELS[audience])


def can_see_collection(user, collection: Collection) -> bool:
    """Whether ``user`` may see ``collection``; mirrors ``visible_collections``."""
    audience = audience_of(user)
    return audience == "staff" or collection.visibility in LEVELS[audience]
