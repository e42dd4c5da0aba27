"""Calendar pages and iCalendar feeds: valid RFC 5545 that a calendar library reads back, no leaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from archive.screenings.operations import decisions
from tests.factories import book, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start


@pytest.fixture
def programme(app, users):
    """Approved screenings of a public, a partners-only and a restricted film at a Paris venue."""
    paris = make_venue(name="Cinéma de la Paix", city="Paris", country="FR", timezone="Europe/Paris")
    films = {}
    for visibility in ("public", "partners", "restricted"):
        film = make_film(f"{visibility.title()} film", visibility=visibility)
        make_licence(film)
        films[visibility] = film
    screenings = {}
    for offset, (visibility, film) in enumerate(films.items()):
        screening = book(users["admin"], film, paris, local_start(paris, days=5 + offset, hour=20), subtitle_lang=None)
        decisions.approve(screening, users["archivist"])
        screenings[visibility] = screening
    pending = book(users["admin"], films["public"], paris, local_start(paris, days=9))
    return paris, films, screenings, pending


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_feed_parses_back_with_zones_sequence_and_cancellations(client, programme, users):
    paris, films, screenings, pending = programme
    response = client.get("/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["VERSION"]) == "2.0" and "Dialogue Archive" in str(calendar["PRODID"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    found = events(response.data)
    public = screenings["public"]
    uid = f"screening-{public.id}@screenings.dialogue-archive"
    assert list(found) == [uid]  # partners-only and restricted films and the pending request are left out
    event = found[uid]
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Paris"
    assert start.replace(tzinfo=None) == datetime.fromisoformat(local_start(paris, days=5, hour=20))
    assert event.decoded("DTEND") - start == public.ends_at - public.starts_at
    assert (int(event["SEQUENCE"]), str(event["STATUS"])) == (1, "CONFIRMED")
    assert "Cinéma de la Paix" in str(event["LOCATION"])

    decisions.cancel(public, users["admin"], "Strike")
    again = events(client.get("/calendar.ics").data)
    assert list(again) == [uid]  # the same UID, so calendar apps update the event in place
    assert (int(again[uid]["SEQUENCE"]), str(again[uid]["STATUS"])) == (2, "CANCELLED")


def test_partners_screenings_need_a_signed_in_partner(client_as, programme):
    _, films, screenings, _ = programme
    venue_view = events(client_as("venue").get("/calendar.ics").data)
    assert {str(uid) for uid in venue_view} == {
        f"screening-{screenings[v].id}@screenings.dialogue-archive" for v in ("public", "partners")
    }
    # Restricted films never appear in a calendar, not even to staff.
    staff_view = events(client_as("archivist").get("/calendar.ics").data)
    assert f"screening-{screenings['restricted'].id}@screenings.dialogue-archive" not in staff_view
    anonymous = client_as(None)
    assert anonymous.get(f"/items/{films['partners'].id}/calendar.ics").status_code == 404
    assert anonymous.get(f"/items/{films['restricted'].id}/calendar.ics").status_code == 404
    assert client_as("archivist").get(f"/items/{films['restricted'].id}/calendar.ics").status_code == 404
    assert client_as("venue").get(f"/items/{films['partners'].id}/calendar.ics").status_code == 200
    assert anonymous.get(f"/screenings/{screenings['partners'].id}").status_code == 404
    assert b"Restricted film" not in anonymous.get("/screenings").data
    assert b"Partners film" not in anonymous.get("/screenings?view=month").data


def test_venue_and_film_feeds_and_pages(client, programme):
    paris, films, screenings, _ = programme
    film_feed = events(client.get(f"/items/{films['public'].id}/calendar.ics").data)
    assert len(film_feed) == 1
    assert len(events(client.get(f"/venues/{paris.id}/calendar.ics").data)) == 1
    assert client.get("/venues/999999/calendar.ics").status_code == 404
    assert client.get("/items/999999/calendar.ics").status_code == 404
    page = client.get(f"/venues/{paris.id}").get_data(as_text=True)
    assert "Public film" in page and "UTC+0" in page and "Europe/Paris" in page
    assert "Public film" in client.get(f"/items/{films['public'].id}/screenings").get_data(as_text=True)


def test_calendar_list_month_and_filters(client, programme):
    paris, films, screenings, _ = programme
    link = f'href="/screenings/{screenings["public"].id}"'

    def shown(url: str) -> bool:
        response = client.get(url)
        assert response.status_code == 200
        return link in response.get_data(as_text=True)

    listing = client.get("/screenings").get_data(as_text=True)
    assert link in listing and "(UTC+0" in listing
    assert not shown("/screenings?country=AM")
    assert shown("/screenings?country=fr&city=Paris")
    assert shown(f"/screenings?film={films['public'].id}&venue={paris.id}")
    assert not shown(f"/screenings?film={films['partners'].id}")
    # The audio or subtitle language is ``language``: ``lang`` is the interface's language on every page.
    assert not shown("/screenings?language=hy")
    assert shown("/screenings?lang=en")
    month = local_start(paris, days=5)[:7]
    grid = client.get(f"/screenings?view=month&month={month}").get_data(as_text=True)
    assert link in grid and "20:00 Public film" in grid
    following = (datetime.fromisoformat(local_start(paris, days=5)) + timedelta(days=40)).strftime("%Y-%m")
    assert not shown(f"/screenings?view=month&month={following}")
    assert client.get("/screenings?view=month&month=March").status_code == 400
    assert client.get("/screenings?venue=abc").status_code == 400


def test_embargoed_films_stay_off_every_calendar_even_for_staff(client_as, users, app):
    paris = make_venue(name="Cinéma de la Paix", city="Paris", country="FR", timezone="Europe/Paris")
    film = make_film("Embargoed film", "public", embargo_until="2999-01-01")
    make_licence(film)
    screening = book(users["admin"], film, paris, local_start(paris, days=5, hour=20), subtitle_lang=None)
    decisions.approve(screening, users["archivist"])
    uid = f"screening-{screening.id}@screenings.dialogue-archive"
    for role in (None, "venue", "archivist", "admin"):
        browser = client_as(role)
        assert uid not in events(browser.get("/calendar.ics").data), role
        assert uid not in events(browser.get(f"/venues/{paris.id}/calendar.ics").data), role
        assert browser.get(f"/items/{film.id}/calendar.ics").status_code == 404, role
        assert b"Embargoed film" not in browser.get("/screenings").data, role


def test_a_time_the_clocks_show_twice_is_written_so_it_reads_one_way(client, users, app):
    berlin = make_venue(name="Kino am Ufer", city="Berlin", country="DE", timezone="Europe/Berlin")
    film = make_film("Night of the clock change", "public")
    make_licence(film, territories=["DE"])
    # 02:30 happens twice in Berlin on 31 October 2027; this is the second one, in winter time.
    second = book(users["admin"], film, berlin, "2027-10-31T02:30:00+01:00", subtitle_lang=None, discussion_minutes=0)
    decisions.approve(second, users["archivist"])
    ordinary = book(users["admin"], film, berlin, "2027-10-30T20:00:00+02:00", subtitle_lang=None, discussion_minutes=0)
    decisions.approve(ordinary, users["archivist"])
    found = events(client.get(f"/venues/{berlin.id}/calendar.ics").data)
    start = found[f"screening-{second.id}@screenings.dialogue-archive"].decoded("DTSTART")
    assert start.astimezone(UTC) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    end = found[f"screening-{second.id}@screenings.dialogue-archive"].decoded("DTEND")
    assert end - start == second.ends_at - second.starts_at
    # Times that happen once stay in the venue's zone.
    usual = found[f"screening-{ordinary.id}@screenings.dialogue-archive"].decoded("DTSTART")
    assert str(usual.tzinfo) == "Europe/Berlin" and usual.hour == 20
