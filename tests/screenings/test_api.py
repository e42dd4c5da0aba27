"""The JSON API contract: status codes and error codes programs rely on, and what each role sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from archive.extensions import db
from archive.screenings.models import Screening, VenueMessage
from archive.timeutil import utcnow
from tests.factories import add_subtitles, make_film, make_licence
from tests.screenings.helpers import local_start

VENUE = {"name": "Yerevan Film House", "city": "Yerevan", "country": "AM", "timezone": "Asia/Yerevan",
         "capacity": 120, "buffer_minutes": 30}


@pytest.fixture
def api(app, token_for):
    """Call the API as a role: ``api("venue", "post", url, json)``."""
    client = app.test_client()
    tokens = {role: token_for(role) for role in ("admin", "archivist", "venue")}

    def call(role, method, url, body=None):
        return client.open(url, method=method.upper(), json=body, headers=tokens.get(role, {}))

    return call


@pytest.fixture
def booked(api, users):
    """A film with a licence (made through the API), a venue linked to the venue account."""
    film = make_film()
    assert api("archivist", "post", f"/api/v1/items/{film.id}/licences",
               {"territories": ["AM", "GE"], "starts_on": utcnow().date().isoformat(),
                "ends_on": (utcnow().date() + timedelta(days=700)).isoformat(), "uses": ["non-commercial"],
                "max_screenings": None}).status_code == 201
    response = api("admin", "post", "/api/v1/venues", VENUE)
    assert response.status_code == 201, response.json
    venue_id = response.json["id"]
    assert api("admin", "post", f"/api/v1/venues/{venue_id}/members", {"email": users["venue"].email}).status_code == 201
    return film, venue_id


def count_screenings() -> int:
    return db.session.scalar(select(func.count()).select_from(Screening))


def test_book_approve_report_through_the_api(api, booked):
    film, venue_id = booked
    add_subtitles(film, "en")
    starts = local_start_for(venue_id, days=12)
    wrong_lang = api("venue", "post", "/api/v1/screenings", {"item_id": film.id, "venue_id": venue_id,
                                                             "starts_at": starts, "subtitle_lang": "ru"})
    assert wrong_lang.status_code == 422
    assert wrong_lang.json["error"]["fields"]["subtitle_lang"] == (
        "This film has no subtitles in this language (Russian (ru)); choose one of: English (en).")
    response = api("venue", "post", "/api/v1/screenings", {
        "item_id": film.id, "venue_id": venue_id, "starts_at": starts, "subtitle_lang": "en",
        "expected_audience": 80, "format": "community", "discussion_minutes": 30})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "requested"
    assert body["starts_at"] == starts + ":00+04:00"
    assert body["ends_at"].endswith("+04:00") and body["kit"]["film"].endswith("/kit/film")
    screening_id = body["id"]

    assert api("venue", "post", f"/api/v1/screenings/{screening_id}/approve").status_code == 403
    approved = api("archivist", "post", f"/api/v1/screenings/{screening_id}/approve", {"reason": "Welcome"})
    assert (approved.status_code, approved.json["status"]) == (200, "approved")
    again = api("archivist", "post", f"/api/v1/screenings/{screening_id}/approve")
    assert (again.status_code, again.json["error"]["code"]) == (409, "wrong_status")

    early = api("venue", "post", f"/api/v1/screenings/{screening_id}/report", {"attendance": {"total": 5}})
    assert (early.status_code, early.json["error"]["code"]) == (409, "too_early")

    listed = api("venue", "get", f"/api/v1/screenings?venue={venue_id}&item={film.id}")
    assert [s["id"] for s in listed.json["items"]] == [screening_id]
    assert api(None, "get", f"/api/v1/screenings/{screening_id}").json["status"] == "approved"
    assert "expected_audience" not in api(None, "get", f"/api/v1/screenings/{screening_id}").json

    cancelled = api("venue", "post", f"/api/v1/screenings/{screening_id}/cancel", {"reason": "Storm"})
    assert (cancelled.status_code, cancelled.json["status"]) == (200, "cancelled")
    late = api("archivist", "post", f"/api/v1/screenings/{screening_id}/approve")
    assert (late.status_code, late.json["error"]["code"]) == (409, "wrong_status")
    # The venue was told of each decision (no SMTP configured: kept in its inbox).
    subjects = db.session.scalars(select(VenueMessage.subject).order_by(VenueMessage.id)).all()
    assert [s.split(":")[0] for s in subjects] == ["Screening approved", "Screening cancelled"]


def local_start_for(venue_id: int, days: int) -> str:
    from archive.screenings.models import Venue

    return local_start(db.session.get(Venue, venue_id), days=days)


def test_clash_and_rights_errors_carry_codes(api, booked):
    film, venue_id = booked
    starts = local_start_for(venue_id, days=12)
    first = {"item_id": film.id, "venue_id": venue_id, "starts_at": starts}
    assert api("venue", "post", "/api/v1/screenings", first).status_code == 201
    clash = api("venue", "post", "/api/v1/screenings", first)
    assert clash.status_code == 409
    assert clash.json["error"]["code"] == "clash" and clash.json["error"]["free_slots"]
    assert "busy from" in clash.json["error"]["message"]
    assert api("venue", "post", "/api/v1/screenings", {**first, "starts_at": clash.json["error"]["free_slots"][0]}).status_code == 201

    no_rights = api("venue", "post", "/api/v1/screenings", {**first, "use": "commercial"})
    assert (no_rights.status_code, no_rights.json["error"]["code"]) == (422, "no_licence")
    unprocessed = make_film("Unprocessed", duration=None)
    make_licence(unprocessed)
    pending = api("venue", "post", "/api/v1/screenings", {**first, "item_id": unprocessed.id})
    assert (pending.status_code, pending.json["error"]["code"]) == (422, "no_duration")
    past = api("venue", "post", "/api/v1/screenings", {**first, "starts_at": "2001-01-01T19:00:00+04:00"})
    assert (past.status_code, past.json["error"]["code"]) == (422, "invalid")
    assert "in the past" in past.json["error"]["fields"]["starts_at"]
    assert count_screenings() == 2


def test_bad_bodies_and_permissions(api, booked, users):
    film, venue_id = booked
    other = api("admin", "post", "/api/v1/venues", {**VENUE, "name": "Another venue"}).json["id"]
    foreign = api("venue", "post", "/api/v1/screenings", {"item_id": film.id, "venue_id": other,
                                                           "starts_at": local_start_for(other, days=9)})
    assert (foreign.status_code, foreign.json["error"]["code"]) == (403, "forbidden")
    assert api("venue", "post", "/api/v1/venues", VENUE).status_code == 403
    assert api(None, "post", "/api/v1/screenings", {}).status_code == 401
    assert api("venue", "post", "/api/v1/screenings", ["not", "an", "object"]).status_code == 400
    bad_zone = api("admin", "post", "/api/v1/venues", {**VENUE, "timezone": "Mars/Olympus"})
    assert (bad_zone.status_code, bad_zone.json["error"]["code"]) == (422, "invalid")
    assert "IANA" in bad_zone.json["error"]["fields"]["timezone"]
    bad_territory = api("archivist", "post", f"/api/v1/items/{film.id}/licences",
                        {"territories": ["ARM"], "starts_on": "2027-01-01", "ends_on": "2027-02-01", "uses": ["festival"]})
    assert bad_territory.status_code == 422 and "ISO 3166" in bad_territory.json["error"]["fields"]["territories"]
    backwards = api("archivist", "post", f"/api/v1/items/{film.id}/licences",
                    {"territories": ["AM"], "starts_on": "2027-02-01", "ends_on": "2027-01-01", "uses": ["festival"]})
    assert backwards.status_code == 422 and "before it starts" in backwards.json["error"]["fields"]["ends_on"]
    assert api("admin", "post", f"/api/v1/venues/{venue_id}/members", {"email": users["archivist"].email}).status_code == 422
    assert api("admin", "post", "/api/v1/venues/999999/members", {"email": users["venue"].email}).status_code == 404
    assert api("venue", "get", "/api/v1/screenings?from=yesterday").status_code == 422
    assert api("venue", "get", "/api/v1/screenings?venue=abc").status_code == 422
    assert api("venue", "get", "/api/v1/screenings/999999").status_code == 404


def test_listing_hides_requests_and_restricted_films_from_others(api, booked, users):
    film, venue_id = booked
    requested = api("venue", "post", "/api/v1/screenings", {"item_id": film.id, "venue_id": venue_id,
                                                            "starts_at": local_start_for(venue_id, days=15)}).json["id"]
    partners = make_film("For partners", visibility="partners")
    make_licence(partners)
    shown = api("venue", "post", "/api/v1/screenings", {"item_id": partners.id, "venue_id": venue_id,
                                                        "starts_at": local_start_for(venue_id, days=16)}).json["id"]
    api("archivist", "post", f"/api/v1/screenings/{shown}/approve")
    # A pending request is the venue's business; a partners film is for signed-in partners only.
    assert api(None, "get", f"/api/v1/screenings/{requested}").status_code == 404
    assert api(None, "get", f"/api/v1/screenings/{shown}").status_code == 404
    assert [s["id"] for s in api(None, "get", "/api/v1/screenings").json["items"]] == []
    assert {s["id"] for s in api("venue", "get", "/api/v1/screenings").json["items"]} == {requested, shown}
    partners.visibility = "restricted"
    db.session.commit()
    assert api("venue", "get", f"/api/v1/screenings/{shown}").status_code == 404
    assert {s["id"] for s in api("venue", "get", "/api/v1/screenings").json["items"]} == {requested}
    assert {s["id"] for s in api("archivist", "get", "/api/v1/screenings").json["items"]} == {requested, shown}
