"""From upload to previews: the derivation job with the real ffmpeg and Pillow, end to end."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from PIL import Image
from sqlalchemy import func, select

from archive.catalogue.models import Item
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain, retry
from archive.media.models import Derivative, MediaFile
from archive.storage import get_storage
from tests.factories import make_film, make_photo
from tests.fixtures.links import fetch
from tests.fixtures.worker import start_worker, wait_for


def upload(client, token_for, item, path, name=None):
    response = client.post(f"/api/v1/items/{item.id}/media?filename={name or path.name}",
                           headers=token_for("archivist"), data=path.read_bytes(),
                           content_type="application/octet-stream")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def film(app):
    return make_film("The Border", "public")


def test_film_gets_metadata_poster_storyboard_and_a_seekable_proxy(app, client, token_for, film, samples):
    media_id = upload(client, token_for, film, samples["film"])["id"]
    drain()
    body = client.get(f"/api/v1/items/{film.id}").get_json()
    media = body["media"][0]
    assert media["status"] == "ready", media["job"]
    assert body["duration"] == pytest.approx(3.0, abs=0.2)
    assert media["technical"]["video_codec"] == "h264" and media["technical"]["width"] == 320
    assert {"poster", "storyboard", "storyboard_vtt", "proxy"} <= set(media["derivatives"])

    status, poster = fetch(client, media["derivatives"]["poster"])
    assert status == 200 and poster[:3] == b"\xff\xd8\xff"
    # The proxy answers byte ranges, so the player can seek.
    status, part = fetch(client, media["derivatives"]["proxy"], {"Range": "bytes=0-99"})
    assert status == 206 and len(part) == 100 and part[4:8] == b"ftyp"

    track = client.get(media["derivatives"]["storyboard_vtt"])
    assert track.status_code == 200 and track.mimetype == "text/vtt"
    text = track.get_data(as_text=True)
    assert text.startswith("WEBVTT") and "#xywh=" in text
    sprite_url = text.split("\n")[3].split("#xywh=")[0]
    status, sprite = fetch(client, sprite_url)
    assert status == 200 and sprite[:3] == b"\xff\xd8\xff"

    page = client.get(f"/items/{film.id}").get_data(as_text=True)
    assert "<video" in page and "poster=" in page
    assert db.session.get(MediaFile, media_id).duration_seconds == pytest.approx(3.0, abs=0.2)


def test_running_the_job_again_replaces_derivatives_without_leftovers(app, client, token_for, film, samples):
    media_id = upload(client, token_for, film, samples["film"])["id"]
    drain()
    job = db.session.scalar(select(Job).where(Job.kind == "derive"))
    first = {d.kind: d.storage_key for d in db.session.scalars(select(Derivative))}
    retry(job)
    drain()
    db.session.expire_all()
    rows = db.session.scalars(select(Derivative).where(Derivative.media_id == media_id)).all()
    assert {d.kind: d.storage_key for d in rows}.keys() == first.keys()
    assert sorted(get_storage().list("derivatives")) == sorted(d.storage_key for d in rows)


def test_cut_off_film_fails_with_the_reason(app, client, token_for, film, samples):
    upload(client, token_for, film, samples["truncated"])
    drain()
    job = db.session.scalar(select(Job).where(Job.kind == "derive"))
    assert job.status == "failed"
    assert job.error.startswith("truncated.mp4 looks like a MP4 film, but it cannot be read. Technical detail: "), job.error
    assert job.error_code == "film_unreadable" and job.error_params["name"] == "truncated.mp4"
    assert "Unexpected error" not in job.error
    assert db.session.scalar(select(func.count(Derivative.id))) == 0
    page = client.get(f"/items/{film.id}").get_data(as_text=True)
    assert "could not be processed" in page


def test_missing_ffmpeg_fails_the_job_and_retry_works_once_fixed(app, client, token_for, film, samples):
    upload(client, token_for, film, samples["film"])
    app.config["FFMPEG"] = "/nonexistent/ffmpeg"
    drain()
    job = db.session.scalar(select(Job).where(Job.kind == "derive"))
    assert job.status == "failed" and "ffmpeg" in job.error and "/nonexistent/ffmpeg" in job.error
    app.config["FFMPEG"] = None
    retry(job)
    drain()
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "done"


def test_embedded_subtitles_become_tracks(app, client, token_for, film, tmp_path, samples):
    subtitled = tmp_path / "subtitled.mp4"
    srt = tmp_path / "hy.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:02,000\nԲարև, սահման\n", encoding="utf-8")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(samples["film"]), "-i", str(srt), "-map", "0",
                    "-map", "1", "-c", "copy", "-c:s", "mov_text", "-metadata:s:s:0", "language=hye",
                    str(subtitled)], check=True, timeout=60)
    upload(client, token_for, film, subtitled)
    drain()
    tracks = client.get(f"/api/v1/items/{film.id}").get_json()["subtitles"]
    assert [t["lang"] for t in tracks] == ["hy"]
    assert drain() >= 0
    hits = client.get("/api/v1/search?q=սահման").get_json()
    assert [item["id"] for item in hits["items"]] == [film.id]


def test_photo_derivatives_carry_no_location(app, client, token_for, tmp_path):
    photo = make_photo("Checkpoint", "public")
    original = tmp_path / "gps.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the derivative must come out upright
    exif[0x8825] = {1: "N", 2: (40.0, 10.0, 30.0), 3: "E", 4: (44.0, 30.0, 0.0)}
    Image.new("RGB", (400, 200), (20, 120, 60)).save(original, exif=exif)
    upload(client, token_for, photo, original)
    drain()
    media = client.get(f"/api/v1/items/{photo.id}").get_json()["media"][0]
    assert media["status"] == "ready"
    status, data = fetch(client, media["derivatives"]["display"])
    display_path = tmp_path / "display.jpg"
    display_path.write_bytes(data)
    with Image.open(display_path) as display:
        assert display.size == (200, 400)  # orientation applied
        assert not display.getexif()  # no EXIF at all, so no GPS
    assert "GPS" not in str(media["technical"]) and "40.0" not in str(media["technical"])
    # The original is kept as uploaded, location and all, for staff.
    staff = client.get(f"/api/v1/items/{photo.id}", headers=token_for("archivist")).get_json()["media"][0]
    assert fetch(client, staff["original"])[1] == original.read_bytes()


def test_restricted_film_previews_cannot_be_reached_by_the_public(app, client, token_for, samples):
    secret = make_film("Witness", "restricted")
    media_id = upload(client, token_for, secret, samples["film"])["id"]
    drain()
    assert client.get(f"/items/{secret.id}").status_code == 404
    assert client.get(f"/api/v1/items/{secret.id}").status_code == 404
    assert client.get(f"/items/{secret.id}/media/{media_id}/storyboard.vtt").status_code == 404
    staff = client.get(f"/api/v1/items/{secret.id}", headers=token_for("archivist")).get_json()
    assert staff["media"][0]["status"] == "ready"
    forged = staff["media"][0]["derivatives"]["poster"]
    if forged.startswith("/files/"):
        assert client.get(forged[:-3] + "xyz").status_code == 403  # tampered links do not open


def test_worker_killed_mid_job_leads_to_the_job_being_run_again(app, client, token_for, samples, tmp_path):
    item = make_film("Long take", "restricted")
    upload(client, token_for, item, samples["long_film"])
    job = db.session.scalar(select(Job).where(Job.kind == "derive"))
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        assert wait_for(job, {"running", "done", "failed"}) == "running"
        deadline = time.monotonic() + 60
        while db.session.get(Job, job.id).progress < 25 and time.monotonic() < deadline:  # into the proxy
            time.sleep(0.05)
            db.session.expire_all()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        db.session.expire_all()
        assert db.session.get(Job, job.id).status == "running"  # the dead worker's job is not lost ...
    finally:
        if worker.poll() is None:
            worker.kill()
    worker = start_worker(app, tmp_path / "worker.log")
    try:  # ... a new worker takes it up once its heartbeat is stale (3 s here)
        assert wait_for(job, {"done", "failed"}, seconds=180) == "done", db.session.get(Job, job.id).error
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    finished = db.session.get(Job, job.id)
    assert finished.attempts == 2
    assert db.session.get(Item, item.id).duration_seconds == pytest.approx(40, abs=0.5)
