"""The task queue: Huey on a SQLite file by default, on Redis when ``ARCHIVE_QUEUE_URL=redis://``.

Huey carries only job ids; the job row in the database is the record of what happened. One Huey
task, ``run_job``, is registered per app; it runs the job inside that app's context. The queue
is given what it runs (``init_app(app, run=..., sweep=...)``): it knows nothing of job rules.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey, TaskWrapper


def make_huey(url: str, name: str) -> Huey:
    """A Huey instance for ``sqlite:PATH``, ``redis://...`` or ``memory:``."""
    if url.startswith("sqlite:"):
        path = url[len("sqlite:"):]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        # fsync makes an acknowledged job survive a power cut, not only a restart.
        return SqliteHuey(name=name, filename=path, fsync=True, results=False, utc=True)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(name=name, url=url, results=False, utc=True)
    return MemoryHuey(name=name, results=False, utc=True)


class TaskQueue:
    """Holds the app's Huey instance and its registered tasks."""

    def __init__(self) -> None:
        self.huey: Huey | None = None
        self.run_job: TaskWrapper | None = None

    def init_app(self, app: Flask, *, run: Callable[[int], object], sweep: Callable[[], object]) -> None:
        """Create the Huey instance for this app: ``run(job_id)`` for each job, ``sweep()`` every minute."""
        huey = make_huey(app.config["QUEUE_URL"], app.config["QUEUE_NAME"])

        def run_job(job_id: int) -> None:
            with app.app_context():
                run(job_id)

        def sweep_every_minute() -> None:
            with app.app_context():
                sweep()

        self.huey = huey
        self.run_job = huey.task(name="run_job")(run_job)
        huey.periodic_task(_every_minute, name="sweep")(sweep_every_minute)
        app.extensions["queue"] = self

    def send(self, job_id: int) -> None:
        """Put a job id on the queue."""
        self.run_job(job_id)


# Created unbound like the extensions; ``create_app`` binds it to the app.
queue = TaskQueue()


def _every_minute(timestamp) -> bool:
    return True


def current_queue() -> TaskQueue:
    """The queue of the current app."""
    return current_app.extensions["queue"]

