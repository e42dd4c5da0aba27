"""Screening licences: the right to show a film where (territories), when, for what use, how often."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, func, select

from archive.catalogue.models import Item
from archive.catalogue.visibility import visible_items
from archive.extensions import db
from archive.i18n import formats
from archive.i18n.names import country_name
from archive.screenings import times
from archive.screenings.labels import use_label
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
        errors["item"] = _("Only films are screened; this item is a photograph.")
    territories = list_of(data.get("territories"), "territories", country_code, errors)
    if not territories and "territories" not in errors:
        errors["territories"] = _('Give at least one ISO 3166 country code, such as ["AM", "GE"].')
    starts_on = iso_date(data.get("starts_on"), "starts_on", errors, required=True)
    ends_on = iso_date(data.get("ends_on"), "ends_on", errors, required=True)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The licence ends (%(end)s) before it starts (%(start)s); swap or fix the dates.",
                              end=ends_on.isoformat(), start=starts_on.isoformat())
    uses = list_of(data.get("uses"), "uses", one_of(USES), errors)
    if not uses:
        errors["uses"] = _("Give one or more permitted uses from: %(uses)s.", uses=", ".join(USES))
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
        raise Refused("no_licence", _("This film has no screening licence yet; an archivist must record one before it can be booked."))
    # The reasons name countries and write dates as the reader's language does (CLDR through Babel).
    reasons = []
    for licence in licences:
        if venue.country not in licence.territories:
            reasons.append(_("licence %(id)s: its territories are %(territories)s; the venue is in %(country)s", id=licence.id,
                             territories=", ".join(country_name(code) for code in licence.territories),
                             country=country_name(venue.country)))
            continue
        if not licence.starts_on <= day <= licence.ends_on:
            reasons.append(_("licence %(id)s runs from %(start)s to %(end)s, not on %(day)s", id=licence.id,
                             start=formats.day(licence.starts_on), end=formats.day(licence.ends_on), day=formats.day(day)))
            continue
        if use not in licence.uses:
            reasons.append(_("licence %(id)s permits %(uses)s use, not %(use)s", id=licence.id,
                             uses=", ".join(use_label(code) for code in licence.uses), use=use_label(use)))
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
                # Translators: the English keeps "screenings" for one too; write the proper forms.
                reasons.append(ngettext("licence %(id)s allows %(num)s screenings and all are booked",
                                        "licence %(id)s allows %(num)s screenings and all are booked",
                                        licence.max_screenings, id=licence.id))
                continue
        return licence
    raise Refused("no_licence", _("No licence allows this screening: %(reasons)s.", reasons="; ".join(reasons)))


def _licensed_films_query(user) -> Select:
    """Films ``user`` may see that have at least one licence."""
    return select(Item).where(Item.kind == "film", visible_items(user), Item.id.in_(select(Licence.item_id)))


def licensed_films(user, limit: int = 500) -> list[Item]:
    """Films ``user`` may see that have at least one licence, newest first (the request form's choices)."""
    return list(db.session.scalars(_licensed_films_query(user).order_by(Item.id.desc()).limit(limit)))


def is_licensed_film(item: Item, user) -> bool:
    """Whether ``item`` is among ``licensed_films(user)``: a film ``user`` may see, with a licence."""
    return bool(db.session.scalar(select(_licensed_films_query(user).where(Item.id == item.id).exists())))
