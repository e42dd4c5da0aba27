"""The route that serves filesystem-stored objects through signed, expiring links."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import Blueprint, Flask, Response, current_app, send_file

from archive.storage import get_storage, records
from archive.storage.base import ObjectMissing, _
from archive.storage.filesystem import FilesystemStorage, LinkExpired, LinkInvalid, read_link_token, signing_keys

bp = Blueprint("storage", __name__, url_prefix="/files")

# Asked on every use of a link: (key, audience the link was issued to) -> may it still be served?
# Features higher in the house add theirs to their app at start-up (media: the item must still be visible).
LinkCheck = Callable[[str, "str | None"], bool]
_CHECKS = "archive.storage.link_checks"


def add_link_check(app: Flask, check: LinkCheck) -> None:
    """Have ``check`` consulted each time one of ``app``'s signed links is used; a False refuses it with 404."""
    checks = app.extensions.setdefault(_CHECKS, [])
    if check not in checks:
        checks.append(check)


def _plain(message: str, status: int) -> Response:
    """A short text answer; these links are often opened straight in a browser or a player."""
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.route("/<token>")
def serve(token: str) -> Response:
    """Send the linked file, answering Range requests with 206."""
    storage = get_storage()
    if not isinstance(storage, FilesystemStorage):
        # S3 links point at the bucket; this route never signed anything for it.
        return _plain(_("This link is invalid."), 403)
    try:
        link = read_link_token(signing_keys(), token)
    except LinkExpired:
        return _plain(_("This link has expired; ask for a new one."), 410)
    except LinkInvalid:
        return _plain(_("This link is invalid."), 403)
    if not all(check(link.key, link.audience) for check in current_app.extensions.get(_CHECKS, ())):
        return _plain(_("This file is no longer available; reload the page it came from for a new link."), 404)
    try:
        # A link outlives nothing it pointed at: once no row holds the key (the item was deleted,
        # the track replaced), the link is dead even before the object itself is purged.
        if not records.is_recorded(link.key):
            raise ObjectMissing(link.key)
        path = storage.path_of(link.key)
    except ObjectMissing:
        return _plain(_("This file is no longer available."), 404)
    accel = current_app.config.get("ACCEL_REDIRECT")
    if accel:
        response = _accel_redirect(accel, link.key, link.content_type, link.filename)
    else:
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
    if link.audience == "public":
        # Issued for everyone (a public item's derivative): viewers on other sites that fetch with
        # CORS (a IIIF viewer's <video crossorigin>) may read it; a link for partners or staff never.
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _accel_redirect(location: str, key: str, content_type: str | None, filename: str | None) -> Response:
    """An empty answer telling nginx to send the file itself from its internal ``location`` (Range included).

    The link was checked above; nginx only does the sending, so a worker is not held for the length
    of a film download. nginx keeps this answer's headers (type, disposition, the security ones).
    """
    response = Response(status=200, mimetype=content_type or "application/octet-stream")
    response.headers["X-Accel-Redirect"] = location + quote(key)
    if filename is not None:
        response.headers["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    """A Content-Disposition naming ``filename``, as send_file writes it (ASCII name plus RFC 5987 for the rest)."""
    ascii_name = filename.encode("ascii", "ignore").decode("ascii").replace("\\", "").replace('"', "").strip() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
