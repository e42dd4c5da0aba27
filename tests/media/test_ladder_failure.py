"""A streaming ladder job that fails shows on the upload page and the item page for staff, with its reason and a Retry."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from sqlalchemy import select

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain, enqueue
from archive.media.models import MediaFile
from archive.media.operations import LADDER_JOB
from archive.storage import get_storage
from tests.factories import attach_video, make_film


@pytest.fixture(scope="module")
def small_film(tmp_path_factory) -> bytes:
    """Three seconds at 320×240 with sound: one rung of the ladder, made in a moment."""
    path = tmp_path_factory.mktemp("ladder-failure") / "small.mp4"
    subprocess.run([shutil.which("ffmpeg"), "-nostdin", "-v", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10:duration=3",
                    "-f", "lavfi", "-i", "sine=frequency=330:duration=3",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(path)],
                   check=True, timeout=120)
    return path.read_bytes()


def failed_ladder():
    """A film whose stored original is broken (an MP4 header, then nothing a decoder can read), and its failed ladder job."""
    film = make_film("Broken reel", "public")
    media = attach_video(film, content=b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x13" * 4000)
    db.session.commit()
    job = enqueue(LADDER_JOB, {"media_id": media.id}, item_id=film.id)
    drain()
    db.session.expire_all()
    return film, media, db.session.get(Job, job.id)


def test_a_failed_ladder_shows_with_its_reason_and_a_retry_that_makes_it(app, client, client_as, token_for, small_film):
    app.config.update(HLS_LADDER=True, HLS_SEGMENT_SECONDS=1)
    film, media, job = failed_ladder()
    assert job.status == "failed" and job.error
    staff = client_as("archivist")

    # The upload page's row (as status.json hands it to upload.js, and as the page itself writes it).
    data = staff.get(f"/manage/items/{film.id}/status.json").get_json()
    entry = data["media"][0]
    assert entry["streaming"]["id"] == job.id and entry["streaming"]["status"] == "failed"
    assert entry["streaming"]["error"] == job.error
    row = data["rows"][str(media.id)]
    assert 'data-streaming="failed"' in row
    assert "The versions for slow connections (adaptive streaming) could not be made: " in row
    assert f'action="/manage/jobs/{job.id}/retry"' in row and "Retry the versions for slow connections" in row
    page = staff.get(f"/manage/items/{film.id}/media").get_data(as_text=True)
    assert f'action="/manage/jobs/{job.id}/retry"' in page

    # The item's media status: staff see the failure and where to retry it; the public sees none of it.
    api_media = client.get(f"/api/v1/items/{film.id}", headers=token_for("archivist")).get_json()["media"][0]
    assert api_media["streaming"]["status"] == "failed" and api_media["streaming"]["error"] == job.error
    assert "streaming" not in client.get(f"/api/v1/items/{film.id}").get_json()["media"][0]
    item_page = staff.get(f"/items/{film.id}").get_data(as_text=True)
    assert "could not be made" in item_page and f'href="/manage/items/{film.id}/media"' in item_page
    assert "could not be made" not in client.get(f"/items/{film.id}").get_data(as_text=True)

    # In the reader's language.
    row_ru = staff.get(f"/manage/items/{film.id}/status.json?lang=ru").get_json()["rows"][str(media.id)]
    assert "could not be made" not in row_ru and "Retry the versions" not in row_ru
    assert "адаптивн" in row_ru

    # Retry, once the original is readable again: queued, shown as waiting, then made.
    good = get_storage().save(io.BytesIO(small_film), prefix="media/originals", content_type="video/mp4")
    db.session.get(MediaFile, media.id).storage_key = good.key
    db.session.commit()
    answer = staff.post(f"/manage/jobs/{job.id}/retry", headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "queued"
    row = staff.get(f"/manage/items/{film.id}/status.json?lang=en").get_json()["rows"][str(media.id)]
    assert 'data-streaming="queued"' in row and "could not be made" not in row and "/retry" not in row
    assert "Versions for slow connections: waiting to be processed" in row
    drain()
    assert db.session.scalar(select(Job.status).where(Job.id == job.id)) == "done"
    data = staff.get(f"/manage/items/{film.id}/status.json").get_json()
    assert data["media"][0]["streaming"]["status"] == "done"
    assert 'data-streaming="done"' in data["rows"][str(media.id)] and "slow connections" not in data["rows"][str(media.id)]
    assert client.get(f"/api/v1/items/{film.id}").get_json()["media"][0]["renditions"] == [{"width": 320, "height": 240}]
