"""The raw request body of an upload: size checks before reading, and an efficient stream.

Views call these; the ingest operation itself never sees a request.
"""

from __future__ import annotations

from flask import abort, current_app, request
from flask_babel import gettext as _

from archive.i18n.formats import number

# gunicorn reads request bodies from the socket 8 KiB at a time, which makes a multi-gigabyte
# upload cost hundreds of thousands of Python calls; 1 MiB reads cut that by a factor of 128.
SOCKET_READ_BYTES = 1024 * 1024


def refuse_oversized_request() -> None:
    """413 at once when Content-Length is over ARCHIVE_MAX_UPLOAD_BYTES (streaming still enforces it)."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    length = request.content_length
    if length is not None and length > limit:
        abort(413, description=_("The upload is %(size)s bytes; this archive accepts at most %(limit)s bytes.",
                                 size=number(length), limit=number(limit)))


def body_stream():
    """The request body as a stream, read from the socket in large pieces where the server allows."""
    unreader = getattr(getattr(request.environ.get("wsgi.input"), "reader", None), "unreader", None)
    if unreader is not None and getattr(unreader, "mxchunk", SOCKET_READ_BYTES) < SOCKET_READ_BYTES:
        unreader.mxchunk = SOCKET_READ_BYTES
    return request.stream
