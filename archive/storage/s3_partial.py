"""Resumable objects on S3: the pieces of a tus upload become the parts of one multipart upload.

S3 refuses parts under 5 MiB except the last, and clients send chunks of any size, so the bytes
after the last full part (the ``tail``) travel back to the caller in the ``Partial`` state, which
keeps them in the upload's database row until the next request fills a part. The row is shared by
every web node and survives a restart, which a spool folder on one node would not. A part is
numbered by its place in the object, so a part sent again after a lost answer replaces itself.
"""

from __future__ import annotations

from typing import Any

from archive.storage.base import Partial, PartialWriter, StorageError, StoredObject, _, doing

MAX_PARTS = 10_000
RECORD_BYTES = 32 * 1024 * 1024


class S3Partials:
    """The ``*_partial`` methods of ``S3Storage`` (kept apart so each file stays readable)."""

    _client: Any
    bucket: str
    part_size: int
    checksums: str

    @property
    def partial_step(self) -> int:  # type: ignore[override]
        """Record progress every few parts (at least 32 MiB): each record is a database commit."""
        return self.part_size * max(1, RECORD_BYTES // self.part_size)

    def begin_partial(self, prefix: str) -> Partial:
        """Create the multipart upload under a new key."""
        key = self.new_key(prefix)  # type: ignore[attr-defined]
        try:
            created = self._client.create_multipart_upload(Bucket=self.bucket, Key=self._name(key), **self._checksum())  # type: ignore[attr-defined]
        except Exception as exc:
            raise self._error(exc, doing("start upload", key)) from exc  # type: ignore[attr-defined]
        return Partial(key=key, upload_id=created["UploadId"])

    def write_partial(self, partial: Partial, offset: int, data: bytes) -> Partial:
        """Send every full part that ``tail + data`` holds; what is left becomes the new tail."""
        _check_offset(partial, offset)
        buffer = memoryview(partial.tail + data)
        parts = list(partial.parts)
        while len(buffer) >= self.part_size:
            parts.append(self._send_part(partial, len(parts) + 1, buffer[: self.part_size]))
            buffer = buffer[self.part_size :]
        return Partial(key=partial.key, upload_id=partial.upload_id, parts=parts, tail=bytes(buffer))

    def partial_writer(self, partial: Partial, offset: int) -> PartialWriter:
        """Gather the pieces into one part's buffer; each full part is sent as soon as it is full."""
        return _PartWriter(self, partial, offset)

    def finish_partial(self, partial: Partial, size: int, sha256: str, content_type: str | None = None) -> StoredObject:
        """Complete the multipart upload (or put a small object whole) and stamp its SHA-256."""
        key = partial.key
        if not partial.parts:
            # Smaller than one part: one plain PUT, and the empty multipart upload goes.
            self._put(key, partial.tail, sha256, content_type)  # type: ignore[attr-defined]
            self._abort_quietly(key, partial.upload_id)  # type: ignore[attr-defined]
            return StoredObject(key=key, size=size, sha256=sha256)
        parts = list(partial.parts)
        if partial.tail:
            parts.append(self._send_part(partial, len(parts) + 1, memoryview(partial.tail)))
        listed = [{k: v for k, v in part.items() if k != "Size"} for part in parts]
        try:
            self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=self._name(key), UploadId=partial.upload_id, MultipartUpload={"Parts": listed}  # type: ignore[attr-defined]
            )
        except Exception as exc:
            raise self._error(exc, doing("upload", key)) from exc  # type: ignore[attr-defined]
        self._record_sha256(key, sha256, content_type)  # type: ignore[attr-defined]
        return StoredObject(key=key, size=size, sha256=sha256)

    def abort_partial(self, partial: Partial) -> None:
        """Abort the multipart upload, so S3 frees (and stops billing) its parts."""
        if partial.upload_id is None:
            return
        try:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=self._name(partial.key), UploadId=partial.upload_id)  # type: ignore[attr-defined]
        except Exception as exc:
            if "NoSuchUpload" in str(exc):
                return
            raise self._error(exc, doing("delete", partial.key)) from exc  # type: ignore[attr-defined]

    def _send_part(self, partial: Partial, number: int, data: bytes | memoryview) -> dict:
        """Upload one part; return what completing the upload needs to name it."""
        if number > MAX_PARTS:
            raise StorageError(_("The upload is larger than %(parts)s parts of %(size)s bytes; "
                                 "raise S3_PART_SIZE to store objects this large.", parts=MAX_PARTS, size=self.part_size))
        checksum = self._checksum()
        try:
            response = self._client.upload_part(
                Bucket=self.bucket, Key=self._name(partial.key), UploadId=partial.upload_id,  # type: ignore[attr-defined]
                PartNumber=number, Body=data if isinstance(data, bytes) else bytes(data), **checksum,
            )
        except Exception as exc:
            raise self._error(exc, doing("upload", partial.key)) from exc  # type: ignore[attr-defined]
        part = {"ETag": response["ETag"], "PartNumber": number, "Size": len(data)}
        if checksum and "ChecksumCRC32" in response:
            part["ChecksumCRC32"] = response["ChecksumCRC32"]
        return part

    def _checksum(self) -> dict:
        """Name the part checksum up front where the service takes one, as s3transfer does."""
        return {"ChecksumAlgorithm": "CRC32"} if self.checksums == "when_supported" else {}


def _check_offset(partial: Partial, offset: int) -> None:
    in_parts = sum(part["Size"] for part in partial.parts)
    if offset != in_parts + len(partial.tail):
        raise StorageError(_("The resumable upload's state does not match its offset (%(offset)s); start it again.",
                             offset=offset))


class _PartWriter(PartialWriter):
    """One part's pieces (the tail first), joined once when they fill a part, which goes to S3 at once;
    a checkpoint keeps what is left as the tail."""

    def __init__(self, storage: S3Partials, partial: Partial, offset: int) -> None:
        _check_offset(partial, offset)
        self._storage = storage
        self._partial = partial
        self._parts = list(partial.parts)
        self._pieces: list[bytes] = [partial.tail] if partial.tail else []
        self._gathered = len(partial.tail)

    def write(self, data: bytes) -> None:
        size = self._storage.part_size
        while data:
            room = size - self._gathered
            piece, data = (data, b"") if len(data) <= room else (data[:room], data[room:])
            self._pieces.append(piece)
            self._gathered += len(piece)
            if self._gathered == size:
                part = self._pieces[0] if len(self._pieces) == 1 else b"".join(self._pieces)
                self._pieces, self._gathered = [], 0
                self._parts.append(self._storage._send_part(self._partial, len(self._parts) + 1, part))

    def checkpoint(self) -> Partial:
        return Partial(key=self._partial.key, upload_id=self._partial.upload_id, parts=list(self._parts),
                       tail=b"".join(self._pieces))
