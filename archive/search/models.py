"""Search's own tables: the index's outbox, and which generation each replicating node serves.

The outbox (``IndexChange``): changes the index must follow, recorded with the change itself. A
row is written in the same transaction as the change it stands for (through the ``committing``
signal), so no change can be committed without its row, whatever happens to the process after
the commit. An index run drains the rows: it reads the current state of what each names, writes it
to the index in one commit, and only then deletes the rows it read. A row says *what* changed,
never *how*: applying it twice, or after a newer one, leaves the index the same.

``IndexNode``: which index generation each search node serves, what lets the index writer collect
old files safely.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.extensions import db
from archive.timeutil import utcnow


class IndexChange(db.Model):
    """An item (``track_id`` empty: its description, visibility and all its tracks) or one track to re-index."""

    __tablename__ = "search_changes"

    # BigInteger on PostgreSQL; an INTEGER PRIMARY KEY (the rowid) on SQLite.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # No foreign keys: the row outlives a deleted item or track, which is what tells the index to drop it.
    item_id: Mapped[int]
    track_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndexNode(db.Model):
    """One process that answers searches from a replicated index, and the generation it last served.

    ``seen_at`` is the database's clock, never the node's, so nodes whose clocks disagree are
    still compared fairly; a node silent for long is taken to be gone.
    """

    __tablename__ = "search_index_nodes"

    node: Mapped[str] = mapped_column(String(200), primary_key=True)
    generation: Mapped[int]
    seen_at: Mapped[datetime] = mapped_column(index=True)
