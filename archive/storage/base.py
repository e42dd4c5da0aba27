"""The storage contract every backend fulfils, its errors, and the checks they share."""

from __future__ import annotations

import hashlib
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from flask import current_app, has_app_context
from flask_babel import gettext

from archive.errors import ActionableError

MiB = 1024 * 1024
CHUNK_SIZE = 1 * MiB
DEFAULT_URL_SECONDS = 300

# Keys keep to what every backend accepts, so a bucket can be copied to a folder and back.
_PREFIX_RE = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")
_MAX_KEY_LENGTH = 1024
# Reserved on every backend so that the filesystem can keep its temp files and checksums beside
# the objects without a key ever naming one of them.
_TEMP_MARK = "."
SIDECAR_SUFFIX = ".sha256"


def _(message: str, **values: object) -> str:
    """``message`` in the interface language; as written when the app has no languages (a bare storage)."""
    if has_app_context() and "babel" in current_app.extensions:
        return gettext(message, **values)
    return message % values if values else message


def _n(message: str) -> str:
    """Marks ``message`` for the catalogs; ``doing`` translates it when it is used."""
    return message


# What storage was doing, by action: each phrase completes sentences such as "Cannot %(action)s in
# the storage folder ..." and "S3 ... could not %(action)s".
_ACTIONS = {
    # Translators: write each storage action as an infinitive phrase ("read 'media/ab/…'") that
    # completes "Cannot %(action)s in the storage folder …" and "S3 … could not %(action)s".
    "write": _n("write a new object"),
    "list": _n("list objects"),
    "read": _n("read '%(key)s'"),
    "delete": _n("delete '%(key)s'"),
    "sign": _n("sign a link to '%(key)s'"),
    "store": _n("store '%(key)s'"),
    "start upload": _n("start uploading '%(key)s'"),
    "upload": _n("upload '%(key)s'"),
    "checksum": _n("record the checksum of '%(key)s'"),
    "cors": _n("allow pages to read objects from scripts (CORS)"),
    "look up": _n("look up '%(key)s'"),
}


def doing(action: str, key: str = "") -> str:
    """What storage was doing when it failed, as the phrase that completes a storage error's sentence."""
    try:
        phrase = _ACTIONS[action]
    except KeyError:
        raise ValueError(f"unknown storage action {action!r}") from None
    return _(phrase, key=key) if "%(key)s" in phrase else _(phrase)


class StorageError(ActionableError):
    """A storage operation failed; the message says what to check."""

    status = 503
    code = "storage_unavailable"


class ObjectTooLarge(StorageError):
    """The stream had more bytes than the caller allowed."""

    status = 413
    code = "too_large"


class ObjectMissing(StorageError):
    """No object is stored under the key."""

    status = 404
    code = "missing"

    def __init__(self, key: str) -> None:
        super().__init__(_("No stored object under the key '%(key)s'.", key=key))
        self.key = key


class InvalidKey(StorageError):
    """The key or prefix is not one this application could have generated."""

    status = 400
    code = "invalid_key"


@dataclass(frozen=True)
class StoredObject:
    """What ``save`` stored: the generated key, the size in bytes and the SHA-256 hex digest."""

    key: str
    size: int
    sha256: str


@dataclass
class Partial:
    """An object being written over many requests (a resumable upload): what storage needs to go on.

    The caller keeps it (in the upload's database row) between requests, so any web node can take
    the next chunk. ``parts`` and ``tail`` are the S3 backend's: the multipart upload's finished
    parts, and the bytes received after them that do not fill a part yet (S3 refuses parts under
    5 MiB except the last). The filesystem appends to one hidden file and needs neither.
    """

    key: str
    upload_id: str | None = None
    parts: list[dict] = field(default_factory=list)
    tail: bytes = b""


