"""The route that serves filesystem-stored objects through signed, expiring links."""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from archive.storage import get_storage, records
from archive.storage.base import ObjectMissing
from archive.storage.filesystem import FilesystemStorage, LinkExpired, LinkInvalid, read_link_token, signing_keys

bp = Blueprint("storage", __name__, url_prefix="/files")


def _plain(message: str, status: int) -> Response:
    """A short text answer; these links are often opened straight in a browser or a player."""
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.route("/<token>")
def serve(token: str) -> Response:
    """Send the linked file, answering Range requests with 206."""
    storage = get_storage()
    if not isinstance(storage, FilesystemStorage):
        # S3 links point at the bucket; this route never signed anything for it.
        return _plain("This link is invalid.", 403)
    try:
        link = read_link_token(signing_keys(), token)
    except LinkExpired:
        return _plain("This link has expired; ask for a new one.", 410)
    except LinkInvalid:
        return _plain("This link is invalid.", 403)
    try:
        # A link outlives nothing it pointed at: once no row holds the key (the item was deleted,
        # the track replaced), the link is dead even before the object itself is purged.
        if not records.is_recorded(link.key):
            raise ObjectMissing(link.key)
        path = storage.path_of(link.key)
    except ObjectMissing:
        return _plain("This file is no longer available.", 404)
    response = send_file(
        path,
        mimetype=link.content_type or "application/octet-stream",
        as_attachment=link.filename is not None,
        download_name=link.filename,
        conditional=True,
    )
    response.cache_control.private = True
    # The files are user uploads served from the app's own origin: never let a browser sniff
    # them into HTML or run scripts from them.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
