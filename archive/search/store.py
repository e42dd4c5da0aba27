"""Where the index lives, opening it, the one writer, and per-thread searchers.

The index is derived data: it can be deleted at any time and rebuilt from the database. Writes
happen only in queue jobs (one writer at a time; a second one waits for the lock rather than
failing), reads in web requests through a searcher refreshed when the index changed.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import Index
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

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
    """The index writer: waits for a concurrent writer to finish; commits, or cancels on error."""
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
    path = index_path()
    cache = getattr(_local, "searchers", None)
    if cache is None:
        cache = _local.searchers = {}
    try:
        folder = os.stat(path).st_ino
    except FileNotFoundError:
        folder = None
    current = cache.get(path)
    # A rebuild swaps in a new folder; segments must not be reused across it.
    if current is not None and current[0] == folder and current[1].up_to_date():
        return current[1]
    # Not Searcher.refresh(): it reuses segment readers by segment id, and would miss documents
    # deleted from a segment that is otherwise unchanged.
    if current is not None:
        current[1].close()
    fresh = open_index(path).searcher()
    cache[path] = (os.stat(path).st_ino, fresh)
    return fresh


@contextmanager
def rebuilding(path: str | None = None) -> Iterator[str]:
    """A fresh folder to build a whole index in; it replaces the live one only once complete."""
    path = path or index_path()
    staging = f"{path}.build-{uuid.uuid4().hex[:8]}"
    os.makedirs(staging)
    whoosh_index.create_in(staging, build_schema())
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = f"{path}.old-{uuid.uuid4().hex[:8]}"
    if os.path.exists(path):
        os.rename(path, retired)
    os.rename(staging, path)
    shutil.rmtree(retired, ignore_errors=True)
