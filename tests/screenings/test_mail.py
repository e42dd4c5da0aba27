"""Venues are told of decisions: by e-mail through a real local SMTP server, else in their inbox."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive import create_app
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain, retry, retry_failed
from archive.screenings import mail
from archive.screenings.models import Screening, VenueMessage
from archive.screenings.operations import decisions, venues
from archive.screenings.operations.refusals import Refused
from archive.timeutil import utcnow
from tests.factories import book, make_film, make_licence, make_venue
from tests.fixtures.s3 import free_port
from tests.screenings.helpers import local_start


def test_decisions_are_kept_in_the_inbox_without_smtp(app, users, client_as):
    film = make_film()
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    screening = book(users["venue"], film, venue, local_start(venue))
    decisions.decline(screening, users["archivist"], "The film is being re-edited")
    message = db.session.query(VenueMessage).one()
    assert (message.delivery, message.recipients) == ("log", users["venue"].email)
    page = client_as("venue").get("/venue/inbox").get_data(as_text=True)
    assert "Screening declined" in page and "The film is being re-edited" in page
    other = client_as("archivist").get("/venue/inbox").get_data(as_text=True)
    assert "Screening declined" in other  # staff see what every venue was told


def test_decisions_are_emailed_through_the_configured_server(app_config, profile, smtp_server, tmp_path):
    handler, url = smtp_server
    application = create_app({**app_config, "SMTP_URL": url, "MAIL_FROM": "archive@example.org"})
    with application.app_context():
        if profile == "embedded":
            db.create_all()
        from archive.auth import operations as accounts

        venue_user = accounts.create_user("venue-mail@example.org", "correct horse battery", "venue")
        staff = accounts.create_user("staff-mail@example.org", "correct horse battery", "archivist")
        film = make_film("Mailed film")
        make_licence(film)
        venue = make_venue()
        venues.add_member(venue, venue_user.email)
        screening = book(venue_user, film, venue, local_start(venue))
        decisions.approve(screening, staff, "See you there")
        drain()  # the worker's part: the e-mail is a queued job
        assert db.session.query(VenueMessage).one().delivery == "smtp"
        db.session.remove()
        db.engine.dispose()
    [(recipients, content)] = handler.messages
    assert recipients == ["venue-mail@example.org"]
    message = email.message_from_string(content, policy=email.policy.default)
    assert str(message["Subject"]).strip().startswith("Screening approved: Mailed film, ")
    assert str(message["From"]) == "archive@example.org"
    assert "Reason: See you there" in message.get_content()


def test_an_unreachable_server_is_recorded_not_fatal(app_config, profile):
    application = create_app({**app_config, "SMTP_URL": f"smtp://127.0.0.1:{free_port()}"})
    with application.app_context():
        if profile == "embedded":
            db.create_all()
        from archive.auth import operations as accounts

        venue_user = accounts.create_user("venue-down@example.org", "correct horse battery", "venue")
        film = make_film()
        make_licence(film)
        venue = make_venue()
        venues.add_member(venue, venue_user.email)
        screening = book(venue_user, film, venue, local_start(venue))
        decisions.cancel(screening, venue_user)
        drain()  # the worker's part: the e-mail is a queued job
        message = db.session.query(VenueMessage).one()
        assert message.delivery == "failed" and message.error
        assert screening.status == "cancelled"  # the decision stands
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def silent_smtp():
    """A mail server that hangs: it accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"smtp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_a_hung_mail_server_never_holds_an_approval(app, users, token_for, silent_smtp, smtp_server, monkeypatch):
    app.config["SMTP_URL"] = silent_smtp
    film = make_film("Patient film")
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    screening = book(users["venue"], film, venue, local_start(venue))

    started = time.monotonic()
    response = app.test_client().post(f"/api/v1/screenings/{screening.id}/approve", headers=token_for("archivist"),
                                      json={"reason": "Welcome"})
    took = time.monotonic() - started
    assert (response.status_code, response.json["status"]) == (200, "approved")
    assert took < mail.SMTP_TIMEOUT_SECONDS / 4, f"the approval waited {took:.1f} s for the mail server"
    assert db.session.get(Screening, screening.id).status == "approved"
    notice = db.session.scalars(select(VenueMessage)).one()
    assert (notice.delivery, notice.subject.split(":")[0]) == ("queued", "Screening approved")

    # The worker's turn. The server still says nothing; a shorter timeout keeps the test quick.
    monkeypatch.setattr(mail, "SMTP_TIMEOUT_SECONDS", 1)
    drain()
    db.session.expire_all()
    job = db.session.scalars(select(Job).where(Job.kind == mail.SEND_JOB)).one()
    assert job.status == "failed"
    assert "did not answer within" in job.error and "retry" in job.error
    assert (notice.delivery, notice.error) == ("failed", job.error)
    assert db.session.get(Screening, screening.id).status == "approved"  # the decision stands

    # The sweep leaves it alone until its wait is over, then tries again by itself, and the notice goes out once.
    handler, url = smtp_server
    app.config["SMTP_URL"] = url
    assert retry_failed() == []
    job.finished_at = utcnow() - mail.RETRY_AFTER - timedelta(seconds=1)
    db.session.commit()
    assert [j.id for j in retry_failed()] == [job.id]
    drain()
    db.session.expire_all()
    assert (job.status, notice.delivery, notice.error) == ("done", "smtp", "")
    [(recipients, content)] = handler.messages
    assert recipients == [users["venue"].email] and "Reason: Welcome" in content
    retry(job)
    drain()
    assert len(handler.messages) == 1  # a re-run never sends a notice twice


def test_smtp_url_setting_is_checked_at_start(app_config, monkeypatch):
    from archive.config import ConfigError

    monkeypatch.setenv("ARCHIVE_SMTP_URL", "http://mail.example.org")
    with pytest.raises(ConfigError, match="ARCHIVE_SMTP_URL"):
        create_app(app_config)


def test_a_notice_and_its_email_job_commit_together(app, users, smtp_server, monkeypatch):
    handler, url = smtp_server
    app.config["SMTP_URL"] = url
    film = make_film("Together film")
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    screening = book(users["venue"], film, venue, local_start(venue))

    # A refused decision writes neither the notice nor its job.
    with pytest.raises(Refused):
        decisions.approve(screening, users["admin"], now=screening.starts_at + timedelta(minutes=1))
    assert db.session.scalars(select(VenueMessage)).all() == []
    assert db.session.scalars(select(Job).where(Job.kind == mail.SEND_JOB)).all() == []

    # The process dies right after the decision commits: the notice's job is already recorded with it.
    def died(notice):
        raise RuntimeError("the worker was stopped")

    monkeypatch.setattr(mail, "send_later", died)
    with pytest.raises(RuntimeError):
        decisions.approve(screening, users["admin"])
    db.session.expire_all()
    notice = db.session.scalars(select(VenueMessage)).one()
    [job] = db.session.scalars(select(Job).where(Job.kind == mail.SEND_JOB)).all()
    assert (job.payload, notice.delivery) == ({"message_id": notice.id}, "queued")
    drain()
    assert len(handler.messages) == 1
