"""When a film is hidden from venues (restricted or embargoed), the venues whose screenings it hides are told.

The catalogue announces ``item_visibility_changed`` after the commit; this listener finds the
film's requested and approved screenings still to come, and writes each venue a notice (inbox,
and e-mail when configured) that no longer names the film. Staff approving a request for a film
its venue may not see are warned by ``hidden_film_warning``.
"""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from archive import signals
from archive.catalogue.models import Item
from archive.catalogue.visibility import LEVELS
from archive.extensions import db
from archive.screenings import mail
from archive.screenings.models import Screening
from archive.timeutil import utcnow

LIVE_STATUSES = ("requested", "approved")


def init_app(app: Flask) -> None:
    """Listen for films turning hidden (connecting twice is harmless)."""
    signals.item_visibility_changed.connect(_visibility_changed)


def _visibility_changed(sender, *, item_id: int, visibility_before: str, embargo_before: str | None) -> None:
    item = db.session.get(Item, item_id)
    if item is None or not _venues_saw(visibility_before, embargo_before) or mail.venue_may_see(item):
        return
    tell_venues_film_withdrawn(item)


def _venues_saw(visibility: str, embargo: str | None) -> bool:
    """Whether venue accounts could see an item with this visibility and embargo date, today."""
    embargoed = embargo is not None and date.fromisoformat(embargo) > utcnow().date()
    return visibility in LEVELS["partners"] and not embargoed


def tell_venues_film_withdrawn(item: Item) -> list[int]:
    """Write a notice for each requested or approved screening of ``item`` still to come; their ids."""
    screenings = db.session.scalars(
        select(Screening).where(Screening.item_id == item.id, Screening.status.in_(LIVE_STATUSES),
                                Screening.ends_at >= utcnow()).order_by(Screening.starts_at)
    ).all()
    notices = [mail.withdrawal_notice(screening) for screening in screenings]
    if not notices:
        return []
    db.session.commit()
    for notice in notices:
        mail.send_later(notice)
    return [screening.id for screening in screenings]


def hidden_film_warning(screening: Screening) -> str | None:
    """What staff should know before approving a request for a film its venue may not see, or None."""
    if mail.venue_may_see(screening.item):
        return None
    return _("%(venue)s cannot see this film (it is restricted or under embargo): once approved, its accounts will "
             "not see the screening or be able to download its kit until the film is shown to venues again. Publish "
             "the film first, or decline the request.", venue=screening.venue.name)
