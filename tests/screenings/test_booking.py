"""Booking rules as plain functions: rights, clashes, times, decisions, reports; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from archive.errors import ValidationError
from archive.extensions import db
from archive.screenings import kit
from archive.screenings.models import Screening, ScreeningReport, Venue
from archive.screenings.operations import booking, decisions, licences, reports, venues
from archive.screenings.operations.refusals import Refused
from tests.factories import FILM_SECONDS, book, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start


@pytest.fixture
def setup(app, users):
    film = make_film()
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    return film, venue, users["venue"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_request_occupies_film_discussion_and_buffer(setup):
    film, venue, user = setup
    screening = book(user, film, venue, local_start(venue, hour=19), discussion_minutes=45)
    assert screening.status == "requested"
    assert screening.ends_at - screening.starts_at == timedelta(seconds=FILM_SECONDS, minutes=45)
    assert screening.blocked_until - screening.ends_at == timedelta(minutes=30)
    assert screening.starts_at.hour == 15  # 19:00 in Yerevan is 15:00 UTC


def test_overlapping_request_clashes_and_offers_free_slots(setup):
    film, venue, user = setup
    first = book(user, film, venue, local_start(venue, hour=19))  # busy 19:00-21:30 local
    before = count(Screening)
    with pytest.raises(Refused) as caught:
        book(user, film, venue, local_start(venue, hour=21))
    assert (caught.value.code, caught.value.status) == ("clash", 409)
    slots = caught.value.extra["free_slots"]
    assert slots and all(slot.endswith("+04:00") for slot in slots)
    assert local_start(venue, hour=21, minute=30) + ":00+04:00" in slots  # straight after the changeover
    assert count(Screening) == before
    # A slot touching the end of the changeover is free.
    later = book(user, film, venue, local_start(venue, hour=21, minute=30))
    assert later.starts_at == first.blocked_until


def test_declined_and_cancelled_screenings_free_their_slot(setup, users):
    film, venue, user = setup
    first = book(user, film, venue, local_start(venue))
    decisions.decline(first, users["archivist"], "Projector under repair")
    second = book(user, film, venue, local_start(venue))
    decisions.cancel(second, user)
    assert book(user, film, venue, local_start(venue)).status == "requested"


def test_other_venues_do_not_clash(setup, users):
    film, venue, user = setup
    other = make_venue(name="Tbilisi Cinema", city="Tbilisi", country="GE", timezone="Asia/Tbilisi")
    book(user, film, venue, local_start(venue))
    assert book(users["admin"], film, other, local_start(venue)).status == "requested"


OUTSIDE_RIGHTS = [
    ({"territories": ["GE"]}, "its territories are Georgia; the venue is in Armenia"),
    ({"uses": ["festival"]}, "permits festival use, not non-commercial"),
    ({"starts_on": "2020-01-01", "ends_on": "2020-12-31"}, "runs from January 1, 2020 to December 31, 2020"),
]


def test_outside_every_licence_is_refused_with_the_reason(app, users):
    venue = make_venue()
    for licence, message in OUTSIDE_RIGHTS:
        film = make_film()
        make_licence(film, **licence)
        with pytest.raises(Refused) as caught:
            book(users["admin"], film, venue, local_start(venue))
        assert (caught.value.code, caught.value.status) == ("no_licence", 422)
        assert message in caught.value.message
    assert count(Screening) == 0


def test_film_without_licence_is_refused(app, users):
    film, venue = make_film(), make_venue()
    with pytest.raises(Refused, match="no screening licence yet") as caught:
        book(users["admin"], film, venue, local_start(venue))
    assert caught.value.code == "no_licence"


def test_licence_limit_counts_pending_and_approved(app, users):
    film = make_film()
    make_licence(film, max_screenings=1)
    venue = make_venue()
    book(users["admin"], film, venue, local_start(venue, days=5))
    with pytest.raises(Refused, match="allows 1 screenings and all are booked"):
        book(users["admin"], film, venue, local_start(venue, days=6))


def test_use_beyond_one_licence_finds_another(app, users):
    film = make_film()
    make_licence(film, territories=["GE"])
    make_licence(film, territories=["AM"], uses=["festival"])
    venue = make_venue()
    assert book(users["admin"], film, venue, local_start(venue), use="festival").licence_id is not None


INVALID_REQUESTS = [
        ({"starts_at": "2020-01-01T19:00"}, "starts_at", "in the past"),
        ({"starts_at": "2027-02-30T19:00"}, "starts_at", "not a date and time"),
        ({"discussion_minutes": -5}, "discussion_minutes", "out of range"),
        ({"discussion_minutes": "lots"}, "discussion_minutes", "not a whole number"),
        ({"expected_audience": 500}, "expected_audience", "seats 120"),
        ({"format": "drive-in"}, "format", "Choose one of"),
        ({"subtitle_lang": "not a tag!"}, "subtitle_lang", "not a language tag"),
        ({"item_id": 999999}, "item_id", "No film 999999"),
        ({"venue_id": 999999}, "venue_id", "No venue 999999"),
        ({"colour": "red"}, "colour", "Unknown field"),
]


def test_invalid_requests_name_the_field_and_store_nothing(setup):
    film, venue, user = setup
    for change, field, text in INVALID_REQUESTS:
        data = {"item_id": film.id, "venue_id": venue.id, "starts_at": local_start(venue)}
        data.update(change)
        with pytest.raises(ValidationError) as caught:
            booking.request_screening(data, user)
        assert text in caught.value.errors[field], change
    assert count(Screening) == 0


def test_gap_and_ambiguous_local_times_are_refused(app, users):
    film = make_film()
    make_licence(film, starts_on="2026-01-01", ends_on="2099-12-31")
    paris = make_venue(name="Cinéma de la Paix", city="Paris", country="FR", timezone="Europe/Paris")
    year = int(local_start(paris, days=400)[:4])  # a year whose clock changes are both ahead
    with pytest.raises(ValidationError) as caught:
        book(users["admin"], film, paris, _gap(year))
    assert "does not exist in Europe/Paris" in caught.value.errors["starts_at"]
    with pytest.raises(ValidationError) as caught:
        book(users["admin"], film, paris, _overlap(year))
    assert "Include the UTC offset" in caught.value.errors["starts_at"]
    assert count(Screening) == 0


def _last_sunday(year: int, month: int) -> int:
    from calendar import monthrange
    from datetime import date

    last = date(year, month, monthrange(year, month)[1])
    return last.day - (last.weekday() + 1) % 7


def _gap(year: int) -> str:
    return f"{year}-03-{_last_sunday(year, 3):02d}T02:30"


def _overlap(year: int) -> str:
    return f"{year}-10-{_last_sunday(year, 10):02d}T02:30"


def test_film_without_length_and_with_zero_length_are_refused(setup, users):
    _, venue, user = setup
    unprocessed = make_film("Still processing", duration=None)
    make_licence(unprocessed)
    with pytest.raises(Refused, match="still being processed") as caught:
        book(user, unprocessed, venue, local_start(venue))
    assert (caught.value.code, caught.value.status) == ("no_duration", 422)
    empty = make_film("Empty", duration=0)
    make_licence(empty)
    with pytest.raises(Refused, match="duration of zero"):
        book(user, empty, venue, local_start(venue))
    assert count(Screening) == 0


def test_a_venue_cannot_book_for_another_venue(setup):
    film, _, user = setup
    other = make_venue(name="Somebody else's")
    with pytest.raises(Refused) as caught:
        book(user, film, other, local_start(other))
    assert (caught.value.code, caught.value.status) == ("forbidden", 403)
    assert count(Screening) == 0


def test_restricted_film_cannot_be_booked_by_a_venue(setup):
    _, venue, user = setup
    hidden = make_film("Hidden testimony", visibility="restricted")
    make_licence(hidden)
    with pytest.raises(ValidationError) as caught:
        book(user, hidden, venue, local_start(venue))
    assert caught.value.errors["item_id"] == f"No film {hidden.id} that you can book."


BAD_VENUES = [
        ({"name": "", "city": "Baku", "country": "AZ", "timezone": "Asia/Baku"}, "name", "required"),
        ({"name": "X", "city": "Baku", "country": "XX", "timezone": "Asia/Baku"}, "country", "not an ISO 3166"),
        ({"name": "X", "city": "Baku", "country": "AZ", "timezone": "Asia/Atlantis"}, "timezone", "not an IANA time zone"),
        ({"name": "X", "city": "Baku", "country": "AZ", "timezone": "Asia/Baku", "capacity": -1}, "capacity", "out of range"),
        ({"name": "X", "city": "Baku", "country": "AZ", "timezone": "Asia/Baku", "buffer_minutes": 999}, "buffer_minutes", "out of range"),
]


def test_invalid_venues_are_refused(app):
    for data, field, text in BAD_VENUES:
        with pytest.raises(ValidationError) as caught:
            venues.create_venue(data)
        assert text in caught.value.errors[field], data
    assert count(Venue) == 0


BAD_LICENCES = [
        ({"territories": ["AM", "ZZ"]}, "territories", "not an ISO 3166"),
        ({"territories": []}, "territories", "at least one"),
        ({"starts_on": "2027-12-31", "ends_on": "2027-01-01"}, "ends_on", "ends (2027-01-01) before it starts"),
        ({"uses": ["piracy"]}, "uses", "permitted uses"),
        ({"max_screenings": 0}, "max_screenings", "out of range"),
        ({"starts_on": "31/12/2027"}, "starts_on", "not a date"),
]


def test_invalid_licences_are_refused(app):
    film = make_film()
    base = {"territories": ["AM"], "starts_on": "2027-01-01", "ends_on": "2027-12-31", "uses": ["educational"]}
    for data, field, text in BAD_LICENCES:
        with pytest.raises(ValidationError) as caught:
            licences.create_licence(film, {**base, **data})
        assert text in caught.value.errors[field], data
    assert licences.licences_of(film) == []


def test_members_must_be_venue_accounts(app, users):
    venue = make_venue()
    with pytest.raises(ValidationError, match="only venue accounts"):
        venues.add_member(venue, users["archivist"].email)
    with pytest.raises(ValidationError, match="No account for"):
        venues.add_member(venue, "nobody@example.org")
    venues.add_member(venue, users["venue"].email.upper())
    venues.add_member(venue, users["venue"].email)
    assert [u.email for u in venue.members] == [users["venue"].email]


def test_approval_rechecks_rights_and_decisions_follow_the_status(setup, users):
    film, venue, user = setup
    screening = book(user, film, venue, local_start(venue))
    licence = screening.licence
    licence.territories = ["GE"]  # the rights changed since the request
    db.session.commit()
    with pytest.raises(Refused) as caught:
        decisions.approve(screening, users["archivist"])
    assert caught.value.code == "no_licence"
    assert db.session.get(Screening, screening.id).status == "requested"
    licence.territories = ["AM"]
    db.session.commit()
    decisions.approve(screening, users["archivist"], "Enjoy")
    assert (screening.status, screening.sequence) == ("approved", 1)
    with pytest.raises(Refused) as caught:
        decisions.approve(screening, users["archivist"])
    assert (caught.value.code, caught.value.status) == ("wrong_status", 409)
    decisions.cancel(screening, user, "Flooded hall")
    assert (screening.status, screening.sequence) == ("cancelled", 2)
    with pytest.raises(Refused, match="is cancelled; only a requested screening can be approved"):
        decisions.approve(screening, users["archivist"])
    with pytest.raises(ValidationError, match="Say why"):
        decisions.decline(book(user, film, venue, local_start(venue, days=3)), users["archivist"], " ")


def test_kit_window_opens_48_hours_before_and_closes_a_day_after(setup, users):
    film, venue, user = setup
    screening = book(user, film, venue, local_start(venue))
    with pytest.raises(Refused, match="once the screening is approved"):
        kit.check_kit(screening, user)
    decisions.approve(screening, users["archivist"])
    start, end = screening.starts_at, screening.ends_at
    with pytest.raises(Refused, match="opens 48 hours before") as caught:
        kit.check_kit(screening, user, now=start - timedelta(hours=49))
    assert caught.value.status == 403
    assert kit.check_kit(screening, user, now=start - timedelta(hours=47)) > 0
    assert kit.check_kit(screening, user, now=end + timedelta(hours=23)) <= 3600
    with pytest.raises(Refused, match="closed 24 hours after") as caught:
        kit.check_kit(screening, user, now=start + timedelta(days=1, hours=3))  # a day late
    assert (caught.value.code, caught.value.status) == ("kit_expired", 410)
    other = make_venue(name="Elsewhere")
    stranger_screening = book(users["admin"], film, other, local_start(other))
    with pytest.raises(Refused) as caught:
        kit.check_kit(stranger_screening, user)
    assert caught.value.status == 403
    decisions.cancel(screening, user)
    with pytest.raises(Refused, match="revoked") as caught:
        kit.check_kit(screening, user, now=start)
    assert caught.value.status == 410


@pytest.fixture
def held(setup, users):
    film, venue, user = setup
    screening = book(user, film, venue, local_start(venue))
    decisions.approve(screening, users["archivist"])
    return screening, user


BAD_ATTENDANCE = [
        ({"total": -1}, "total", "no negative numbers"),
        ({"total": 10, "women": -2}, "women", "no negative numbers"),
        ({"total": 10, "women": 6, "men": 5}, "total", "add up to 11, more than the total of 10"),
        ({"total": 10, "youth": 11}, "youth", "more than the total"),
        ({"total": 10, "displaced": 12}, "displaced", "more than the total"),
        ({"women": 3}, "total", "required"),
        ({"total": "many"}, "total", "not a whole number"),
        ({"total": 3, "aliens": 1}, "attendance", "Unknown attendance fields: aliens"),
]


def test_bad_attendance_is_refused(held):
    screening, user = held
    for attendance, field, text in BAD_ATTENDANCE:
        with pytest.raises(ValidationError) as caught:
            reports.file_report(screening, {"attendance": attendance}, user, now=screening.starts_at + timedelta(hours=3))
        assert text in caught.value.errors[field], attendance
    assert count(ScreeningReport) == 0


def test_report_after_the_screening_once(held):
    screening, user = held
    with pytest.raises(Refused, match="after it has started"):
        reports.file_report(screening, {"attendance": {"total": 1}}, user)
    later = screening.starts_at + timedelta(hours=3)
    report = reports.file_report(
        screening, {"attendance": {"total": 80, "women": 45, "men": 30, "other": 5, "youth": 40, "displaced": 12},
                    "discussion": "Long and warm."}, user, now=later)
    assert (report.total, report.women, report.other_gender, report.displaced) == (80, 45, 5, 12)
    with pytest.raises(Refused) as caught:
        reports.file_report(screening, {"attendance": {"total": 1}}, user, now=later)
    assert (caught.value.code, caught.value.status) == ("report_exists", 409)
