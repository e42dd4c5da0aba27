"""The screenings' visibility rule: the SQL condition and the Python check agree for every role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.extensions import db
from archive.screenings.models import Screening
from archive.screenings.operations import decisions, venues
from archive.screenings.visibility import can_see_screening, visible_screenings
from tests.factories import book, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start


@pytest.fixture
def programme(app, users):
    """Requested, approved, declined and cancelled screenings of films at every level, at two venues."""
    own, other = make_venue(name="Own venue"), make_venue(name="Other venue", city="Gyumri")
    venues.add_member(own, users["venue"].email)
    day = 3
    for visibility in ("public", "partners", "restricted"):
        film = make_film(f"{visibility} film", visibility=visibility)
        make_licence(film)
        for venue in (own, other):
            for outcome in ("requested", "approved", "declined", "cancelled"):
                day += 1
                screening = book(users["admin"], film, venue, local_start(venue, days=day))
                if outcome == "approved":
                    decisions.approve(screening, users["archivist"])
                elif outcome == "declined":
                    decisions.decline(screening, users["archivist"], "Not this time")
                elif outcome == "cancelled":
                    decisions.cancel(screening, users["admin"])
    return own


@pytest.mark.parametrize("role", [None, "venue", "archivist", "admin"], ids=lambda r: r or "anonymous")
def test_sql_and_python_agree(programme, users, role):
    user = users[role] if role else None
    listed = set(db.session.scalars(select(Screening.id).join(Screening.item).where(visible_screenings(user))))
    checked = {s.id for s in db.session.scalars(select(Screening)) if can_see_screening(user, s)}
    assert listed == checked
    everything = db.session.scalars(select(Screening)).all()
    if role in ("archivist", "admin"):
        assert listed == {s.id for s in everything}
    else:
        # Others see approved and cancelled screenings of films they may see that are not restricted...
        calendar = {s.id for s in everything if s.status in ("approved", "cancelled")
                    and s.item.visibility in (("public", "partners") if role else ("public",))}
        # ...and a venue account every screening at its own venue of a film it may see.
        own = {s.id for s in everything if role == "venue" and s.venue_id == programme.id and s.item.visibility != "restricted"}
        assert listed == calendar | own
