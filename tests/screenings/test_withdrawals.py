"""Restricting or embargoing a film tells the venues whose screenings it hides; staff approving one are warned."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.screenings.models import VenueMessage
from archive.screenings.operations import decisions, venues
from tests.factories import book, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start


@pytest.fixture
def booked(app, users):
    """A public film with an approved screening and a pending request at a linked venue, and a past one."""
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    film = make_film("Letters from Gyumri", "public")
    make_licence(film)
    approved = book(users["venue"], film, venue, local_start(venue, days=5))
    decisions.approve(approved, users["archivist"])
    pending = book(users["venue"], film, venue, local_start(venue, days=9))
    db.session.query(VenueMessage).delete()
    db.session.commit()
    return venue, film, approved, pending


@pytest.mark.parametrize("change", [{"visibility": "restricted"}, {"embargo_until": "2999-01-01"}],
                         ids=["restricted", "embargoed"])
def test_venues_are_told_when_their_film_is_withdrawn(booked, client_as, change):
    venue, film, approved, pending = booked
    catalogue.update_item(film, change)
    notices = db.session.scalars(select(VenueMessage).order_by(VenueMessage.id)).all()
    assert [n.screening_id for n in notices] == [approved.id, pending.id]
    for notice in notices:
        assert notice.subject.startswith("Screening on hold") and "Letters from Gyumri" not in notice.subject + notice.body
    page = client_as("venue").get("/venue/inbox").get_data(as_text=True)
    assert page.count("Screening on hold") == 2 and "Letters from Gyumri" not in page
    assert "Yerevan Film House" in page and "withdrawn from view" in page
    # Other edits, and changes that keep it visible to venues, tell nobody anything more.
    catalogue.update_item(film, {"year": 2020})
    catalogue.update_item(film, {"visibility": "public", "embargo_until": None})
    catalogue.update_item(film, {"visibility": "partners"})
    assert db.session.query(VenueMessage).count() == 2


def test_staff_approving_a_request_for_a_hidden_film_are_warned(booked, client_as, token_for, app):
    venue, film, approved, pending = booked
    catalogue.update_item(film, {"visibility": "restricted"})
    staff = client_as("archivist")
    assert "cannot see this film" in staff.get("/manage/screenings").get_data(as_text=True)
    answer = app.test_client().post(f"/api/v1/screenings/{pending.id}/approve", headers=token_for("archivist"), json={})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["status"] == "approved"
    assert any("cannot see this film" in warning for warning in answer.get_json()["warnings"])


def test_a_request_for_a_visible_film_carries_no_warning(booked, token_for, app):
    _, _, _, pending = booked
    answer = app.test_client().post(f"/api/v1/screenings/{pending.id}/approve", headers=token_for("archivist"), json={})
    assert answer.get_json()["warnings"] == []


def test_approving_on_the_page_warns_too(booked, client_as):
    venue, film, approved, pending = booked
    catalogue.update_item(film, {"visibility": "restricted"})
    staff = client_as("archivist")
    answer = staff.post(f"/manage/screenings/{pending.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "approved" in answer and "cannot see this film" in answer
