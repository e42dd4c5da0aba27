"""Resumable uploads: an original that arrives in chunks over many requests (the tus protocol's rules).

The chunks go straight into storage (appended to one hidden file on disk, parts of one multipart
upload on S3) while the whole file's SHA-256 is computed in the same pass: its state is serialised
into the upload's row after every stored piece (``rehashes``; hashlib objects cannot be), with the
offset, so a chunk may arrive at any web node, after a restart too, and nothing is read twice.
When the last byte is in, the upload becomes a ``MediaFile`` through the one-shot upload's own
steps: type detection from the first bytes, the item's kind, the duplicate check, the derive job.
Only one request writes to an upload at a time: it holds the row's lease, taken by one
conditional UPDATE, and every progress write checks it still does.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from rehashes import PySha256
from sqlalchemy import delete, or_, select, update

from archive.auth.models import User
from archive.catalogue.models import Item
from archive.errors import ActionableError
from archive.extensions import db
from archive.i18n.formats import number
from archive.jobs.operations import enqueue
from archive.media.detect import HEAD_BYTES
from archive.media.ingest import IngestError, check_kind, clean_filename, record_original, sniff, too_large
from archive.media.models import Upload
from archive.storage import Partial, StorageError, get_storage
from archive.timeutil import utcnow

LEASE_SECONDS = 60  # a writer silent this long (its process died) no longer blocks the upload
RECORD_SECONDS = 10  # a slow request records its progress (and renews its lease) at least this often
SNIFF_AFTER = 4096  # as the one-shot upload: refuse garbage once this much has arrived
READ_BYTES = 1024 * 1024
CHECKSUM_ALGORITHMS = ("sha1", "sha256")


class UploadError(ActionableError):
    """A resumable upload request that cannot be done; the message says why."""

    status = 400
    code = "invalid_upload"


class UploadGone(UploadError):
    status = 404
    code = "not_found"


class UploadExpired(UploadError):
    status = 410
    code = "expired"


class OffsetConflict(UploadError):
    status = 409
    code = "offset_mismatch"


class UploadBusy(UploadError):
    status = 409
    code = "busy"


class PastLength(UploadError):
    status = 413
    code = "past_length"


class ChecksumMismatch(UploadError):
    status = 460
    code = "checksum_mismatch"


@dataclass(frozen=True)
class Checksum:
    """What the client says the chunk's digest is (tus checksum extension)."""

    algorithm: str
    digest: bytes


def expiry() -> timedelta:
    """How long an upload may stay silent before it is deleted."""
    return timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"])


