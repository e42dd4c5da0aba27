"""Secret calendar addresses: a calendar program subscribes without signing in and sees what the account may see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from archive.auth import calendar_feeds
from archive.auth import operations as accounts
from archive.auth.models import CalendarFeed
from archive.extensions import db
from archive.screenings.operations import decisions, venues
from tests.factories import book, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start

ADDRESS = re.compile(r'value="(http://localhost/calendar/[A-Za-z0-9_-]+\.ics)"')


@pytest.fixture
def app_config(app_config):
    """Room for the many refused addresses these tests send from one client (the limit has its own test)."""
    app_config["TOKEN_FAILURE_LIMIT"] = "100 per minute"
    return app_config


@pytest.fixture
def programme(app, users):
    """Approved screenings of a public and a partners-only film at the venue account's venue and at another one."""
    own = make_venue(name="Hall of the venue account")
    other = make_venue(name="Elsewhere", city="Gyumri")
    venues.add_member(own, users["venue"].email)
    found = {}
    for day, visibility in enumerate(("public", "partners", "restricted")):
        film = make_film(f"{visibility.title()} film", visibility=visibility)
        make_licence(film)
        for offset, venue in enumerate((own, other)):
            screening = book(users["admin"], film, venue, local_start(venue, days=5 + 2 * day + offset, hour=20), subtitle_lang=None)
            decisions.approve(screening, users["archivist"])
            found[(visibility, venue.name)] = screening
    return own, other, found


def uids(body: bytes) -> set[int]:
    """The screening ids of a feed, read back with the icalendar library."""
    calendar = Calendar.from_ical(body)
    return {int(str(event["UID"]).split("@")[0].removeprefix("screening-")) for event in calendar.walk("VEVENT")}


def ids(found, *keys) -> set[int]:
    return {found[key].id for key in keys}


def test_account_page_makes_shows_renews_and_revokes_the_address(client_as, programme, users, app):
    own, other, found = programme
    browser = client_as("venue")
    page = browser.get("/account").get_data(as_text=True)
    assert "Make my calendar address" in page and "/calendar/" not in page
    made = browser.post("/account/calendar", data={"action": "renew"})
    assert made.status_code == 302 and made.location.endswith("/account#calendar")
    page = browser.get("/account").get_data(as_text=True)
    address = ADDRESS.search(page).group(1)
    assert f'href="webcal://{address.removeprefix("http://")}"' in page
    assert "Not fetched by any calendar program yet." in page
    # Only the hash and the seed are stored, never the token.
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    row = db.session.scalar(db.select(CalendarFeed))
    assert token not in (row.seed, row.token_hash) and len(token) == 43

    calendar_program = app.test_client()  # never signed in
    response = calendar_program.get(address)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"].startswith("private")
    assert "Set-Cookie" not in response.headers
    partners = ("public", own.name), ("public", other.name), ("partners", own.name), ("partners", other.name)
    assert uids(response.data) == ids(found, *partners)  # never the restricted film
    assert "Last fetched by a calendar program" in browser.get("/account").get_data(as_text=True)
    # One venue's screenings through the same address.
    assert uids(calendar_program.get(f"{address}?venue={own.id}").data) == ids(found, ("public", own.name), ("partners", own.name))

    browser.post("/account/calendar", data={"action": "renew"})
    assert calendar_program.get(address).status_code == 404  # the old address stops at once
    renewed = ADDRESS.search(browser.get("/account").get_data(as_text=True)).group(1)
    assert renewed != address and calendar_program.get(renewed).status_code == 200
    browser.post("/account/calendar", data={"action": "revoke"})
    gone = calendar_program.get(renewed)
    assert gone.status_code == 404 and gone.data == b"Not Found\n" and "Set-Cookie" not in gone.headers
    assert browser.post("/account/calendar", data={"action": "other"}).status_code == 400


def test_the_feed_follows_the_account(client_as, programme, users, app):
    own, other, found = programme
    venue_token = calendar_feeds.renew(users["venue"])
    calendar_program = app.test_client()
    assert ids(found, ("partners", own.name)) <= uids(calendar_program.get(f"/calendar/{venue_token}.ics").data)
    # An admin's address: staff see partners-only screenings too, never a restricted film.
    admin_token = calendar_feeds.renew(users["admin"])
    assert ids(found, ("restricted", own.name)).isdisjoint(uids(calendar_program.get(f"/calendar/{admin_token}.ics").data))
    # A change of role changes what the address shows at its next fetch (no partners for... a new scope).
    accounts.update_user(users["archivist"], role="venue")
    archivist_token = calendar_feeds.renew(users["archivist"])
    assert ids(found, ("partners", other.name)) <= uids(calendar_program.get(f"/calendar/{archivist_token}.ics").data)
    # A switched-off account's address stops; switched on again, it works again.
    accounts.update_user(users["venue"], active=False)
    assert calendar_program.get(f"/calendar/{venue_token}.ics").status_code == 404
    accounts.update_user(users["venue"], active=True)
    assert calendar_program.get(f"/calendar/{venue_token}.ics").status_code == 200
    # The public sees no partners-only screening, with or without someone else's session.
    public = uids(client_as(None).get("/calendar.ics").data)
    assert public == ids(found, ("public", own.name), ("public", other.name))
    # A session of another person does not change what an address shows.
    assert uids(client_as("admin").get(f"/calendar/{venue_token}.ics").data) == uids(
        calendar_program.get(f"/calendar/{venue_token}.ics").data)


