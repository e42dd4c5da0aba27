"""Ingest: stream an upload into storage, hashing as it goes, then record it.

The object is stored first and the ``MediaFile`` row committed only after; when anything fails
in between, the stored object is deleted again, so a failure leaves neither a row nor an object.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from archive.catalogue.models import Item
from archive.errors import ActionableError
from archive.extensions import db
from archive.i18n.formats import file_size
from archive.jobs.operations import enqueue
from archive.media import detect
from archive.media.detect import HEAD_BYTES
from archive.media.models import MediaFile
from archive.storage import ObjectTooLarge, StoredObject, get_storage

MAX_FILENAME = 200


class IngestError(ActionableError):
    """An upload that cannot be accepted; the message says why and what to do."""

    status = 422
    code = "invalid_media"


class DuplicateMedia(IngestError):
    """The same bytes are already in the archive."""

    status = 409
    code = "duplicate"

    def __init__(self, existing: MediaFile):
        item = db.session.get(Item, existing.item_id)
        title = item.display_title() if item else "?"
        super().__init__(_(
            "This file is already in the archive: item %(item)s “%(title)s” holds it as “%(filename)s”.",
            item=existing.item_id, title=title, filename=existing.filename,
        ))
        self.existing = existing


class UploadTooLarge(IngestError):
    """The upload passed the configured size limit."""

    status = 413
    code = "too_large"


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a file say it is."""

    kind: str  # "video" or "image"
    mime: str


def sniff(head: bytes) -> Sniffed:
    """Decide from the first bytes whether this is a film or photograph the archive accepts."""
    if not head:
        raise IngestError(_("The file is empty (0 bytes). Choose the film or photograph again."))
    announced = detect.sniff(head)
    if announced is None or announced[0] not in ("video", "image"):
        if announced:
            raise IngestError(_(
                "This is not a film or photograph the archive can read (by its content, whatever its name). "
                "HEIC/AVIF pictures are not accepted yet; export it as JPEG or TIFF. %(accepted)s",
                accepted=accepted_formats(),
            ))
        raise IngestError(_(
            "This is not a film or photograph the archive can read (by its content, whatever its name). %(accepted)s",
            accepted=accepted_formats(),
        ))
    return Sniffed(announced[0], announced[1])


def accepted_formats() -> str:
    """The formats the archive takes, in the interface language (``detect.ACCEPTED`` says the same in English)."""
    return _("Films: MP4, MOV, MKV, WebM, AVI, MXF, MPEG-TS. Photographs: JPEG, PNG, TIFF, WebP.")


def clean_filename(name: str | None) -> str:
    """A display name from what the uploader called the file: no path, controls, or excess length."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    if len(name) > MAX_FILENAME:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 12 else ""
        name = stem[: MAX_FILENAME - len(ext)] + ext
    return name or "upload"


class _HeadCapture:
    """Passes a stream through while keeping its first bytes for sniffing."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.head = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        if len(self.head) < HEAD_BYTES and chunk:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
            # Refuse garbage as soon as enough has arrived, before storing gigabytes of it.
            if len(self.head) >= 4096:
                sniff(self.head)
        return chunk


def store_original(stream: BinaryIO, filename: str | None) -> tuple[StoredObject, Sniffed]:
    """Stream ``stream`` into storage; return the stored object and what it is."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    capture = _HeadCapture(stream)
    storage = get_storage()
    try:
        stored = storage.save(capture, prefix="originals", max_bytes=limit)
    except ObjectTooLarge:
        raise too_large(limit) from None
    try:
        sniffed = sniff(capture.head)
    except IngestError:
        storage.delete(stored.key)
        raise
    return stored, sniffed


def find_duplicate(sha256: str) -> MediaFile | None:
    """The media file holding these bytes already, if any."""
    return db.session.scalar(select(MediaFile).where(MediaFile.sha256 == sha256))


def record_original(item: Item, stored: StoredObject, sniffed: Sniffed, filename: str | None, uploaded_by=None) -> MediaFile:
    """Commit the row for a stored object; on a duplicate or any failure the object is deleted."""
    storage = get_storage()
    try:
        media = _commit_original(item, stored, sniffed, filename, uploaded_by)
    except BaseException:
        # Whatever failed (a duplicate, the database gone mid-upload, an interrupt), no row points
        # at the object, so nothing may keep it.
        db.session.rollback()
        storage.delete(stored.key)
        raise
    return media


def _commit_original(item: Item, stored: StoredObject, sniffed: Sniffed, filename: str | None,
                     uploaded_by) -> MediaFile:
    existing = find_duplicate(stored.sha256)
    if existing is not None:
        raise DuplicateMedia(existing)
    media = MediaFile(
        item_id=item.id,
        kind=sniffed.kind,
        storage_key=stored.key,
        filename=clean_filename(filename),
        size=stored.size,
        sha256=stored.sha256,
        mime=sniffed.mime,
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    db.session.add(media)
    try:
        db.session.commit()
    except IntegrityError:
        # Two uploads of the same bytes raced; the other one won.
        db.session.rollback()
        existing = find_duplicate(stored.sha256)
        if existing is not None:
            raise DuplicateMedia(existing) from None
        raise
    return media


def check_kind(item: Item, sniffed: Sniffed) -> None:
    """Refuse a photograph for a film item and a film for a photograph item."""
    expected = "image" if item.kind == "photo" else "video"
    if sniffed.kind == expected:
        return
    if sniffed.kind == "image":
        raise IngestError(_("This item is a film but the file is a photograph. Attach it to an item of the right kind."))
    raise IngestError(_("This item is a photograph but the file is a film. Attach it to an item of the right kind."))


def too_large(limit: int) -> UploadTooLarge:
    """The error for an upload over ARCHIVE_MAX_UPLOAD_BYTES."""
    return UploadTooLarge(_(
        "The upload is larger than this archive accepts (%(limit)s). Ask an admin to raise "
        "ARCHIVE_MAX_UPLOAD_BYTES, or upload a smaller file.", limit=file_size(limit),
    ))


def ingest(item: Item, stream: BinaryIO, filename: str | None, uploaded_by=None) -> MediaFile:
    """Store an upload for ``item``, record it and queue its derivatives."""
    stored, sniffed = store_original(stream, filename)
    try:
        check_kind(item, sniffed)
    except IngestError:
        get_storage().delete(stored.key)
        raise
    media = record_original(item, stored, sniffed, filename, uploaded_by)
    enqueue("derive", {"media_id": media.id}, item_id=item.id)
    return media

