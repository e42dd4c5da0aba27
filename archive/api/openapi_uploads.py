"""The OpenAPI entries of the resumable (tus 1.0) upload routes, merged into ``openapi.OPERATIONS``.

The protocol speaks in headers; each operation lists the ones it reads. OPTIONS (what the server
offers) and HEAD (the offset) are part of the protocol but, as for every route, not described.
"""

from __future__ import annotations

from collections.abc import Callable

UPLOAD_ID = {"in": "path", "name": "upload_id", "required": True,
             "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "example": "0" * 32,
             "description": "The upload's address, from the Location of its creation."}


def header(name: str, schema: dict, description: str, required: bool = True) -> dict:
    return {"in": "header", "name": name, "schema": schema, "description": description, "required": required}


TUS_RESUMABLE = header("Tus-Resumable", {"type": "string", "enum": ["1.0.0"]}, "The tus version: 1.0.0.")
BYTES = {"type": "integer", "minimum": 0}
STATE = {"type": "object", "required": ["id", "length", "offset"], "properties": {
    "id": {"type": "string"}, "item_id": {"type": ["integer", "null"]}, "filename": {"type": "string"},
    "length": BYTES, "offset": BYTES, "media_id": {"type": ["integer", "null"]}, "busy": {"type": "boolean"},
    "expires_at": {"type": ["string", "null"], "format": "date-time"}}}


def upload_operations(answer: Callable, raw_body: Callable) -> dict[str, dict]:
    """The four described operations, built with ``openapi``'s own helpers."""
    return {
        "api.create_upload": {
            "who": "staff",
            "parameters": [
                TUS_RESUMABLE,
                header("Upload-Length", BYTES, "The file's size in bytes."),
                header("Upload-Metadata", {"type": "string", "example": "item_id MQ==,filename ZmlsbS5tcDQ="},
                       "Comma-separated `key base64(value)` pairs: `item_id` and `filename` are required."),
            ],
            "ok": answer("201", None, "Created: `Location` is the upload's address, `Upload-Expires` when it "
                                      "expires if left unfinished."),
            "errors": ("400", "404", "412", "413", "422")},
        "api.upload_state": {
            "who": "staff", "parameters": [TUS_RESUMABLE],
            "ok": answer("200", STATE, "`Upload-Offset`: the bytes held (HEAD gives the headers alone)."),
            "errors": ("404", "410", "412")},
        "api.upload_chunk": {
            "who": "staff",
            "parameters": [
                TUS_RESUMABLE,
                header("Upload-Offset", BYTES, "Where this chunk starts: the offset HEAD gave."),
                header("Upload-Checksum", {"type": "string", "example": "sha256 n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="},
                       "`sha256` (or `sha1`) and the base64 digest of this chunk.", required=False),
            ],
            "body": raw_body("application/offset+octet-stream", "The next bytes of the file."),
            "ok": answer("204", None, "Stored: `Upload-Offset` is the new offset; with the last byte the item's "
                                      "original is recorded (`Upload-Media-Id`) and processed."),
            "errors": ("400", "404", "409", "410", "412", "413", "415", "422", "460")},
        "api.cancel_upload": {
            "who": "staff", "parameters": [TUS_RESUMABLE],
            "ok": answer("204", None, "Cancelled; the bytes stored so far are deleted."),
            "errors": ("404", "409", "410", "412")},
    }
