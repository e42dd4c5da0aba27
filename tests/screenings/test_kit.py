"""The screening kit over HTTP: the copy, poster, subtitles and event, only in the window, revoked on cancel."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from icalendar import Calendar

from archive.extensions import db
from archive.screenings.operations import decisions, venues
from archive.timeutil import utcnow
from tests.factories import add_subtitles, attach_video, book, make_film, make_licence, make_venue

PROXY = b"proxy-bytes " * 100
POSTER = b"\xff\xd8\xff\xe0 poster"


@pytest.fixture
def approved(app, users):
    """An approved screening 30 hours from now (the kit is open) of a film with media and subtitles."""
    film = make_film()
    make_licence(film)
    attach_video(film, proxy=PROXY, poster=POSTER)
    add_subtitles(film, "hy")
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    start = (utcnow() + timedelta(hours=30)).replace(microsecond=0).isoformat() + "Z"
    screening = book(users["venue"], film, venue, start, subtitle_lang="hy")
    decisions.approve(screening, users["archivist"])
    return screening


def fetch(client, response) -> bytes:
    """Follow a kit redirect to the stored bytes: the app's signed route, or the presigned S3 URL."""
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    if location.startswith("http://localhost/") or location.startswith("/"):
        followed = client.get(location.replace("http://localhost", ""))
        assert followed.status_code == 200
        return followed.data
    with urllib.request.urlopen(location, timeout=10) as remote:  # noqa: S310 - the local S3 server
        return remote.read()


def test_venue_downloads_every_part_of_its_kit(client_as, approved):
    venue = client_as("venue")
    base = f"/screenings/{approved.id}/kit"
    assert fetch(venue, venue.get(f"{base}/film")) == PROXY
    assert fetch(venue, venue.get(f"{base}/poster")) == POSTER
    srt = venue.get(f"{base}/subtitles.srt")
    assert srt.status_code == 200 and "00:00:01,000 --> 00:00:03,500" in srt.get_data(as_text=True)
    assert "Բարեւ" in srt.get_data(as_text=True)
    vtt = venue.get(f"{base}/subtitles.vtt").get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and "00:00:01.000 --> 00:00:03.500" in vtt
    event = Calendar.from_ical(venue.get(f"{base}/event.ics").data).walk("VEVENT")[0]
    assert str(event["UID"]) == f"screening-{approved.id}@screenings.dialogue-archive"
    assert venue.get(f"{base}/nonsense").status_code == 404
    page = venue.get(f"/screenings/{approved.id}").get_data(as_text=True)
    assert f"{base}/film" in page and f"{base}/subtitles.vtt" in page


def test_kit_is_closed_to_others_late_and_after_cancelling(client_as, approved, make_user, app):
    base = f"/screenings/{approved.id}/kit/film"
    assert client_as(None).get(base).status_code == 302  # sign in first
    stranger = make_user("venue", "stranger@example.org")
    other_venue = make_venue(name="Not theirs")
    venues.add_member(other_venue, stranger.email)
    outsider = app.test_client()
    outsider.post("/login", data={"email": stranger.email, "password": "correct horse battery"})
    assert outsider.get(base).status_code == 403

    venue = client_as("venue")
    # Move the screening three days into the past: a download now is more than a day late.
    approved.starts_at -= timedelta(days=4)
    approved.ends_at -= timedelta(days=4)
    approved.blocked_until -= timedelta(days=4)
    db.session.commit()
    late = venue.get(base)
    assert late.status_code == 410 and "closed 24 hours after" in late.get_data(as_text=True)
    approved.starts_at += timedelta(days=4)
    approved.ends_at += timedelta(days=4)
    approved.blocked_until += timedelta(days=4)
    db.session.commit()
    assert venue.get(base).status_code == 302
    assert venue.post(f"/screenings/{approved.id}/cancel", data={"reason": "Power cut"}).status_code == 302
    revoked = venue.get(base)
    assert revoked.status_code == 410 and "revoked" in revoked.get_data(as_text=True)


def test_kit_waits_for_approval_and_the_window(client_as, app, users):
    film = make_film()
    make_licence(film)
    attach_video(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    start = (utcnow() + timedelta(days=5)).replace(microsecond=0).isoformat() + "Z"
    screening = book(users["venue"], film, venue, start)
    browser = client_as("venue")
    assert browser.get(f"/screenings/{screening.id}/kit/film").status_code == 403
    decisions.approve(screening, users["archivist"])
    early = browser.get(f"/screenings/{screening.id}/kit/film")
    assert early.status_code == 403 and "opens 48 hours before" in early.get_data(as_text=True)
    # Without a proxy the original is the screening copy.
    screening.starts_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    assert fetch(browser, browser.get(f"/screenings/{screening.id}/kit/film")).startswith(b"\x00\x00\x00\x18ftyp")
    assert browser.get(f"/screenings/{screening.id}/kit/poster").status_code == 404
    assert browser.get(f"/screenings/{screening.id}/kit/subtitles.srt").status_code == 404
