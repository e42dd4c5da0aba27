"""The readiness checks: each dependency a request may need, reached once, its failure logged.

A check either returns or raises; what it raised goes to the log (it may name hosts and paths),
while the probe's answer names only the dependency that failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa

from archive.auth.models import User
from archive.extensions import db
from archive.jobs.queue import current_queue
from archive.search import store
from archive.storage import get_storage

log = logging.getLogger(__name__)


def check_database() -> None:
    """One round trip to the database, reading a table: an empty or unmigrated database is not ready."""
    try:
        db.session.execute(sa.select(User.id).limit(1))
    finally:
        db.session.rollback()


def check_queue() -> None:
    """Ask the queue's store (SQLite file or Redis) how many jobs wait."""
    huey = current_queue().huey
    if huey is None:
        raise RuntimeError("the queue is not set up")
    huey.storage.queue_size()


def check_storage() -> None:
    """The storage folder or bucket can be reached and written to."""
    get_storage().check()


def check_index() -> None:
    """The search index opens and can be read."""
    store.searcher().doc_count()


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "queue": check_queue,
    "storage": check_storage,
    "index": check_index,
}


def readiness() -> dict[str, bool]:
    """Run every check; which passed. A failure is logged with its cause."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; the cause goes to the log
            log.warning("Readiness: %s failed: %s: %s", name, type(exc).__name__, (str(exc).splitlines() or [""])[0])
            results[name] = False
        else:
            results[name] = True
    return results
