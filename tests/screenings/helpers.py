"""Screening tests' helpers: wall-clock starts at a venue, and the records the access table visits."""

from __future__ import annotations

from datetime import datetime, timedelta

from archive.screenings import times
from archive.screenings.operations import decisions, venues
from archive.timeutil import utcnow
from tests.factories import book, make_film, make_licence, make_venue


def local_start(venue, days: int = 10, hour: int = 19, minute: int = 0) -> str:
    """A wall-clock start ``days`` from now at the venue, as the form sends it (no offset)."""
    local_today = times.to_local(utcnow(), times.zone(venue.timezone)).date()
    moment = datetime.combine(local_today + timedelta(days=days), datetime.min.time()) + timedelta(hours=hour, minutes=minute)
    return moment.strftime("%Y-%m-%dT%H:%M")


def screening_records(users) -> dict:
    """Ids for the access table: a venue (the venue user's), another venue, screenings in each."""
    film = make_film("Access table film")
    make_licence(film)
    own = make_venue(name="Own venue")
    other = make_venue(name="Other venue", city="Gyumri")
    venues.add_member(own, users["venue"].email)
    mine = book(users["venue"], film, own, local_start(own, days=20))
    theirs = book(users["admin"], film, other, local_start(other, days=21))
    approved = book(users["admin"], film, other, local_start(other, days=22))
    decisions.approve(approved, users["admin"])
    return {"scr_venue": own.id, "scr_other_venue": other.id, "scr_requested": mine.id,
            "scr_other_requested": theirs.id, "scr_approved": approved.id, "scr_film": film.id}
