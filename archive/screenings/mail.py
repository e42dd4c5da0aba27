"""Telling venues what happened to their screenings: an inbox row always, e-mail when configured.

A decision writes its notice (a ``VenueMessage``, the venue's inbox) in the decision's own
transaction, in the language the venue's accounts chose (``notice_language``); it is stored as
written, so the inbox and the e-mail read the same, whoever opens them in whichever language.
Without ``ARCHIVE_SMTP_URL`` the notice is also written to the log and that is all.
With it, the notice is ``queued`` and, once the decision is committed, a ``send_venue_notice`` job
e-mails it: no request ever waits for a mail server. A server that is down, refuses the message or
never answers fails the job with the reason, marks the notice ``failed``, and leaves the decision
standing; ``flask jobs retry`` sends it again.
"""

from __future__ import annotations

import smtplib
import ssl
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from archive.auth.permissions import STAFF, has_role
from archive.catalogue.models import Item
from archive.catalogue.visibility import LEVELS, can_see_item
from archive.extensions import db
from archive.i18n.languages import DEFAULT, LANGUAGES, interface_language
from archive.jobs.operations import JobFailed, enqueue_with
from archive.screenings import times
from archive.screenings.models import Screening, VenueMessage
from archive.screenings.operations.venues import venue_ids_of
from archive.timeutil import utcnow
from archive.validation import one_line

SMTP_TIMEOUT_SECONDS = 10
# A notice that could not be sent is tried again by the queue's sweep: every 5 minutes, for about an hour.
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 12
SEND_JOB = "send_venue_notice"
# Staff may book any film for a venue; a film the venue's accounts may not see is never named to them.
WITHHELD_TITLE = _l("a film not shown to venues")
# The first words of a notice's subject, which say what happened.
NOTICE_KINDS = {
    "approved": _l("Screening approved"), "declined": _l("Screening declined"),
    "cancelled": _l("Screening cancelled"), "on_hold": _l("Screening on hold"),
}


def venue_may_see(item: Item) -> bool:
    """Whether a venue's accounts (the ``partners`` audience) may see ``item`` today."""
    embargoed = item.embargo_until is not None and item.embargo_until > utcnow().date()
    return item.visibility in LEVELS["partners"] and not embargoed


def film_title_for_venue(item: Item) -> str:
    """The film's title on one line for a notice to its venue (in the notice's language when the film
    has it), or a placeholder when the venue may not see it."""
    return one_line(item.display_title()) if venue_may_see(item) else str(WITHHELD_TITLE)


def notice_language(venue) -> str:
    """The language a venue's notices are written in: the one its active accounts chose (``users.locale``);
    when they chose differently, the one most of them chose (a tie goes to the account linked first);
    English when none chose one. The deciding staff member's own language plays no part: the notice
    is the venue's, and reads the same whoever decided."""
    chosen = [lang for lang in (interface_language(user.locale) for user in venue.members if user.active) if lang]
    if not chosen:
        return DEFAULT
    counts = Counter(chosen)
    return max(counts, key=lambda lang: (counts[lang], -chosen.index(lang)))


def _subject(kind: str, title: str, when: str) -> str:
    # Translators: a notice's e-mail subject, e.g. "Screening approved: Letters from Gyumri, Mon, Mar 1, 2027, 19:00 (...)".
    # Keep "%(kind)s" first and a colon after it.
    return _("%(kind)s: %(film)s, %(time)s", kind=str(NOTICE_KINDS[kind]), film=title, time=when)


