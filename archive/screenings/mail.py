"""Telling venues what happened to their screenings: an inbox row always, e-mail when configured.

Without ``ARCHIVE_SMTP_URL`` each notice is written to the log and kept in the venue's inbox
page. With it, the notice also goes out through that SMTP server; a server that refuses it does
not undo the decision: the inbox row records the failure instead.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import Select, select

from archive.auth.permissions import STAFF, has_role
from archive.extensions import db
from archive.screenings import times
from archive.screenings.models import Screening, Venue, VenueMessage
from archive.screenings.operations.venues import venue_ids_of

SMTP_TIMEOUT_SECONDS = 10


def notify_decision(screening: Screening, what: str, reason: str) -> VenueMessage:
    """Tell the venue its screening was approved, declined or cancelled."""
    tz = times.zone(screening.venue.timezone)
    title = screening.item.display_title()
    when = times.local_label(screening.starts_at, tz)
    subject = f"Screening {what}: {title}, {when}"
    lines = [f"Your screening of “{title}” at {screening.venue.name} on {when} was {what}."]
    if reason:
        lines.append(f"Reason: {reason}")
    if what == "approved":
        lines.append("The screening kit (film, subtitles, poster, calendar event) can be downloaded from 48 hours "
                     "before the screening until 24 hours after it, from the screening's page.")
    if what == "cancelled":
        lines.append("The screening kit has been revoked.")
    return send(screening.venue, subject, "\n\n".join(lines), screening)


def send(venue: Venue, subject: str, body: str, screening: Screening | None = None) -> VenueMessage:
    """Keep the notice in the venue's inbox, then e-mail it to the venue's accounts if SMTP is set."""
    recipients = [user.email for user in venue.members if user.active]
    message = VenueMessage(
        venue_id=venue.id, screening_id=screening.id if screening is not None else None,
        recipients=", ".join(recipients), subject=subject[:300], body=body, delivery="log",
    )
    url = current_app.config.get("SMTP_URL")
    if not url or not recipients:
        current_app.logger.info("Notice for venue %s (%s): %s\n%s", venue.id, ", ".join(recipients) or "no accounts", subject, body)
    else:
        try:
            _deliver(url, recipients, subject, body)
            message.delivery = "smtp"
        except (OSError, smtplib.SMTPException) as exc:
            current_app.logger.warning("E-mail to venue %s failed: %s", venue.id, exc)
            message.delivery = "failed"
            message.error = str(exc)[:2000]
    db.session.add(message)
    db.session.commit()
    return message


def inbox(user) -> Select:
    """Notices sent to the user's venues (staff: to every venue), newest first."""
    query = select(VenueMessage)
    if not has_role(user, STAFF):
        query = query.where(VenueMessage.venue_id.in_(venue_ids_of(user) or [0]))
    return query.order_by(VenueMessage.created_at.desc(), VenueMessage.id.desc())


def _deliver(url: str, recipients: list[str], subject: str, body: str) -> None:
    parts = urlsplit(url)
    email = EmailMessage()
    email["From"] = current_app.config.get("MAIL_FROM") or "Dialogue Archive <archive@localhost>"
    email["To"] = ", ".join(recipients)
    email["Subject"] = subject
    email.set_content(body)
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT_SECONDS,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(email)
