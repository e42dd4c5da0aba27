"""Stored media: originals (one row per uploaded file) and the derivatives made from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import db
from archive.timeutil import utcnow

MEDIA_KINDS = ("video", "image")
DERIVATIVE_KINDS = ("poster", "poster_small", "storyboard", "storyboard_vtt", "proxy", "display", "thumbnail",
                    "hls_master", "hls_playlist", "hls_segment", "screening_copy", "open_captions")


class MediaFile(db.Model):
    """An original file as uploaded, kept unchanged in storage under a generated key."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)  # originals of many gigabytes
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
    size: Mapped[int] = mapped_column(BigInteger)  # a screening master of a feature film passes 2 GiB
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(100))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    media: Mapped[MediaFile] = relationship(back_populates="derivatives")


class Upload(db.Model):
    """A resumable (tus) upload in progress: where its bytes are, how many arrived, whose it is.

    Everything a web node needs to take the next chunk is here, so an upload survives a restart and
    may go on through any node: the offset, the storage state (the S3 multipart upload's id, its
    parts and the bytes that do not fill a part yet), the whole file's SHA-256 state so far and its
    first bytes for type detection. ``lease`` marks the one request allowed to write at a time.
    """

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # SET NULL, not CASCADE: a deleted item's unfinished upload still needs its storage aborted.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    storage_upload_id: Mapped[str | None] = mapped_column(String(1024))
    parts: Mapped[list] = mapped_column(JSON, default=list)
    tail: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    hash_state: Mapped[bytes] = mapped_column(LargeBinary)
    head: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id", ondelete="SET NULL"))
    lease: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
