"""Refusing uploads that announce a size over the limit before reading a byte of them."""

from __future__ import annotations

from flask import abort, current_app, request


def refuse_oversized_request() -> None:
    """413 at once when Content-Length is over ARCHIVE_MAX_UPLOAD_BYTES (streaming still enforces it)."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    length = request.content_length
    if length is not None and length > limit:
        abort(413, description=f"The upload is {length} bytes; this archive accepts at most {limit} bytes.")
