"""Why a job failed, as a message key and its values, written in each reader's language when shown.

A failure is recorded three ways on the job row: ``error_code`` (a key of ``MESSAGES``, stable for
programs), ``error_params`` (the values its sentence names, and ``detail``: what cannot be
translated, such as ffmpeg's own words), and ``error``, the same in English for logs and operators.
Code raises a failure with ``failure(MediaError, "unreadable_video", detail=...)``; ``shown(job)``
writes it in the language of the request. Rows from before codes existed, or with a code this
version does not know, show their stored English text.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

from flask import current_app, has_app_context
from flask_babel import gettext

E = TypeVar("E", bound=Exception)


def _n(message: str) -> str:
    """Marks ``message`` for the catalogs; ``Reason.translated`` translates it when it is shown."""
    return message


# Translators: the reasons a background job (poster, web version, storyboard, versions for slow
# connections, photo sizes, screening copy) failed, shown to archive staff. %(detail)s is never in
# them: ffmpeg's own words are added after the sentence by "%(reason)s Technical detail: %(detail)s".
MESSAGES = {
    # The job itself.
    "unknown_kind": _n("This version of the archive cannot run %(kind)s jobs."),
    "unexpected": _n("Unexpected error (%(error)s). It was logged; Retry may help."),
    "media_removed": _n("The media file was removed before it could be processed."),
    "media_removed_ladder": _n("The media file was removed before its streaming versions could be made."),
    "ladder_films_only": _n("Only films get adaptive streaming versions."),
    "photo_not_film": _n("This file is a photograph, not a film; attach it to a photo item."),
    "film_not_photo": _n("This file is a film, not a photograph; attach it to a film item."),
    "film_removed_copy": _n("The film was removed before its screening copy could be made."),
    "track_removed_copy": _n("The subtitle track was removed before its open-captions version could be made."),
    # Storage.
    "original_missing": _n("The original file is missing from the storage. Restore it from a backup "
                           "or upload the file again."),
    "storage_read": _n("The original could not be read from the storage. Check that the storage is "
                       "reachable, then Retry."),
    "storage_write": _n("A made file could not be stored. Check that the storage is reachable and has "
                        "room, then Retry."),
    # ffmpeg steps that failed; each is also the start of "timeout".
    "unreadable_video": _n("The file is not a video ffmpeg can read."),
    "duration_failed": _n("The film's length cannot be measured."),
    "frame_failed": _n("A frame cannot be taken from the film."),
    "proxy_failed": _n("The web version of the film cannot be made."),
    "subtitles_failed": _n("The subtitle tracks cannot be extracted from the film."),
    "storyboard_failed": _n("The storyboard cannot be made."),
    "screening_copy_failed": _n("The screening copy cannot be made."),
    "ladder_failed": _n("The versions for slow connections (adaptive streaming) cannot be made."),
    "decode_failed": _n("%(name)s cannot be decoded."),
    "timeout": _n("%(step)s %(tool)s took longer than %(seconds)s s and was stopped. The file may be "
                  "damaged; try again, or raise the time limit for very long films."),
    "tool_missing": _n("%(tool)s is not installed (looked for %(path)s): install ffmpeg or correct the "
                       "configured path."),
    "tool_not_at_path": _n("%(tool)s is not installed at %(path)s: install ffmpeg there or correct the configured path."),
    "no_ffmpeg": _n("ffmpeg is not installed: install it (apt-get install ffmpeg) or run "
                    "`pip install -r requirements.txt`, which brings imageio-ffmpeg."),
    "tool_not_executable": _n("%(tool)s at %(path)s cannot be run: make it executable."),
    # What the film or photograph itself is.
    "empty_file": _n("%(name)s is empty (0 bytes). Upload the file again."),
    "no_container": _n("The file is not a video ffmpeg can read: ffprobe found no container in it."),
    "not_film_container": _n("The file is not a video ffmpeg can read: it is “%(container)s”, not a film "
                             "container."),
    "no_video_stream": _n("The file has no video stream: it is a sound recording or holds no pictures."),
    "no_pictures_for_length": _n("The film's length cannot be measured: the file holds no readable pictures."),
    "picture_size": _n("The film's picture size cannot be read: the video stream may be damaged."),
    "no_poster_frame": _n("No poster frame could be taken: ffmpeg found no pictures at any point of the film."),
    "no_storyboard_frame": _n("No storyboard could be made: ffmpeg found no pictures in the film."),
    "cannot_open": _n("%(name)s cannot be read."),
    "no_file": _n("There is no file at %(name)s."),
    "heif": _n("%(name)s is a HEIC/AVIF photograph, which the archive cannot read yet: export it as JPEG or TIFF."),
    "not_media": _n("%(name)s is not a film or photograph the archive can read. Films: MP4, MOV, MKV, WebM, "
                    "AVI, MXF, MPEG-TS. Photographs: JPEG, PNG, TIFF, WebP."),
    "film_unreadable": _n("%(name)s looks like a %(format)s film, but it cannot be read."),
    "sound_only": _n("%(name)s has no video stream (it is a sound recording): upload a film or a photograph."),
    "no_pictures": _n("%(name)s has no video stream (it holds no pictures): upload a film or a photograph."),
    "unsupported_container": _n("%(name)s is not a film or photograph the archive can read (ffmpeg sees "
                                "“%(container)s”). Films: MP4, MOV, MKV, WebM, AVI, MXF, MPEG-TS. "
                                "Photographs: JPEG, PNG, TIFF, WebP."),
    "codec": _n("%(name)s uses a video format ffmpeg cannot decode (codec “%(codec)s”). Convert it to "
                "H.264 MP4 or ProRes MOV and upload it again."),
    "cut_off": _n("%(name)s is cut off: it ends before the film does (%(size)s of %(declared)s bytes). The "
                  "upload or copy may not have finished; upload the complete file."),
    "not_a_picture": _n("%(name)s is not a JPEG, PNG, TIFF or WebP picture."),
    "picture_damaged": _n("%(name)s is damaged or cut off. Export it again from the original."),
    "too_large": _n("%(name)s declares a picture too large to process safely; the limit is %(limit)s "
                    "megapixels. Scale it down before uploading."),
}
# Translators: how an untranslatable detail (ffmpeg's own message, a file name) follows a reason.
WITH_DETAIL = _n("%(reason)s Technical detail: %(detail)s")


def _english(message: str, **values: object) -> str:
    return message % values  # always formatted: a value the message names and lacks is an error, never "%(name)s"


def _translated(message: str, **values: object) -> str:
    if has_app_context() and "babel" in current_app.extensions:
        return gettext(message) % values
    return _english(message, **values)


class Reason(NamedTuple):
    """A failure's message key and the values its sentence names (``detail`` is shown after it)."""

    code: str
    params: dict

    def english(self) -> str:
        """The reason as operators and logs read it."""
        return self._written(_english)

    def translated(self) -> str:
        """The reason in the language of the request (English without one)."""
        return self._written(_translated)

    def _written(self, write) -> str:
        values = {key: value for key, value in self.params.items() if key != "detail"}
        step = values.get("step")
        if step in MESSAGES and step != self.code:
            values["step"] = Reason(step, values).english() if write is _english else Reason(step, values).translated()
        text = write(MESSAGES[self.code], **values)
        detail = self.params.get("detail")
        return write(WITH_DETAIL, reason=text, detail=detail) if detail else text


