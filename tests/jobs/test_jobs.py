"""Jobs: rows with status and progress, run once, retried, recovered; a real worker on both queues."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import (
    HANDLERS,
    RETRIED,
    JobFailed,
    drain,
    enqueue,
    execute,
    handler,
    requeue_stale,
    retried,
    retry,
    retry_failed,
    run_periodic,
)
from archive.media.models import MediaFile
from archive.storage import get_storage
from archive.timeutil import utcnow
from tests.factories import make_photo
from tests.fixtures.links import fetch
from tests.fixtures.worker import start_worker, wait_for


@pytest.fixture
def stored_photo(app, samples):
    """A photo item with its original in storage, recorded without queueing anything."""
    item = make_photo("Portrait", "restricted")
    with open(samples["photo"], "rb") as handle:
        stored = get_storage().save(handle, prefix="originals")
    media = MediaFile(item_id=item.id, kind="image", storage_key=stored.key, filename="portrait.jpg",
                      size=stored.size, sha256=stored.sha256, mime="image/jpeg")
    db.session.add(media)
    db.session.commit()
    return media


def test_queued_job_runs_through_the_queue_and_records_its_result(stored_photo):
    job = enqueue("fixity", {"all": True})
    assert job.status == "queued"
    assert drain() >= 1  # with the search index job queued for the new item
    db.session.refresh(job)
    assert job.status == "done" and job.progress == 100 and job.attempts == 1
    assert job.result["checked"] == 1 and job.result["ok"] == 1


def test_a_job_delivered_twice_runs_once(stored_photo):
    job = enqueue("fixity", {"all": True})
    assert execute(job.id) == "done"
    assert execute(job.id) is None
    db.session.refresh(job)
    assert job.attempts == 1


def test_failure_is_recorded_with_its_reason_and_retry_runs_it_again(stored_photo):
    get_storage().delete(stored_photo.storage_key)
    job = enqueue("derive", {"media_id": stored_photo.id}, item_id=stored_photo.item_id)
    drain()
    db.session.refresh(job)
    assert job.status == "failed"
    assert stored_photo.storage_key in job.error
    retry(job)
    assert job.status == "queued" and job.error == ""
    drain()
    db.session.refresh(job)
    assert job.status == "failed" and job.attempts == 2


def test_job_of_a_crashed_worker_is_run_again(app, stored_photo):
    job = enqueue("fixity", {"all": True})
    huey = app.extensions["queue"].huey
    huey.flush()  # the message is gone with the worker that took it
    job.status, job.attempts = "running", 1
    job.heartbeat_at = utcnow() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 5)
    db.session.commit()
    assert requeue_stale() == 1
    drain()
    db.session.refresh(job)
    assert job.status == "done" and job.attempts == 2


def test_running_job_with_a_fresh_heartbeat_is_left_alone(app, stored_photo):
    job = enqueue("fixity", {"all": True})
    job.status, job.heartbeat_at = "running", utcnow()
    db.session.commit()
    assert execute(job.id) is None
    with pytest.raises(ValueError, match="running now"):
        retry(job)


def test_periodic_jobs_are_queued_once_per_interval(app, stored_photo):
    first = run_periodic()
    assert sorted(job.kind for job in first) == [
        "fixity", "resume_purges", "sweep_subtitle_previews", "sweep_uploads", "sweep_work_folders"]
    assert run_periodic() == []


def test_a_kind_that_retries_runs_again_after_its_wait_and_stops_at_its_limit(app):
    runs = []

    def flaky(job, progress):
        runs.append(job.id)
        raise JobFailed("The service is still down.")

    handler("flaky_for_test")(flaky)
    retried("flaky_for_test", after=timedelta(minutes=5), attempts=2)
    try:
        job = enqueue("flaky_for_test")
        drain()
        db.session.expire_all()
        assert (job.status, job.attempts, job.error) == ("failed", 1, "The service is still down.")
        assert retry_failed() == []  # its wait is not over
        job.finished_at = utcnow() - timedelta(minutes=6)
        db.session.commit()
        assert [j.id for j in retry_failed()] == [job.id]
        drain()
        db.session.expire_all()
        assert (job.status, job.attempts, len(runs)) == ("failed", 2, 2)
        job.finished_at = utcnow() - timedelta(minutes=6)
        db.session.commit()
        assert retry_failed() == []  # two runs in all, as the kind asked
    finally:
        HANDLERS.pop("flaky_for_test", None)
        RETRIED.pop("flaky_for_test", None)


def test_jobs_api_lists_by_item_and_retries(client, token_for, stored_photo):
    get_storage().delete(stored_photo.storage_key)
    job = enqueue("derive", {"media_id": stored_photo.id}, item_id=stored_photo.item_id)
    drain()
    headers = token_for("archivist")
    listed = client.get(f"/api/v1/jobs?item={stored_photo.item_id}&status=failed", headers=headers).get_json()
    assert [(j["id"], j["kind"]) for j in listed["items"]] == [(job.id, "derive")]
    assert listed["items"][0]["error"]
    assert client.get("/api/v1/jobs?item=abc", headers=headers).status_code == 400
    assert client.get("/api/v1/jobs?status=lost", headers=headers).status_code == 400
    retried = client.post(f"/api/v1/jobs/{job.id}/retry", headers=headers).get_json()
    assert retried["status"] == "queued"
    assert client.post("/api/v1/jobs/999999/retry", headers=headers).status_code == 404


def test_jobs_cli_lists_retries_and_drains(app, stored_photo):
    get_storage().delete(stored_photo.storage_key)
    job = enqueue("derive", {"media_id": stored_photo.id}, item_id=stored_photo.item_id)
    runner = app.test_cli_runner()
    assert "Ran 2 task(s)" in runner.invoke(args=["jobs", "drain"]).output  # derive, and the item's index job
    db.session.expire_all()  # the job ran in the worker's own app context and session
    listing = runner.invoke(args=["jobs", "list", "--status", "failed"]).output
    assert f"{job.id}\tderive" in listing and "failed" in listing
    result = runner.invoke(args=["jobs", "retry", str(job.id)])
    assert result.exit_code == 0 and "Queued job" in result.output
    assert runner.invoke(args=["jobs", "retry", "424242"]).exit_code == 1


def test_a_real_worker_process_runs_queued_jobs(app, stored_photo, tmp_path):
    job = enqueue("fixity", {"all": True})
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        assert wait_for(job, {"done", "failed"}) == "done", (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    db.session.expire_all()
    assert db.session.get(Job, job.id).result["ok"] == 1


def test_queued_jobs_survive_a_worker_restart(app, stored_photo, tmp_path):
    worker = start_worker(app, tmp_path / "worker.log")
    time.sleep(1)
    worker.terminate()
    worker.wait(timeout=30)
    job = enqueue("fixity", {"all": True})  # queued while no worker runs
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        assert wait_for(job, {"done", "failed"}) == "done", (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_upload_then_worker_makes_photo_derivatives(app, client, token_for, samples, tmp_path):
    item = make_photo("Portrait", "public")
    response = client.post(f"/api/v1/items/{item.id}/media?filename=p.jpg", headers=token_for("archivist"),
                           data=samples["photo"].read_bytes(), content_type="application/octet-stream")
    assert response.status_code == 201
    job = db.session.scalar(select(Job).where(Job.item_id == item.id, Job.kind == "derive"))
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        assert wait_for(job, {"done", "failed"}) == "done", db.session.get(Job, job.id).error
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    body = client.get(f"/api/v1/items/{item.id}").get_json()
    media = body["media"][0]
    assert media["status"] == "ready"
    assert {"display", "thumbnail"} <= set(media["derivatives"])
    assert "original" not in media  # the public never gets originals
    status, data = fetch(client, media["derivatives"]["display"])
    assert status == 200 and data[:3] == b"\xff\xd8\xff"

