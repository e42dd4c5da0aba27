"""Deleted means gone: an item's objects are purged for sure, its links die, and a record says what went."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from archive.deletions import operations as deletions
from archive.deletions.models import DeletedObject, Deletion
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain, run_periodic
from archive.screenings.operations import decisions, reports, venues
from archive.storage import StorageError, get_storage
from tests.factories import add_subtitles, attach_video, book, make_film, make_licence, make_venue
from tests.fixtures.links import fetch
from tests.screenings.helpers import local_start

SECRET_TITLE = "Testimony of Aydan from the closed village"


def every_key() -> set[str]:
    return set(get_storage().list(""))


def follow(client, url: str) -> int:
    """Status of a link as a reader would follow it: an app path, the app's own host, or the S3 server."""
    parts = urlsplit(url)
    if parts.hostname in (None, "localhost"):
        return client.get(parts.path + (f"?{parts.query}" if parts.query else "")).status_code
    try:
        return fetch(client, url)[0]
    except Exception as exc:  # urllib raises on 4xx; the status is what counts
        return getattr(exc, "code", 599)


def gone(client, url: str) -> bool:
    """Whether a link no longer serves anything: 404 from the app; from S3, 404, or 403 where S3 answers a
    missing key so (AWS without list permission; moto for presigned links that name a content type)."""
    status = follow(client, url)
    return status == 404 or (urlsplit(url).hostname not in (None, "localhost") and status == 403)


def links_of(body: dict) -> list[str]:
    """Every media, derivative and subtitle link of an item as the API hands it out."""
    found = []
    for media in body["media"]:
        for value in media["derivatives"].values():
            found += value if isinstance(value, list) else [value]
        if media.get("original"):
            found.append(media["original"])
    found += [track["vtt_url"] for track in body["subtitles"]]
    return found


@pytest.fixture
def film_with_everything(app):
    """A film with an original, proxy, poster, storyboard sheets and track, and two subtitle tracks."""
    film = make_film(SECRET_TITLE, "public")
    attach_video(film, proxy=b"proxy bytes", poster=b"\xff\xd8poster", storyboard=3)
    add_subtitles(film, "en")
    add_subtitles(film, "hy")
    drain()
    return film


def test_deleting_an_item_leaves_no_object_in_storage_and_no_working_link(app, client, token_for,
                                                                          film_with_everything):
    staff = token_for("archivist")
    film_id = film_with_everything.id
    body = client.get(f"/api/v1/items/{film_id}", headers=staff).get_json()
    links = links_of(body)
    assert len(links) == 9  # proxy, poster, 3 sheets, sheet track, original, 2 subtitle files
    assert all(follow(client, url) == 200 for url in links)
    keys_before = every_key()
    assert len(keys_before) == 9

    assert client.delete(f"/api/v1/items/{film_id}", headers=staff).status_code == 204
    drain()

    assert every_key() == set()
    assert [url for url in links if not gone(client, url)] == []
    deletion = db.session.scalar(select(Deletion).where(Deletion.item_id == film_id))
    assert deletion.status == "purged" and deletion.deleted_by_email == "archivist@example.org"
    assert {obj.storage_key for obj in deletion.objects} == keys_before
    assert all(obj.purged_at is not None and obj.sha256 and obj.size for obj in deletion.objects)


def test_a_link_is_refused_as_soon_as_its_row_is_gone_even_before_the_purge(app, client, token_for, profile,
                                                                           film_with_everything):
    body = client.get(f"/api/v1/items/{film_with_everything.id}", headers=token_for("archivist")).get_json()
    proxy = body["media"][0]["derivatives"]["proxy"]
    assert follow(client, proxy) == 200
    client.delete(f"/api/v1/items/{film_with_everything.id}", headers=token_for("archivist"))
    if profile == "embedded":  # the app's own signed route checks the row; S3 answers for itself once purged
        assert follow(client, proxy) == 404
    drain()
    assert gone(client, proxy)


def test_deleting_from_the_manage_page_purges_too(app, client_as, film_with_everything):
    browser = client_as("admin")
    response = browser.post(f"/manage/items/{film_with_everything.id}/delete")
    assert response.status_code == 302
    drain()
    assert every_key() == set()
    deletion = db.session.scalar(select(Deletion))
    assert deletion.deleted_by_email == "admin@example.org" and deletion.status == "purged"


