"""Decisions on screenings: approve, decline and cancel, each with a notice to the venue.

Every decision takes the venue's lock, re-reads the screening and re-checks what may have changed
since the request, then commits the new status together with the venue's notice (its inbox row).
E-mailing the notice is a queued job started after that commit, so a slow or broken mail server
never holds a decision, and a decision that was refused tells nobody anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, select

from archive.errors import ValidationError
from archive.extensions import db
from archive.screenings import mail
from archive.screenings.models import Screening, VenueMessage
from archive.screenings.operations.booking import Slot, clashes, lock_venue
from archive.screenings.operations.licences import licence_for
from archive.screenings.operations.refusals import Refused, expect_status
from archive.screenings.operations.venues import may_act_for
from archive.timeutil import utcnow
from archive.validation import raise_if_any, text

MAX_REASON = 2000


def approve(screening: Screening, user, reason: str = "", now: datetime | None = None) -> Screening:
    """Approve a pending request after checking rights and clashes again."""
    now = now or utcnow()
    reason = _reason(reason)
    with _deciding(screening) as notices:
        expect_status(screening, ("requested",), "approved")
        if screening.starts_at <= now:
            raise Refused("in_past", _("This screening's start has passed; it can no longer be approved. Decline it instead."), 409)
        screening.licence_id = licence_for(screening.item, screening.venue, screening.starts_at, screening.use, ignore=screening.id).id
        slot = Slot(screening.starts_at, screening.ends_at, screening.blocked_until)
        if clashes(screening.venue_id, slot, ignore=screening.id):
            raise Refused("clash", _("Another screening now occupies this slot; decline this request."), 409)
        screening.status = "approved"
        _decide(screening, user, reason, now)
        notices.append(mail.decision_notice(screening, "approved", reason))
    return screening


def decline(screening: Screening, user, reason: str, now: datetime | None = None) -> Screening:
    """Decline a pending request; the venue is told the reason."""
    reason = _reason(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the request is declined, so the venue can act on it.")})
    with _deciding(screening) as notices:
        expect_status(screening, ("requested",), "declined")
        screening.status = "declined"
        _decide(screening, user, reason, now or utcnow())
        notices.append(mail.decision_notice(screening, "declined", reason))
    return screening


def cancel(screening: Screening, user, reason: str = "", now: datetime | None = None) -> Screening:
    """Cancel a pending or approved screening; this revokes its kit and marks it CANCELLED in feeds."""
    if not may_act_for(user, screening.venue):
        raise Refused("forbidden", _("Only the venue's own accounts or staff can cancel this screening."), 403)
    reason = _reason(reason)
    with _deciding(screening) as notices:
        expect_status(screening, ("requested", "approved"), "cancelled")
        screening.status = "cancelled"
        screening.cancelled_at = now or utcnow()
        screening.sequence += 1
        if reason:
            screening.decision_reason = reason
        notices.append(mail.decision_notice(screening, "cancelled", reason))
    return screening


@contextmanager
def _deciding(screening: Screening) -> Iterator[list[VenueMessage]]:
    """Hold the venue's lock over one decision on the screening, read afresh.

    The decision and the notices added to the yielded list commit together; anything raised rolls
    both back, and only once the commit has happened are the notices e-mailed (as queued jobs).
    """
    lock_venue(screening.venue_id)
    notices: list[VenueMessage] = []
    try:
        db.session.refresh(screening)
        yield notices
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for notice in notices:
        mail.send_later(notice)


def _reason(reason) -> str:
    """The reason given for a decision as clean text (several lines allowed), or a refusal saying what to fix."""
    errors: dict[str, str] = {}
    cleaned = text(reason, "reason", errors, limit=MAX_REASON, multiline=True)
    raise_if_any(errors)
    return cleaned


def _decide(screening: Screening, user, reason: str, now: datetime) -> None:
    screening.decided_by_id = user.id if user is not None else None
    screening.decided_at = now
    screening.decision_reason = (reason or "").strip()[:MAX_REASON]
    screening.sequence += 1


def pending_requests(limit: int = 200) -> list[Screening]:
    """Requests waiting for a decision, oldest first."""
    return list(db.session.scalars(
        select(Screening).where(Screening.status == "requested").order_by(Screening.created_at, Screening.id).limit(limit)
    ))


def coming_approved(now: datetime | None = None) -> Select:
    """Approved screenings still to come, soonest first."""
    return select(Screening).where(Screening.status == "approved", Screening.starts_at >= (now or utcnow())).order_by(
        Screening.starts_at
    )
