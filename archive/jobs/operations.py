"""Job rules: queue work, run it once, record progress and failure, retry and recover.

A job row is committed before its id goes on the queue, and a worker claims it with one
conditional UPDATE, so a job that is delivered twice (a retry, a re-queued stale job) runs once.
A running job beats a heartbeat with every progress report; one whose worker died stops beating,
and the periodic sweep puts it back on the queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from blinker import Signal
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from archive.errors import ActionableError
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.queue import current_queue
from archive.jobs.reasons import Reason, failure, reason
from archive.logs import current_request_id, request_id_as
from archive.signals import announce, job_finished
from archive.timeutil import utcnow

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
Handler = Callable[[Job, Progress], Any]

HANDLERS: dict[str, Handler] = {}
PERIODIC: dict[str, timedelta] = {}
RETRIED: dict[str, tuple[timedelta, int]] = {}
REQUEST_ID = "request_id"  # the payload key of the id of the request that queued the job
SWEPT: list[Callable[[], object]] = []


class JobFailed(ActionableError):
    """A handler's way to fail a job with a message for the person watching it."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register ``fn(job, progress)`` as the code that runs jobs of ``kind``."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def periodic(kind: str, every: timedelta) -> None:
    """Have the sweep queue a ``kind`` job whenever the last one is older than ``every``."""
    PERIODIC[kind] = every


def retried(kind: str, *, after: timedelta, attempts: int) -> None:
    """Have the sweep run a failed ``kind`` job again ``after`` its failure, up to ``attempts`` runs in all."""
    RETRIED[kind] = (after, attempts)


def swept(check: Callable[[], object]) -> None:
    """Have the sweep call ``check()`` on every round (a feature's own recovery of work it left waiting)."""
    if check not in SWEPT:
        SWEPT.append(check)


def enqueue(kind: str, payload: dict | None = None, *, item_id: int | None = None) -> Job:
    """Record a job and queue it; if the queue is unreachable the job stays queued for the sweep."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, payload=_with_request_id(payload), item_id=item_id, status="queued")
    db.session.add(job)
    db.session.commit()
    _send(job)
    return job


def enqueue_with(session, kind: str, payload: dict | None = None) -> Job:
    """Record a job in the caller's transaction; it goes on the queue once that transaction commits.

    Rolled back with the rest if the transaction fails; if the queue is unreachable after the
    commit, the job stays queued for the sweep.
    """
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, payload=_with_request_id(payload), status="queued")
    session.add(job)
    session.flush()
    announce(session, _job_recorded, job_id=job.id)
    return job


def _with_request_id(payload: dict | None) -> dict:
    """The payload, with the id of the request queuing the job: the worker's log lines carry it too."""
    request_id = current_request_id()
    return {**(payload or {}), REQUEST_ID: request_id} if request_id else dict(payload or {})


def _send_recorded(sender, job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is not None:
        _send(job)


# Private to jobs: carries a job recorded inside someone's transaction to the queue after its commit.
_job_recorded = Signal("job-recorded")
_job_recorded.connect(_send_recorded)


def _send(job: Job) -> None:
    try:
        current_queue().send(job.id)
    except Exception:  # the row is the record; the sweep re-sends it
        log.exception("Could not put job %s on the queue; it will be re-sent by the sweep", job.id)


def _stale_before():
    return utcnow() - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])


