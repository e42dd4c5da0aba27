"""Uploading originals: streamed, hashed, typed by content; bad uploads leave nothing behind."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from archive import create_app
from archive.auth.operations import create_user, issue_token
from archive.extensions import db
from archive.jobs.models import Job
from archive.media.ingest import clean_filename
from archive.media.models import MediaFile
from archive.storage import get_storage
from tests.factories import make_film, make_photo


@pytest.fixture
def film_item(app):
    return make_film("The Border", "public")


@pytest.fixture
def photo_item(app):
    return make_photo("Portrait", "public")


def upload(client, headers, item_id, data: bytes, filename="border.mp4"):
    return client.post(f"/api/v1/items/{item_id}/media?filename={filename}", headers=headers, data=data,
                       content_type="application/octet-stream")


def stored_keys() -> list[str]:
    return list(get_storage().list("originals"))


def test_upload_stores_original_with_its_sha256_and_queues_processing(client, token_for, film_item, samples):
    data = samples["film"].read_bytes()
    response = upload(client, token_for("archivist"), film_item.id, data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["size"] == len(data) and body["kind"] == "video" and body["mime"] == "video/mp4"
    assert body["job"]["status"] == "queued" and body["job"]["kind"] == "derive"
    media = db.session.get(MediaFile, body["id"])
    assert "border" not in media.storage_key  # keys are generated, never the user's name
    with get_storage().open(media.storage_key) as handle:
        assert handle.read() == data
    assert get_storage().sha256_of(media.storage_key) == body["sha256"]
    item = client.get(f"/api/v1/items/{film_item.id}", headers=token_for("archivist")).get_json()
    assert item["media"][0]["status"] == "queued"


def test_photo_is_typed_by_content_not_name(client, token_for, photo_item, samples):
    response = upload(client, token_for("archivist"), photo_item.id, samples["photo"].read_bytes(), "scan.mp4")
    assert response.status_code == 201
    assert response.get_json()["mime"] == "image/jpeg"


@pytest.mark.parametrize(
    ("sample", "fragment"),
    [("empty", "empty (0 bytes)"), ("text", "not a film or photograph")],
)
def test_bad_files_are_refused_and_nothing_is_stored(client, token_for, film_item, samples, sample, fragment):
    response = upload(client, token_for("archivist"), film_item.id, samples[sample].read_bytes())
    assert response.status_code == 422
    assert fragment in response.get_json()["error"]["message"]
    assert stored_keys() == []
    assert db.session.scalar(select(func.count(MediaFile.id))) == 0
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == "derive")) == 0


def test_photo_on_a_film_item_is_refused(client, token_for, film_item, samples):
    response = upload(client, token_for("archivist"), film_item.id, samples["photo"].read_bytes(), "x.jpg")
    assert response.status_code == 422
    assert "item is a film" in response.get_json()["error"]["message"]
    assert stored_keys() == []


def test_duplicate_upload_names_the_item_that_holds_it(client, token_for, film_item, samples):
    data = samples["film"].read_bytes()
    assert upload(client, token_for("archivist"), film_item.id, data).status_code == 201
    other = make_film("Copy", "restricted")
    response = upload(client, token_for("archivist"), other.id, data)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicate" and f"item {film_item.id}" in error["message"] and "The Border" in error["message"]
    assert len(stored_keys()) == 1


def test_upload_over_the_limit_is_refused_while_streaming(app, client, token_for, film_item, samples):
    app.config["MAX_UPLOAD_BYTES"] = 10_000
    data = samples["film"].read_bytes()
    assert len(data) > 10_000

    # Chunked, without Content-Length: the limit must hold while the body streams in.
    response = client.post(f"/api/v1/items/{film_item.id}/media?filename=big.mp4",
                           headers={**token_for("archivist"), "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True},
                           input_stream=io.BytesIO(data), content_type="application/octet-stream")
    assert response.status_code == 413
    assert "larger than this archive accepts" in response.get_json()["error"]["message"]
    assert stored_keys() == []
    assert db.session.scalar(select(func.count(MediaFile.id))) == 0


def test_announced_oversize_is_refused_before_reading(app, client, token_for, film_item):
    app.config["MAX_UPLOAD_BYTES"] = 100
    response = upload(client, token_for("archivist"), film_item.id, b"\x00" * 101)
    assert response.status_code == 413


def test_upload_needs_a_file_name_and_an_existing_item(client, token_for, film_item, samples):
    headers = token_for("archivist")
    assert client.post(f"/api/v1/items/{film_item.id}/media", headers=headers, data=b"x").status_code == 400
    assert upload(client, headers, 999999, samples["film"].read_bytes()).status_code == 404


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("a\x00b.mp4", "ab.mp4"),
        ("C:\\Users\\ani\\film.mov", "film.mov"),
        ("x" * 300 + ".mp4", "x" * 196 + ".mp4"),
        ("🎬🎥", "🎬🎥"),
        ("...", "upload"),
        ("", "upload"),
    ],
)
def test_file_names_are_cleaned_for_display(raw, expected):
    assert clean_filename(raw) == expected


def test_odd_file_name_is_kept_only_as_a_display_name(client, token_for, film_item, samples):
    response = upload(client, token_for("archivist"), film_item.id, samples["film"].read_bytes(),
                      "..%2F..%2Fevil%00name.mp4")
    assert response.status_code == 201
    media = db.session.get(MediaFile, response.get_json()["id"])
    assert media.filename == "evilname.mp4"
    assert media.storage_key.startswith("originals/")


def test_s3_going_down_mid_upload_is_503_and_leaves_no_row(app_config, profile, samples, s3_relay):
    """The S3 server goes away (its relay is cut) while the body streams in; the upload fails cleanly."""
    application = create_app({**app_config, "STORAGE_URL": f"s3://{s3_relay.bucket}/media"})
    with application.app_context():
        if profile == "embedded":
            db.create_all()
        item = make_film("x", "restricted")
        token = issue_token(create_user("a@example.org", "long enough password", "archivist"))
        data = samples["film"].read_bytes()

        class StopsServerMidway(io.BytesIO):
            """Cuts the way to the S3 server once the first part of the body has been read."""

            def _stop_after_start(self):
                if self.tell() > 0:
                    s3_relay.cut()

            def read(self, size=-1):
                self._stop_after_start()
                return super().read(size if 0 < size <= 8192 else 8192)

            def readinto(self, buffer):
                self._stop_after_start()
                return super().readinto(memoryview(buffer)[:8192])

        response = application.test_client().post(
            f"/api/v1/items/{item.id}/media?filename=f.mp4", headers={"Authorization": f"Bearer {token}"},
            input_stream=StopsServerMidway(data), content_type="application/octet-stream")
        assert response.status_code == 503, response.get_data(as_text=True)
        error = response.get_json()["error"]
        assert error["code"] == "storage_unavailable" and s3_relay.endpoint in error["message"]
        assert db.session.scalar(select(func.count(MediaFile.id))) == 0
        assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == "derive")) == 0
        db.session.remove()
        db.engine.dispose()


def test_database_failing_after_the_object_is_stored_leaves_no_object(client, token_for, film_item, samples,
                                                                     monkeypatch):
    from sqlalchemy.exc import OperationalError

    from archive.media import ingest

    def database_gone(sha256):
        raise OperationalError("SELECT media_files", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(ingest, "find_duplicate", database_gone)
    response = upload(client, token_for("archivist"), film_item.id, samples["film"].read_bytes())
    assert response.status_code >= 500
    assert stored_keys() == []
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0


def test_sizes_of_many_gigabytes_are_recorded(app):
    """A feature film's original and its screening master pass 2 GiB, more than a 32-bit column holds."""
    from archive.media.models import Derivative
    from tests.factories import attach_video

    media = attach_video(make_film("Feature length"), proxy=b"proxy bytes")
    proxy = db.session.scalar(select(Derivative).where(Derivative.media_id == media.id))
    media.size, proxy.size = 48 * 2**30, 5 * 2**30 + 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(MediaFile, media.id).size == 48 * 2**30
    assert db.session.get(Derivative, proxy.id).size == 5 * 2**30 + 1
