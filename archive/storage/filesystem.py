"""Storage in a folder on the local disk: the default for a single machine."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from flask import current_app, url_for
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from werkzeug.routing import BuildError

from archive.errors import ActionableError
from archive.storage.base import (
    CHUNK_SIZE,
    DEFAULT_URL_SECONDS,
    SIDECAR_SUFFIX,
    HashingReader,
    ObjectMissing,
    Partial,
    PartialWriter,
    Storage,
    StorageError,
    StoredObject,
    _,
    check_key,
    check_range,
    clean_filename,
    doing,
)

# The file's bytes and size to the disk, without its times where the system can (not on macOS).
_datasync = getattr(os, "fdatasync", os.fsync)
TOKEN_SALT = "storage-url"  # noqa: S105 - separates these signatures from others; not a secret


class LinkInvalid(Exception):
    """A file link was not signed by this application or was altered."""


class LinkExpired(LinkInvalid):
    """A file link was genuine but its time is up."""


@dataclass(frozen=True)
class FileLink:
    """What a signed file link grants: one key, with the name and type to serve it under."""

    key: str
    filename: str | None
    content_type: str | None
    audience: str | None = None


class FilesystemStorage(Storage):
    """Objects are files under ``root``; each has a ``.sha256`` sidecar beside it."""

    checks_links_on_use = True
    # A resumable upload's pieces: each one is synced and its progress committed, so fewer, larger
    # ones cost less; a cut connection still keeps every byte that arrived.
    partial_step = 32 * 1024 * 1024

    def __init__(self, root: str | os.PathLike[str], *, url_seconds: int = DEFAULT_URL_SECONDS) -> None:
        self.root = os.path.abspath(os.fspath(root))
        self.url_seconds = url_seconds

    def __repr__(self) -> str:
        return f"FilesystemStorage({self.root!r})"

    def path_of(self, key: str) -> str:
        """Return the file that holds the object, for serving it; raise ObjectMissing if none."""
        path = self._path(key)
        if not os.path.isfile(path):
            raise ObjectMissing(key)
        return path

    def save(
        self,
        stream: BinaryIO,
        *,
        prefix: str,
        content_type: str | None = None,
        max_bytes: int | None = None,
    ) -> StoredObject:
        """Write the stream to a temp file beside the target, then move it into place."""
        key = self.new_key(prefix)
        path = self._path(key)
        reader = HashingReader(stream, max_bytes)
        temp_path: str | None = None
        sidecar_written = False
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            # Same folder as the target so os.replace is a rename on one file system: readers see
            # the whole object or nothing. mkstemp's 0600 keeps restricted material private.
            fd, temp_path = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".", suffix=".part")
            with os.fdopen(fd, "wb") as out:
                while chunk := reader.read():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            # The checksum goes down first: an object is never visible without its checksum.
            self._write_sidecar(path, reader.sha256)
            sidecar_written = True
            os.replace(temp_path, path)
            temp_path = None
        except BaseException as exc:
            self._remove_quietly(temp_path)
            if sidecar_written:
                self._remove_quietly(path + SIDECAR_SUFFIX)
            if isinstance(exc, ActionableError) or not isinstance(exc, Exception):
                raise
            raise self._error(exc, doing("write")) from exc
        return StoredObject(key=key, size=reader.size, sha256=reader.sha256)

    def begin_partial(self, prefix: str) -> Partial:
        """Create the hidden file the pieces are appended to, beside where the object will be."""
        partial = Partial(key=self.new_key(prefix))
        path = self._partial_path(partial.key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            # 0600 as for every temp file: restricted material stays private while it arrives.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as exc:
            raise self._error(exc, doing("write")) from exc
        return partial

    def write_partial(self, partial: Partial, offset: int, data: bytes) -> Partial:
        """Write ``data`` at ``offset``, cutting off what an interrupted request left past it, and sync."""
        path = self._partial_path(partial.key)
        try:
            with open(path, "r+b") as out:
                out.truncate(offset)
                out.seek(offset)
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except FileNotFoundError as exc:
            raise ObjectMissing(partial.key) from exc
        except OSError as exc:
            raise self._error(exc, doing("write")) from exc
        return partial

    def partial_writer(self, partial: Partial, offset: int) -> PartialWriter:
        """The hidden file, open once for the whole request and cut after ``offset``; each piece goes straight in."""
        return _FileWriter(self, partial, offset)

    def finish_partial(self, partial: Partial, size: int, sha256: str, content_type: str | None = None) -> StoredObject:
        """Cut the file to ``size``, record its checksum and move it into place under its key."""
        source = self._partial_path(partial.key)
        path = self._path(partial.key)
        sidecar_written = False
        try:
            with open(source, "r+b") as out:
                out.truncate(size)
            self._write_sidecar(path, sha256)
            sidecar_written = True
            os.replace(source, path)
        except BaseException as exc:
            if sidecar_written:
                self._remove_quietly(path + SIDECAR_SUFFIX)
            if isinstance(exc, FileNotFoundError):
                raise ObjectMissing(partial.key) from exc
            if not isinstance(exc, Exception):
                raise
            raise self._error(exc, doing("write")) from exc
        return StoredObject(key=partial.key, size=size, sha256=sha256)

    def abort_partial(self, partial: Partial) -> None:
        """Remove the hidden file."""
        self._remove_quietly(self._partial_path(partial.key))

    def _partial_path(self, key: str) -> str:
        """The hidden file an unfinished object grows in (the leading '.' keeps it out of every listing)."""
        path = self._path(key)
        return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.upload")

    def open(self, key: str) -> BinaryIO:
        """Open the object's file for reading."""
        path = self._path(key)
        try:
            return open(path, "rb")  # noqa: SIM115 - the caller owns and closes it
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectMissing(key) from exc
        except OSError as exc:
            raise self._error(exc, doing("read", key)) from exc

    def read_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        """Yield the bytes from ``start`` to ``end`` inclusive; the file is opened before returning."""
        check_range(start, end)
        # Opened now, not on the first next(), so a missing key fails before a response starts.
        file = self.open(key)
        try:
            file.seek(start)
        except BaseException:
            file.close()
            raise
        return self._chunks(file, key, None if end is None else end - start + 1, chunk_size)

    def size(self, key: str) -> int:
        """Return the file's size in bytes."""
        return self._stat(key).st_size

    def modified_at(self, key: str) -> datetime:
        """Return when the file was written (naive UTC)."""
        return datetime.fromtimestamp(self._stat(key).st_mtime, UTC).replace(tzinfo=None)

    def exists(self, key: str) -> bool:
        """Tell whether a file is stored under the key."""
        return os.path.isfile(self._path(key))

    def delete(self, key: str) -> None:
        """Remove the file and its checksum; a missing key is fine."""
        path = self._path(key)
        try:
            # Object first: if we stop half-way, the leftover is an invisible sidecar.
            os.unlink(path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass
        except OSError as exc:
            raise self._error(exc, doing("delete", key)) from exc
        self._remove_quietly(path + SIDECAR_SUFFIX)

    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys that start with ``prefix`` (a plain string prefix, as on S3)."""
        folder = prefix.rpartition("/")[0]
        if folder:
            check_key(folder)
        base = os.path.join(self.root, *folder.split("/")) if folder else self.root
        return self._walk(base, prefix)

    def check(self) -> None:
        """The storage folder exists (made if need be) and the application may write in it."""
        try:
            os.makedirs(self.root, exist_ok=True)
            if not os.access(self.root, os.W_OK | os.X_OK):
                raise PermissionError(errno.EACCES, "permission denied")
        except OSError as exc:
            raise self._error(exc, "write") from exc

    def sha256_of(self, key: str) -> str | None:
        """Return the SHA-256 from the sidecar file, or None if the object has none."""
        self._stat(key)
        try:
            with open(self._path(key) + SIDECAR_SUFFIX, encoding="ascii") as sidecar:
                digest = sidecar.read().strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StorageError(
                _("Cannot read the checksum of '%(key)s' under %(root)s: %(reason)s", key=key, root=self.root, reason=exc)
            ) from exc
        return digest if len(digest) == 64 else None

    def url(
        self,
        key: str,
        *,
        expires_in: int | None = None,
        filename: str | None = None,
        content_type: str | None = None,
        audience: str | None = None,
    ) -> str:
        """Return a signed, expiring link to this app's ``storage.serve`` route, carrying ``audience``."""
        check_key(key)
        seconds = self._expiry(expires_in)
        try:
            token = make_link_token(
                signing_keys(),
                key,
                filename=None if filename is None else clean_filename(filename),
                content_type=content_type,
                expires_in=seconds,
                audience=audience,
            )
            # Relative inside a request, absolute (from SERVER_NAME) outside one, as url_for does.
            return url_for("storage.serve", token=token)
        except RuntimeError as exc:
            raise StorageError(
                "Cannot build a link to a stored file outside a request: run inside the "
                f"application context and set SERVER_NAME ({exc})."
            ) from exc
        except BuildError as exc:
            raise StorageError(
                "Cannot build a link to a stored file: the storage blueprint is not registered; "
                "call archive.storage.init_app(app)."
            ) from exc

    def _path(self, key: str) -> str:
        """Map a checked key to its file under the root."""
        check_key(key)
        return os.path.join(self.root, *key.split("/"))

    def _stat(self, key: str) -> os.stat_result:
        """Stat the object's file, raising ObjectMissing when there is no regular file."""
        try:
            info = os.stat(self._path(key))
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise ObjectMissing(key) from exc
        except OSError as exc:
            raise self._error(exc, doing("read", key)) from exc
        if not stat.S_ISREG(info.st_mode):
            raise ObjectMissing(key)
        return info

    def _chunks(self, file: BinaryIO, key: str, remaining: int | None, chunk_size: int) -> Iterator[bytes]:
        """Yield chunks of an open file until ``remaining`` bytes (or the file) run out."""
        with file:
            while remaining is None or remaining > 0:
                want = chunk_size if remaining is None else min(chunk_size, remaining)
                try:
                    chunk = file.read(want)
                except OSError as exc:
                    raise self._error(exc, doing("read", key)) from exc
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def _walk(self, base: str, prefix: str) -> Iterator[str]:
        """Yield the keys under ``base`` that start with ``prefix``."""

        def fail(exc: OSError) -> None:
            if not isinstance(exc, FileNotFoundError):
                raise self._error(exc, doing("list")) from exc

        for dirpath, dirnames, filenames in os.walk(base, onerror=fail):
            relative = os.path.relpath(dirpath, self.root)
            folder = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            # Skip temp folders and any folder whose keys could not start with the prefix.
            dirnames[:] = sorted(
                name
                for name in dirnames
                if not name.startswith(".")
                and (f"{folder}{name}/".startswith(prefix) or prefix.startswith(f"{folder}{name}/"))
            )
            for name in sorted(filenames):
                if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                    continue
                key = folder + name
                if key.startswith(prefix):
                    yield key

    def _write_sidecar(self, path: str, digest: str) -> None:
        """Record the SHA-256 beside the object, durably."""
        with open(path + SIDECAR_SUFFIX, "w", encoding="ascii") as sidecar:
            sidecar.write(digest + "\n")
            sidecar.flush()
            os.fsync(sidecar.fileno())

    def _remove_quietly(self, path: str | None) -> None:
        """Remove a leftover file on a failure path, where a second error would hide the first."""
        if path is None:
            return
        try:
            os.unlink(path)
        except OSError:
            pass

    def _error(self, exc: BaseException, action: str) -> StorageError:
        """Explain a disk failure in terms of the storage folder."""
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return StorageError(
            _("Cannot %(action)s in the storage folder %(root)s: %(reason)s. "
              "Check that the folder exists, is writable by the application and has free space.",
              action=action, root=self.root, reason=reason)
        )


def make_link_token(
    secret_keys: str | list[str],
    key: str,
    *,
    filename: str | None,
    content_type: str | None,
    expires_in: int,
    audience: str | None = None,
) -> str:
    """Sign a link to ``key`` that ``read_link_token`` accepts for ``expires_in`` seconds."""
    serializer = URLSafeTimedSerializer(secret_keys, salt=TOKEN_SALT)
    payload = {"k": key, "f": filename, "t": content_type, "e": expires_in}
    if audience is not None:
        payload["a"] = audience
    return serializer.dumps(payload)


def read_link_token(secret_keys: str | list[str], token: str) -> FileLink:
    """Check a link's signature and age; raise LinkInvalid or LinkExpired."""
    serializer = URLSafeTimedSerializer(secret_keys, salt=TOKEN_SALT)
    try:
        payload: Any = serializer.loads(token)
    except BadData as exc:
        raise LinkInvalid(str(exc)) from exc
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("k"), str)
        and isinstance(payload.get("f"), str | None)
        and isinstance(payload.get("t"), str | None)
        and isinstance(payload.get("e"), int)
        and isinstance(payload.get("a"), str | None)
    ):
        raise LinkInvalid("unexpected payload")
    try:
        # The lifetime travels inside the signed payload, so the age check needs a second pass.
        serializer.loads(token, max_age=payload["e"])
    except SignatureExpired as exc:
        raise LinkExpired(str(exc)) from exc
    except BadData as exc:
        raise LinkInvalid(str(exc)) from exc
    return FileLink(key=payload["k"], filename=payload["f"], content_type=payload["t"], audience=payload.get("a"))


