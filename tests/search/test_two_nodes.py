"""Two web nodes and two workers as real processes on PostgreSQL, Redis and Ceph, each with a disk of its own.

A subtitle uploaded through node A is found through node B within 10 s; a worker killed part-way
through publishing leaves both nodes on the last complete generation, and the next publish succeeds.
Scaled profile only: separate machines share nothing but those services.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.auth import operations as accounts
from archive.extensions import db
from archive.jobs.operations import requeue_stale
from archive.search import generations
from archive.storage import get_storage
from tests.conftest import PROFILES
from tests.fixtures.s3 import free_port
from tests.fixtures.worker import PROJECT, worker_env
from tests.search.helpers import srt

FOUND_WITHIN_SECONDS = 10
START_SECONDS = 120


@pytest.fixture
def app_config(app_config):
    """Stale running jobs are taken up again after 3 s, so a killed worker's job is run by another."""
    return {**app_config, "SEARCH_REPLICATION": True, "JOB_STALE_SECONDS": 3}


class Machines:
    """The processes of the test, each with an instance folder (its disk) of its own."""

    def __init__(self, app, tmp_path: Path) -> None:
        self.app = app
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def env(self, name: str, **settings: str) -> dict:
        instance = self.tmp_path / name
        instance.mkdir(exist_ok=True)
        return {**worker_env(self.app), "ARCHIVE_INSTANCE_PATH": str(instance), "ARCHIVE_SEARCH_REPLICATION": "true",
                "ARCHIVE_SEARCH_POLL_SECONDS": "1", **{f"ARCHIVE_{k}": v for k, v in settings.items()}}

    def start(self, name: str, command: list[str], **settings: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "ab")
        process = subprocess.Popen(command, cwd=PROJECT, env=self.env(name, **settings), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def web(self, name: str) -> str:
        port = free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.start(name, [gunicorn, "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"])
        return f"http://127.0.0.1:{port}"

    def worker(self, name: str, **settings: str) -> subprocess.Popen:
        flask = str(Path(sys.executable).with_name("flask"))
        return self.start(name, [flask, "worker", "--workers", "1"], **settings)

    def wait_started(self, name: str) -> None:
        """Wait for a worker to say it listens to the queue."""
        log = self.tmp_path / f"{name}.log"
        _wait_until(lambda: b"Worker started" in log.read_bytes(), START_SECONDS, f"{name} starting", self)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def logs(self) -> str:
        from archive.extensions import db
        from archive.jobs.models import Job

        db.session.expire_all()
        jobs = [(job.id, job.kind, job.status, job.attempts, job.error) for job in db.session.query(Job)]
        db.session.rollback()
        import sqlalchemy as sa

        locks = db.session.execute(sa.text(
            "select l.pid, l.granted, a.state, left(a.query, 80) from pg_locks l join pg_stat_activity a "
            "on a.pid = l.pid where l.locktype = 'advisory'")).all()
        db.session.rollback()
        tails = [f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.tmp_path.glob("*.log")]
        return f"jobs: {jobs}\nadvisory locks: {locks}\n" + "\n".join(tails)


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:  # refused, reset, timed out: not answering yet
        return 0, ""


def _post(url: str, data: bytes, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _wait_until(check, seconds: float, what: str, machines: Machines):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} not within {seconds} s\n{machines.logs()}")


def _all_jobs_over() -> bool:
    from archive.extensions import db
    from archive.jobs.models import Job

    db.session.expire_all()
    busy = db.session.query(Job).filter(Job.status.in_(("queued", "running"))).count()
    db.session.rollback()
    return busy == 0


def _found(node: str, word: str) -> bool:
    status, body = _get(f"{node}/api/v1/search?q={quote(word)}")
    return status == 200 and '"total":1' in body.replace(" ", "")


def _generation(node: str) -> int | None:
    status, body = _get(f"{node}/metrics")
    match = re.search(r"^archive_index_generation (\d+)", body, re.M)
    return int(match.group(1)) if status == 200 and match else None


@pytest.mark.parametrize("profile", [p for p in PROFILES if p == "scaled"])
def test_two_web_nodes_and_two_workers_share_the_index_through_the_storage(app, users, tmp_path, profile) -> None:
    token = accounts.issue_token(users["archivist"], "two nodes")
    auth = {"Authorization": f"Bearer {token}"}
    machines = Machines(app, tmp_path)
    try:
        node_a, node_b = machines.web("web-a"), machines.web("web-b")
        workers = [machines.worker("worker-1"), machines.worker("worker-2")]
        for node in (node_a, node_b):
            # Generous: on a busy machine a process takes long to import the app; the timings below start later.
            _wait_until(lambda node=node: _get(f"{node}/healthz")[0] == 200, START_SECONDS, f"{node} answering",
                        machines)
            # Until it has looked at the storage once, a node answers 503 index_not_ready.
            _wait_until(lambda node=node: _get(f"{node}/api/v1/search?q=warm")[0] == 200, START_SECONDS,
                        f"{node} searching", machines)
        for name in ("worker-1", "worker-2"):
            machines.wait_started(name)

        # Through node A: a film and its subtitles. Through node B: found within 10 s.
        status, body = _post(f"{node_a}/api/v1/items", b'{"kind": "film", "title": {"en": "Two banks"}, '
                             b'"visibility": "public"}', {**auth, "Content-Type": "application/json"})
        assert status == 201, body
        item = re.search(r'"id":\s*(\d+)', body).group(1)
        status, body = _post(f"{node_a}/api/v1/items/{item}/subtitles?lang=en&filename=a.srt",
                             srt((1.0, 2.0, "the ferryman waits at dusk")), auth)
        assert status == 201, body
        uploaded = time.monotonic()
        _wait_until(lambda: _found(node_b, "ferryman"), FOUND_WITHIN_SECONDS, "node B finding it", machines)
        assert time.monotonic() - uploaded < FOUND_WITHIN_SECONDS
        _wait_until(lambda: _found(node_a, "ferryman"), 5, "node A finding it", machines)
        _wait_until(lambda: _all_jobs_over(), 20, "the first jobs to finish", machines)
        storage = get_storage()
        complete = generations.published(storage)[0][0]
        _wait_until(lambda: _generation(node_a) == _generation(node_b) == complete, 5, "both on one generation",
                    machines)

        # A worker that pauses after each file it uploads, killed part-way through a publish.
        for process in workers:  # idle now: stopping them at once loses nothing
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        named = generations.named_keys(storage)
        slow = machines.worker("worker-3", SEARCH_PUBLISH_PAUSE_SECONDS="30")
        machines.wait_started("worker-3")
        status, body = _post(f"{node_b}/api/v1/items/{item}/subtitles?lang=hy&filename=b.srt",
                             srt((1.0, 2.0, "լաստանավը սպասում է")), auth)
        assert status == 201, body
        _wait_until(lambda: set(storage.list(generations.FILES_PREFIX + "/")) - named, 20,
                    "worker 3 uploading a file", machines)
        os.killpg(slow.pid, signal.SIGKILL)
        killed = time.monotonic()
        slow.wait(10)
        assert generations.published(storage)[0][0] == complete  # no TOC for the half-published generation
        time.sleep(1.5)  # more than a poll: both nodes looked again
        for node in (node_a, node_b):
            assert _generation(node) == complete
            assert _found(node, "ferryman") and not _found(node, "լաստանավը")
            assert _get(f"{node}/readyz")[0] == 200

        # The next publish succeeds: a fresh worker (an empty disk) runs the killed job again.
        machines.worker("worker-4")
        machines.wait_started("worker-4")
        time.sleep(max(0.0, 3.5 - (time.monotonic() - killed)))  # the killed job's heartbeat goes stale
        assert requeue_stale() >= 1  # the killed job (and any periodic job queued meanwhile)
        db.session.rollback()
        for node in (node_b, node_a):
            _wait_until(lambda node=node: _found(node, "լաստանավը") and _found(node, "ferryman"),
                        FOUND_WITHIN_SECONDS, f"{node} finding the next publish", machines)
        assert generations.published(storage)[0][0] >= complete + 1  # (an index run may also publish a merge)
    finally:
        machines.stop()
