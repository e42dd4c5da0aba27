"""The storage contract: every test that takes ``storage`` runs on the filesystem and on S3.

The S3 runs talk HTTP to the test server (``tests/fixtures/s3.py``: Ceph's RADOS Gateway), never to
in-process mocks.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError
from flask import Flask
from itsdangerous import TimestampSigner

from archive.storage import (
    FilesystemStorage,
    InvalidKey,
    ObjectMissing,
    ObjectTooLarge,
    Storage,
    StorageError,
    StoredObject,
    get_storage,
    init_app,
    storage_from_url,
)
from archive.storage.base import MiB
from archive.storage.filesystem import make_link_token
from archive.storage.s3 import S3Storage
from archive.timeutil import utcnow
from tests.fixtures.s3 import RelayedBucket, free_port, use_s3_endpoint

PART = 5 * MiB  # the smallest part S3 accepts, so a multipart upload stays quick
SECRET = "contract-test-secret"


class TrickleStream:
    """An upload that arrives a little at a time, as from a socket, and may break part-way."""

    def __init__(self, data: bytes, *, step: int = 256 * 1024, fail_at: int | None = None, name: str = "") -> None:
        self._data = memoryview(data)
        self._step = step
        self._fail_at = fail_at
        self.position = 0
        self.name = name  # what a file object from a user's upload would carry

    def read(self, size: int = -1) -> bytes:
        if self._fail_at is not None and self.position >= self._fail_at:
            raise OSError("connection reset by peer")
        count = self._step if size < 0 else min(size, self._step)
        chunk = bytes(self._data[self.position : self.position + count])
        self.position += len(chunk)
        return chunk


@pytest.fixture(scope="module")
def big_data() -> bytes:
    """Just over two S3 parts of random bytes."""
    return os.urandom(2 * PART + 2 * MiB + 123)


@pytest.fixture(params=["filesystem", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path) -> Storage:
    """An empty storage of each kind."""
    if request.param == "filesystem":
        return FilesystemStorage(tmp_path / "storage")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Storage(bucket, "archive", part_size=PART)


@pytest.fixture
def app(storage: Storage, tmp_path) -> Flask:
    """A minimal Flask app whose configured storage is the same place as ``storage``."""
    application = Flask(__name__, instance_path=str(tmp_path / "instance"))
    application.config.update(SECRET_KEY=SECRET, TESTING=True, S3_PART_SIZE=PART)
    if isinstance(storage, S3Storage):
        application.config["STORAGE_URL"] = f"s3://{storage.bucket}/{storage.prefix}"
    else:
        application.config["STORAGE_URL"] = f"fs:{storage.root}"
    init_app(application)
    return application


def save(storage: Storage, data: bytes, **kwargs) -> StoredObject:
    """Save bytes under the ``test`` prefix."""
    return storage.save(TrickleStream(data), prefix=kwargs.pop("prefix", "test"), **kwargs)


def leftovers(storage: Storage) -> list[str]:
    """Everything in the storage's place, bookkeeping included: files, objects, open uploads."""
    if isinstance(storage, FilesystemStorage):
        return [os.path.join(folder, name) for folder, _, names in os.walk(storage.root) for name in names]
    client = storage._client
    objects = [item["Key"] for item in client.list_objects_v2(Bucket=storage.bucket).get("Contents", [])]
    uploads = [item["Key"] for item in client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", [])]
    return objects + uploads


def fetch(app: Flask, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """GET a storage URL as a reader would: the app's own route, or the S3 service."""
    if url.startswith("http"):
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - the test server
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            return error.code, error.read(), {k.lower(): v for k, v in error.headers.items()}
    response = app.test_client().get(url, headers=headers)
    return response.status_code, response.get_data(), {k.lower(): v for k, v in response.headers.items()}


def link(app: Flask, key: str, **kwargs) -> str:
    """Ask the app's storage for a URL, inside a request as a view would."""
    with app.test_request_context():
        return get_storage().url(key, **kwargs)


# --- saving and reading ---------------------------------------------------------------------


def test_round_trip_records_size_and_sha256(storage: Storage) -> None:
    data = os.urandom(300_000)
    stored = save(storage, data, content_type="video/mp4")
    assert stored.size == len(data) == storage.size(stored.key)
    assert stored.sha256 == hashlib.sha256(data).hexdigest() == storage.sha256_of(stored.key)
    with storage.open(stored.key) as file:
        assert file.read(10) == data[:10]
        assert file.read() == data[10:]


def test_empty_object(storage: Storage) -> None:
    stored = save(storage, b"")
    assert (stored.size, stored.sha256) == (0, hashlib.sha256(b"").hexdigest())
    assert storage.exists(stored.key)
    assert storage.open(stored.key).read() == b""
    assert b"".join(storage.read_range(stored.key)) == b""


@pytest.mark.parametrize("size", [PART, 2 * PART + 2 * MiB + 123], ids=["exactly-one-part", "three-parts"])
def test_large_upload_in_parts(storage: Storage, big_data: bytes, size: int, monkeypatch) -> None:
    data = big_data[:size]
    parts: list[int] = []
    if isinstance(storage, S3Storage):
        upload_part = storage._client.upload_part

        def counting_upload_part(**kwargs):
            parts.append(kwargs["PartNumber"])
            return upload_part(**kwargs)

        monkeypatch.setattr(storage._client, "upload_part", counting_upload_part)
    stored = save(storage, data, content_type="video/mp4")
    assert stored.sha256 == hashlib.sha256(data).hexdigest() == storage.sha256_of(stored.key)
    assert storage.size(stored.key) == len(data)
    with storage.open(stored.key) as file:
        assert file.read() == data
    if isinstance(storage, S3Storage):
        assert parts == list(range(1, -(-size // PART) + 1))
        assert (
            storage._client.head_object(Bucket=storage.bucket, Key=f"archive/{stored.key}")["ContentType"]
            == "video/mp4"
        )


def test_multipart_with_flexible_checksums(s3_bucket: str, big_data: bytes) -> None:
    storage = S3Storage(s3_bucket, checksums="when_supported", part_size=PART)
    data = big_data[: PART + 1000]
    stored = save(storage, data)
    assert storage.sha256_of(stored.key) == hashlib.sha256(data).hexdigest()
    # Read back without response validation: moto serves the multipart (composite) CRC32 as if it
    # were a whole-object one after the copy, which real S3 does not.
    reader = S3Storage(s3_bucket, checksums="when_required", part_size=PART)
    assert b"".join(reader.read_range(stored.key)) == data


def test_read_range(storage: Storage) -> None:
    data = bytes(range(256)) * 40
    key = save(storage, data).key

    def read(*args, **kwargs) -> bytes:
        return b"".join(storage.read_range(key, *args, **kwargs))

    assert read(2, 5) == data[2:6]
    assert read(7, 7) == data[7:8]
    assert read(100) == data[100:]
    assert read() == data
    assert read(10, 10**9) == data[10:]
    assert read(len(data)) == b""
    chunks = list(storage.read_range(key, 0, None, chunk_size=1000))
    assert b"".join(chunks) == data and max(map(len, chunks)) <= 1000
    with pytest.raises(ValueError):
        storage.read_range(key, 5, 2)


def test_exists_list_size_delete(storage: Storage) -> None:
    originals = {save(storage, b"a" * n, prefix="media/originals").key for n in (1, 2)}
    poster = save(storage, b"poster", prefix="media/posters").key
    assert set(storage.list("media/originals")) == originals
    assert set(storage.list("media/")) == set(storage.list()) == originals | {poster}
    assert list(storage.list("nothing-here")) == []
    assert storage.exists(poster) and storage.size(poster) == 6

    storage.delete(poster)
    assert not storage.exists(poster)
    assert set(storage.list()) == originals
    storage.delete(poster)  # deleting twice is fine


def test_missing_key(storage: Storage) -> None:
    key = storage.new_key("media")
    assert not storage.exists(key)
    storage.delete(key)
    for attempt in (storage.open, storage.size, storage.sha256_of, storage.read_range):
        with pytest.raises(ObjectMissing, match=re.escape(key)):
            attempt(key)


def test_object_is_invisible_until_saved(storage: Storage, big_data: bytes) -> None:
    seen: list[list[str]] = []

    class Watching(TrickleStream):
        def read(self, size: int = -1) -> bytes:
            seen.append(list(storage.list()))
            return super().read(size)

    data = big_data[: PART + MiB]
    stored = storage.save(Watching(data, step=MiB), prefix="test")
    assert seen and all(listing == [] for listing in seen)
    assert list(storage.list()) == [stored.key]


# --- failures leave nothing behind ----------------------------------------------------------


@pytest.mark.parametrize("size, limit", [(100, 99), (2 * PART + 2 * MiB, PART + 2 * MiB)], ids=["small", "parts"])
def test_too_large_is_refused_and_leaves_nothing(storage: Storage, big_data: bytes, size: int, limit: int) -> None:
    stream = TrickleStream(big_data[:size])
    with pytest.raises(ObjectTooLarge, match=str(limit)):
        storage.save(stream, prefix="test", max_bytes=limit)
    assert stream.position <= limit + 1  # stopped reading as soon as the limit was passed
    assert leftovers(storage) == []


def test_exactly_max_bytes_is_accepted(storage: Storage) -> None:
    assert save(storage, b"x" * 100, max_bytes=100).size == 100


@pytest.mark.parametrize("fail_at", [10_000, PART + MiB], ids=["small", "parts"])
def test_broken_stream_leaves_nothing(storage: Storage, big_data: bytes, fail_at: int) -> None:
    with pytest.raises(StorageError, match="connection reset") as caught:
        storage.save(TrickleStream(big_data, fail_at=fail_at), prefix="test")
    assert not isinstance(caught.value, ObjectTooLarge)
    assert isinstance(caught.value.__cause__, OSError)
    assert leftovers(storage) == []


def test_failed_checksum_copy_removes_the_object(s3_bucket: str, big_data: bytes, monkeypatch) -> None:
    storage = S3Storage(s3_bucket, part_size=PART)

    def refuse(**kwargs):
        raise ClientError({"Error": {"Code": "InternalError", "Message": "boom"}}, "CopyObject")

    monkeypatch.setattr(storage._client, "copy", refuse)
    with pytest.raises(StorageError, match="unavailable or overloaded"):
        save(storage, big_data[: PART + 10])
    assert leftovers(storage) == []


# --- keys -----------------------------------------------------------------------------------


def test_keys_are_generated(storage: Storage) -> None:
    stream = TrickleStream(b"same bytes", name="../../Holiday in Shusha.mp4")
    first = storage.save(stream, prefix="media/originals")
    second = save(storage, b"same bytes", prefix="media/originals")
    assert first.key != second.key
    assert re.fullmatch(r"media/originals/([0-9a-f]{2})/\1[0-9a-f]{30}", first.key)
    assert "holiday" not in first.key.lower() and ".." not in first.key


@pytest.mark.parametrize("prefix", ["", "Films", "a//b", "/abs", "../up", "media/", "ünï"])
def test_bad_prefix_is_refused(storage: Storage, prefix: str) -> None:
    with pytest.raises(InvalidKey):
        storage.new_key(prefix)


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b", "a\x00b", "a/.part", "x.sha256", ""])
def test_bad_key_is_refused(storage: Storage, key: str) -> None:
    for attempt in (storage.open, storage.exists, storage.delete, storage.url):
        with pytest.raises(InvalidKey):
            attempt(key)


# --- URLs -----------------------------------------------------------------------------------


def test_url_serves_bytes_and_ranges(storage: Storage, app: Flask) -> None:
    data = os.urandom(5000)
    key = save(storage, data).key

    url = link(app, key)
    assert fetch(app, url)[:2] == (200, data)

    status, body, headers = fetch(app, url, {"Range": "bytes=2-5"})
    assert (status, body) == (206, data[2:6])
    assert headers["content-range"] == f"bytes 2-5/{len(data)}"


def test_url_with_filename_downloads(storage: Storage, app: Flask) -> None:
    key = save(storage, b"subtitles").key
    url = link(app, key, filename="Երևան talk.vtt", content_type="text/vtt")
    status, body, headers = fetch(app, url)
    assert (status, body) == (200, b"subtitles")
    assert headers["content-type"].startswith("text/vtt")
    assert headers["content-disposition"].startswith("attachment")
    assert "filename*=UTF-8''" + quote("Երևան talk.vtt") in headers["content-disposition"]


def test_fs_link_headers(tmp_path) -> None:
    application = _fs_app(tmp_path)
    key = save(get_storage_of(application), b"x").key
    status, _, headers = fetch(application, link(application, key))
    assert status == 200
    assert "private" in headers["cache-control"]
    assert headers["x-content-type-options"] == "nosniff"


def test_fs_link_tampered_is_403(tmp_path) -> None:
    application = _fs_app(tmp_path)
    key = save(get_storage_of(application), b"x").key
    forged = make_link_token("another-secret", key, filename=None, content_type=None, expires_in=60)
    for url in ("/files/" + forged, "/files/not-a-token"):
        status, body, _ = fetch(application, url)
        assert (status, body) == (403, b"This link is invalid.\n")


def test_fs_link_expired_is_410(tmp_path, monkeypatch) -> None:
    application = _fs_app(tmp_path)
    key = save(get_storage_of(application), b"x").key
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 3600)
        url = link(application, key, expires_in=60)
    status, body, _ = fetch(application, url)
    assert (status, body) == (410, b"This link has expired; ask for a new one.\n")


def test_url_to_deleted_object_is_404(storage: Storage, app: Flask) -> None:
    key = save(storage, b"x").key
    url = link(app, key)
    storage.delete(key)
    assert fetch(app, url)[0] == 404


def _fs_app(tmp_path) -> Flask:
    """A minimal app with the default (filesystem) storage in its instance folder."""
    application = Flask(__name__, instance_path=str(tmp_path / "instance"))
    application.config.update(SECRET_KEY=SECRET, TESTING=True)
    init_app(application)
    return application


def get_storage_of(application: Flask) -> Storage:
    """The storage init_app set up for ``application``."""
    with application.app_context():
        return get_storage()


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, expected",
    [
        ("storage", "INSTANCE/storage"),
        ("fs:media/files", "INSTANCE/media/files"),
        ("fs:/srv/archive", "/srv/archive"),
        ("/srv/archive", "/srv/archive"),
    ],
)
def test_filesystem_urls(url: str, expected: str, tmp_path) -> None:
    built = storage_from_url(url, instance_path=str(tmp_path), options={})
    assert isinstance(built, FilesystemStorage)
    assert built.root == expected.replace("INSTANCE", str(tmp_path))


def test_s3_url(tmp_path) -> None:
    built = storage_from_url("s3://media-bucket/archive/v1", instance_path=str(tmp_path), options={"part_size": PART})
    assert isinstance(built, S3Storage)
    assert (built.bucket, built.prefix, built.part_size) == ("media-bucket", "archive/v1", PART)


@pytest.mark.parametrize("url", ["ftp://host/x", "s3://", "s3://UPPER", "fs:"])
def test_bad_storage_url_is_refused(url: str, tmp_path) -> None:
    with pytest.raises(StorageError, match="STORAGE_URL"):
        storage_from_url(url, instance_path=str(tmp_path), options={})


def test_checksums_default_follows_the_endpoint(s3_bucket: str, tmp_path, monkeypatch) -> None:
    def configured(**settings) -> str:
        application = Flask(__name__, instance_path=str(tmp_path))
        application.config.update(SECRET_KEY=SECRET, STORAGE_URL=f"s3://{s3_bucket}", **settings)
        init_app(application)
        storage = get_storage_of(application)
        config = storage._client.meta.config
        assert config.response_checksum_validation == config.request_checksum_calculation
        return config.request_checksum_calculation

    assert configured(S3_CHECKSUMS=None) == "when_required"  # AWS_ENDPOINT_URL is set by s3_bucket
    assert configured(S3_CHECKSUMS="when_supported") == "when_supported"
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert configured(S3_CHECKSUMS=None) == "when_supported"


# --- an unreachable service -----------------------------------------------------------------


def test_closed_port_gives_an_actionable_error(monkeypatch) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    use_s3_endpoint(monkeypatch, endpoint)
    storage = S3Storage("media", part_size=PART)
    with pytest.raises(StorageError) as caught:
        save(storage, b"data")
    message = str(caught.value)
    assert f"Cannot reach the S3 endpoint {endpoint} (bucket 'media'): connection refused." in message
    assert "AWS_ENDPOINT_URL" in message and "Traceback" not in message


def test_server_stopping_mid_session_gives_storage_errors(s3_relay: RelayedBucket) -> None:
    storage = S3Storage(s3_relay.bucket, part_size=PART)
    key = save(storage, b"before").key
    assert storage.open(key).read() == b"before"
    s3_relay.cut()

    for attempt in (lambda: save(storage, b"after"), lambda: storage.open(key), lambda: storage.exists(key)):
        with pytest.raises(StorageError, match=re.escape(s3_relay.endpoint)) as caught:
            attempt()
        assert not isinstance(caught.value, ObjectMissing)  # down is not the same as deleted


def test_check_passes_on_a_reachable_storage(storage: Storage) -> None:
    storage.check()
    assert leftovers(storage) == []  # checking writes nothing


def test_check_fails_when_the_folder_cannot_be_used(tmp_path) -> None:
    (tmp_path / "not-a-folder").write_bytes(b"")
    with pytest.raises(StorageError, match="not-a-folder"):
        FilesystemStorage(tmp_path / "not-a-folder").check()


def test_check_fails_on_a_missing_bucket(s3_bucket: str) -> None:
    with pytest.raises(StorageError, match="'no-such-bucket-here' does not exist"):
        S3Storage("no-such-bucket-here", part_size=PART).check()


def test_check_fails_when_the_server_is_gone(s3_relay: RelayedBucket) -> None:
    storage = S3Storage(s3_relay.bucket, "archive", part_size=PART)
    storage.check()
    s3_relay.cut()
    with pytest.raises(StorageError, match=re.escape(s3_relay.endpoint)):
        storage.check()


def test_modified_at_is_when_the_object_was_written_in_utc(storage: Storage) -> None:
    before = utcnow()
    key = save(storage, b"dated").key
    written = storage.modified_at(key)
    assert written.tzinfo is None
    assert abs((written - before).total_seconds()) < 5  # S3 keeps whole seconds; clocks are the same host
    storage.delete(key)
    with pytest.raises(ObjectMissing):
        storage.modified_at(key)


# --- objects that arrive over many requests (resumable uploads) -------------------------------------


def test_a_partial_written_in_odd_pieces_resumes_from_its_checkpoint_and_drops_what_came_after(
        app, storage: Storage, big_data: bytes) -> None:
    """Pieces that straddle S3 part boundaries, a checkpoint, bytes lost after it, a second request from the offset."""
    with app.app_context():
        partial = storage.begin_partial("test")
        cut = PART + 3 * MiB + 17  # past one full part, inside the second
        with storage.partial_writer(partial, 0) as writer:
            for start in range(0, cut, 700_001):
                writer.write(big_data[start : min(start + 700_001, cut)])
            kept = writer.checkpoint()
            writer.write(b"\xff" * 4096)  # arrived after the last checkpoint: never recorded
        if isinstance(storage, S3Storage):
            assert [part["Size"] for part in kept.parts] == [PART] and len(kept.tail) == cut - PART
        with storage.partial_writer(kept, cut) as writer:
            for start in range(cut, len(big_data), 3 * MiB + 5):
                writer.write(big_data[start : start + 3 * MiB + 5])
            done = writer.checkpoint()
        stored = storage.finish_partial(done, len(big_data), hashlib.sha256(big_data).hexdigest())
        assert stored.size == len(big_data)
        with storage.open(stored.key) as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == hashlib.sha256(big_data).hexdigest()


def test_a_partial_writer_on_an_aborted_object_fails_clearly(app, storage: Storage) -> None:
    with app.app_context():
        partial = storage.begin_partial("test")
        storage.abort_partial(partial)
        with pytest.raises(StorageError):
            with storage.partial_writer(partial, 0) as writer:
                writer.write(b"x" * (PART + 1))
                writer.checkpoint()
