"""The deletion record: who deleted which item when, and each stored object with its fate.

It never holds an item's title, description or any other content: a restricted item's record
says only that item N (a film or a photo) was deleted, and the checksum and size of each object.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import db
from archive.timeutil import utcnow

STATUSES = ("purging", "purged")


class Deletion(db.Model):
    """One deleted item; ``status`` is ``purged`` once storage confirmed every object gone."""

    __tablename__ = "deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the item is gone, its number stays.
    item_id: Mapped[int] = mapped_column(index=True)
    item_kind: Mapped[str] = mapped_column(String(10))
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as written, so the record still says who after the account itself is removed.
    deleted_by_email: Mapped[str] = mapped_column(String(255), default="")
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="purging")
    purged_at: Mapped[datetime | None]

    objects: Mapped[list[DeletedObject]] = relationship(
        back_populates="deletion", cascade="all, delete-orphan", order_by="DeletedObject.id"
    )


class DeletedObject(db.Model):
    """A stored object of a deleted item: what it was, its checksum and size, and whether it is gone."""

    __tablename__ = "deleted_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    deletion_id: Mapped[int] = mapped_column(ForeignKey("deletions.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))  # original, poster, storyboard, proxy, subtitles, ...
    storage_key: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    purged_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")

    deletion: Mapped[Deletion] = relationship(back_populates="objects")
