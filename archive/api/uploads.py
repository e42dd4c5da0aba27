"""Resumable uploads over tus 1.0 at /api/v1/uploads, beside the one-shot upload (staff)."""

from __future__ import annotations

from flask import url_for

from archive.api import bp
from archive.auth.permissions import STAFF, acting_user, require
from archive.media import tus

bp.after_request(tus.after_request)


def _location(upload_id: str) -> str:
    return url_for("api.upload_state", upload_id=upload_id)


@bp.route("/uploads", methods=["OPTIONS"])
@tus.endpoint
def upload_options():
    """The tus versions, extensions, size limit and checksum algorithms this server offers."""
    return tus.options()


@bp.post("/uploads")
@tus.endpoint
@require(STAFF)
def create_upload():
    """Start a resumable upload: Upload-Length, and Upload-Metadata with item_id and filename (staff)."""
    return tus.create(acting_user(), _location)


@bp.get("/uploads/<upload_id>")
@tus.endpoint
@require(STAFF)
def upload_state(upload_id: str):
    """How many bytes of the upload the archive holds: Upload-Offset on HEAD, as JSON on GET (its owner)."""
    return tus.head(acting_user(), upload_id)


@bp.route("/uploads/<upload_id>", methods=["PATCH"])
@tus.endpoint
@require(STAFF)
def upload_chunk(upload_id: str):
    """Append a chunk at Upload-Offset; the last one makes the item's original (its owner)."""
    return tus.patch(acting_user(), upload_id)


@bp.delete("/uploads/<upload_id>")
@tus.endpoint
@require(STAFF)
def cancel_upload(upload_id: str):
    """Cancel an unfinished upload and free what it stored (its owner)."""
    return tus.terminate(acting_user(), upload_id)
