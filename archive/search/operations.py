"""Keeping the index in step with the database: every announced change queues an index job.

The catalogue and subtitles announce their changes (``archive/signals.py``) after each commit;
search listens here, so no feature below search has to know it exists. The jobs run one at a time
through the queue (``archive/tasks.py``), so there is a single index writer however many people
upload at once. Nothing here touches Whoosh.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from archive import signals
from archive.catalogue.models import Item
from archive.errors import ActionableError
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import enqueue


def init_app(app: Flask) -> None:
    """Subscribe the index to the changes features announce (connecting twice is harmless)."""
    signals.item_saved.connect(_item_saved)
    signals.item_deleted.connect(_item_deleted)
    signals.collection_changed.connect(_collection_changed)
    signals.track_saved.connect(_track_saved)
    signals.track_deleted.connect(_track_deleted)


def _item_saved(sender, *, item_id: int) -> None:
    item_changed(item_id)


def _item_deleted(sender, *, item_id: int) -> None:
    item_changed(item_id, deleted=True)


def _collection_changed(sender, *, item_ids: Iterable[int]) -> None:
    # Members carry the collection's id and title in the index: those who left and those who came.
    for item_id in sorted(set(item_ids)):
        item_changed(item_id)


def _track_saved(sender, *, track_id: int, item_id: int, replaces: int | None = None) -> None:
    enqueue("index_track", {"track_id": track_id, "replaces": replaces}, item_id=item_id)


def _track_deleted(sender, *, track_id: int, item_id: int) -> None:
    enqueue("unindex_track", {"track_id": track_id}, item_id=item_id)


def item_changed(item_id: int, *, deleted: bool = False) -> None:
    """Queue re-indexing of an item whose description, visibility or embargo changed (or that was deleted)."""
    # A deleted item's jobs would be deleted with it (the job row refers to the item): record it loose.
    enqueue("index_item", {"item_id": item_id}, item_id=None if deleted else item_id)


def rebuild_queued() -> None:
    """Queue a full rebuild of the index from the database."""
    enqueue("rebuild_index")


INDEX_JOBS = ("index_item", "index_track", "unindex_track", "rebuild_index")


class IndexRebuilding(ActionableError):
    """The index is empty though the catalogue is not (deleted, or never built): it is being rebuilt."""

    status = 503
    code = "index_rebuilding"
    headers = {"Retry-After": "30"}

    def __init__(self) -> None:
        super().__init__(_("The search index is being rebuilt from the catalogue, so search has no results to give "
                           "just now. Try again in a few minutes; browsing the catalogue works meanwhile."))


def check_index_complete(documents: int, *, current: bool = True) -> None:
    """Refuse to answer from an empty or outdated index while the catalogue holds items; queue its rebuild once.

    A deleted index folder is recreated empty on the next search: answering "no results" from it
    would hide the whole archive without a word. An index whose words were analysed by other rules
    (``current`` false: an older analysis version) would miss most words the same way. An index
    that is merely behind (index jobs for new items still queued) answers as usual.
    """
    if (documents > 0 and current) or db.session.scalar(select(Item.id).limit(1)) is None:
        return
    pending = set(db.session.scalars(
        select(Job.kind).where(Job.kind.in_(INDEX_JOBS), Job.status.in_(("queued", "running"))).distinct()
    ))
    if "rebuild_index" not in pending:
        if pending and current:
            return
        rebuild_queued()
    raise IndexRebuilding()