def claim(job_id: int) -> Job | None:
    """Mark a queued (or abandoned running) job as running; None when someone else has it or it is over."""
    now = utcnow()
    result = db.session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            or_(Job.status == "queued", (Job.status == "running") & (Job.heartbeat_at < _stale_before())),
        )
        .values(status="running", attempts=Job.attempts + 1, started_at=now, heartbeat_at=now, error="",
                error_code=None, error_params=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(Job, job_id)


def execute(job_id: int) -> str | None:
    """Run one job if it can be claimed; return its final status (None when it was not ours to run)."""
    job = claim(job_id)
    if job is None:
        return None
    kind, started = job.kind, time.perf_counter()
    with request_id_as((job.payload or {}).get(REQUEST_ID)):
        log.info("Job %s (%s) started, attempt %s", job_id, kind, job.attempts,
                 extra={"job_id": job_id, "job_kind": kind})
        status = _run(job)
        seconds = time.perf_counter() - started
        log.info("Job %s (%s) %s in %.3f s", job_id, kind, status, seconds,
                 extra={"job_id": job_id, "job_kind": kind, "job_status": status, "duration_ms": round(seconds * 1000, 1)})
    job_finished.send(current_app._get_current_object(), kind=kind, status=status, seconds=seconds)
    return status


def _run(job: Job) -> str:
    job_id = job.id
    run = HANDLERS.get(job.kind)

    progress = _progress_reporter(job_id)

    try:
        if run is None:
            raise failure(JobFailed, "unknown_kind", kind=repr(job.kind))
        run(job, progress)
    except Exception as exc:  # every failure is recorded on the job, with a reason a person can read
        db.session.rollback()
        job = db.session.get(Job, job_id)
        if not isinstance(exc, ActionableError):
            log.exception("Job %s (%s) failed", job_id, job.kind)
        job.status = "failed"
        job.error, job.error_code, job.error_params = _reason(exc)
        job.finished_at = utcnow()
        db.session.commit()
        return "failed"
    job.status, job.progress, job.finished_at = "done", 100.0, utcnow()
    db.session.commit()
    return "done"


def _progress_reporter(job_id: int) -> Progress:
    """A ``progress(percent, stage)`` callable that is safe from any thread (ffmpeg reports from its own).

    Each report is written in a fresh app context, so with its own session, and at most twice a
    second unless the stage changes; every report is also the job's heartbeat.
    """
    app = current_app._get_current_object()
    last = {"at": 0.0, "stage": None}
    lock = threading.Lock()

    def progress(percent: float, stage: str = "") -> None:
        with lock:
            now = time.monotonic()
            if stage == last["stage"] and now - last["at"] < 0.5:
                return
            last["at"], last["stage"] = now, stage
        values = {"progress": max(0.0, min(100.0, float(percent))), "heartbeat_at": utcnow()}
        if stage:
            values["stage"] = stage[:100]
        with app.app_context():
            db.session.execute(update(Job).where(Job.id == job_id).values(**values))
            db.session.commit()

    return progress


def _reason(exc: Exception) -> tuple[str, str | None, dict | None]:
    """Why ``exc`` failed the job: the English text, and the message key and values when there are some."""
    message = str(exc).strip()
    if isinstance(exc, ActionableError):
        if isinstance(exc.reason, Reason):
            return exc.reason.english(), exc.reason.code, exc.reason.params
        return message or type(exc).__name__, None, None  # said in one language only: shown as written
    why = reason("unexpected", detail=message[:500], error=type(exc).__name__)
    return why.english(), why.code, why.params


def retry(job: Job) -> Job:
    """Queue a failed (or stuck) job again."""
    if job.status == "running" and job.heartbeat_at and job.heartbeat_at >= _stale_before():
        raise ValueError(_("This job is running now; wait for it to finish."))
    job.status, job.progress, job.stage, job.finished_at = "queued", 0.0, "", None
    job.error, job.error_code, job.error_params = "", None, None
    db.session.commit()
    _send(job)
    return job


def requeue_stale() -> int:
    """Re-send jobs whose worker stopped beating, and queued jobs whose message may be lost."""
    stale = db.session.scalars(
        select(Job).where(
            or_(
                (Job.status == "running") & (Job.heartbeat_at < _stale_before()),
                (Job.status == "queued") & (Job.created_at < _stale_before()),
            )
        )
    ).all()
    for job in stale:
        _send(job)
    return len(stale)


def sweep() -> None:
    """The queue's minutely round: recover stale jobs, retry failed ones that may retry, queue periodic ones."""
    requeue_stale()
    retry_failed()
    run_periodic()
    for check in SWEPT:
        check()


def retry_failed() -> list[Job]:
    """Queue again each failed job whose kind retries by itself, once its wait is over and runs remain."""
    queued = []
    for kind, (after, attempts) in RETRIED.items():
        due = db.session.scalars(
            select(Job).where(
                Job.kind == kind, Job.status == "failed", Job.attempts < attempts, Job.finished_at < utcnow() - after
            )
        ).all()
        queued.extend(retry(job) for job in due)
    return queued


def run_periodic() -> list[Job]:
    """Queue each periodic job whose last run is older than its interval."""
    queued = []
    for kind, every in PERIODIC.items():
        last = db.session.scalar(select(Job.created_at).where(Job.kind == kind).order_by(Job.id.desc()).limit(1))
        if last is None or last < utcnow() - every:
            queued.append(enqueue(kind))
    return queued


def drain() -> int:
    """Run queued work in this process until the queue is empty; return how many tasks ran."""
    huey = current_queue().huey
    count = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        count += 1
    return count


def job_json(job: Job) -> dict:
    """A job as the API and the status page show it."""
    return {
        "id": job.id,
        "kind": job.kind,
        "item_id": job.item_id,
        "status": job.status,
        "progress": round(job.progress, 1),
        "stage": job.stage,
        "attempts": job.attempts,
        "error": job.reason or None,  # in the language of the request
        "error_code": job.error_code or None,  # stable for programs; None for old rows and untranslated failures
        "created_at": job.created_at.isoformat() + "Z",
        "finished_at": job.finished_at.isoformat() + "Z" if job.finished_at else None,
    }
