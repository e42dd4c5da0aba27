"""Who sees "Request a screening" on a film's page, and the licence terms written in words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from archive.screenings.film_part import bookable_licences, film_part
from archive.screenings.operations import venues
from archive.timeutil import utcnow
from tests.factories import make_film, make_licence, make_photo, make_venue

REQUEST = "Request a screening"


@pytest.fixture
def bookable(app, users):
    """A licensed film of known length and a venue in a licensed country linked to the venue account."""
    film = make_film("Bikes by the border")
    make_licence(film, territories=["AM", "GE"], max_screenings=3)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    return film


@pytest.mark.parametrize(("role", "sees_request", "sees_licences_link"), [
    (None, False, False),
    ("venue", True, False),
    ("archivist", False, True),
    ("admin", False, True),
])
def test_who_sees_the_request_on_a_bookable_film(client_as, bookable, role, sees_request, sees_licences_link):
    html = client_as(role).get(f"/items/{bookable.id}").get_data(as_text=True)
    assert (REQUEST in html) is sees_request
    assert (f'href="/venue/screenings/new?item_id={bookable.id}"' in html) is sees_request
    assert (f'href="/manage/items/{bookable.id}/licences"' in html) is sees_licences_link


def test_the_request_part_writes_the_terms_in_words(client_as, bookable):
    html = client_as("venue").get(f"/items/{bookable.id}").get_data(as_text=True)
    assert "Armenia, Georgia" in html
    assert "non-commercial, educational" in html
    assert "At most 3 screenings under this licence." in html
    start = (utcnow().date() - timedelta(days=365))
    assert f"From {start:%B} {start.day}, {start.year} to " in html


def test_the_terms_in_russian_with_plural_forms(client_as, bookable):
    html = client_as("venue").get(f"/items/{bookable.id}?lang=ru").get_data(as_text=True)
    assert "Армения, Грузия" in html
    assert "Подать заявку на показ" in html
    assert "Не более 3 показов по этой лицензии." in html


def test_a_venue_not_linked_to_a_licence_territory_sees_nothing(app, client_as, users):
    film = make_film()
    make_licence(film, territories=["FR"])
    venues.add_member(make_venue(), users["venue"].email)  # in Armenia
    assert bookable_licences(film, users["venue"]) == []
    assert film_part(film, users["venue"]) is None
    assert REQUEST not in client_as("venue").get(f"/items/{film.id}").get_data(as_text=True)


def test_a_venue_account_linked_to_no_venue_sees_nothing(app, users):
    film = make_film()
    make_licence(film)
    assert film_part(film, users["venue"]) is None


@pytest.mark.parametrize("case", ["no licence", "length unknown", "licence ended", "staff only", "photo"])
def test_films_a_venue_may_not_book_show_no_request(app, client_as, users, case):
    venues.add_member(make_venue(), users["venue"].email)
    today = utcnow().date()
    if case == "photo":
        item = make_photo()
    else:
        item = make_film(duration=None if case == "length unknown" else 3600,
                         visibility="restricted" if case == "staff only" else "public")
    if case == "licence ended":
        make_licence(item, starts_on=(today - timedelta(days=60)).isoformat(),
                     ends_on=(today - timedelta(days=1)).isoformat())
    elif case not in ("no licence", "photo"):
        make_licence(item)
    assert film_part(item, users["venue"]) is None
    response = client_as("venue").get(f"/items/{item.id}")
    assert REQUEST not in response.get_data(as_text=True)


def test_staff_see_the_licences_link_even_without_a_licence(app, client_as):
    film = make_film()
    html = client_as("archivist").get(f"/items/{film.id}").get_data(as_text=True)
    assert f'href="/manage/items/{film.id}/licences"' in html
    assert REQUEST not in html


def test_the_request_link_preselects_the_film(client_as, bookable):
    html = client_as("venue").get(f"/venue/screenings/new?item_id={bookable.id}").get_data(as_text=True)
    assert f'<option value="{bookable.id}" lang="en" selected>' in html