def create(item: Item, owner, filename: str, length: int) -> Upload:
    """Start an upload of ``length`` bytes for ``item``; the storage is set up before the row is kept."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if length > limit:
        raise too_large(limit)
    if length == 0:
        raise IngestError(_("The file is empty (0 bytes). Choose the film or photograph again."))
    storage = get_storage()
    partial = storage.begin_partial("originals")
    upload = Upload(
        id=secrets.token_hex(16), item_id=item.id, owner_id=getattr(owner, "id", None),
        filename=clean_filename(filename), length=length, offset=0, storage_key=partial.key,
        storage_upload_id=partial.upload_id, parts=[], tail=b"", head=b"",
        hash_state=bytes(PySha256().serialize()), expires_at=utcnow() + expiry(),
    )
    db.session.add(upload)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.abort_partial(partial)
        raise
    return upload


def find(upload_id: str, owner) -> Upload:
    """The caller's upload; another person's is as unknown as one that never was."""
    upload = db.session.get(Upload, upload_id) if len(upload_id) <= 32 else None
    if upload is None or owner is None or upload.owner_id != owner.id:
        raise UploadGone(_("No upload at this address: it was finished long ago, cancelled, or never started. "
                           "Start the upload again."))
    if upload.media_id is None and upload.expires_at < utcnow():
        raise UploadExpired(_("This upload was left unfinished for more than %(hours)s hours and has expired. "
                              "Start it again.", hours=current_app.config["UPLOAD_EXPIRY_HOURS"]))
    return upload


def append(upload: Upload, offset: int, stream: BinaryIO, content_length: int | None,
           checksum: Checksum | None = None) -> Upload:
    """Store the chunk in ``stream`` at ``offset``; when it completes the file, record the original."""
    if offset != upload.offset or upload.media_id is not None:
        raise _offset_conflict(upload, offset)
    remaining = upload.length - upload.offset
    if content_length is not None and content_length > remaining:
        raise _past_length(upload)
    token = secrets.token_hex(16)
    now = utcnow()
    claimed = db.session.execute(
        update(Upload)
        .where(Upload.id == upload.id, Upload.offset == offset, Upload.media_id.is_(None),
               or_(Upload.lease.is_(None), Upload.lease_until < now))
        .values(lease=token, lease_until=now + timedelta(seconds=LEASE_SECONDS), expires_at=now + expiry())
    ).rowcount
    db.session.commit()
    if not claimed:
        db.session.refresh(upload)
        if upload.offset != offset:
            raise _offset_conflict(upload, offset)
        raise UploadBusy(_("Another request is sending to this upload right now. Wait for it to end, ask for the "
                           "offset (HEAD) and go on from there."))
    try:
        _receive(upload, token, stream, checksum)
    finally:
        db.session.rollback()
        db.session.execute(update(Upload).where(Upload.id == upload.id, Upload.lease == token).values(lease=None))
        db.session.commit()
    db.session.refresh(upload)
    return upload


def _receive(upload: Upload, token: str, stream: BinaryIO, checksum: Checksum | None) -> None:
    """Read the chunk piece by piece into storage, hashing each piece as it passes (one pass, no copy);
    record progress every ``partial_step`` bytes and at the end (only at the end when a checksum
    must match first)."""
    storage = get_storage()
    hasher = PySha256.deserialize(upload.hash_state)
    piece_hash = hashlib.new(checksum.algorithm) if checksum else None
    partial = _partial(upload)
    position, head, length = upload.offset, upload.head, upload.length
    unrecorded, recorded_at = 0, time.monotonic()
    with storage.partial_writer(partial, position) as writer:
        while True:
            # One byte more than is missing tells a chunk that runs past the declared length.
            data = _read(stream, min(READ_BYTES, length - position + 1))
            if position + len(data) > length:
                raise _past_length(upload)
            if not data:
                break
            if len(head) < HEAD_BYTES:
                head += data[: HEAD_BYTES - len(head)]
                if len(head) >= SNIFF_AFTER:
                    _check_type(upload, head)
            if piece_hash is not None:
                piece_hash.update(data)
            hasher.update(data)
            writer.write(data)
            position += len(data)
            unrecorded += len(data)
            # Every partial_step bytes, or every few seconds on a slow line (which also renews the lease).
            if checksum is None and (unrecorded >= storage.partial_step
                                     or time.monotonic() - recorded_at >= RECORD_SECONDS):
                _record(upload, token, position, hasher, writer.checkpoint(), head)
                unrecorded, recorded_at = 0, time.monotonic()
            if position == length:
                break
        if checksum is not None and piece_hash.digest() != checksum.digest:
            raise ChecksumMismatch(_("The chunk's %(algorithm)s checksum does not match what the request said; "
                                     "nothing of it was kept. Send the chunk again.", algorithm=checksum.algorithm))
        partial = writer.checkpoint()
        if unrecorded:
            _record(upload, token, position, hasher, partial, head)
    if position == length:
        _finish(upload, hasher, partial, head)


def _read(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes; ``b""`` when the body ended, a broken connection ending it with what arrived."""
    try:
        return stream.read(size)
    except Exception:  # noqa: BLE001 - the client went away: keep what arrived, as tus asks
        return b""


