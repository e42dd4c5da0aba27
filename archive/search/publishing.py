"""The index writer's side of replication: one writer at a time across machines, publishing each commit.

``store.writer()`` and ``store.rebuilding()`` call in here when ``SEARCH_REPLICATION`` is on:

1. ``exclusive()`` holds the writer's lock for the whole write-and-publish: a file lock for the
   processes of one machine and, on PostgreSQL, an advisory lock for every machine. Both are
   released by the operating system or the database if the process dies, so a killed writer never
   leaves a stale lock behind (nrtsearch has one primary; here the lock makes whichever worker
   runs an index job the primary for that job).
2. ``catch_up()`` makes the writer's folder a copy of the latest published generation unless it
   already is one (a worker on another machine may have published since), as a new primary first
   restores the latest point state.
3. ``publish()`` uploads the files the previous generation does not already hold, then the TOC,
   then collects what no node needs any more.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from whoosh import index as whoosh_index

from archive.extensions import db
from archive.search import generations
from archive.search.generations import FileEntry, Generation, GenerationError
from archive.search.models import IndexNode
from archive.storage import get_storage

log = logging.getLogger(__name__)

LOCK_TIMEOUT_SECONDS = 120
# A node that has not said which generation it serves for this long is taken to be gone.
NODE_TIMEOUT_SECONDS = 600
_ADVISORY_KEY = 0x5EA2C4  # one number for "the search index writer" among the database's advisory locks
_REBUILD_KEY = 0x5EA2C5  # and one for "a full rebuild is under way"


def enabled() -> bool:
    """Whether index generations are published to the storage and searched from local copies."""
    return bool(current_app.config.get("SEARCH_REPLICATION"))


class WriterBusy(RuntimeError):
    """Another index writer held the lock for longer than the writer waits."""


@contextmanager
def exclusive(path: str) -> Iterator[None]:
    """Hold the index writer's lock on this machine and, on PostgreSQL, on every machine."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    with open(f"{path}.publish-lock", "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise WriterBusy(f"the search index writer's lock {path}.publish-lock stayed taken") from exc
                time.sleep(0.05)
        try:
            with _database_lock(deadline):
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _database_lock(deadline: float) -> Iterator[None]:
    if db.engine.dialect.name != "postgresql":
        yield  # SQLite: one machine, and the file lock covers it
        return
    # A connection of its own, held for the whole write: closing it (or the process dying) frees the lock.
    with db.engine.connect() as connection:
        while not connection.scalar(sa.select(sa.func.pg_try_advisory_lock(_ADVISORY_KEY))):
            connection.rollback()
            if time.monotonic() > deadline:
                raise WriterBusy("another search index writer held the database's advisory lock")
            time.sleep(0.05)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(sa.select(sa.func.pg_advisory_unlock(_ADVISORY_KEY)))
            connection.commit()