def test_the_deletion_record_never_holds_the_title_or_content_of_a_restricted_item(app, client, token_for):
    film = make_film(SECRET_TITLE, "restricted", description={"en": "She names the checkpoint guards."})
    attach_video(film, proxy=b"proxy bytes")
    add_subtitles(film, "en")
    drain()
    film_id = film.id
    client.delete(f"/api/v1/items/{film_id}", headers=token_for("archivist"))
    drain()
    rows = [*db.session.scalars(select(Deletion)), *db.session.scalars(select(DeletedObject))]
    assert len(rows) == 1 + 3
    written = " ".join(str(getattr(row, column.key)) for row in rows for column in row.__table__.columns)
    for secret in ("Aydan", "closed village", "checkpoint", "border.mp4", "Across the border", "film.en.srt"):
        assert secret not in written
    listing = client.get("/api/v1/deletions", headers=token_for("admin")).get_json()
    assert listing["total"] == 1 and listing["items"][0]["item_id"] == film_id
    assert [obj["role"] for obj in listing["items"][0]["objects"]] == ["original", "proxy", "subtitles"]
    shown = str(listing)
    assert "Aydan" not in shown and "checkpoint" not in shown and "border.mp4" not in shown
    assert len(db.session.scalar(select(Deletion)).objects[0].sha256) == 64


def test_a_storage_outage_fails_the_purge_with_a_reason_and_the_sweep_finishes_it(app, client, token_for,
                                                                                 film_with_everything, monkeypatch):
    storage = get_storage()
    keys = every_key()

    def storage_down(key):
        raise StorageError("Cannot delete: the storage service is unreachable.")

    monkeypatch.setattr(type(storage), "delete", lambda self, key: storage_down(key))
    client.delete(f"/api/v1/items/{film_with_everything.id}", headers=token_for("archivist"))
    drain()
    job = db.session.scalar(select(Job).where(Job.kind == deletions.PURGE_JOB))
    assert job.status == "failed"
    assert "9 of 9 stored objects" in job.error and "unreachable" in job.error and "tried again" in job.error
    assert every_key() == keys  # nothing silently left behind: the job says so and stays failed
    assert db.session.scalar(select(Deletion)).status == "purging"

    monkeypatch.undo()  # storage is back
    run_periodic()  # the sweep queues the resume job, which queues the failed purge again
    drain()
    drain()
    db.session.expire_all()
    assert every_key() == set()
    assert db.session.get(Job, job.id).status == "done"
    assert db.session.scalar(select(Deletion)).status == "purged"


def test_a_delete_that_leaves_the_object_behind_is_not_taken_for_done(app, client, token_for, monkeypatch):
    film = make_film("Stone bridge", "public")
    attach_video(film)
    storage = get_storage()
    monkeypatch.setattr(type(storage), "delete", lambda self, key: None)  # answers fine, deletes nothing
    client.delete(f"/api/v1/items/{film.id}", headers=token_for("archivist"))
    drain()
    job = db.session.scalar(select(Job).where(Job.kind == deletions.PURGE_JOB))
    assert job.status == "failed" and "still stored" in job.error


def test_an_item_without_objects_is_recorded_as_purged_with_no_job(app, client, token_for):
    film_id = make_film("Nothing stored", "public").id
    client.delete(f"/api/v1/items/{film_id}", headers=token_for("archivist"))
    deletion = db.session.scalar(select(Deletion))
    assert deletion.item_id == film_id and deletion.status == "purged" and deletion.objects == []
    assert db.session.scalar(select(Job).where(Job.kind == deletions.PURGE_JOB)) is None


def test_report_photos_of_the_item_screenings_are_purged_with_it(app, client, token_for, users):
    film = make_film("Screened", "public")
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    screening = book(users["venue"], film, venue, local_start(venue))
    decisions.approve(screening, users["archivist"])
    picture = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 60)).save(picture, "PNG")
    picture.seek(0)
    reports.file_report(screening, {"attendance": {"total": 12}}, users["venue"],
                        photos=[("hall.png", picture, "image/png")], now=screening.starts_at + timedelta(hours=3))
    assert len(every_key()) == 1
    client.delete(f"/api/v1/items/{film.id}", headers=token_for("archivist"))
    drain()
    assert every_key() == set()
    assert [obj.role for obj in db.session.scalar(select(Deletion)).objects] == ["report_photo"]


def test_an_item_is_deleted_even_while_storage_cannot_say_a_subtitle_file_s_checksum(app, client, token_for,
                                                                                   monkeypatch):
    film = make_film("Unreachable", "public")
    add_subtitles(film, "en")
    storage = get_storage()

    def down(self, key):
        raise StorageError("The storage service is unreachable.")

    monkeypatch.setattr(type(storage), "sha256_of", down)
    assert client.delete(f"/api/v1/items/{film.id}", headers=token_for("archivist")).status_code == 204
    monkeypatch.undo()
    drain()
    (obj,) = db.session.scalar(select(Deletion)).objects
    assert obj.role == "subtitles" and obj.sha256 is None and obj.purged_at is not None
    assert every_key() == set()
