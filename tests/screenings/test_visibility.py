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


@pytest.mark.parametrize("visibility, extra", [("restricted", {}), ("public", {"embargo_until": "2999-01-01"})],
                         ids=["restricted", "embargoed"])
def test_a_venues_inbox_never_names_a_film_it_may_not_see(app, users, client_as, visibility, extra):
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    film = make_film("Zanguezur testimony", visibility, **extra)
    make_licence(film)
    screening = book(users["admin"], film, venue, local_start(venue))  # staff may book any film for a venue
    decisions.approve(screening, users["archivist"])
    page = client_as("venue").get("/venue/inbox").get_data(as_text=True)
    assert "Screening approved" in page and "Yerevan Film House" in page  # the venue is still told
    assert "Zanguezur" not in page
    # A film that turns hidden after the notice went out is not named either.
    shown = make_film("Visible then withdrawn", "public")
    make_licence(shown)
    decisions.decline(book(users["admin"], shown, venue, local_start(venue, days=20)), users["archivist"], "Re-edit")
    assert "Visible then withdrawn" in client_as("venue").get("/venue/inbox").get_data(as_text=True)
    shown.visibility = "restricted"
    db.session.commit()
    page = client_as("venue").get("/venue/inbox").get_data(as_text=True)
    assert "Visible then withdrawn" not in page and "Screening declined" in page
    assert "Visible then withdrawn" in client_as("archivist").get("/venue/inbox").get_data(as_text=True)  # staff: as sent


def test_another_venues_hidden_request_answers_as_a_missing_one(app, users, client_as):
    own, other = make_venue(name="Own venue"), make_venue(name="Other venue", city="Gyumri")
    venues.add_member(own, users["venue"].email)
    film = make_film("Public film")
    make_licence(film)
    hidden = book(users["admin"], film, other, local_start(other))  # requested: only its venue and staff see it
    browser = client_as("venue")
    for path in ("/screenings/{}/report", "/screenings/{}/kit/film"):
        missing, foreign = browser.get(path.format(999999)), browser.get(path.format(hidden.id))
        assert (foreign.status_code, missing.status_code) == (404, 404), path
        assert "another venue" not in foreign.get_data(as_text=True)
    assert browser.post(f"/screenings/{hidden.id}/cancel").status_code == 404
    # Once approved it is on the public calendar: acting on it is then refused as someone else's.
    decisions.approve(hidden, users["archivist"])
    assert browser.get(f"/screenings/{hidden.id}/report").status_code == 403