@contextmanager
def rebuild_marker(path: str) -> Iterator[None]:
    """Say, for as long as it lasts, that a full rebuild of the index in ``path`` is under way.

    A file lock for the processes of this machine and, on PostgreSQL, an advisory lock for every
    machine; both go with the process if it dies. Index runs that see it leave their changes in the
    outbox (``rebuild_in_progress``): the rebuild applies them to the index it builds.
    """
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(f"{path}.rebuild-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # two rebuilds at once: the second waits for the first
        try:
            if db.engine.dialect.name != "postgresql":
                yield
                return
            with db.engine.connect() as connection:
                connection.scalar(sa.select(sa.func.pg_advisory_lock(_REBUILD_KEY)))
                connection.commit()
                try:
                    yield
                finally:
                    connection.execute(sa.select(sa.func.pg_advisory_unlock(_REBUILD_KEY)))
                    connection.commit()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def rebuild_in_progress(path: str) -> bool:
    """Whether a full rebuild of the index in ``path`` holds its marker now (on any machine, on PostgreSQL)."""
    try:
        with open(f"{path}.rebuild-lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    return True
                raise
            fcntl.flock(handle, fcntl.LOCK_UN)
    except FileNotFoundError:
        pass  # the folder around the index is not there yet: nobody rebuilds it
    if db.engine.dialect.name != "postgresql":
        return False
    with db.engine.connect() as connection:
        taken = connection.scalar(sa.select(sa.func.pg_try_advisory_lock(_REBUILD_KEY)))
        if taken:
            connection.execute(sa.select(sa.func.pg_advisory_unlock(_REBUILD_KEY)))
        connection.commit()
    return not taken


def catch_up(path: str) -> None:
    """Make the writer's folder hold the latest published generation, unless it already grew from it."""
    storage = get_storage()
    held = generations.read_manifest(path)
    for number, key in generations.published(storage):
        if held is not None and held.number >= number:
            return  # ours, perhaps with commits a killed publish left unpublished: the next publish sends them
        try:
            latest = generations.read_toc(storage, number, key)
            staging = f"{path}.pull-{uuid.uuid4().hex[:8]}"
            os.makedirs(staging)
            try:
                generations.fetch_files(storage, latest, staging, [path])
                generations.write_manifest(staging, latest)
                _swap(path, staging)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        except GenerationError as exc:
            log.warning("Search index: cannot take up generation %s, trying the one before: %s", number, exc)
            continue
        log.info("Search index: the writer took up published generation %s", number)
        return


def _swap(path: str, fresh: str) -> None:
    retired = f"{path}.old-{uuid.uuid4().hex[:8]}"
    if os.path.exists(path):
        os.rename(path, retired)
    os.rename(fresh, path)
    shutil.rmtree(retired, ignore_errors=True)


def publish(path: str) -> Generation:
    """Publish the index in ``path`` as the next generation: new files first, the TOC last; then collect."""
    storage = get_storage()
    ix = whoosh_index.open_dir(path, readonly=True)
    toc_name = f"_{ix.indexname}_{ix.latest_generation()}.toc"
    segment_ids = {segment.segment_id() for segment in ix._segments()}
    documents = ix.doc_count()
    names = sorted(name for name in os.listdir(path)
                   if name == toc_name or name.partition(".")[0] in segment_ids)
    latest = generations.published(storage)
    previous: dict[str, FileEntry] = {}
    held = generations.read_manifest(path)
    if held is not None:
        previous = held.files
    number = (latest[0][0] if latest else 0) + 1
    pause = current_app.config.get("SEARCH_PUBLISH_PAUSE_SECONDS") or 0
    files: dict[str, FileEntry] = {}
    for name in names:
        local = os.path.join(path, name)
        entry = previous.get(name)
        # Segment names are random and their files never change; Whoosh's own .toc is rewritten each time.
        if (entry is not None and not name.endswith(".toc") and entry.size == os.path.getsize(local)
                and storage.exists(entry.key)):  # never name a file someone removed from the storage
            files[name] = entry
            continue
        with open(local, "rb") as handle:
            stored = storage.save(handle, prefix=generations.FILES_PREFIX, content_type="application/octet-stream")
        files[name] = FileEntry(stored.key, stored.size, stored.sha256)
        if pause:
            log.info("Search index: uploaded %s for generation %s; pausing %s s", name, number, pause)
            time.sleep(pause)
    draft = Generation(number, "", files, datetime.now(UTC).replace(tzinfo=None), documents)
    stored = storage.save(_Bytes(draft.to_json()), prefix=generations.toc_prefix(number),
                          content_type="application/json")
    generation = Generation(number, stored.key, files, draft.published_at, documents)
    generations.write_manifest(path, generation)
    log.info("Search index: published generation %s (%s files, %s documents)", number, len(files), documents)
    try:
        collect()
    except Exception as exc:  # noqa: BLE001 - collecting is housekeeping: the next publish tries again
        log.warning("Search index: collecting old generations failed: %s", exc)
    return generation


class _Bytes:
    """A readable stream over bytes (what ``Storage.save`` takes)."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes; all the rest when ``size`` is negative."""
        end = len(self._data) if size < 0 else min(len(self._data), self._at + size)
        chunk = bytes(self._data[self._at:end])
        self._at = end
        return chunk


def database_now(connection: sa.Connection) -> datetime:
    """The database's clock (naive UTC): the one clock every node's heartbeat is compared on."""
    now = connection.scalar(sa.select(sa.func.current_timestamp()))
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    return now


def collect(*, grace_seconds: int = 300) -> dict:
    """Delete the generations no live node serves any more (keeping the newest two) and their files."""
    # A connection of its own: the job's session is left as it was.
    with db.engine.begin() as connection:
        cutoff = database_now(connection) - timedelta(seconds=NODE_TIMEOUT_SECONDS)
        oldest = connection.scalar(
            sa.select(sa.func.min(IndexNode.generation)).where(IndexNode.seen_at >= cutoff, IndexNode.generation > 0)
        )
        connection.execute(sa.delete(IndexNode).where(IndexNode.seen_at < cutoff))
    return generations.collect(get_storage(), oldest_in_use=oldest, grace_seconds=grace_seconds)


def init_app(app) -> None:
    """Tell the storage audit which objects the published index keeps, and to leave the rest of its prefix alone."""
    from archive.storage import records

    def keys() -> set[str]:
        return generations.named_keys(get_storage())

    def holds(key: str) -> bool:
        return key.startswith(generations.PREFIX + "/") and key in keys()

    def spares(key: str, now: datetime) -> bool:
        # Files of a publish under way, or of one a killed writer left: the writer's own collection removes them.
        return key.startswith(generations.PREFIX + "/")

    records.add_keeper(app, records.Keeper("search index", keys, holds, spares))