def reason(code: str, detail: object = "", **params: object) -> Reason:
    """A ``Reason``; raises KeyError for a code with no message, so a typo fails where it is written."""
    if code not in MESSAGES:
        raise KeyError(f"no job failure message for {code!r}")
    values = {key: value if isinstance(value, (int, float)) else str(value) for key, value in params.items()}
    if detail:
        values["detail"] = str(detail)[:1000]
    return Reason(code, values)


def failure(cls: type[E], code: str, detail: object = "", **params: object) -> E:
    """An exception of ``cls`` (an ``ActionableError``) saying the reason ``code`` in English, carrying it as ``.reason``."""
    found = reason(code, detail, **params)
    exc = cls(found.english())
    exc.reason = found
    return exc


def carried(cls: type[E], cause: BaseException) -> E:
    """An exception of ``cls`` with the message and reason of ``cause`` (to re-raise one failure as another)."""
    exc = cls(str(cause))
    exc.reason = getattr(cause, "reason", None)
    return exc


def recorded(code: str | None, params: dict | None, stored: str) -> str:
    """A job's failure in the reader's language: its code's message, else the stored English text."""
    if not code or code not in MESSAGES:
        return stored
    try:
        return Reason(code, dict(params or {})).translated()
    except (KeyError, TypeError, ValueError):  # values that do not fit the message (a changed message)
        return stored
