"""Keeping the index in step with the database: every announced change goes through the index's outbox.

The catalogue and subtitles announce their changes (``archive/signals.py``); search listens here,
so no feature below search has to know it exists. Just before the announcing transaction commits,
each change is recorded as a row in it (``outbox.record``); after the commit an index run is
queued unless one is waiting. Runs go one at a time through the queue (``archive/tasks.py``), so
there is a single index writer however many people upload at once, and a burst of uploads is taken
by a few runs at the bulk rate. Nothing here touches Whoosh.
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
from archive.search import outbox


def init_app(app: Flask) -> None:
    """Record the changes features announce in their own transaction, and queue an index run after each commit.

    Connecting twice is harmless.
    """
    for signal, record in _RECORDERS.items():
        signals.committing.connect(record, sender=signal)
        signal.connect(_committed)


def _item_changed(signal, *, session, item_id: int, **payload) -> None:
    outbox.record(session, item_id)


def _collection_changed(signal, *, session, item_ids: Iterable[int]) -> None:
    # Members carry the collection's id and title in the index: those who left and those who came.
    for item_id in sorted(set(item_ids)):
        outbox.record(session, item_id)


def _track_changed(signal, *, session, track_id: int, item_id: int, replaces: int | None = None) -> None:
    outbox.record(session, item_id, track_id)
    if replaces:
        outbox.record(session, item_id, replaces)


_RECORDERS = {
    signals.item_saved: _item_changed,
    signals.item_deleted: _item_changed,
    signals.collection_changed: _collection_changed,
    signals.track_saved: _track_changed,
    signals.track_deleted: _track_changed,
}


def _committed(sender, **payload) -> None:
    outbox.queue_run()


def rebuild_queued() -> None:
    """Queue a full rebuild of the index from the database."""
    enqueue("rebuild_index")


INDEX_JOBS = (outbox.RUN_JOB, "index_item", "index_track", "unindex_track", "rebuild_index")


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
