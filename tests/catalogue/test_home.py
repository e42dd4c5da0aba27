"""The home page: what is on soon (by the calendars' rule), the newest films and photographs, the exhibitions."""

from __future__ import annotations

from datetime import timedelta

from archive.screenings.operations.decisions import approve, cancel
from archive.timeutil import utcnow
from tests.conftest import sign_in
from tests.factories import book, make_collection, make_film, make_licence, make_photo, make_venue


def _approved(users, film, venue, days: int, hour: int = 19):
    make_licence(film, territories=[venue.country])
    day = (utcnow() + timedelta(days=days)).date().isoformat()
    screening = book(users["archivist"], film, venue, f"{day}T{hour:02d}:00")
    return approve(screening, users["archivist"])


def test_home_lists_coming_public_screenings_in_the_venues_time(client, users):
    venue = make_venue(name="Ganja Youth House", city="Ganja", country="AZ", timezone="Asia/Baku")
    public, partners = make_film("Two Banks"), make_film("For partners only", "partners")
    _approved(users, public, venue, 3, 19)
    _approved(users, partners, venue, 4, 19)
    cancelled = _approved(users, public, venue, 5, 19)
    cancel(cancelled, users["archivist"])
    page = client.get("/").get_data(as_text=True)
    assert "Two Banks" in page and "Ganja Youth House" in page and "Ganja (Azerbaijan)" in page
    assert "19:00 (UTC+04:00, Baku)" in page
    assert page.count('class="soon-item') == 1  # neither the partners' film nor the cancelled one
    assert "For partners only" not in page

    sign_in(client, users["venue"].email)
    assert client.get("/").get_data(as_text=True).count('class="soon-item') == 2  # signed in: partners too


def test_home_in_russian_names_countries_and_headings(client, users):
    venue = make_venue(name="Gyumri Community Cinema", city="Gyumri")
    _approved(users, make_film("Letters"), venue, 2)
    page = client.get("/?lang=ru").get_data(as_text=True)
    assert "Ближайшие показы" in page and "Gyumri (Армения)" in page


def test_home_sorts_newest_films_photographs_and_exhibitions_apart(client):
    make_film("Film one")
    make_photo("Photo one")
    make_collection("The river", kind="exhibition")
    page = client.get("/").get_data(as_text=True)
    films, photos, exhibitions = page.index("films-title"), page.index("photos-title"), page.index("exhibitions-title")
    assert films < page.index("Film one") < photos < page.index("Photo one") < exhibitions < page.index("The river")
    assert "No public screenings are planned yet." in page


def test_home_says_what_is_missing(client):
    make_photo("Only a photograph")
    page = client.get("/").get_data(as_text=True)
    assert "No films have been published yet." in page
    assert "No exhibitions have been published yet." in page