class PartialWriter(ABC):
    """One request's bytes going into a resumable object: ``write`` as they come, ``checkpoint`` to keep them.

    Only what a ``checkpoint`` returned survives for sure; the caller records that state and offset.
    ``close`` lets go of whatever the writer holds (an open file) without keeping anything more.
    """

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Add ``data`` after everything written so far."""

    @abstractmethod
    def checkpoint(self) -> Partial:
        """Make every byte written so far survive a restart; return the state that names them."""

    def close(self) -> None:  # noqa: B027 - most writers hold nothing
        """Let go of what the writer holds; bytes written after the last checkpoint may be lost."""

    def __enter__(self) -> PartialWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class GatheringWriter(PartialWriter):
    """Keeps the pieces in memory and hands them to ``write_partial`` in one go at each checkpoint."""

    def __init__(self, storage: Storage, partial: Partial, offset: int) -> None:
        self._storage = storage
        self._partial = partial
        self._offset = offset
        self._pieces: list[bytes] = []
        self._gathered = 0

    def write(self, data: bytes) -> None:
        self._pieces.append(data)
        self._gathered += len(data)

    def checkpoint(self) -> Partial:
        if self._pieces:
            data = self._pieces[0] if len(self._pieces) == 1 else b"".join(self._pieces)
            self._partial = self._storage.write_partial(self._partial, self._offset, data)
            self._offset += self._gathered
            self._pieces, self._gathered = [], 0
        return self._partial


class Storage(ABC):
    """Where media bytes live; objects are addressed by generated keys."""

    # How many bytes a resumable upload writes between two checkpoints (its progress is recorded
    # at each); the S3 part size there.
    partial_step: int = 8 * MiB

    url_seconds: int = DEFAULT_URL_SECONDS
    # Whether its links pass through the app, which can refuse them when used (the filesystem's do).
    checks_links_on_use: bool = False

    def new_key(self, prefix: str) -> str:
        """Generate a fresh key under ``prefix``; user file names never become keys."""
        check_prefix(prefix)
        unique = uuid.uuid4().hex
        # The two-character level keeps folders (and S3 listings) small.
        return f"{prefix}/{unique[:2]}/{unique}"

    @abstractmethod
    def save(
        self,
        stream: BinaryIO,
        *,
        prefix: str,
        content_type: str | None = None,
        max_bytes: int | None = None,
    ) -> StoredObject:
        """Store the stream under a new key, hashing it on the way; leave nothing on failure."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Open the object for reading."""

    @abstractmethod
    def read_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        """Yield the bytes from ``start`` to ``end`` inclusive (to the end when ``end`` is None)."""

    @abstractmethod
    def size(self, key: str) -> int:
        """Return the object's size in bytes."""

    @abstractmethod
    def modified_at(self, key: str) -> datetime:
        """Return when the object was written, as a naive UTC datetime."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Tell whether an object is stored under the key."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Delete the object; deleting a missing key is not an error."""

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys that start with ``prefix``, in no particular order."""

    @abstractmethod
    def check(self) -> None:
        """Raise StorageError unless the storage can be reached and written to (for readiness probes)."""

    def allow_script_reads(self) -> None:
        """Let pages read objects through their links from scripts (hls.js fetches segments so).

        Nothing to do where links lead to the app itself; S3 needs a CORS rule on the bucket.
        """
        return None

    @abstractmethod
    def sha256_of(self, key: str) -> str | None:
        """Return the SHA-256 recorded when the object was saved, or None if none was."""

    @abstractmethod
    def url(
        self,
        key: str,
        *,
        expires_in: int | None = None,
        filename: str | None = None,
        content_type: str | None = None,
        audience: str | None = None,
    ) -> str:
        """Return an expiring URL a reader can fetch (404 if the object is gone); ``filename`` makes it a download.

        ``audience`` names who the link was issued to; a backend that ``checks_links_on_use`` carries
        it in the link, so the app can ask again, each time the link is used, whether they may still
        have the object. A backend that cannot (S3 presigned URLs) ignores it.
        """

    @abstractmethod
    def begin_partial(self, prefix: str) -> Partial:
        """Start an object that will arrive in pieces over many requests, under a new key."""

    @abstractmethod
    def write_partial(self, partial: Partial, offset: int, data: bytes) -> Partial:
        """Add ``data`` after the first ``offset`` bytes (anything stored past them is dropped); return the new state.

        Once it returns, the bytes survive a restart of this process: the caller may then record the new offset.
        """

    def partial_writer(self, partial: Partial, offset: int) -> PartialWriter:
        """A writer that adds bytes after the first ``offset`` of ``partial``, for one request's pieces.

        The default gathers the pieces and hands them to ``write_partial`` at each ``checkpoint``;
        a backend overrides it where it can write the pieces as they come (one open file, one part).
        """
        return GatheringWriter(self, partial, offset)

    @abstractmethod
    def finish_partial(self, partial: Partial, size: int, sha256: str, content_type: str | None = None) -> StoredObject:
        """Make the object of ``size`` bytes visible under its key with its SHA-256; leave nothing on failure."""

    @abstractmethod
    def abort_partial(self, partial: Partial) -> None:
        """Drop everything stored for an unfinished object; aborting one already gone is not an error."""

    def _expiry(self, expires_in: int | None) -> int:
        """Resolve and check the lifetime of a URL in seconds."""
        seconds = self.url_seconds if expires_in is None else expires_in
        if seconds <= 0:
            raise ValueError(f"expires_in must be a positive number of seconds, not {seconds}")
        return seconds


def check_prefix(prefix: str) -> None:
    """Refuse a key prefix outside lowercase letters, digits, ``_``, ``-`` and ``/`` separators."""
    if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
        raise InvalidKey(
            f"Invalid storage prefix {prefix!r}: use lowercase letters, digits, '_', '-' "
            "and '/' between non-empty parts, such as 'media/originals'."
        )


def check_key(key: str) -> None:
    """Refuse a key that could escape the storage root or collide with backend bookkeeping."""
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY_LENGTH:
        raise InvalidKey(f"Invalid storage key {key!r}: expected a non-empty key such as 'media/ab/ab12…'.")
    if "\x00" in key or "\\" in key or key.startswith("/"):
        raise InvalidKey(f"Invalid storage key {key!r}: no NUL, backslash or leading '/'.")
    for part in key.split("/"):
        if part in ("", ".", "..") or part.startswith(_TEMP_MARK) or part.endswith(SIDECAR_SUFFIX):
            raise InvalidKey(
                f"Invalid storage key {key!r}: parts must be non-empty, must not start with '.' "
                f"and must not end with '{SIDECAR_SUFFIX}'."
            )


def clean_filename(filename: str) -> str:
    """Make a user's file name safe for a Content-Disposition header (no folders, no controls)."""
    name = "".join(ch for ch in filename if ch.isprintable()).replace("\\", "/").rsplit("/", 1)[-1]
    return name.strip() or "download"


