"""The readiness checks: each dependency a request may need, reached once, its failure logged.

A check either returns or raises; what it raised goes to the log (it may name hosts and paths),
while the probe's answer names only the dependency that failed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

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


# A check still running from an earlier probe (a server that accepts and never answers): not started again.
_running: dict[tuple[int, str], threading.Thread] = {}
_running_lock = threading.Lock()


def readiness() -> dict[str, bool]:
    """Run every check at once, each in its own thread, waiting at most ``READY_TIMEOUT_SECONDS`` in all.

    A check that has not answered by then failed: a hanging database or bucket must not hang the
    probe (the load balancer's own timeout would then say nothing about which dependency it was).
    """
    app = current_app._get_current_object()
    deadline = time.monotonic() + app.config["READY_TIMEOUT_SECONDS"]
    results: dict[str, bool] = {}
    threads: dict[str, threading.Thread] = {}
    for name, check in CHECKS.items():
        with _running_lock:
            earlier = _running.get((id(app), name))
            if earlier is not None and earlier.is_alive():
                log.warning("Readiness: %s failed: its check from an earlier probe is still waiting", name)
                results[name] = False
                continue
            thread = threading.Thread(target=_run_check, args=(app, name, check, results), daemon=True,
                                      name=f"readyz-{name}")
            _running[(id(app), name)] = thread
        thread.start()
        threads[name] = thread
    for name, thread in threads.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            log.warning("Readiness: %s failed: no answer within %s s", name, app.config["READY_TIMEOUT_SECONDS"])
            results[name] = False
    return {name: results.get(name, False) for name in CHECKS}


def _run_check(app, name: str, check: Callable[[], None], results: dict[str, bool]) -> None:
    """Run one check in its own app context (so with its own database session)."""
    with app.app_context():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; the cause goes to the log
            log.warning("Readiness: %s failed: %s: %s", name, type(exc).__name__, (str(exc).splitlines() or [""])[0])
            results.setdefault(name, False)
        else:
            results.setdefault(name, True)
        finally:
            db.session.remove()
