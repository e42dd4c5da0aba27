"""The OAI identifiers ever exposed: what lets a withdrawn record be reported as deleted, and only that.

A row is written the first time an item is seen publicly visible by the OAI repository; it is never
written for an item that was not. ``withdrawn_at`` is set once the item is deleted or no longer
public (made partners or restricted, or embargoed), and cleared if it becomes public again.
``datestamp`` is when the OAI record last changed: harvesters select on it with ``from``/``until``.

``item_created_at`` tells the item apart from a later one given the same id: before migration 0014,
SQLite (the embedded profile) handed the id of the newest item, once deleted, to the next item
created. An identifier stays with the item it was first given to; a newcomer with a recycled id is
not exposed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from archive.extensions import db


class OaiRecord(db.Model):
    """One item's OAI record state. No foreign key: the row outlives a deleted item, and holds no content."""

    __tablename__ = "oai_records"

    item_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    item_created_at: Mapped[datetime]
    first_exposed_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    datestamp: Mapped[datetime] = mapped_column(index=True)


class OaiRecordSet(db.Model):
    """A set (public collection) a record was last shown in; kept after withdrawal, so a harvester
    that harvests by set learns that the record is gone."""

    __tablename__ = "oai_record_sets"

    item_id: Mapped[int] = mapped_column(ForeignKey("oai_records.item_id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    collection_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)
