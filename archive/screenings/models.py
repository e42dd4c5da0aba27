"""Screenings: venues and their accounts, film licences, bookings, reports and the venues' inbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.auth.models import User
from archive.catalogue.models import Item
from archive.extensions import db
from archive.timeutil import utcnow

FORMATS = ("cinema", "community", "university", "mobile_cinema")
USES = ("non-commercial", "educational", "festival", "commercial")
STATUSES = ("requested", "approved", "declined", "cancelled")
# A pending request holds its slot as firmly as an approved screening: no double booking.
BLOCKING_STATUSES = ("requested", "approved")

venue_members = Table(
    "venue_members",
    db.metadata,
    Column("venue_id", Integer, ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Venue(db.Model):
    """A place that screens films: cinema, university, community centre or mobile cinema."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int | None]
    buffer_minutes: Mapped[int] = mapped_column(default=30)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    members: Mapped[list[User]] = relationship(secondary=venue_members, order_by="User.email")


class Licence(db.Model):
    """A right to screen one film: where (territories), when (a date window), for what use, how often."""

    __tablename__ = "licences"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    territories: Mapped[list] = mapped_column(JSON, default=list)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    uses: Mapped[list] = mapped_column(JSON, default=list)
    max_screenings: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship()


class Screening(db.Model):
    """A booking of a film at a venue; it occupies the venue from ``starts_at`` to ``blocked_until``."""

    __tablename__ = "screenings"
    __table_args__ = (
        # The clash check reads a bounded ``starts_at`` range of one venue through this index.
        Index("ix_screenings_venue_starts", "venue_id", "starts_at"),
        Index("ix_screenings_starts_status", "starts_at", "status"),
        Index("ix_screenings_item_starts", "item_id", "starts_at"),
        Index("ix_screenings_licence_status", "licence_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="requested")
    # All three are naive UTC: the film and discussion end at ``ends_at``; the changeover buffer
    # keeps the room busy until ``blocked_until``.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    blocked_until: Mapped[datetime]
    audio_lang: Mapped[str | None] = mapped_column(String(35))
    subtitle_lang: Mapped[str | None] = mapped_column(String(35))
    expected_audience: Mapped[int | None]
    format: Mapped[str] = mapped_column(String(20))
    use: Mapped[str] = mapped_column(String(20))
    discussion_minutes: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # iCalendar SEQUENCE: raised on every change a subscriber should see.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[Item] = relationship()
    venue: Mapped[Venue] = relationship()
    licence: Mapped[Licence | None] = relationship()
    report: Mapped[ScreeningReport | None] = relationship(back_populates="screening", cascade="all, delete-orphan")


class ScreeningReport(db.Model):
    """What the venue reports afterwards: attendance, how the discussion went, notes, photos."""

    __tablename__ = "screening_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"), unique=True)
    total: Mapped[int]
    women: Mapped[int] = mapped_column(default=0)
    men: Mapped[int] = mapped_column(default=0)
    other_gender: Mapped[int] = mapped_column(default=0)
    youth: Mapped[int] = mapped_column(default=0)
    displaced: Mapped[int] = mapped_column(default=0)
    discussion: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    screening: Mapped[Screening] = relationship(back_populates="report")
    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportPhoto.id"
    )


class ReportPhoto(db.Model):
    """A photograph from a screening, stored like any other media object."""

    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("screening_reports.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[ScreeningReport] = relationship(back_populates="photos")


class VenueMessage(db.Model):
    """A notice sent to a venue; kept as its inbox whether or not it also went out by e-mail."""

    __tablename__ = "venue_messages"
    __table_args__ = (Index("ix_venue_messages_venue_created", "venue_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    screening_id: Mapped[int | None] = mapped_column(ForeignKey("screenings.id", ondelete="SET NULL"))
    recipients: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # "log" without an SMTP server; "queued" until the e-mail job runs, then "smtp" once handed
    # over or "failed" when the server refused it or never answered (the error says which).
    delivery: Mapped[str] = mapped_column(String(10), default="log")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
