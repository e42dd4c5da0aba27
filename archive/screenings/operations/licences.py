"""Screening licences: the right to show a film where (territories), when, for what use, how often."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from archive.catalogue.models import Item
from archive.catalogue.visibility import visible_items
from archive.extensions import db
from archive.screenings import times
from archive.screenings.models import BLOCKING_STATUSES, USES, Licence, Screening, Venue
from archive.screenings.operations.refusals import Refused
from archive.validation import country_code, iso_date, list_of, one_of, raise_if_any, refuse_unknown, text, whole

LICENCE_FIELDS = {"territories", "starts_on", "ends_on", "uses", "max_screenings", "note"}
MAX_LICENSED_SCREENINGS = 1_000_000


def create_licence(item: Item, data: dict) -> Licence:
    """Record a screening licence for a film: territories, date window, uses, optional limit."""
    refuse_unknown(data, LICENCE_FIELDS)
    errors: dict[str, str] = {}
    if item.kind != "film":
        errors["item"] = "Only films are screened; this item is a photograph."
    territories = list_of(data.get("territories"), "territories", country_code, errors)
    if not territories and "territories" not in errors:
        errors["territories"] = 'Give at least one ISO 3166 country code, such as ["AM", "GE"].'
    starts_on = iso_date(data.get("starts_on"), "starts_on", errors, required=True)
    ends_on = iso_date(data.get("ends_on"), "ends_on", errors, required=True)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = f"The licence ends ({ends_on}) before it starts ({starts_on}); swap or fix the dates."
    uses = list_of(data.get("uses"), "uses", one_of(USES), errors)
    if not uses:
        errors["uses"] = "Give one or more permitted uses from: " + ", ".join(USES) + "."
    max_screenings = whole(data.get("max_screenings"), "max_screenings", errors, low=1, high=MAX_LICENSED_SCREENINGS)
    note = text(data.get("note"), "note", errors, limit=2000, multiline=True)
    raise_if_any(errors)
    licence = Licence(
        item_id=item.id, territories=territories, starts_on=starts_on, ends_on=ends_on, uses=uses,
        max_screenings=max_screenings, note=note,
    )
    db.session.add(licence)
    db.session.commit()
    return licence


def licences_of(item: Item) -> list[Licence]:
    """A film's licences, newest window last."""
    return list(db.session.scalars(select(Licence).where(Licence.item_id == item.id).order_by(Licence.starts_on, Licence.id)))


def licence_for(item: Item, venue: Venue, start: datetime, use: str, ignore: int | None = None) -> Licence:
    """The first licence covering this screening, or ``Refused('no_licence')`` saying what fails.

    ``ignore`` is a screening not to count against a licence's limit (the one being approved).
    """
    day = times.to_local(start, times.zone(venue.timezone)).date()
    licences = licences_of(item)
    if not licences:
        raise Refused("no_licence", "This film has no screening licence yet; an archivist must record one before it can be booked.")
    reasons = []
    for licence in licences:
        if venue.country not in licence.territories:
            reasons.append(f"licence {licence.id} covers {', '.join(licence.territories)}, not {venue.country}")
            continue
        if not licence.starts_on <= day <= licence.ends_on:
            reasons.append(f"licence {licence.id} runs from {licence.starts_on} to {licence.ends_on}, not on {day}")
            continue
        if use not in licence.uses:
            reasons.append(f"licence {licence.id} permits {', '.join(licence.uses)} use, not {use}")
            continue
        if licence.max_screenings is not None:
            used = db.session.scalar(
                select(func.count()).select_from(Screening).where(
                    Screening.licence_id == licence.id,
                    Screening.status.in_(BLOCKING_STATUSES),
                    Screening.id != (ignore or 0),
                )
            )
            if used >= licence.max_screenings:
                reasons.append(f"licence {licence.id} allows {licence.max_screenings} screenings and all are booked")
                continue
        return licence
    raise Refused("no_licence", "No licence allows this screening: " + "; ".join(reasons) + ".")


def licensed_films(user, limit: int = 500) -> list[Item]:
    """Films ``user`` may see that have at least one licence, newest first (the request form's choices)."""
    return list(db.session.scalars(
        select(Item).where(Item.kind == "film", visible_items(user), Item.id.in_(select(Licence.item_id)))
        .order_by(Item.id.desc()).limit(limit)
    ))
