"""What the S3 backend hands back when reading: a streaming response body, and download headers for links.

``S3Body`` wraps a GET response so ``S3Storage.open`` returns an ordinary file object; ``RangeNotSatisfiable``
says a range starts past the end; ``attachment`` builds the Content-Disposition a presigned link asks S3 to send.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from botocore.exceptions import BotoCoreError
from werkzeug.http import dump_options_header

from archive.storage.base import StorageError, clean_filename, doing


class RangeNotSatisfiable(Exception):
    """The requested range starts past the end of the object."""


class S3Body(io.RawIOBase):
    """A response body as a raw stream, so ``S3Storage.open`` hands out a normal file object."""

    def __init__(self, body: Any, key: str, error: Callable[[BaseException, str], StorageError]) -> None:
        self._body = body
        self._key = key
        self._error = error  # the storage's translation of botocore failures into StorageError

    def readable(self) -> bool:
        """Always readable."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the body; botocore errors become StorageError."""
        try:
            data = self._body.read(len(buffer))
        except BotoCoreError as exc:
            raise self._error(exc, doing("read", self._key)) from exc
        buffer[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        """Read the rest in one call, not in io's 8 KiB steps."""
        try:
            return self._body.read()
        except BotoCoreError as exc:
            raise self._error(exc, doing("read", self._key)) from exc

    def close(self) -> None:
        """Release the HTTP connection."""
        if not self.closed:
            self._body.close()
        super().close()


def attachment(filename: str) -> str:
    """Build a Content-Disposition header for a download, as Werkzeug's send_file does."""
    name = clean_filename(filename)
    options = {"filename": name}
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        # Armenian or Azerbaijani names: an ASCII fallback plus the RFC 5987 UTF-8 form.
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        options = {"filename": ascii_name or "download", "filename*": f"UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"}
    return dump_options_header("attachment", options)

