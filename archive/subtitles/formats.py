"""Writing cues out: normalised UTF-8 WebVTT (what players get) and SRT (for screening kits).

Both take any cues with ``start``, ``end`` (seconds) and ``text`` attributes. Only ``<i>``, ``<b>``
and ``<u>`` survive as markup; every other tag, override code or stray ``<``/``&`` is dropped or
escaped, so a cue can never carry HTML into a player or a page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Protocol

_KEPT_TAG_RE = re.compile(r"</?[ibu]>", re.IGNORECASE)
_ASS_CODE_RE = re.compile(r"\{\\[^}]*\}")
_OTHER_FORMAT_TAG_RE = re.compile(
    r"</?(?:s|font|c|v|lang|ruby|rt|span)(?:[\s.][^<>]*)?>|</?[ibu]\s[^<>]*>|<\d{1,3}:\d{2}(?::\d{2})?[.,]\d{1,3}>",
    re.IGNORECASE,
)


class TimedText(Protocol):
    start: float
    end: float
    text: str


def _clock(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def vtt_time(seconds: float) -> str:
    """``HH:MM:SS.mmm`` as WebVTT writes it."""
    return _clock(seconds, ".")


def srt_time(seconds: float) -> str:
    """``HH:MM:SS,mmm`` as SRT writes it."""
    return _clock(seconds, ",")


def clean_markup(text: str) -> str:
    """Cue text safe for players: ``<i>``/``<b>``/``<u>`` kept, everything else escaped or dropped."""
    text = _ASS_CODE_RE.sub("", text)
    text = _OTHER_FORMAT_TAG_RE.sub("", text)
    pieces = []
    last = 0
    for match in _KEPT_TAG_RE.finditer(text):
        pieces.append(html.escape(html.unescape(text[last:match.start()]), quote=False))
        pieces.append(match.group(0).lower())
        last = match.end()
    pieces.append(html.escape(html.unescape(text[last:]), quote=False))
    # A blank line would end the cue early; "-->" would read as a timing line.
    lines = [line.strip() for line in "".join(pieces).split("\n")]
    return "\n".join(line for line in lines if line).replace("--&gt;", "-->").replace("-->", "--&gt;")


def to_vtt(cues: Iterable[TimedText]) -> str:
    """A WebVTT document of ``cues``."""
    blocks = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        blocks += [str(number), f"{vtt_time(cue.start)} --> {vtt_time(cue.end)}", clean_markup(cue.text), ""]
    return "\n".join(blocks)


def to_srt(cues: Iterable[TimedText]) -> str:
    """An SRT document of ``cues`` (markup limited to ``<i>``, ``<b>``, ``<u>``)."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        text = html.unescape(clean_markup(cue.text).replace("&lt;", "\x00lt;")).replace("\x00lt;", "&lt;")
        blocks += [str(number), f"{srt_time(cue.start)} --> {srt_time(cue.end)}", text, ""]
    return "\n".join(blocks)
