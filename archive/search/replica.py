"""A search node's local copy of the replicated index: look for a newer generation, fetch it, switch to it.

Each process keeps generations in folders of their own under ``<index folder>.replica/``, one per
generation number. At most every ``SEARCH_POLL_SECONDS`` a request starts a look in the background
(requests never wait for it, except while the node has no generation at all): list the published
TOCs, take the newest one it can fetch whole, link the files an older copy already holds, download
the others and check each one's size and SHA-256, open it once to be sure Whoosh reads it, then
rename the folder into place and switch. A request that already holds a searcher keeps it, and the
files under it stay on disk (old folders are removed only minutes after they stopped being current,
and open files outlive their removal anyway), as Lucene readers keep their commit point alive.

If the storage cannot be reached, the node goes on answering from the generation it has, counts the
failure and says how long since it last reached the storage (``archive_index_last_poll_seconds``).
Every few seconds the process records the generation it serves (``search_index_nodes``), so the
writer collects only generations no live node needs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _
from whoosh import index as whoosh_index

from archive.errors import ActionableError
from archive.extensions import db
from archive.search import generations
from archive.search.generations import Generation, GenerationError
from archive.search.models import IndexNode
from archive.search.publishing import database_now
from archive.search.schema import build_schema

log = logging.getLogger(__name__)

FIRST_PULL_WAIT_SECONDS = 30
HEARTBEAT_SECONDS = 10
# A folder that stopped being current stays this long, for requests (here or in a sibling process) still reading it.
RETIRED_FOLDER_SECONDS = 300
KEEP_FOLDERS = 3
_FOLDER_RE = re.compile(r"^\d{12}$")
EMPTY = "empty"



class IndexNotReady(ActionableError):
    """This node has not yet fetched any generation of the replicated index."""

    status = 503
    code = "index_not_ready"
    headers = {"Retry-After": "5"}

    def __init__(self) -> None:
        super().__init__(_("This server has not yet fetched the search index, so it cannot search just now. "
                           "Try again in a few seconds; browsing the catalogue works meanwhile."))

@dataclass(frozen=True)
class LocalCopy:
    """The generation this process answers from, and its folder."""

    number: int
    folder: str
    published_at: datetime | None
    documents: int


class Replica:
    """One process's view of the replicated index."""

    def __init__(self, app: Flask, index_folder: str) -> None:
        self.app = app
        self.root = f"{index_folder}.replica"
        self.storage = app.extensions["storage"]
        self.poll_seconds = app.config.get("SEARCH_POLL_SECONDS") or 2
        self.current: LocalCopy | None = None
        self.last_success: float | None = None  # monotonic time of the last look that reached the storage
        self.last_error: str | None = None
        self.failures = 0
        self._checked_at = float("-inf")
        self._heartbeat_at = float("-inf")
        self._busy = threading.Lock()
        self._rejected: set[str] = set()

    # The node's name in search_index_nodes: this host, this process, this copy.
    @property
    def node(self) -> str:
        """A name for this process's copy, unique across machines and processes."""
        digest = hashlib.sha256(self.root.encode()).hexdigest()[:10]
        return f"{socket.gethostname()[:120]}:{os.getpid()}:{digest}"

    def folder(self) -> str:
        """The folder to search now; looks for a newer generation when due. IndexNotReady if there is none yet."""
        if self.current is None:
            # Nothing to answer from: this request waits for the first look (one at a time).
            if self._busy.acquire(timeout=FIRST_PULL_WAIT_SECONDS):
                try:
                    if self.current is None:
                        self._refresh()
                finally:
                    self._busy.release()
            if self.current is None:
                raise IndexNotReady()
        elif time.monotonic() - self._checked_at >= self.poll_seconds:
            self.refresh_in_background()
        return self.current.folder

    def refresh_in_background(self) -> None:
        """Start a look for a newer generation unless one is under way."""
        if not self._busy.acquire(blocking=False):
            return
        self._checked_at = time.monotonic()  # no second thread for this one poll
        thread = threading.Thread(target=self._refresh_then_release, name="search-replica", daemon=True)
        thread.start()

    def _refresh_then_release(self) -> None:
        try:
            with self.app.app_context():
                self._refresh()
        finally:
            self._busy.release()

    def refresh(self) -> LocalCopy | None:
        """Look for a newer generation now, and switch to it (waits for a look under way)."""
        with self._busy:
            self._refresh()
        return self.current

    def _refresh(self) -> None:
        try:
            self._look()
            self.last_success = time.monotonic()
            self.last_error = None
        except Exception as exc:  # noqa: BLE001 - storage down, disk full: keep serving what we have
            self.failures += 1
            self.last_error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
            log.warning("Search index: cannot look for a newer generation (serving %s): %s",
                        self.current.number if self.current else "nothing", self.last_error)
        finally:
            self._checked_at = time.monotonic()
        self._heartbeat()

    def _look(self) -> None:
        tocs = generations.published(self.storage)
        os.makedirs(self.root, exist_ok=True)
        if not tocs:
            if self.current is None:
                self._switch(LocalCopy(0, self._empty_folder(), None, 0))
            return
        serving = self.current.number if self.current else -1
        if tocs[0][0] < serving:
            serving = -1  # the storage went back (restored from a backup): follow it
        for number, key in tocs:
            if number <= serving:
                return
            if key in self._rejected:
                continue
            try:
                generation = generations.read_toc(self.storage, number, key)
                folder = self._fetch(generation)
            except GenerationError as exc:
                # Never retried: a published TOC and its files do not change. An older one may still do.
                self._rejected.add(key)
                log.error("Search index: skipping generation %s: %s", number, exc)
                continue
            self._switch(LocalCopy(number, folder, generation.published_at, generation.documents))
            return

    def _fetch(self, generation: Generation) -> str:
        final = os.path.join(self.root, f"{generation.number:012d}")
        held = generations.read_manifest(final)
        if held is not None and held.toc_key == generation.toc_key:
            return final  # a sibling process fetched it already
        staging = os.path.join(self.root, f".pull-{generation.number}-{uuid.uuid4().hex[:8]}")
        os.makedirs(staging)
        try:
            reuse = [self.current.folder] if self.current else []
            reuse += [os.path.join(self.root, name) for name in sorted(os.listdir(self.root), reverse=True)
                      if _FOLDER_RE.match(name)][:KEEP_FOLDERS]
            downloaded = generations.fetch_files(self.storage, generation, staging, reuse)
            _check_readable(staging, generation)
            generations.write_manifest(staging, generation)
            if os.path.exists(final):
                os.rename(final, os.path.join(self.root, f".stale-{uuid.uuid4().hex[:8]}"))
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        log.info("Search index: fetched generation %s into %s (%s bytes downloaded)", generation.number, self.root, downloaded)
        return final

    def _empty_folder(self) -> str:
        folder = os.path.join(self.root, EMPTY)
        if not whoosh_index.exists_in(folder):
            staging = os.path.join(self.root, f".pull-empty-{uuid.uuid4().hex[:8]}")
            os.makedirs(staging)
            whoosh_index.create_in(staging, build_schema())
            try:
                os.rename(staging, folder)
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)  # a sibling process made it first
        return folder

    def _switch(self, copy: LocalCopy) -> None:
        previous = self.current
        self.current = copy  # one assignment: a request reads either the old copy or the new one
        if previous is None or previous.folder != copy.folder:
            log.info("Search index: now serving generation %s", copy.number)
            self._heartbeat_at = float("-inf")
            self._tidy()

    def _tidy(self) -> None:
        """Remove folders long out of use: old generations beyond the newest few, and abandoned fetches."""
        now = time.time()
        folders = sorted((name for name in os.listdir(self.root) if _FOLDER_RE.match(name)), reverse=True)
        keep = set(folders[:KEEP_FOLDERS]) | {os.path.basename(self.current.folder)}
        for name in os.listdir(self.root):
            path = os.path.join(self.root, name)
            leftover = name.startswith((".pull-", ".stale-"))
            if name in keep or not (leftover or _FOLDER_RE.match(name)):
                continue
            try:
                if now - os.stat(path).st_mtime >= (3600 if name.startswith(".pull-") else RETIRED_FOLDER_SECONDS):
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                continue

    def _heartbeat(self) -> None:
        """Record, at most every few seconds, which generation this process serves (the database's clock)."""
        if self.current is None or time.monotonic() - self._heartbeat_at < HEARTBEAT_SECONDS:
            return
        try:
            with db.engine.begin() as connection:
                values = {"generation": self.current.number, "seen_at": database_now(connection)}
                done = connection.execute(sa.update(IndexNode).where(IndexNode.node == self.node).values(**values))
                if not done.rowcount:
                    connection.execute(sa.insert(IndexNode).values(node=self.node, **values))
            self._heartbeat_at = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - the database being down must not stop searches
            log.warning("Search index: cannot record the generation this node serves: %s", exc)

    def status(self) -> dict:
        """What the metrics show: the generation served, when it was published, how the last looks went."""
        copy = self.current
        return {
            "generation": copy.number if copy else None,
            "published_at": copy.published_at if copy else None,
            "since_success": time.monotonic() - self.last_success if self.last_success is not None else None,
            "failures": self.failures,
            "error": self.last_error,
        }


def _check_readable(folder: str, generation: Generation) -> None:
    """Open the fetched copy once: Whoosh must read it, and it must hold the documents published."""
    try:
        ix = whoosh_index.open_dir(folder, readonly=True)
        documents = ix.doc_count()
    except Exception as exc:  # noqa: BLE001 - any failure to read means the copy is unusable
        raise GenerationError(f"generation {generation.number} does not open: {type(exc).__name__}: {exc}") from exc
    if documents != generation.documents:
        raise GenerationError(f"generation {generation.number} holds {documents} documents, "
                              f"not the {generation.documents} published")


_create_lock = threading.Lock()


def get_replica(index_folder: str) -> Replica:
    """This app's replica for ``index_folder``, made on first use."""
    replicas = current_app.extensions.setdefault("search_replicas", {})
    with _create_lock:
        replica = replicas.get(index_folder)
        if replica is None:
            replica = replicas[index_folder] = Replica(current_app._get_current_object(), index_folder)
    return replica
