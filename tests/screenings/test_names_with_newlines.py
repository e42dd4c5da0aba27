"""A film title or venue name holding a line break (a row older than the text rules, or written by a
tool) still gives valid calendar feeds and decision e-mails; it never breaks a page or a notice."""

from __future__ import annotations

import email
import email.policy

import pytest
from icalendar import Calendar
from sqlalchemy import select

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain
from archive.screenings import mail
from archive.screenings.models import VenueMessage
from archive.screenings.operations import decisions, venues
from tests.factories import book, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start

TITLE = "First line\r\nSecond line\x0bthird"
VENUE = "Hall\nBCC: someone@example.org"


@pytest.fixture
def broken_names(users):
    """An approved and a requested screening of a film and at a venue whose stored names hold line breaks."""
    film = make_film("Placeholder")
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    approved = book(users["venue"], film, venue, local_start(venue, days=10))
    decisions.approve(approved, users["archivist"])
    requested = book(users["venue"], film, venue, local_start(venue, days=12))
    # Written past the validation kit, as an old row or a database tool would.
    film.title = {"en": TITLE}
    venue.name = VENUE
    venue.address = "Street 1\nFloor 2"
    db.session.commit()
    return film, venue, approved, requested


def test_calendar_feeds_stay_valid(client, broken_names):
    film, venue, approved, _ = broken_names
    for url in ("/calendar.ics", f"/venues/{venue.id}/calendar.ics", f"/items/{film.id}/calendar.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data()
        for line in body.split(b"\r\n"):
            assert b"\n" not in line and b"\r" not in line and b"\x0b" not in line, (url, line)
        [event] = Calendar.from_ical(body).walk("VEVENT")
        assert str(event["uid"]).startswith(f"screening-{approved.id}@")
        assert "First line" in str(event["summary"]) and "Second line" in str(event["summary"])
        assert "\x0b" not in str(event["summary"])


def test_decisions_with_smtp_answer_and_the_mail_goes_out(app, broken_names, token_for, smtp_server, users):
    _, _, approved, requested = broken_names
    handler, url = smtp_server
    app.config["SMTP_URL"] = url
    staff, venue_token = token_for("archivist"), token_for("venue")
    response = app.test_client().post(f"/api/v1/screenings/{requested.id}/approve", headers=staff, json={"reason": "Yes"})
    assert (response.status_code, response.json["status"]) == (200, "approved")
    response = app.test_client().post(f"/api/v1/screenings/{approved.id}/cancel", headers=venue_token,
                                      json={"reason": "Flooded\nhall"})
    assert (response.status_code, response.json["status"]) == (200, "cancelled")
    drain()
    jobs = db.session.scalars(select(Job).where(Job.kind == mail.SEND_JOB)).all()
    assert [job.status for job in jobs] == ["done", "done"], [job.error for job in jobs]
    notices = db.session.scalars(select(VenueMessage).where(VenueMessage.delivery == "smtp")).all()
    assert len(notices) == 2
    assert len(handler.messages) == 2
    for recipients, content in handler.messages:
        assert recipients == [users["venue"].email]
        message = email.message_from_string(content, policy=email.policy.default)
        assert "BCC" not in message and message["Bcc"] is None
        subject = str(message["Subject"])
        assert "\n" not in subject and "\r" not in subject
        assert "First line" in subject and "Second line" in subject
        assert "Flooded" in message.get_content() or "approved" in subject
