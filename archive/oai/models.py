"""The OAI identifiers ever exposed: what lets a withdrawn record be reported as deleted, and only that.

A row is written the first time an item is seen publicly visible by the OAI repository; it is never
written for an item that was not. ``withdrawn_at`` is set once the item is deleted or no longer
public (made partners or restricted, or embargoed), and cleared if it becomes public again.
``datestamp`` is when the OAI record last changed: harvesters select on it with ``from``/``until``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from archive.extensions import db


class OaiRecord(db.Model):
    """One item's OAI record state. No foreign key: the row outlives a deleted item, and holds no content."""

    __tablename__ = "oai_records"

    item_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    first_exposed_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    datestamp: Mapped[datetime] = mapped_column(index=True)
