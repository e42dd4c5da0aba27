"""The one exception the media library raises: a failure with a message a person can act on."""

from __future__ import annotations

from archive.errors import ActionableError


class MediaError(ActionableError):
    """A film or photograph that cannot be read or processed; the message says why and what to do."""

    status = 422
    code = "invalid_media"
