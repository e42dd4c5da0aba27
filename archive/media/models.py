"""Stored media: originals (one row per uploaded file) and the derivatives made from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import db
from archive.timeutil import utcnow

MEDIA_KINDS = ("video", "image")
DERIVATIVE_KINDS = ("poster", "poster_small", "storyboard", "storyboard_vtt", "proxy", "display", "thumbnail")


class MediaFile(db.Model):
    """An original file as uploaded, kept unchanged in storage under a generated key."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(100))
    technical: Mapped[dict] = mapped_column(JSON, default=dict)
    duration_seconds: Mapped[float | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fixity_checked_at: Mapped[datetime | None]
    fixity_ok: Mapped[bool | None]

    derivatives: Mapped[list[Derivative]] = relationship(
        back_populates="media", cascade="all, delete-orphan", order_by="Derivative.id"
    )

    def derivative(self, kind: str, index: int = 0) -> Derivative | None:
        """The derivative of ``kind`` (and sprite ``index``), if it has been made."""
        return next((d for d in self.derivatives if d.kind == kind and d.index == index), None)


class Derivative(db.Model):
    """A file made from an original: poster (and its small size), storyboard sprite and track, web proxy, photo sizes."""

    __tablename__ = "derivatives"
    __table_args__ = (UniqueConstraint("media_id", "kind", "index", name="uq_derivatives_media_kind_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    index: Mapped[int] = mapped_column(default=0)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(100))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    media: Mapped[MediaFile] = relationship(back_populates="derivatives")
