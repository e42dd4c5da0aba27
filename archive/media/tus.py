"""The tus 1.0 protocol over HTTP: headers in, headers out, for the API's and the upload page's routes.

Core, creation, termination, expiration and checksum (sha1, sha256). The rules of the upload
itself live in ``archive.media.resumable``; this module only reads and writes the protocol's
headers. Every answer, errors too, carries ``Tus-Resumable``; an error's body is the usual
``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Response, current_app, g, request, url_for
from flask_babel import gettext as _
from werkzeug.http import http_date

from archive.auth.permissions import STAFF, acting_user, require
from archive.catalogue.models import Item
from archive.extensions import db
from archive.media import resumable
from archive.media.models import Upload
from archive.media.request_body import body_stream
from archive.media.resumable import CHECKSUM_ALGORITHMS, Checksum, UploadError

VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration,checksum"
MAX_METADATA = 4096
MAX_DIGITS = 19  # a length or offset is at most 2**63 - 1


class VersionUnsupported(UploadError):
    status = 412
    code = "tus_version"


class WrongContentType(UploadError):
    status = 415
    code = "content_type"


def add_headers(response: Response) -> Response:
    """Put the protocol's headers on every answer of a tus route, errors included."""
    response.headers["Tus-Resumable"] = VERSION
    response.headers["Tus-Version"] = VERSION
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def check_version() -> None:
    """412 unless the client speaks tus 1.0.0 (OPTIONS asks which versions there are, and GET is plain JSON)."""
    if request.method in ("OPTIONS", "GET"):
        return
    sent = request.headers.get("Tus-Resumable")
    if sent != VERSION:
        raise VersionUnsupported(_("This server speaks tus %(version)s: send the header Tus-Resumable: %(version)s "
                                   "(got %(sent)s).", version=VERSION, sent=sent or _("none")))


def options() -> Response:
    """What this server offers."""
    response = Response(status=204)
    response.headers["Tus-Extension"] = EXTENSIONS
    response.headers["Tus-Max-Size"] = str(current_app.config["MAX_UPLOAD_BYTES"])
    response.headers["Tus-Checksum-Algorithm"] = ",".join(CHECKSUM_ALGORITHMS)
    return response


def create(user, location: Callable[[str], str]) -> Response:
    """POST: start an upload named by ``Upload-Metadata`` (item_id, filename) of ``Upload-Length`` bytes."""
    check_version()
    if request.headers.get("Upload-Defer-Length"):
        raise UploadError(_("Say the file's size in Upload-Length; this server does not take uploads of unknown length."))
    length = _count("Upload-Length", request.headers.get("Upload-Length"))
    metadata = parse_metadata(request.headers.get("Upload-Metadata"))
    if request.content_length:
        raise UploadError(_("Create the upload with an empty body, then send the file with PATCH requests."))
    item_id = metadata.get("item_id", "")
    if not item_id.isascii() or not item_id.isdigit() or len(item_id) > 12:
        raise UploadError(_("Upload-Metadata must name the item: item_id with the item's number (got %(value)r).",
                            value=item_id[:40]))
    filename = metadata.get("filename", "")
    if not filename.strip():
        raise UploadError(_("Upload-Metadata must name the file: filename with the file's name."))
    if "\x00" in filename:
        raise UploadError(_("The file name in Upload-Metadata contains a NUL character; send the name as it is."))
    item = db.session.get(Item, int(item_id))
    if item is None:
        raise resumable.UploadGone(_("No item %(id)s.", id=item_id))
    upload = resumable.create(item, user, filename, length)
    response = Response(status=201)
    response.headers["Location"] = location(upload.id)
    _state(response, upload)
    return response


def head(user, upload_id: str) -> Response:
    """HEAD (or GET, with the same as JSON): how many bytes the server holds."""
    check_version()
    upload = resumable.find(upload_id, user)
    response = current_app.json.response({
        "id": upload.id, "item_id": upload.item_id, "filename": upload.filename, "length": upload.length,
        "offset": upload.offset, "media_id": upload.media_id, "busy": resumable.busy(upload),
        "expires_at": upload.expires_at.isoformat() + "Z" if upload.media_id is None else None,
    })
    _state(response, upload)
    response.headers["Upload-Length"] = str(upload.length)
    return response


def patch(user, upload_id: str) -> Response:
    """PATCH: append the body at ``Upload-Offset``."""
    check_version()
    if request.mimetype != "application/offset+octet-stream":
        raise WrongContentType(_("Send the chunk with Content-Type: application/offset+octet-stream."))
    offset = _count("Upload-Offset", request.headers.get("Upload-Offset"))
    checksum = parse_checksum(request.headers.get("Upload-Checksum"))
    upload = resumable.find(upload_id, user)
    upload = resumable.append(upload, offset, body_stream(), request.content_length, checksum)
    response = Response(status=204)
    _state(response, upload)
    if upload.media_id is not None:
        response.headers["Upload-Media-Id"] = str(upload.media_id)
    return response