def _record(upload: Upload, token: str, position: int, hasher: PySha256, partial: Partial, head: bytes) -> None:
    """Keep the progress, if this request still holds the upload."""
    now = utcnow()
    kept = db.session.execute(
        update(Upload).where(Upload.id == upload.id, Upload.lease == token).values(
            offset=position, hash_state=bytes(hasher.serialize()), parts=partial.parts, tail=partial.tail,
            head=head, lease_until=now + timedelta(seconds=LEASE_SECONDS), expires_at=now + expiry(),
        )
    ).rowcount
    db.session.commit()
    if not kept:
        raise UploadBusy(_("This request took too long and another one took over the upload. Ask for the offset "
                           "(HEAD) and go on from there."))


def _check_type(upload: Upload, head: bytes):
    """Refuse, and cancel the upload, when the first bytes are no film or photograph fit for the item."""
    try:
        sniffed = sniff(head)
        item = db.session.get(Item, upload.item_id) if upload.item_id is not None else None
        if item is None:
            raise UploadGone(_("The item this upload was for has been deleted; the upload is cancelled."))
        check_kind(item, sniffed)
    except ActionableError:
        _discard(upload)
        raise
    return item, sniffed


def _finish(upload: Upload, hasher: PySha256, partial: Partial, head: bytes) -> None:
    """Turn the complete upload into the item's original, exactly as the one-shot upload records one."""
    item, sniffed = _check_type(upload, head)
    storage = get_storage()
    try:
        stored = storage.finish_partial(partial, upload.length, hasher.finalize())
    except BaseException:
        _discard(upload)
        raise
    owner = db.session.get(User, upload.owner_id) if upload.owner_id is not None else None
    try:
        media = record_original(item, stored, sniffed, upload.filename, owner)  # deletes the object on failure
    except BaseException:
        db.session.rollback()
        db.session.execute(delete(Upload).where(Upload.id == upload.id))
        db.session.commit()
        raise
    db.session.execute(update(Upload).where(Upload.id == upload.id).values(media_id=media.id, tail=b"", parts=[]))
    db.session.commit()
    enqueue("derive", {"media_id": media.id}, item_id=item.id)


def busy(upload: Upload) -> bool:
    """Whether a request is writing to the upload now."""
    return upload.lease is not None and upload.lease_until is not None and upload.lease_until > utcnow()


def terminate(upload: Upload) -> None:
    """Cancel an upload: its stored pieces and its row go (a finished upload's original stays)."""
    if upload.media_id is None and busy(upload):
        raise UploadBusy(_("A request is sending to this upload right now; cancel it once that request ends."))
    _discard(upload)


def _discard(upload: Upload) -> None:
    """Drop the upload's stored pieces, then its row."""
    db.session.rollback()
    if upload.media_id is None:
        get_storage().abort_partial(_partial(upload))
    db.session.execute(delete(Upload).where(Upload.id == upload.id))
    db.session.commit()


def _partial(upload: Upload) -> Partial:
    return Partial(key=upload.storage_key, upload_id=upload.storage_upload_id, parts=list(upload.parts or []),
                   tail=upload.tail or b"")


def sweep() -> int:
    """Delete uploads silent past their expiry (aborting their S3 multipart uploads); return how many."""
    now = utcnow()
    expired = db.session.scalars(select(Upload).where(Upload.expires_at < now)).all()
    removed = 0
    for upload in expired:
        if busy(upload):
            continue  # a slow request is still writing; it moves the expiry on itself
        try:
            _discard(upload)
        except StorageError:
            current_app.logger.warning("Could not abort the expired upload %s; the next sweep tries again", upload.id,
                                       exc_info=True)
            continue
        removed += 1
    return removed


def _offset_conflict(upload: Upload, offset: int) -> OffsetConflict:
    return OffsetConflict(_("This chunk starts at byte %(sent)s but the archive holds %(held)s bytes of the upload. "
                            "Ask for the offset (HEAD) and send from there.",
                            sent=number(offset), held=number(upload.offset)))


def _past_length(upload: Upload) -> PastLength:
    return PastLength(_("This chunk runs past the upload's declared length of %(length)s bytes (%(held)s are already "
                        "here). Send only the missing bytes.", length=number(upload.length), held=number(upload.offset)))
