"""Prometheus metrics: request latency per route, and the queue, jobs and index as they are when scraped.

Each app keeps its own registry, so the many apps of a test run (or of one process) never mix. The
latencies, job durations and storage errors are this process's own, unless
``PROMETHEUS_MULTIPROC_DIR`` names a folder shared by the machine's processes (see ``init_app``).
The queue, job and index figures are read from their stores at each scrape, so every process
gives the same ones.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from ipaddress import ip_address

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.queue import current_queue
from archive.search import store
from archive.signals import job_finished, storage_failed

log = logging.getLogger(__name__)

# Pages answer in milliseconds; uploads and kits stream for minutes.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
# Index updates take milliseconds; derivations of a feature film take an hour or more.
JOB_BUCKETS = (0.01, 0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600)


class StateCollector(Collector):
    """Reads the queue depth, the jobs by status and the search index's generation at scrape time."""

    def collect(self) -> Iterator[Metric]:
        """Yield each figure that can be read now; one that cannot is logged and left out."""
        for read in (self._queue, self._jobs, self._index):
            try:
                yield from read()
            except Exception as exc:  # noqa: BLE001 - a store that is down must not hide the other figures
                log.warning("Metrics: cannot read %s: %s", read.__name__.strip("_"), exc)
                db.session.rollback()

    @staticmethod
    def _queue() -> Iterator[Metric]:
        huey = current_queue().huey
        depth = GaugeMetricFamily("archive_queue_depth", "Jobs waiting in the queue for a worker.")
        depth.add_metric([], huey.storage.queue_size() if huey is not None else 0)
        yield depth

    @staticmethod
    def _jobs() -> Iterator[Metric]:
        rows = db.session.execute(
            sa.select(Job.status, Job.kind, sa.func.count()).group_by(Job.status, Job.kind).order_by(Job.kind)
        ).all()
        jobs = GaugeMetricFamily("archive_jobs", "Job records by status and kind.", labels=["status", "kind"])
        for status, kind, count in rows:
            jobs.add_metric([status, kind], count)
        yield jobs
        failed = GaugeMetricFamily("archive_jobs_failed", "Jobs whose last attempt failed, of every kind.")
        failed.add_metric([], sum(count for status, _, count in rows if status == "failed"))
        yield failed

    @staticmethod
    def _index() -> Iterator[Metric]:
        index = store.index_status()
        generation = GaugeMetricFamily("archive_index_generation", "Generation of the search index this node reads "
                                       "(the published generation when the index is replicated).")
        generation.add_metric([], index["generation"] or 0)
        yield generation
        age = GaugeMetricFamily("archive_index_age_seconds", "Seconds since the generation this node reads was "
                                "written (published, when the index is replicated).")
        age.add_metric([], index["age_seconds"])
        yield age
        documents = GaugeMetricFamily("archive_index_documents", "Documents in this node's search index.")
        documents.add_metric([], index["documents"])
        yield documents
        replication = index["replication"]
        if replication is None:
            return
        since = GaugeMetricFamily("archive_index_last_poll_seconds", "Seconds since this node last reached the "
                                  "storage to look for a newer index generation (-1: never).")
        since.add_metric([], -1 if replication["since_success"] is None else replication["since_success"])
        yield since
        failures = CounterMetricFamily("archive_index_poll_failures", "Looks for a newer index generation that "
                                       "failed (storage unreachable, a generation incomplete or corrupt).")
        failures.add_metric([], replication["failures"])
        yield failures


def multiprocess_folder() -> str | None:
    """``PROMETHEUS_MULTIPROC_DIR`` when set: every process on the machine adds its counts there."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def init_app(app: Flask) -> None:
    """Give the app a registry and time every request by its route.

    With ``PROMETHEUS_MULTIPROC_DIR`` set (before start), the gunicorn workers and the job workers
    of a machine write their counts to files there and every scrape adds them all up: one node's
    figures whichever worker answers, the job workers' durations included.
    """
    registry = CollectorRegistry()  # not auto_describe: the state is read only at scrape time, in a request
    folder = multiprocess_folder()
    if folder is not None:
        os.makedirs(folder, exist_ok=True)
        MultiProcessCollector(registry, path=folder)
    # In multiprocess mode the values live in the folder's files, read by the collector above.
    own = None if folder is not None else registry
    latency = Histogram(
        "archive_request_duration_seconds",
        "Time to answer a request (up to its first byte for streamed ones), by route, method and status class.",
        ["route", "method", "status"],
        registry=own,
        buckets=LATENCY_BUCKETS,
    )
    registry.register(StateCollector())
    app.extensions["metrics"] = registry
    app.extensions["metrics.jobs"] = Histogram(
        "archive_job_duration_seconds", "Time a job ran, by kind and how it ended.",
        ["kind", "status"], registry=own, buckets=JOB_BUCKETS,
    )
    app.extensions["metrics.storage_errors"] = Counter(
        "archive_storage_errors", "Storage operations that failed on the storage's side, by backend and operation.",
        ["backend", "operation"], registry=own,
    )

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            # The route's pattern, not the path: one series per route, however many items there are.
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            status = f"{response.status_code // 100}xx"
            latency.labels(route, request.method, status).observe(time.perf_counter() - started)
        return response


@job_finished.connect
def _count_job(app: Flask, kind: str, status: str, seconds: float) -> None:
    histogram = app.extensions.get("metrics.jobs")
    if histogram is not None:
        histogram.labels(kind, status).observe(seconds)


@storage_failed.connect
def _count_storage_error(app: Flask, backend: str, operation: str) -> None:
    counter = app.extensions.get("metrics.storage_errors")
    if counter is not None:
        counter.labels(backend, operation).inc()


def registry() -> CollectorRegistry:
    """The current app's registry."""
    return current_app.extensions["metrics"]


def may_read(address: str | None) -> bool:
    """Whether a request from ``address`` may read the metrics (``ARCHIVE_METRICS_NETWORKS``)."""
    if not address:
        return False
    try:
        client = ip_address(address)
    except ValueError:
        return False
    if client.version == 6 and client.ipv4_mapped is not None:
        client = client.ipv4_mapped
    return any(client in network for network in current_app.config["METRICS_NETWORKS"])
