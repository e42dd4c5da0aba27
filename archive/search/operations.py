"""Keeping the index in step with the database: every change queues an index job after its commit.

The jobs run one at a time through the queue (``archive/tasks.py``), so there is a single index
writer however many people upload at once. Nothing here touches Whoosh.
"""

from __future__ import annotations

from archive.jobs.operations import enqueue


def track_saved(track_id: int, item_id: int, replaced_track_id: int | None = None) -> None:
    """Queue indexing of a new or replaced subtitle track."""
    enqueue("index_track", {"track_id": track_id, "replaces": replaced_track_id}, item_id=item_id)


def track_deleted(track_id: int, item_id: int) -> None:
    """Queue removal of a deleted track from the index."""
    enqueue("unindex_track", {"track_id": track_id}, item_id=item_id)


def item_changed(item_id: int, *, deleted: bool = False) -> None:
    """Queue re-indexing of an item whose description, visibility or embargo changed (or that was deleted)."""
    # A deleted item's jobs would be deleted with it (the job row refers to the item): record it loose.
    enqueue("index_item", {"item_id": item_id}, item_id=None if deleted else item_id)


def rebuild_queued() -> None:
    """Queue a full rebuild of the index from the database."""
    enqueue("rebuild_index")