def terminate(user, upload_id: str) -> Response:
    """DELETE: cancel the upload and free what it stored."""
    check_version()
    resumable.terminate(resumable.find(upload_id, user))
    return Response(status=204)


def _state(response: Response, upload: Upload) -> None:
    response.headers["Upload-Offset"] = str(upload.offset)
    if upload.media_id is None:
        response.headers["Upload-Expires"] = http_date(upload.expires_at)


def _count(header: str, raw: str | None) -> int:
    """A non-negative whole number from a header, or a 400 that names the header."""
    if raw is None or not raw.strip():
        raise UploadError(_("The header %(header)s is missing: send it as a whole number of bytes.", header=header))
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_DIGITS:
        raise UploadError(_("The header %(header)s must be a whole number of bytes, 0 or more (got %(value)r).",
                            header=header, value=raw[:40]))
    return int(raw)


def parse_metadata(raw: str | None) -> dict[str, str]:
    """``key base64,key base64`` → a dict of UTF-8 values; a clear 400 for anything else."""
    if raw is None or not raw.strip():
        raise UploadError(_("Send Upload-Metadata with item_id and filename, each value in base64 "
                            "(for example: item_id MTI=,filename ZmlsbS5tcDQ=)."))
    if len(raw) > MAX_METADATA:
        raise UploadError(_("Upload-Metadata is longer than %(limit)s characters.", limit=MAX_METADATA))
    found: dict[str, str] = {}
    for pair in raw.split(","):
        key, _space, value = pair.strip().partition(" ")
        if not key or not key.isascii() or not key.isprintable():
            raise UploadError(_("Upload-Metadata has an empty or unreadable key; use key base64value pairs "
                                "separated by commas."))
        if key in found:
            raise UploadError(_("Upload-Metadata names %(key)s twice.", key=key))
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise UploadError(_("The value of %(key)s in Upload-Metadata is not base64-encoded UTF-8 text.",
                                key=key)) from None
        found[key] = decoded
    return found


def parse_checksum(raw: str | None) -> Checksum | None:
    """``Upload-Checksum: sha256 BASE64`` → what the chunk must hash to."""
    if raw is None:
        return None
    algorithm, _space, value = raw.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise UploadError(_("Upload-Checksum: this server checks %(algorithms)s, not %(algorithm)r.",
                            algorithms=", ".join(CHECKSUM_ALGORITHMS), algorithm=algorithm[:20]))
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != {"sha1": 20, "sha256": 32}[algorithm]:
        raise UploadError(_("Upload-Checksum: the %(algorithm)s digest must be base64 of its bytes.",
                            algorithm=algorithm))
    return Checksum(algorithm, digest)


def endpoint(view: Callable) -> Callable:
    """Mark a view as a tus route: its answers, errors too, get the protocol's headers."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.tus = True
        return view(*args, **kwargs)

    return wrapped


def after_request(response: Response) -> Response:
    """The blueprints' hook: tus headers on every answer of a tus route (errors come through here too)."""
    if g.get("tus"):
        add_headers(response)
    return response


def add_routes(bp: Blueprint, rule: str, docs: dict[str, str]) -> None:
    """Give ``bp`` the tus routes under ``rule``: OPTIONS on it, POST to create, GET/HEAD, PATCH, DELETE on one upload.

    The API offers them on bearer tokens (``/api/v1/uploads``), the upload page on the browser's
    session (``/manage/uploads``); the rules are the same. ``docs`` gives each view's docstring by
    its name (``upload_options``, ``create_upload``, ``upload_state``, ``upload_chunk``,
    ``cancel_upload``): the API's OpenAPI description reads them.
    """
    bp.after_request(after_request)

    def location(upload_id: str) -> str:
        return url_for(f"{bp.name}.upload_state", upload_id=upload_id)

    def upload_options():
        return options()

    def create_upload():
        return create(acting_user(), location)

    def upload_state(upload_id: str):
        return head(acting_user(), upload_id)

    def upload_chunk(upload_id: str):
        return patch(acting_user(), upload_id)

    def cancel_upload(upload_id: str):
        return terminate(acting_user(), upload_id)

    one = f"{rule}/<upload_id>"
    for view, path, methods, staff_only in ((upload_options, rule, ["OPTIONS"], False),
                                            (create_upload, rule, ["POST"], True),
                                            (upload_state, one, ["GET"], True),
                                            (upload_chunk, one, ["PATCH"], True),
                                            (cancel_upload, one, ["DELETE"], True)):
        view.__doc__ = docs[view.__name__]
        bp.add_url_rule(path, view.__name__, endpoint(require(STAFF)(view) if staff_only else view), methods=methods)