def decision_notice(screening: Screening, what: str, reason: str) -> VenueMessage:
    """The notice that the venue's screening was approved, declined or cancelled (added, not committed),
    written in the venue's language (``notice_language``)."""
    with force_locale(notice_language(screening.venue)):
        tz = times.zone(screening.venue.timezone)
        title = film_title_for_venue(screening.item)
        when = times.shown(screening.starts_at, tz)
        venue = one_line(screening.venue.name)
        subject = _subject(what, title, when)
        sentences = {
            "approved": _("Your screening of “%(film)s” at %(venue)s on %(time)s was approved.",
                          film=title, venue=venue, time=when),
            "declined": _("Your screening of “%(film)s” at %(venue)s on %(time)s was declined.",
                          film=title, venue=venue, time=when),
            "cancelled": _("Your screening of “%(film)s” at %(venue)s on %(time)s was cancelled.",
                           film=title, venue=venue, time=when),
        }
        lines = [sentences[what]]
        if reason:
            lines.append(_("Reason: %(reason)s", reason=reason))
        if what == "approved":
            lines.append(_("The screening kit (film, subtitles, poster, calendar event) can be downloaded from 48 hours "
                           "before the screening until 24 hours after it, from the screening's page."))
        if what == "cancelled":
            lines.append(_("The screening kit has been revoked."))
        return _notice(screening, subject, "\n\n".join(lines))


def withdrawal_notice(screening: Screening) -> VenueMessage:
    """The notice that a film was withdrawn from venues, hiding this screening (added, not committed),
    written in the venue's language."""
    with force_locale(notice_language(screening.venue)):
        tz = times.zone(screening.venue.timezone)
        when = times.shown(screening.starts_at, tz)
        title = film_title_for_venue(screening.item)
        if screening.status == "approved":
            body = _("The film of your approved screening at %(venue)s on %(time)s has been withdrawn from view by the "
                     "archive, so the screening no longer shows on your pages and its kit cannot be downloaded. "
                     "Contact the archive to find out whether it will go ahead, or to choose another film.",
                     venue=screening.venue.name, time=when)
        else:
            body = _("The film of your screening request at %(venue)s on %(time)s has been withdrawn from view by the "
                     "archive, so the screening no longer shows on your pages and its kit cannot be downloaded. "
                     "Contact the archive to find out whether it will go ahead, or to choose another film.",
                     venue=screening.venue.name, time=when)
        return _notice(screening, _subject("on_hold", title, when), body)


def _notice(screening: Screening, subject: str, body: str) -> VenueMessage:
    recipients = [user.email for user in screening.venue.members if user.active]
    notice = VenueMessage(
        venue_id=screening.venue_id, screening_id=screening.id, recipients=", ".join(recipients),
        subject=subject[:300], body=body,
        delivery="queued" if current_app.config.get("SMTP_URL") and recipients else "log",
    )
    db.session.add(notice)
    if notice.delivery == "queued":
        # The e-mail job is recorded with the notice, in the decision's transaction: it goes on the
        # queue once that commits, so no notice can be left waiting for a job that was never made.
        db.session.flush()
        enqueue_with(db.session, SEND_JOB, {"message_id": notice.id})
    return notice


def send_later(notice: VenueMessage) -> None:
    """After the commit: log a notice that stays in the inbox only (a ``queued`` one has its job already)."""
    if notice.delivery != "queued":
        _log(notice)


def deliver(message_id: int) -> None:
    """E-mail one notice (the job's work); a failure is recorded on the notice and fails the job."""
    notice = db.session.get(VenueMessage, message_id)
    if notice is None or notice.delivery == "smtp":
        return  # deleted with its venue, or sent by an earlier run of this job
    url = current_app.config.get("SMTP_URL")
    recipients = [address for address in notice.recipients.split(", ") if address]
    if not url or not recipients:
        notice.delivery, notice.error = "log", ""
        db.session.commit()
        _log(notice)
        return
    try:
        _deliver(url, recipients, notice.subject, notice.body)
    except (OSError, smtplib.SMTPException) as exc:
        reason = _failure(url, exc)
        current_app.logger.warning("E-mail to venue %s failed: %s", notice.venue_id, reason)
        notice.delivery, notice.error = "failed", reason[:2000]
        db.session.commit()
        raise JobFailed(reason) from None
    notice.delivery, notice.error = "smtp", ""
    db.session.commit()


