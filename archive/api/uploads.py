"""Resumable uploads over tus 1.0 at /api/v1/uploads, beside the one-shot upload (staff)."""

from __future__ import annotations

from archive.api import bp
from archive.media import tus

tus.add_routes(bp, "/uploads", {
    "upload_options": "The tus versions, extensions, size limit and checksum algorithms this server offers.",
    "create_upload": "Start a resumable upload: Upload-Length, and Upload-Metadata with item_id and filename (staff).",
    "upload_state": "How many bytes of the upload the archive holds: Upload-Offset on HEAD, as JSON on GET (its owner).",
    "upload_chunk": "Append a chunk at Upload-Offset; the last one makes the item's original (its owner).",
    "cancel_upload": "Cancel an unfinished upload and free what it stored (its owner).",
})