def check_range(start: int, end: int | None) -> None:
    """Refuse a byte range that no request could mean."""
    if start < 0 or (end is not None and end < start):
        raise ValueError(f"Invalid byte range {start}-{'' if end is None else end}")


class HashingReader:
    """Reads an upload once, counting and hashing the bytes and enforcing the size limit."""

    def __init__(self, stream: BinaryIO, max_bytes: int | None) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self._hash = hashlib.sha256()
        self.size = 0

    @property
    def sha256(self) -> str:
        """The hex digest of everything read so far."""
        return self._hash.hexdigest()

    def read(self, limit: int = CHUNK_SIZE) -> bytes:
        """Read up to ``limit`` bytes (at most one chunk); ``b""`` means the stream has ended."""
        want = min(limit, CHUNK_SIZE)
        if self._max_bytes is not None:
            # One byte past the limit is enough to know it was exceeded; read no further.
            want = min(want, self._max_bytes - self.size + 1)
        try:
            chunk = self._stream.read(want)
        except ActionableError:
            raise  # the stream's own verdict on the upload (e.g. not a media file) says it best
        except Exception as exc:
            raise StorageError(
                _("Reading the upload failed after %(size)s bytes (%(reason)s); nothing was stored. Try the upload again.",
                  size=self.size, reason=exc)
            ) from exc
        if chunk is None:
            # A non-blocking stream with nothing ready would make us store a truncated object.
            raise StorageError(_("The upload stream returned no data without ending; nothing was stored."))
        self.size += len(chunk)
        if self._max_bytes is not None and self.size > self._max_bytes:
            raise ObjectTooLarge(
                _("The upload is larger than the limit of %(bytes)s bytes (%(mib)s MiB); nothing was stored.",
                  bytes=self._max_bytes, mib=format(self._max_bytes / MiB, ".1f"))
            )
        self._hash.update(chunk)
        return chunk

    def read_full(self, size: int) -> bytes:
        """Read until ``size`` bytes are gathered or the stream ends (streams may return less)."""
        chunks: list[bytes] = []
        gathered = 0
        while gathered < size:
            chunk = self.read(size - gathered)
            if not chunk:
                break
            chunks.append(chunk)
            gathered += len(chunk)
        return b"".join(chunks)
