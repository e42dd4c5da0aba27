"""Resumable uploads over tus 1.0: chunked uploads end exactly as one-shot ones; bad requests are refused clearly."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError
from tusclient.uploader import Uploader

from archive.auth.operations import issue_token
from archive.extensions import db
from archive.jobs.models import Job
from archive.media import resumable
from archive.media.models import MediaFile, Upload
from archive.storage import get_storage
from tests.factories import make_film, make_photo

MiB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


class Sha256Uploader(Uploader):
    """tuspy's uploader, sending each chunk's SHA-256 (tuspy's default is SHA-1)."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def film_item(app):
    return make_film("The Border", "public")


@pytest.fixture
def big_film(samples, tmp_path):
    """A real film padded to 12 MiB: more than one S3 part (8 MiB), so chunks are buffered into parts."""
    path = tmp_path / "crossing.mp4"
    data = samples["film"].read_bytes()
    path.write_bytes(data + hashlib.sha256(data).digest() * ((12 * MiB - len(data)) // 32))
    return path


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def metadata(item_id, filename="film.mp4") -> str:
    return f"item_id {b64(str(item_id))},filename {b64(filename)}"


def create(client, headers, item_id, length, filename="film.mp4"):
    return client.post("/api/v1/uploads", headers={**TUS, **headers, "Upload-Length": str(length),
                                                    "Upload-Metadata": metadata(item_id, filename)})


def patch(client, headers, location, offset, data: bytes, **extra):
    return client.patch(location, data=data, headers={**TUS, **headers, "Upload-Offset": str(offset),
                                                      "Content-Type": "application/offset+octet-stream", **extra})


def uploader(live_server, headers, path, item_id, chunk_size=3 * MiB):
    client = tus_client.TusClient(f"{live_server}/api/v1/uploads", headers=headers)
    return Sha256Uploader(file_path=str(path), client=client, chunk_size=chunk_size, upload_checksum=True,
                          metadata={"item_id": str(item_id), "filename": path.name})


def test_tuspy_upload_in_chunks_gives_the_item_its_original_as_a_one_shot_upload_does(
        app, live_server, token_for, film_item, big_film):
    headers = token_for("archivist")
    upload = uploader(live_server, headers, big_film, film_item.id)
    upload.upload_chunk()
    upload.upload_chunk()
    row = db.session.scalar(select(Upload))
    assert row.offset == 6 * MiB and row.head[:8] == big_film.read_bytes()[:8]
    assert get_storage().exists(row.storage_key) is False  # nothing visible before the last byte
    upload.upload()
    data = big_film.read_bytes()
    db.session.expire_all()
    media = db.session.scalar(select(MediaFile))
    assert (media.item_id, media.kind, media.mime, media.size, media.filename) == (
        film_item.id, "video", "video/mp4", len(data), "crossing.mp4")
    assert media.sha256 == hashlib.sha256(data).hexdigest() == get_storage().sha256_of(media.storage_key)
    with get_storage().open(media.storage_key) as handle:
        assert handle.read() == data
    job = db.session.scalar(select(Job).where(Job.kind == "derive"))
    assert job.payload["media_id"] == media.id and job.item_id == film_item.id and job.status == "queued"
    assert job.payload.get("request_id")  # the last chunk's request, as any job a request queues
    # The same bytes once more, one-shot: the same duplicate check refuses them.
    again = app.test_client().post(f"/api/v1/items/{film_item.id}/media?filename=again.mp4", data=data,
                                   headers=headers, content_type="application/octet-stream")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    # A client that lost the last answer asks again: the upload is complete.
    head = app.test_client().head(upload.url.replace(live_server, ""), headers={**TUS, **headers})
    assert head.headers["Upload-Offset"] == str(len(data)) and head.headers["Tus-Resumable"] == "1.0.0"


def test_options_tells_the_protocol(client):
    response = client.options("/api/v1/uploads")
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {"creation", "termination", "expiration", "checksum"}
    assert "sha256" in response.headers["Tus-Checksum-Algorithm"].split(",")
    assert int(response.headers["Tus-Max-Size"]) > 0


def test_head_gives_the_offset_and_delete_frees_the_storage(client, token_for, film_item, samples, profile):
    headers = token_for("archivist")
    data = samples["film"].read_bytes()
    created = create(client, headers, film_item.id, len(data))
    assert created.status_code == 201 and created.headers["Tus-Resumable"] == "1.0.0"
    location = created.headers["Location"]
    assert "Upload-Expires" in created.headers
    assert patch(client, headers, location, 0, data[:5000]).status_code == 204
    head = client.head(location, headers={**TUS, **headers})
    assert head.status_code == 200
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("5000", str(len(data)))
    assert head.headers["Cache-Control"] == "no-store"
    row = db.session.scalar(select(Upload))
    assert client.delete(location, headers={**TUS, **headers}).status_code == 204
    assert db.session.scalar(select(Upload)) is None
    assert client.head(location, headers={**TUS, **headers}).status_code == 404
    if profile == "embedded":
        storage = get_storage()
        assert not os.path.exists(storage._partial_path(row.storage_key))
        assert list(storage.list("originals")) == []
    else:
        assert not _multipart_uploads(row.storage_key)


def _multipart_uploads(key: str | None = None) -> list[dict]:
    storage = get_storage()
    found = storage._client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", [])
    return [u for u in found if key is None or u["Key"].endswith(key)]


def test_checksum_mismatch_is_460_and_keeps_nothing_of_the_chunk(client, token_for, film_item, samples):
    headers = token_for("archivist")
    data = samples["film"].read_bytes()
    location = create(client, headers, film_item.id, len(data)).headers["Location"]
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    response = patch(client, headers, location, 0, data[:8000], **{"Upload-Checksum": f"sha256 {wrong}"})
    assert response.status_code == 460 and response.get_json()["error"]["code"] == "checksum_mismatch"
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert client.head(location, headers={**TUS, **headers}).headers["Upload-Offset"] == "0"
    right = base64.b64encode(hashlib.sha256(data).digest()).decode()
    response = patch(client, headers, location, 0, data, **{"Upload-Checksum": f"sha256 {right}"})
    assert response.status_code == 204, response.get_data(as_text=True)
    media = db.session.get(MediaFile, int(response.headers["Upload-Media-Id"]))
    assert media.sha256 == hashlib.sha256(data).hexdigest()


def test_expired_upload_is_410_and_the_sweep_aborts_its_storage(app, client, token_for, film_item, samples, profile):
    headers = token_for("archivist")
    data = samples["film"].read_bytes()
    location = create(client, headers, film_item.id, len(data)).headers["Location"]
    assert patch(client, headers, location, 0, data[:6000]).status_code == 204
    row = db.session.scalar(select(Upload))
    key = row.storage_key
    if profile == "scaled":
        assert _multipart_uploads(key)
    row.expires_at -= timedelta(hours=25)
    db.session.commit()
    response = patch(client, headers, location, 6000, data[6000:])
    assert response.status_code == 410 and response.get_json()["error"]["code"] == "expired"
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert resumable.sweep() == 1
    assert db.session.scalar(select(Upload)) is None
    if profile == "scaled":
        assert _multipart_uploads() == []
    else:
        folder = get_storage()._path(key).rsplit("/", 1)[0]
        assert [name for name in os.listdir(folder)] == []


BAD_CREATIONS = [
    ("Upload-Metadata", None, 400, "Upload-Metadata"),
    ("Upload-Metadata", "item_id !!!notbase64", 400, "base64"),
    ("Upload-Metadata", f"item_id {b64('1')}", 400, "filename"),
    ("Upload-Metadata", f"filename {b64('a.mp4')}", 400, "item_id"),
    ("Upload-Metadata", f"item_id {b64('x1')},filename {b64('a.mp4')}", 400, "item_id"),
    ("Upload-Metadata", f"item_id {b64('1')},item_id {b64('1')}", 400, "twice"),
    ("Upload-Metadata", f"item_id {b64('1')},filename {b64('a' + chr(0) + '.mp4')}", 400, "NUL"),
    ("Upload-Metadata", f"item_id {b64('99999')},filename {b64('a.mp4')}", 404, "99999"),
    ("Upload-Metadata", f"item_id {base64.b64encode(bytes([255, 254])).decode()},filename {b64('a')}", 400, "UTF-8"),
    ("Upload-Length", "-5", 400, "Upload-Length"),
    ("Upload-Length", "12abc", 400, "Upload-Length"),
    ("Upload-Length", None, 400, "Upload-Length"),
    ("Upload-Length", "9" * 40, 400, "Upload-Length"),
    ("Upload-Length", str(10**15), 413, ""),
    ("Upload-Length", "0", 422, "empty"),
    ("Tus-Resumable", "0.2.2", 412, "1.0.0"),
    ("Tus-Resumable", None, 412, "Tus-Resumable"),
    ]
def test_bad_creation_requests_are_refused_with_what_to_fix(client, token_for, film_item):
    token = token_for("archivist")
    for header, value, status, words in BAD_CREATIONS:
        headers = {**TUS, **token, "Upload-Length": "1000", "Upload-Metadata": metadata(film_item.id)}
        if value is None:
            del headers[header]
        else:
            headers[header] = value
        response = client.post("/api/v1/uploads", headers=headers)
        assert response.status_code == status, (header, value, response.get_data(as_text=True))
        assert words in response.get_json()["error"]["message"], (header, value)
        assert response.headers["Tus-Resumable"] == "1.0.0"
    assert db.session.scalar(select(Upload)) is None


def test_bad_chunks_are_refused_and_the_upload_goes_on(client, token_for, film_item, samples):
    headers = token_for("archivist")
    data = samples["film"].read_bytes()
    location = create(client, headers, film_item.id, len(data)).headers["Location"]
    cases = [
        (patch(client, headers, location, 100, data[:10]), 409, "offset_mismatch"),
        (patch(client, headers, location, "ten", data[:10]), 400, "invalid_upload"),
        (patch(client, headers, location, -1, data[:10]), 400, "invalid_upload"),
        (patch(client, headers, location, 0, data + b"x"), 413, "past_length"),
        (patch(client, headers, location, 0, data[:10], **{"Content-Type": "application/octet-stream"}), 415,
         "content_type"),
        (patch(client, headers, location, 0, data[:10], **{"Upload-Checksum": "md5 AAAA"}), 400, "invalid_upload"),
        (patch(client, headers, location, 0, data[:10], **{"Upload-Checksum": "sha256 @@@"}), 400, "invalid_upload"),
        (patch(client, headers, location, 0, data[:10], **{"Tus-Resumable": "2.0.0"}), 412, "tus_version"),
        (patch(client, headers, "/api/v1/uploads/" + "0" * 32, 0, data[:10]), 404, "not_found"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
        assert response.headers["Tus-Resumable"] == "1.0.0"
    assert client.head(location, headers={**TUS, **headers}).headers["Upload-Offset"] == "0"
    assert patch(client, headers, location, 0, data).status_code == 204


def test_garbage_or_the_wrong_kind_cancels_the_upload_once_its_first_bytes_arrive(client, token_for, film_item,
                                                                                  samples):
    headers = token_for("archivist")
    photo = make_photo("Portrait", "public")
    film = samples["film"].read_bytes()
    for item, data, words in [(photo, film, "photograph but the file is a film"),
                              (film_item, samples["text"].read_bytes(), "not a film or photograph")]:
        location = create(client, headers, item.id, len(data)).headers["Location"]
        response = patch(client, headers, location, 0, data[:5000])
        assert response.status_code == 422 and words in response.get_json()["error"]["message"]
        assert client.head(location, headers={**TUS, **headers}).status_code == 404
    assert db.session.scalar(select(Upload)) is None and list(get_storage().list("originals")) == []


def test_another_persons_upload_is_unknown_and_any_staff_item_takes_uploads(client, token_for, users, make_user,
                                                                            film_item, samples):
    """As with the one-shot upload, staff may upload to any item; an upload itself is its owner's alone."""
    data = samples["film"].read_bytes()
    mine = token_for("archivist")
    location = create(client, mine, film_item.id, len(data)).headers["Location"]
    other = {"Authorization": "Bearer " + issue_token(make_user("archivist"), "t")}
    assert patch(client, other, location, 0, data).status_code == 404
    assert client.head(location, headers={**TUS, **other}).status_code == 404
    assert client.delete(location, headers={**TUS, **other}).status_code == 404
    assert create(client, other, film_item.id, len(data)).status_code == 201
    assert create(client, token_for("venue"), film_item.id, len(data)).status_code == 403
    assert create(client, {}, film_item.id, len(data)).status_code == 401


def test_concurrent_chunks_to_one_upload_one_wins_the_other_is_409(app, live_server, token_for, film_item, big_film):
    """Two PATCH at offset 0 at once: one writes, the other is told to ask for the offset again."""
    import requests

    headers = token_for("archivist")
    data = big_film.read_bytes()
    location = create(app.test_client(), headers, film_item.id, len(data)).headers["Location"]
    url = live_server + location
    started = threading.Event()

    def slow_body():
        yield data[: 1 * MiB]
        started.set()
        release.wait(10)
        yield data[1 * MiB : 2 * MiB]

    release = threading.Event()
    results = {}

    def first():
        results["first"] = requests.patch(url, data=slow_body(), headers={
            **TUS, **headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, timeout=30)

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    import time
    time.sleep(0.3)
    second = requests.patch(url, data=data[: 1 * MiB], headers={
        **TUS, **headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, timeout=30)
    release.set()
    thread.join(30)
    assert second.status_code == 409 and second.json()["error"]["code"] in ("busy", "offset_mismatch")
    assert results["first"].status_code == 204 and results["first"].headers["Upload-Offset"] == str(2 * MiB)


def test_tuspy_reports_a_refused_upload(live_server, token_for, film_item, samples):
    upload = uploader(live_server, token_for("archivist"), samples["text"], film_item.id)
    with pytest.raises(TusCommunicationError) as failure:
        upload.upload()
    assert failure.value.status_code == 422 and b"not a film" in failure.value.response_content


def test_an_upload_goes_on_after_the_server_restarts(app, profile, token_for, film_item, big_film, tmp_path):
    """Chunks to a real server process, which is stopped and started again: the bytes it held are still there."""
    from tests.fixtures.server_process import ServerProcess, server_env

    headers = token_for("archivist")
    server = ServerProcess(server_env(app), tmp_path / "server.log").start()
    try:
        first = uploader(server.url, headers, big_film, film_item.id, chunk_size=5 * MiB)
        first.upload(stop_at=10 * MiB)
        url = first.url
        server.stop()
        db.session.expire_all()
        row = db.session.scalar(select(Upload))
        assert row.offset == 10 * MiB
        storage = get_storage()
        if profile == "scaled":  # one 8 MiB part in the multipart upload, 2 MiB waiting in the row
            parts = storage._client.list_parts(Bucket=storage.bucket, Key=storage._name(row.storage_key),
                                               UploadId=row.storage_upload_id)["Parts"]
            assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, 8 * MiB)] and len(row.tail) == 2 * MiB
        else:
            assert os.path.getsize(storage._partial_path(row.storage_key)) == 10 * MiB
        server.start()
        again = uploader(server.url, headers, big_film, film_item.id, chunk_size=5 * MiB)
        again.set_url(url)
        again.offset = again.get_offset()  # HEAD, as a client does on resuming
        assert again.offset == 10 * MiB
        again.upload()
    finally:
        server.stop()
    db.session.expire_all()
    media = db.session.scalar(select(MediaFile))
    assert media.item_id == film_item.id and media.sha256 == hashlib.sha256(big_film.read_bytes()).hexdigest()
    assert get_storage().sha256_of(media.storage_key) == media.sha256


def test_media_import_to_a_remote_archive_resumes_a_cut_upload(app, live_server, users, big_film, tmp_path):
    """`flask media import --to URL`: a run cut mid-file is run again and goes on from the remote offset."""
    from archive.media import remote_import

    token = issue_token(users["archivist"], "import")
    state_file = tmp_path / "state.json"
    remote = remote_import.RemoteArchive(live_server, token)
    state: dict = {}
    save = lambda: remote_import._save(state_file, state)  # noqa: E731
    # The first run: the item is made and half the file goes up before the line goes down.
    original = remote.uploader
    remote.uploader = lambda *args: _stopping(original(*args), 6 * MiB)
    first = remote_import.import_file(remote, big_film, None, state, save)
    assert first.status == "failed" and "again" in first.message
    db.session.expire_all()
    assert db.session.scalar(select(Upload)).offset == 6 * MiB
    runner = app.test_cli_runner()
    result = runner.invoke(args=["media", "import", str(big_film), "--to", live_server, "--token", token,
                                 "--state", str(state_file)])
    assert result.exit_code == 0, result.output
    assert "1 imported" in result.output
    db.session.expire_all()
    media = db.session.scalar(select(MediaFile))
    assert media.sha256 == hashlib.sha256(big_film.read_bytes()).hexdigest() and media.item_id == first.item_id
    assert len(db.session.scalars(select(MediaFile)).all()) == 1
    assert [u.media_id for u in db.session.scalars(select(Upload))] == [media.id]  # the same upload went on
    again = runner.invoke(args=["media", "import", str(big_film), "--to", live_server, "--token", token,
                                "--state", str(state_file)])
    assert "1 skipped" in again.output


def _stopping(uploader, after: int):
    """A tuspy uploader whose connection fails once ``after`` bytes are sent."""
    import requests

    whole = uploader.upload

    def upload(stop_at=None):
        whole(stop_at=after)
        raise requests.ConnectionError("the line went down")

    uploader.upload = upload
    return uploader


class SlowBody:
    """A chunk arriving a piece at a time over a slow line; at each read it notes the offset the database holds."""

    def __init__(self, data: bytes, piece: int) -> None:
        self.data, self.piece, self.position, self.seen = data, piece, 0, []

    def read(self, size: int = -1) -> bytes:
        with db.engine.connect() as other:  # another connection: sees only what was committed
            self.seen.append(other.scalar(select(Upload.offset)))
        count = min(size, self.piece)
        chunk = self.data[self.position : self.position + count]
        self.position += len(chunk)
        return chunk


def test_a_slow_chunk_records_its_progress_while_it_arrives(client, token_for, film_item, samples, monkeypatch):
    monkeypatch.setattr(resumable, "RECORD_SECONDS", 0)  # every piece counts as slow
    data = samples["film"].read_bytes()[: 3 * 30_000]
    assert create(client, token_for("archivist"), film_item.id, len(data) + 1).status_code == 201
    upload = db.session.scalar(select(Upload))
    body = SlowBody(data, 30_000)
    assert resumable.append(upload, 0, body, len(data)).offset == len(data)
    assert body.seen == [0, 30_000, 60_000, 90_000]  # kept after each piece, not only at the end