def signing_keys() -> list[str]:
    """The app's signing keys, oldest first, so links survive a SECRET_KEY rotation."""
    secret = current_app.config.get("SECRET_KEY")
    if not secret:
        raise StorageError("Cannot sign a link to a stored file: set SECRET_KEY.")
    return [*(current_app.config.get("SECRET_KEY_FALLBACKS") or []), secret]


class _FileWriter(PartialWriter):
    """Appends a request's pieces to the hidden file through one descriptor; a checkpoint syncs them."""

    def __init__(self, storage: FilesystemStorage, partial: Partial, offset: int) -> None:
        self._storage = storage
        self._partial = partial
        path = storage._partial_path(partial.key)
        try:
            self._fd = os.open(path, os.O_WRONLY)
        except FileNotFoundError as exc:
            raise ObjectMissing(partial.key) from exc
        except OSError as exc:
            raise storage._error(exc, doing("write")) from exc
        try:
            os.ftruncate(self._fd, offset)  # what an interrupted request left past the offset goes
            os.lseek(self._fd, offset, os.SEEK_SET)
        except OSError as exc:
            self.close()
            raise storage._error(exc, doing("write")) from exc

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            raise self._storage._error(exc, doing("write")) from exc

    def checkpoint(self) -> Partial:
        try:
            _datasync(self._fd)
        except OSError as exc:
            raise self._storage._error(exc, doing("write")) from exc
        return self._partial

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
