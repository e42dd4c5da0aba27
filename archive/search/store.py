"""Where the index lives, opening it, the one writer, and per-thread searchers.

The index is derived data: it can be deleted at any time and rebuilt from the database. Writes
happen only in queue jobs (one writer at a time; a second one waits for the lock rather than
failing), reads in web requests through a searcher refreshed when the index changed.

With ``SEARCH_REPLICATION`` on, the writer publishes every commit to the storage
(``publishing.py``) and searches read this node's copy of the latest published generation
(``replica.py``) instead of the writer's folder.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import Index
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from archive.search import publishing
from archive.search.replica import get_replica
from archive.search.schema import build_schema

WRITER_TIMEOUT_SECONDS = 120
_local = threading.local()
_create_lock = threading.Lock()


def index_path() -> str:
    """The index folder: ``SEARCH_INDEX`` or ``<instance>/search-index``."""
    configured = current_app.config.get("SEARCH_INDEX")
    if configured:
        return os.path.join(current_app.instance_path, configured)
    return os.path.join(current_app.instance_path, "search-index")


def open_index(path: str | None = None) -> Index:
    """Open the index, creating an empty one the first time."""
    path = path or index_path()
    with _create_lock:
        if not whoosh_index.exists_in(path):
            os.makedirs(path, exist_ok=True)
            return whoosh_index.create_in(path, build_schema())
    return whoosh_index.open_dir(path)


def codec() -> W3Codec:
    """How segments are written: posting blocks uncompressed.

    A subtitle track's postings carry its word positions; a common word's block holds hundreds of
    kilobytes of them, and inflating it on every phrase or hit lookup cost more than the query.
    """
    return W3Codec(compression=0)


@contextmanager
def writer(path: str | None = None, **options) -> Iterator[SegmentWriter]:
    """The index writer: waits for a concurrent writer to finish; commits, or cancels on error.

    With replication on, the live index's writer first takes up the latest published generation
    and publishes its commit before letting the next writer in.
    """
    if path is None and publishing.enabled():
        path = index_path()
        with publishing.exclusive(path):
            publishing.catch_up(path)
            with _committing(path, options) as batch:
                yield batch
            publishing.publish(path)
        _refresh_local_copy(path)
        return
    with _committing(path, options) as batch:
        yield batch


def _refresh_local_copy(path: str) -> None:
    """If this process searches too, it need not wait a poll to see its own write (a worker fetches nothing)."""
    replica = current_app.extensions.get("search_replicas", {}).get(path)
    if replica is not None:
        replica.refresh_in_background()


@contextmanager
def _committing(path: str | None, options: dict) -> Iterator[SegmentWriter]:
    ix = open_index(path)
    options.setdefault("codec", codec())
    batch = ix.writer(timeout=WRITER_TIMEOUT_SECONDS, delay=0.05, **options)
    try:
        yield batch
    except BaseException:
        batch.cancel()
        raise
    batch.commit()


def searcher() -> Searcher:
    """This thread's searcher on the current index, refreshed if the index changed since."""
    live = index_path()
    path = get_replica(live).folder() if publishing.enabled() else live
    cache = getattr(_local, "searchers", None)
    if cache is None:
        cache = _local.searchers = {}
    try:
        folder = os.stat(path).st_ino
    except FileNotFoundError:
        folder = None
    current = cache.get(live)
    # A rebuild or a new replicated generation swaps in a new folder; segments must not be reused across it.
    if current is not None and current[0] == (path, folder) and current[1].up_to_date():
        return current[1]
    # Not Searcher.refresh(): it reuses segment readers by segment id, and would miss documents
    # deleted from a segment that is otherwise unchanged.
    if current is not None:
        current[1].close()
    fresh = open_index(path).searcher()
    cache[live] = ((path, os.stat(path).st_ino), fresh)
    return fresh


def index_status() -> dict:
    """This node's index as the metrics show it: generation, age, documents, and how replication fares."""
    if not publishing.enabled():
        ix = open_index()
        return {"generation": ix.latest_generation(), "age_seconds": max(0.0, time.time() - ix.last_modified()),
                "documents": ix.doc_count(), "replication": None}
    replica = get_replica(index_path())
    documents = searcher().doc_count()  # fetches the first generation if need be
    status = replica.status()
    published_at = status["published_at"]
    # The writer's clock stamped it: a writer ahead of this node would make the age negative.
    age = max(0.0, (datetime.now(UTC).replace(tzinfo=None) - published_at).total_seconds()) if published_at else 0.0
    return {"generation": status["generation"], "age_seconds": age, "documents": documents, "replication": status}


@contextmanager
def rebuilding(path: str | None = None, *, writer_held: bool = False) -> Iterator[str]:
    """A fresh folder to build a whole index in; it replaces the live one only once complete (and is published).

    ``writer_held``: the caller already holds the writer's lock (``publishing.exclusive``) for the
    whole build, so it is not taken again for the swap.
    """
    live = path is None
    path = path or index_path()
    staging = f"{path}.build-{uuid.uuid4().hex[:8]}"
    os.makedirs(staging)
    whoosh_index.create_in(staging, build_schema())
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if live and publishing.enabled():
        if writer_held:
            _swap_in(path, staging)
            publishing.publish(path)
        else:
            with publishing.exclusive(path):
                _swap_in(path, staging)
                publishing.publish(path)
        _refresh_local_copy(path)
    else:
        _swap_in(path, staging)


def _swap_in(path: str, staging: str) -> None:
    retired = f"{path}.old-{uuid.uuid4().hex[:8]}"
    if os.path.exists(path):
        os.rename(path, retired)
    os.rename(staging, path)
    shutil.rmtree(retired, ignore_errors=True)
