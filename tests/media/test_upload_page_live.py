"""What upload.js reads: each file's row as the page writes it, and a retry answered in JSON."""

from __future__ import annotations

from sqlalchemy import select

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain, enqueue
from tests.factories import attach_video, make_film


def failed_film():
    film = make_film("Broken original", "restricted")
    media = attach_video(film, content=b"not a film at all" * 10)
    job = enqueue("derive", {"media_id": media.id}, item_id=film.id)
    drain()
    db.session.expire_all()
    return film, media, db.session.get(Job, job.id)


def test_status_json_gives_each_files_row_with_the_reason_and_retry(app, client_as):
    film, media, job = failed_film()
    assert job.status == "failed"
    data = client_as("archivist").get(f"/manage/items/{film.id}/status.json").get_json()
    assert [m["id"] for m in data["media"]] == [media.id]
    row = data["rows"][str(media.id)]
    assert f'data-media="{media.id}"' in row and 'data-status="failed"' in row
    assert "failed:" in row and f'action="/manage/jobs/{job.id}/retry"' in row and ">Retry</button>" in row


def test_status_rows_in_the_readers_language(app, client_as):
    film, media, _ = failed_film()
    row = client_as("archivist").get(f"/manage/items/{film.id}/status.json?lang=ru").get_json()["rows"][str(media.id)]
    assert ">Retry<" not in row and "Скачать оригинал" in row


def test_retry_in_json_queues_again_without_a_flash_for_later(app, client_as):
    film, media, job = failed_film()
    browser = client_as("archivist")
    response = browser.post(f"/manage/jobs/{job.id}/retry", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "queued"
    page = browser.get(f"/manage/items/{film.id}/media").get_data(as_text=True)
    assert "Queued again." not in page
    assert db.session.scalar(select(Job.status).where(Job.id == job.id)) == "queued"


def test_retry_needs_staff(app, client_as):
    _, _, job = failed_film()
    assert client_as("venue").post(f"/manage/jobs/{job.id}/retry", headers={"Accept": "application/json"}).status_code == 403