def inbox(user) -> Select:
    """Notices sent to the user's venues (staff: to every venue), newest first."""
    query = select(VenueMessage)
    if not has_role(user, STAFF):
        query = query.where(VenueMessage.venue_id.in_(venue_ids_of(user) or [0]))
    return query.order_by(VenueMessage.created_at.desc(), VenueMessage.id.desc())


def _written_in(subject: str) -> tuple[str | None, str]:
    """What a stored notice is about and the language it was written in, read from its subject."""
    for lang in LANGUAGES:
        with force_locale(lang):
            for kind, label in NOTICE_KINDS.items():
                if subject.startswith(f"{label}:"):
                    return kind, lang
    return None, ""


def _names_withheld_title(subject: str) -> bool:
    """Whether a stored subject already stands in for the film's title (in any interface language)."""
    for lang in LANGUAGES:
        with force_locale(lang):
            if str(WITHHELD_TITLE) in subject:
                return True
    return False


def readable(notices: list[VenueMessage], user) -> list[tuple[VenueMessage, str, str, str]]:
    """Each notice with the subject and body ``user`` may read, and the language they are written in.

    A notice is kept as it was written, in its venue's language, and shown so. A notice that names a
    film the reader may no longer see (restricted or embargoed after it was sent) keeps its kind, venue
    and date, and withholds the rest; that stand-in is written in the reader's language.
    """
    if has_role(user, STAFF):
        return [(notice, notice.subject, notice.body, _written_in(notice.subject)[1]) for notice in notices]
    ids = {notice.screening_id for notice in notices if notice.screening_id}
    screenings = {row.id: row for row in db.session.scalars(select(Screening).where(Screening.id.in_(ids)))} if ids else {}
    shown = []
    for notice in notices:
        screening = screenings.get(notice.screening_id)
        kind, lang = _written_in(notice.subject)
        if screening is None or can_see_item(user, screening.item) or _names_withheld_title(notice.subject):
            shown.append((notice, notice.subject, notice.body, lang))
            continue
        when = times.shown(screening.starts_at, times.zone(screening.venue.timezone))
        label = str(NOTICE_KINDS[kind]) if kind else _("Notice about a screening")
        shown.append((notice, _("%(kind)s: %(film)s", kind=label, film=str(WITHHELD_TITLE)), _(
            "This notice is about a screening at %(venue)s on %(time)s of a film that is no longer shown to your "
            "account, so its text is withheld. Ask the archive if you need the details.",
            venue=screening.venue.name, time=when), ""))
    return shown


def _log(notice: VenueMessage) -> None:
    current_app.logger.info(
        "Notice for venue %s (%s): %s\n%s", notice.venue_id, notice.recipients or "no accounts", notice.subject, notice.body
    )


def _failure(url: str, exc: Exception) -> str:
    """Why an e-mail did not go out, for the job list and the inbox (never the URL's password)."""
    parts = urlsplit(url)
    server = f"{parts.hostname}:{parts.port or (465 if parts.scheme == 'smtps' else 25)}"
    # smtplib reports a greeting that never came as a disconnection; the timeout is its context.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        why = f"did not answer within {SMTP_TIMEOUT_SECONDS} seconds"
    elif isinstance(exc, ConnectionRefusedError):
        why = "refused the connection (is it running, and is the port right?)"
    else:
        why = f"failed: {str(exc).strip() or type(exc).__name__}"
    return (f"The mail server {server} {why}. The notice is kept in the venue's inbox and the e-mail is tried "
            f"again every {RETRY_AFTER.seconds // 60} minutes, {MAX_ATTEMPTS} times in all; "
            "to try at once, retry this job (flask jobs retry).")


def _deliver(url: str, recipients: list[str], subject: str, body: str) -> None:
    parts = urlsplit(url)
    email = EmailMessage()
    email["From"] = current_app.config.get("MAIL_FROM") or "Dialogue Archive <archive@localhost>"
    email["To"] = ", ".join(recipients)
    email["Subject"] = one_line(subject)  # a line break would end the header (and could start another)
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
