"""Media as people read it: file sizes written the local way, and names for processing states.

Job statuses and stages are stored as English keys (a worker has no reader); pages show them
through these labels in the interface language. A stage this module does not know is shown as
it was stored, so nothing is lost.
"""

from __future__ import annotations

import re

from babel.units import format_unit
from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from archive.i18n.formats import duration, number
from archive.i18n.names import interface_locale, label

STATUS_LABELS = {
    # Translators: the state of a film or photograph being processed after upload.
    "queued": _l("waiting to be processed"),
    "running": _l("being processed"),
    # Translators: a processed film or photograph, ready to be seen.
    "done": _l("ready"),
    "ready": _l("ready"),
    # Translators: the processing of a film or photograph failed.
    "failed": _l("failed"),
}
STAGE_LABELS = {
    "downloading the original": _l("downloading the original"),
    "reading technical metadata": _l("reading technical metadata"),
    "making the poster": _l("making the poster"),
    "making the storyboard": _l("making the storyboard"),
    "making the web version": _l("making the web version"),
    "extracting subtitle tracks": _l("extracting subtitle tracks"),
    "checking the picture": _l("checking the picture"),
    "making display and thumbnail sizes": _l("making display and thumbnail sizes"),
}
TECHNICAL_LABELS = {
    "container": _l("Container"), "duration": _l("Duration"), "bit_rate": _l("Bit rate"),
    "video_codec": _l("Video codec"), "width": _l("Width"), "height": _l("Height"),
    "frame_rate": _l("Frame rate"), "pixel_format": _l("Pixel format"), "interlaced": _l("Interlaced"),
    "sample_aspect_ratio": _l("Pixel aspect ratio"), "rotation": _l("Rotation"),
    "video_duration": _l("Length of the video stream"), "video_streams": _l("Video streams"),
    "audio_codec": _l("Sound codec"), "audio_channels": _l("Sound channels"),
    "audio_sample_rate": _l("Sound sample rate"), "audio_streams": _l("Sound tracks"),
    "coded_width": _l("Coded width"), "coded_height": _l("Coded height"), "has_audio": _l("Has sound"),
    "format": _l("Format"), "mode": _l("Colour mode"), "frames": _l("Pictures in the file"),
    "taken_at": _l("Date taken"), "camera_make": _l("Camera maker"), "camera_model": _l("Camera model"),
    "had_location": _l("Had location tags"),
}
_CHECKED_RE = re.compile(r"checked (\d+) of (\d+)")


def status_label(status: str | None) -> str:
    """A processing status (``queued``, ``running``, ``failed``, ``ready``) in the interface language."""
    return label(STATUS_LABELS, status)


def stage_label(stage: str | None) -> str:
    """A job's stored stage (``making the poster``, ``checked 3 of 10``) in the interface language."""
    if not stage:
        return ""
    if stage in STAGE_LABELS:
        return label(STAGE_LABELS, stage)
    checked = _CHECKED_RE.fullmatch(stage)
    if checked:
        return _("checked %(done)s of %(total)s", done=number(int(checked.group(1))),
                 total=number(int(checked.group(2))))
    return stage


def technical_label(key: str) -> str:
    """The name of a technical fact (``frame_rate`` → ``Frame rate``); an unknown key with spaces for ``_``."""
    return label(TECHNICAL_LABELS, key)


def technical_value(value, key: str = "") -> str:
    """A technical fact's value: lengths and rates with their units, numbers the local way, yes/no for flags."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        if key.endswith("duration"):
            return duration(value)
        if key.endswith("sample_rate"):
            return format_unit(value, "frequency-hertz", length="short", locale=interface_locale())
        return number(value)
    return str(value)


def init_app(app: Flask) -> None:
    """Offer the labels to templates."""
    app.jinja_env.filters.update(status_label=status_label, stage_label=stage_label,
                               technical_label=technical_label, technical_value=technical_value)
