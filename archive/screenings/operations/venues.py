"""Venues, the venue accounts linked to them, and who may act for which venue."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from archive.auth.models import ROLE_LABELS, Role, User
from archive.auth.permissions import STAFF, has_role
from archive.catalogue.visibility import visible_items
from archive.errors import ValidationError
from archive.extensions import db
from archive.screenings.models import Screening, Venue, venue_members
from archive.screenings.operations.refusals import Refused
from archive.validation import (
    country_code,
    raise_if_any,
    refuse_unknown,
    required,
    text,
    text_problem,
    time_zone,
    whole,
)

# The largest audience anything here counts: a venue's seats, an expected or a reported audience.
MAX_AUDIENCE = 1_000_000
MAX_BUFFER_MINUTES = 240
VENUE_FIELDS = {"name", "address", "city", "country", "timezone", "capacity", "buffer_minutes", "accessibility", "contact"}


def create_venue(data: dict) -> Venue:
    """Register a venue after checking every field (ISO country, IANA zone, sane numbers)."""
    refuse_unknown(data, VENUE_FIELDS)
    errors: dict[str, str] = {}
    name = text(data.get("name"), "name", errors, limit=200, required=True)
    city = text(data.get("city"), "city", errors, limit=120, required=True)
    address = text(data.get("address"), "address", errors, limit=300)
    accessibility = text(data.get("accessibility"), "accessibility", errors, limit=5000, multiline=True)
    contact = text(data.get("contact"), "contact", errors, limit=300)
    country = required(country_code, data.get("country"), "country", errors)
    zone_name = required(time_zone, data.get("timezone"), "timezone", errors)
    capacity = whole(data.get("capacity"), "capacity", errors, low=1, high=MAX_AUDIENCE)
    buffer = whole(data.get("buffer_minutes", 30), "buffer_minutes", errors, low=0, high=MAX_BUFFER_MINUTES)
    raise_if_any(errors)
    venue = Venue(
        name=name, city=city, address=address, accessibility=accessibility, contact=contact, country=country,
        timezone=zone_name, capacity=capacity, buffer_minutes=30 if buffer is None else buffer,
    )
    db.session.add(venue)
    db.session.commit()
    return venue


def add_member(venue: Venue, email: Any) -> User:
    """Link a venue account (found by e-mail) to ``venue``; linking twice is harmless."""
    if not isinstance(email, str) or not email.strip() or text_problem(email):
        raise ValidationError({"email": _("Give the e-mail of a venue account, such as cinema@example.org.")})
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise ValidationError({"email": _("No account for %(email)s; create it first with the venue role.", email=email.strip())})
    if user.role != Role.VENUE.value:
        raise ValidationError({"email": _(
            "%(email)s is not a venue account (its role is %(role)s); only venue accounts are linked to venues.",
            email=user.email, role=ROLE_LABELS.get(user.role, user.role))})
    if user not in venue.members:
        venue.members.append(user)
        db.session.commit()
    return user


def venue_ids_of(user) -> list[int]:
    """The venues a venue account acts for."""
    if user is None:
        return []
    return list(db.session.scalars(select(venue_members.c.venue_id).where(venue_members.c.user_id == user.id)))


def may_act_for(user, venue: Venue) -> bool:
    """Staff act for every venue; a venue account only for the venues it is linked to."""
    if has_role(user, STAFF):
        return True
    return has_role(user, (Role.VENUE.value,)) and venue.id in venue_ids_of(user)


def check_venue_permission(user, venue: Venue) -> None:
    """Refuse (403) a booking for a venue the user does not act for."""
    if not may_act_for(user, venue):
        raise Refused("forbidden", _("Your account does not act for %(venue)s; book only for your own venue.", venue=venue.name), 403)


def directory() -> list[Venue]:
    """Every venue, by country, city and name."""
    return list(db.session.scalars(select(Venue).order_by(Venue.country, Venue.city, Venue.name)))


def by_name() -> list[Venue]:
    """Every venue, by name (for choosing one)."""
    return list(db.session.scalars(select(Venue).order_by(Venue.name)))


def acting_for(user) -> list[Venue]:
    """The venues ``user`` may book for, by name: all of them for staff, the linked ones for a venue account."""
    if has_role(user, STAFF):
        return by_name()
    return list(db.session.scalars(select(Venue).where(Venue.id.in_(venue_ids_of(user) or [0])).order_by(Venue.name)))


def linked_to(user) -> list[Venue]:
    """The venues a venue account is linked to (for staff too: the ones they are members of)."""
    return list(db.session.scalars(select(Venue).where(Venue.id.in_(venue_ids_of(user) or [0]))))


def screenings_of(user) -> Select:
    """A venue account's screenings (staff: every venue's) of films it may see, newest first."""
    query = select(Screening).options(joinedload(Screening.item), joinedload(Screening.venue))
    if not has_role(user, STAFF):
        query = query.where(Screening.venue_id.in_(venue_ids_of(user) or [0]))
    return query.join(Screening.item).where(visible_items(user)).order_by(Screening.starts_at.desc(), Screening.id.desc())
