"""Each account's secret calendar address: renewing, revoking, and finding the account behind a token.

A calendar program fetches ``/calendar/<token>.ics`` without signing in, so the token is the
account's key to its calendar and nothing more. It is 256 bits: an HMAC-SHA256 of a random 256-bit
seed under the app's secret key. Only the seed and the token's SHA-256 are stored: the account page
can show the address again (it recomputes the token), a copy of the table alone opens no feed, and
a request is found by the SHA-256 of what it sent. Renewing draws a new seed, so the old address
stops at once; revoking deletes the row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from archive.auth.models import CalendarFeed, User
from archive.extensions import db
from archive.timeutil import utcnow

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}", re.ASCII)  # 32 bytes, URL-safe base64 without padding
USE_RESOLUTION = timedelta(minutes=1)


def _token(seed: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"archive.calendar-feed:" + seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def renew(user: User) -> str:
    """Give ``user`` a new secret address (the previous one stops at once) and return its token."""
    seed = secrets.token_hex(32)
    token = _token(seed)
    feed = user.calendar_feed
    if feed is None:
        feed = CalendarFeed(user=user)
        db.session.add(feed)
    feed.seed, feed.token_hash, feed.created_at, feed.last_used_at = seed, _digest(token), utcnow(), None
    db.session.commit()
    return token


def revoke(user: User) -> bool:
    """Delete ``user``'s secret address; False when there was none."""
    feed = user.calendar_feed
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.commit()
    return True


def token_of(user) -> str | None:
    """The token of ``user``'s address, for showing it to them; None when they have none.

    None too when the app's secret key changed since the address was made: the old address still
    works (its hash is stored), but it can no longer be shown, so the page offers a new one.
    """
    feed = getattr(user, "calendar_feed", None)
    if feed is None:
        return None
    token = _token(feed.seed)
    return token if hmac.compare_digest(_digest(token), feed.token_hash) else None


def user_for_token(token: str) -> User | None:
    """The active account whose address carries ``token``, or None for any other text."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        return None
    digest = _digest(token)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == digest))
    if feed is None or not hmac.compare_digest(feed.token_hash, digest) or not feed.user.active:
        return None
    _note_use(feed)
    return feed.user


def _note_use(feed: CalendarFeed) -> None:
    """Record when the address was last fetched, at most once a minute; a refused write never stops the feed."""
    now = utcnow()
    if feed.last_used_at is not None and now - feed.last_used_at < USE_RESOLUTION:
        return
    feed_id = feed.id
    feed.last_used_at = now
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("Could not record the use of calendar address %s: %s", feed_id, exc)
