"""The public address: absolute links never echo the Host header, and other hosts are refused."""

from __future__ import annotations

import pytest
from flask import url_for
from icalendar import Calendar

from archive import create_app
from archive.auth import operations as accounts
from archive.config import ConfigError
from archive.screenings.operations import decisions
from tests.conftest import running_app
from tests.factories import book, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start

PUBLIC = "https://archive.example.org"
FORGED = {"Host": "evil.example"}
THROUGH_PROXY = {"Host": "10.0.0.5"}


@pytest.fixture
def public_app(app_config, profile):
    """The archive as deployed: a public address, and the proxy's own name for it also trusted."""
    yield from running_app({**app_config, "PUBLIC_URL": PUBLIC, "TRUSTED_HOSTS": ["archive.example.org", "10.0.0.5"]},
                           profile)


@pytest.fixture
def approved_screening(public_app):
    admin = accounts.create_user("admin@example.org", "a long password", "admin")
    film = make_film("Crossing Lines")
    make_licence(film)
    venue = make_venue()
    screening = book(admin, film, venue, local_start(venue, days=5, hour=19), subtitle_lang=None)
    decisions.approve(screening, admin)
    return screening


def test_api_urls_use_the_public_address_whatever_the_host_header(public_app):
    film = make_film("Crossing Lines")
    client = public_app.test_client()
    body = client.get(f"/api/v1/items/{film.id}", headers=THROUGH_PROXY).get_json()
    assert body["url"] == f"{PUBLIC}/items/{film.id}"
    found = client.get("/api/v1/items", headers=THROUGH_PROXY).get_json()
    assert f"{PUBLIC}/items/{film.id}" in str(found)
    assert "10.0.0.5" not in str(found)


def test_calendar_feeds_use_the_public_address(public_app, approved_screening):
    response = public_app.test_client().get("/calendar.ics", headers=THROUGH_PROXY)
    assert response.status_code == 200
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["URL"]) == f"{PUBLIC}/screenings/{approved_screening.id}"
    assert b"10.0.0.5" not in response.data


@pytest.mark.parametrize("path", ["/", "/calendar.ics", "/login", "/api/v1/items"])
def test_a_forged_host_is_refused(public_app, path):
    response = public_app.test_client().get(path, headers=FORGED)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "evil.example" not in text
    assert PUBLIC in text
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "bad_request"


def test_links_built_outside_a_request_use_the_public_address(public_app):
    # Jobs and commands (e-mails, kits) build links with no request to take a host from.
    assert url_for("catalogue.item", item_id=7, _external=True) == f"{PUBLIC}/items/7"


def test_the_public_address_may_carry_a_path(app_config, profile):
    for application in running_app({**app_config, "PUBLIC_URL": "https://example.org/archive/"}, profile):
        film = make_film()
        body = application.test_client().get(f"/api/v1/items/{film.id}").get_json()
        assert body["url"] == f"https://example.org/archive/items/{film.id}"


def test_without_a_public_address_every_host_is_served(client):
    assert client.get("/", headers=FORGED).status_code == 200


def test_a_malformed_public_address_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHIVE_PUBLIC_URL", "archive.example.org")
    with pytest.raises(ConfigError, match="ARCHIVE_PUBLIC_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_behind_a_proxy_the_forwarded_address_is_the_client(app_config, profile):
    for application in running_app({**app_config, "PROXY_COUNT": 1, "SIGNIN_LIMIT": "2 per minute"}, profile):
        client = application.test_client()
        first = {"X-Forwarded-For": "192.0.2.1"}
        statuses = [client.post("/login", data={"email": "x@example.org", "password": "p"}, headers=first).status_code
                    for _ in range(3)]
        assert statuses == [401, 401, 429]
        other = client.post("/login", data={"email": "x@example.org", "password": "p"},
                            headers={"X-Forwarded-For": "192.0.2.2"})
        assert other.status_code == 401
