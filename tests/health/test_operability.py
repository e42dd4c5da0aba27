"""What an operator reads: request ids from a request to its job's log lines, job and storage figures in
/metrics, and a /readyz that answers in time when a server accepts connections and never replies."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive import logs
from archive.jobs.models import Job
from archive.jobs.operations import drain
from archive.storage import StorageError, get_storage
from tests.conftest import running_app
from tests.factories import make_film
from tests.fixtures.worker import PROJECT
from tests.health.test_metrics import value
from tests.search.helpers import srt


class BlackHole:
    """A TCP server that accepts every connection and never sends a byte: a hung database."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        for sock in [self.listener, *self.accepted]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def test_a_request_and_the_job_it_queues_log_the_same_id(app, token_for, caplog) -> None:
    film = make_film("Logged")
    drain()  # the film's own index run: the upload below then queues a run of its own
    headers = {**token_for("archivist"), "X-Request-Id": "edge-7f3a.42"}
    with caplog.at_level(logging.INFO, logger="archive.request"):
        response = app.test_client().post(f"/api/v1/items/{film.id}/subtitles?lang=en&filename=a.srt",
                                          data=srt((1, 2, "Across the river")), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["X-Request-Id"] == "edge-7f3a.42"
    line = next(r for r in caplog.records if r.name == "archive.request" and r.path.endswith("/subtitles"))
    as_json = json.loads(logs.formatter("json").format(line))
    assert (as_json["request_id"], as_json["status"], as_json["method"]) == ("edge-7f3a.42", 201, "POST")
    job = Job.query.filter_by(kind="index_changes", status="queued").one()
    assert job.payload["request_id"] == "edge-7f3a.42"

    # The worker's log set-up, run here: the job's lines carry the id of the request that queued it.
    output = io.StringIO()
    handler = logs.configure("json", stream=output)
    try:
        assert drain() >= 1
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(text) for text in output.getvalue().splitlines()]
    about_job = [entry for entry in lines if entry.get("job_id") == job.id]
    assert [entry["message"] for entry in about_job][0] == f"Job {job.id} (index_changes) started, attempt 1"
    assert about_job[-1]["message"].startswith(f"Job {job.id} (index_changes) done in ")
    assert all(entry["request_id"] == "edge-7f3a.42" and entry["logger"] == "archive.jobs.operations"
               for entry in about_job), about_job


@pytest.mark.parametrize("sent", ['evil id"<script>', "x" * 300, "", "../../etc"])
def test_an_insane_request_id_is_replaced(client, sent) -> None:
    response = client.get("/healthz", headers={"X-Request-Id": sent} if sent else {})
    generated = response.headers["X-Request-Id"]
    assert generated != sent and len(generated) == 32 and int(generated, 16) >= 0


def test_text_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("archive.jobs", logging.INFO, __file__, 1, "Job %s done", (5,), None)
    logs.RequestIdFilter().filter(record)
    assert logs.formatter("text").format(record).endswith("INFO archive.jobs [-] Job 5 done")
    with logs.request_id_as("abc123"):
        record = logging.LogRecord("archive.jobs", logging.INFO, __file__, 1, "Job %s done", (5,), None)
        logs.RequestIdFilter().filter(record)
    assert "[abc123] Job 5 done" in logs.formatter("text").format(record)


def test_metrics_time_jobs_by_kind_and_count_storage_errors(app, app_config, profile, client) -> None:
    make_film("Timed", tracks={"en": srt((1, 2, "Across the river"))})  # runs an index_changes job
    with pytest.raises(StorageError):
        get_storage().size("media/ab/" + "ab" * 16)  # a missing object: not a storage failure
    text = client.get("/metrics").get_data(as_text=True)
    assert value(text, 'archive_job_duration_seconds_count{kind="index_changes",status="done"}') == 1
    assert value(text, 'archive_job_duration_seconds_sum{kind="index_changes",status="done"}') > 0
    assert "archive_storage_errors_total{" not in text

    config = dict(app_config, INSTANCE_PATH=app_config["INSTANCE_PATH"] + "-broken")
    if profile == "embedded":
        config["STORAGE_URL"] = "fs:" + os.path.join(config["INSTANCE_PATH"], "a-file")
        os.makedirs(config["INSTANCE_PATH"])
        Path(config["INSTANCE_PATH"], "a-file").write_text("a file where the storage folder should be")
        backend = "filesystem"
    else:
        config["STORAGE_URL"] = "s3://no-such-bucket-" + os.urandom(4).hex() + "/archive"
        backend = "s3"
    running = running_app(config, profile)
    broken = next(running)
    try:
        for _ in range(2):
            with pytest.raises(StorageError):
                get_storage().check()
        with pytest.raises(StorageError):
            list(get_storage().list("media/"))
        text = broken.test_client().get("/metrics").get_data(as_text=True)
        assert value(text, f'archive_storage_errors_total{{backend="{backend}",operation="check"}}') == 2
        assert value(text, f'archive_storage_errors_total{{backend="{backend}",operation="list"}}') == 1
    finally:
        with pytest.raises(StopIteration):
            next(running)


def test_readyz_answers_in_time_when_the_database_hangs(tmp_path) -> None:
    hole = BlackHole()
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test-secret",
              "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{hole.port}/archive",
              "READY_TIMEOUT_SECONDS": 1}
    running = running_app(config, "scaled")  # "scaled": no schema to create on a database that never answers
    application = next(running)
    try:
        client = application.test_client()
        for _ in range(2):  # the second probe finds the first one's check still waiting and does not wait again
            started = time.monotonic()
            response = client.get("/readyz")
            assert time.monotonic() - started < 2.5
            assert response.status_code == 503
            assert response.get_json()["failed"] == ["database"]
            assert response.get_json()["checks"] == {"database": "failed", "queue": "ok", "storage": "ok", "index": "ok"}
        assert hole.accepted  # it did reach the server, which never answered
    finally:
        hole.close()
        with pytest.raises(StopIteration):
            next(running)


SCRAPE_AFTER_A_CHILD_RAN_JOBS = """
import os
from archive import create_app
from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.jobs.operations import drain

application = create_app()
with application.app_context():
    db.create_all()
    catalogue.create_item({"kind": "film", "title": {"en": "Counted elsewhere"}, "visibility": "public"})
    db.engine.dispose()
child = os.fork()
if child == 0:  # another process of the machine, as a job worker is
    with create_app().app_context():
        drain()
    os._exit(0)
assert os.waitpid(child, 0)[1] == 0
print(application.test_client().get("/metrics").get_data(as_text=True))
"""


def test_one_scrape_adds_up_the_jobs_of_every_process_on_the_machine(tmp_path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, a job run by another process is counted in this process's /metrics."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "ARCHIVE_INSTANCE_PATH": str(tmp_path / "instance"),
           "ARCHIVE_SECRET_KEY": "test-secret"}
    scraped = subprocess.run([sys.executable, "-c", SCRAPE_AFTER_A_CHILD_RAN_JOBS], cwd=PROJECT, env=env,
                             capture_output=True, text=True, check=False)
    assert scraped.returncode == 0, scraped.stderr
    assert value(scraped.stdout, 'archive_job_duration_seconds_count{kind="index_changes",status="done"}') == 1
    assert any(name.startswith("histogram_") for name in os.listdir(folder))
