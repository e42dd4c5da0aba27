"""Users and their API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import db
from archive.timeutil import utcnow


class Role(enum.StrEnum):
    """What an account may do: admins manage users, archivists the catalogue, venues book."""

    ADMIN = "admin"
    ARCHIVIST = "archivist"
    VENUE = "venue"


# What pages call each role; the codes above stay in the data.
ROLE_LABELS = {
    Role.ADMIN.value: _l("Administrator"),
    Role.ARCHIVIST.value: _l("Archivist"),
    # Translators: the role of a screening venue's account (a cinema, a club, a school).
    Role.VENUE.value: _l("Venue"),
}


class User(UserMixin, db.Model):
    """A person who signs in: staff (admin, archivist) or a venue account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's identity: raising it ends every session of the account at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The interface language the person chose (hy, az, ru, en); notices to them are written in it.
    locale: Mapped[str] = mapped_column(String(8), default="", server_default="")
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id"
    )
    calendar_feed: Mapped[CalendarFeed | None] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this before keeping a session
        """Whether the account may sign in."""
        return self.active

    def get_id(self) -> str:
        """What the session stores: the id with the session version, so a raised version ends old sessions."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_staff(self) -> bool:
        """Admins and archivists see everything in the catalogue."""
        return self.role in (Role.ADMIN.value, Role.ARCHIVIST.value)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class CalendarFeed(db.Model):
    """An account's secret calendar address (``/calendar/<token>.ics``), at most one per account.

    The token is never stored: it is an HMAC of the random ``seed`` under the app's secret key, so the
    account page can show the address again, while the table alone (a stolen backup) opens no feed.
    The token's SHA-256 is what a request is looked up by.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    seed: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="calendar_feed")
