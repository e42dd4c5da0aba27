"""Draining the index's outbox: every pending change in one index run, one writer commit.

Changes are recorded as rows (``models.IndexChange``) inside the transaction that makes them, so
none is lost if a process dies right after its commit. After the commit, an index run is queued
unless one is already waiting; a run takes every pending row (up to ``DRAIN_ROWS``), collapses them
to the items and tracks they name, writes their current state to the index in one commit, and
only then deletes the rows it read. A run that fails leaves its rows for the next one; applying a
row twice does no harm, because a row names what changed and the run reads what it is now (so a
deletion after a save ends with nothing indexed, whatever order the rows come in).
"""

from __future__ import annotations

import time

from sqlalchemy import exists, select

from archive.extensions import db
from archive.search import indexer, segments
from archive.search.models import IndexChange

RUN_JOB = indexer.RUN_JOB
DRAIN_ROWS = indexer.DRAIN_ROWS
queue_run = indexer.queue_run


def record(session, item_id: int, track_id: int | None = None) -> None:
    """Record in ``session``'s transaction that an item (or one of its tracks) must be re-indexed."""
    session.add(IndexChange(item_id=item_id, track_id=track_id))


def queue_run_if_pending() -> bool:
    """The sweep's check: queue a run for rows no run is waiting for (their process died after the commit)."""
    if not db.session.scalar(select(exists().where(IndexChange.id.is_not(None)))):
        return False
    queue_run()
    return True


def pending() -> int:
    """How many recorded changes the index has not taken yet."""
    return db.session.scalar(select(db.func.count(IndexChange.id))) or 0


def drain() -> dict:
    """Apply the pending changes in one writer commit, then forget them; queue the next run if work is left.

    While a full rebuild is under way the rows stay where they are: the rebuild applies them to the
    index it is about to swap in, and queues a run for any recorded after that.
    """
    cpu_started = time.process_time()
    if indexer.rebuild_in_progress():
        # Its rows stay: the rebuild applies them to the index it swaps in, and queues a run for later ones.
        return {"changes": 0, "deferred": "rebuild in progress", "cpu_seconds": round(time.process_time() - cpu_started, 3)}
    rows = db.session.execute(
        select(IndexChange.id, IndexChange.item_id, IndexChange.track_id).order_by(IndexChange.id).limit(DRAIN_ROWS)
    ).all()
    item_ids = {row.item_id for row in rows if row.track_id is None}
    track_ids = {row.track_id for row in rows if row.track_id is not None}
    result = indexer.apply_changes(item_ids, track_ids, quiet=not rows)
    indexer.forget_changes([row.id for row in rows])
    more = len(rows) == DRAIN_ROWS or (result["segments"] > segments.SEGMENT_TARGET and (rows or result["merged_segments"]))
    if more:
        queue_run()
    return {**result, "changes": len(rows), "cpu_seconds": round(time.process_time() - cpu_started, 3)}
