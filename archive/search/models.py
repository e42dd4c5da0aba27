"""Which index generation each search node serves: what lets the index writer collect old files safely."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from archive.extensions import db


class IndexNode(db.Model):
    """One process that answers searches from a replicated index, and the generation it last served.

    ``seen_at`` is the database's clock, never the node's, so nodes whose clocks disagree are
    still compared fairly; a node silent for long is taken to be gone.
    """

    __tablename__ = "search_index_nodes"

    node: Mapped[str] = mapped_column(String(200), primary_key=True)
    generation: Mapped[int]
    seen_at: Mapped[datetime] = mapped_column(index=True)