def test_the_feed_is_written_in_the_account_language(users, app):
    accounts.update_user(users["venue"], locale="ru")
    token = calendar_feeds.renew(users["venue"])
    calendar = Calendar.from_ical(app.test_client().get(f"/calendar/{token}.ics").data)
    assert str(calendar["X-WR-CALNAME"]) == "Показы Архива диалога"


BAD = ["x", "%00" * 43, "A" * 42 + "%00", "A" * 44, "A" * 5000, "Ա" * 43, "%C3%A9" * 43, "..", "A" * 43, "A" * 42 + "="]


def test_addresses_that_open_nothing_answer_a_bare_404(client, users):
    token = calendar_feeds.renew(users["venue"])
    other_token = calendar_feeds.renew(users["admin"])
    for bad in [*BAD, token[:-1], token.swapcase(), f"{token}/x", f"x/{token}"]:
        for address in (f"/calendar/{bad}.ics", f"/calendar/{bad}"):
            response = client.get(address)
            assert response.status_code == 404, address
            assert response.data == b"Not Found\n" and "Set-Cookie" not in response.headers
    assert client.get(f"/calendar/{token}").status_code == 404  # .ics missing
    assert client.get(f"/calendar/{token}.ICS").status_code == 404
    for venue in ("999999", "abc", "%00", "-1", "99999999999999999999"):
        assert client.get(f"/calendar/{token}.ics?venue={venue}").status_code == 404, venue
    head = client.head(f"/calendar/{token}.ics")
    assert head.status_code == 200 and head.data == b"" and head.mimetype == "text/calendar"
    assert client.head("/calendar/" + "A" * 43 + ".ics").status_code == 404
    assert client.post(f"/calendar/{token}.ics").status_code == 405
    # Another account's address is that account's feed; both stay independent.
    assert other_token != token and client.get(f"/calendar/{other_token}.ics").status_code == 200
    calendar_feeds.revoke(users["admin"])
    assert client.get(f"/calendar/{other_token}.ics").status_code == 404
    assert client.get(f"/calendar/{token}.ics").status_code == 200


def test_last_use_is_noted_once_a_minute_and_guessing_is_slowed_down(users, app):
    token = calendar_feeds.renew(users["venue"])
    feed = users["venue"].calendar_feed
    assert feed.last_used_at is None
    client = app.test_client()
    client.get(f"/calendar/{token}.ics")
    db.session.refresh(feed)
    first = feed.last_used_at
    assert first is not None
    feed.last_used_at = earlier = first - timedelta(seconds=30)
    db.session.commit()
    client.get(f"/calendar/{token}.ics")
    db.session.refresh(feed)
    assert feed.last_used_at == earlier  # within the minute: no write

    app.config["TOKEN_FAILURE_LIMIT"] = "3 per minute"
    assert client.get(f"/calendar/{token}.ics").status_code == 200  # a working address counts nothing
    answers = [client.get("/calendar/" + "B" * 43 + ".ics").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


def test_subscribe_links_on_my_screenings_and_venue_pages(client_as, programme, users):
    own, _other, _found = programme
    anonymous = client_as(None).get(f"/venues/{own.id}").get_data(as_text=True)
    assert f'href="webcal://localhost/venues/{own.id}/calendar.ics"' in anonymous and "/calendar/" not in anonymous.replace(
        f"/venues/{own.id}/calendar.ics", "")
    browser = client_as("venue")
    assert "/account#calendar" in browser.get("/venue/").get_data(as_text=True)
    token = calendar_feeds.renew(users["venue"])
    mine = browser.get("/venue/").get_data(as_text=True)
    assert f'href="webcal://localhost/calendar/{token}.ics"' in mine and f'value="http://localhost/calendar/{token}.ics"' in mine
    venue_page = browser.get(f"/venues/{own.id}").get_data(as_text=True)
    assert f"webcal://localhost/calendar/{token}.ics?venue={own.id}" in venue_page
