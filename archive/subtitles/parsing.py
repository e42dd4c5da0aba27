"""Reading subtitle files as they come: guessing the encoding, then parsing SRT or WebVTT.

Files arrive in every state: UTF-8 with or without a BOM, UTF-16 with a BOM, Windows-1251 or KOI8-R
Russian, Windows-1254 Turkish and Azerbaijani, Windows-1252; CRLF or CR line ends; SRT with dots
in the times; no final blank line; ``<i>``/``<font>`` tags and ``{\\an8}`` codes. Whatever can be
read is read; what cannot is reported as a warning that says where, so an archivist can fix it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from archive.errors import ValidationError
from archive.subtitles import messages
from archive.subtitles.decoding import ENCODING_CHOICES, ENCODING_NAMES, LEGACY_ENCODINGS, decode, encoding_name

__all__ = ["ENCODING_CHOICES", "ENCODING_NAMES", "LEGACY_ENCODINGS", "ParsedCue", "ParsedSubtitles", "decode",
           "encoding_name", "parse", "plain_text", "timecode"]

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[,.:](\d{1,3}))?"
_TIMING_RE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$", re.ASCII)
_CUE_NUMBER_RE = re.compile(r"\s*(\d{1,9})\s*", re.ASCII)
# Formatting markup that is not part of what was said: SRT/WebVTT tags and ASS override codes.
_ASS_CODE_RE = re.compile(r"\{\\[^}]*\}")
_FORMAT_TAG_RE = re.compile(
    r"</?(?:i|b|u|s|font|c|v|lang|ruby|rt|span)(?:[\s.][^<>]*)?>|<\d{1,3}:\d{2}(?::\d{2})?[.,]\d{1,3}>",
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"[ \t\u00a0]+")


@dataclass
class ParsedCue:
    """A cue as read from the file: times in seconds, text with markup, and plain text."""

    start: float
    end: float
    text: str
    plain: str


@dataclass
class ParsedSubtitles:
    """The outcome of reading one file: cues in time order, what was found, what to look at."""

    cues: list[ParsedCue]
    source_format: str
    encoding: str
    warnings: list[dict] = field(default_factory=list)
    decoded_cleanly: bool = True  # False: some bytes fit no candidate encoding and were replaced

    @property
    def first_start(self) -> float:
        """When the first cue appears."""
        return self.cues[0].start if self.cues else 0.0

    @property
    def last_end(self) -> float:
        """When the last cue disappears."""
        return max((cue.end for cue in self.cues), default=0.0)


def plain_text(text: str) -> str:
    """What a cue says, without tags, override codes or entities: the text search reads."""
    text = _ASS_CODE_RE.sub("", text)
    text = _FORMAT_TAG_RE.sub("", text)
    text = html.unescape(text).replace("\\N", " ").replace("\\n", " ")
    lines = (_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _seconds(groups: tuple) -> float | None:
    hours, minutes, seconds, fraction = groups
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    millis = int(fraction.ljust(3, "0")) if fraction else 0
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + millis / 1000


def timecode(seconds: float) -> str:
    """``H:MM:SS`` (or ``M:SS``) for reports and warnings."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _Warnings:
    """Warnings grouped by kind: one line per kind with a count and where the first ones are.

    ``code`` and ``args`` name the sentence (``archive.subtitles.messages``); the message is written
    in the interface language, and again in any other from the kept code and args.
    """

    def __init__(self) -> None:
        self._found: dict[str, dict] = {}

    def add(self, code: str, where: str, **args) -> None:
        entry = self._found.setdefault(code, {"code": code, "args": args, "count": 0, "where": []})
        entry["count"] += 1
        if len(entry["where"]) < 5:
            entry["where"].append(where)

    def as_list(self) -> list[dict]:
        result = []
        for entry in self._found.values():
            sentence = messages.describe(entry["code"], entry["args"]) or entry["code"]
            message = messages.with_places(sentence, entry["count"], entry["where"])
            result.append({"code": entry["code"], "message": message, "count": entry["count"],
                           "where": entry["where"], "args": entry["args"]})
        return result


def parse(data: bytes, *, duration: float | None = None, encoding: str | None = None) -> ParsedSubtitles:
    """Decode and parse an SRT or WebVTT file into cues in time order, with warnings.

    ``encoding`` (one of ``ENCODING_CHOICES``) overrides the guess. Nothing but ValidationError is raised.
    """
    if not data.strip():
        raise ValidationError({"file": _("The file is empty. Upload an .srt or .vtt file with cues.")})
    decoded = decode(data, encoding)
    warnings = _Warnings()
    for code, args, where in decoded.notes:
        warnings.add(code, where, **args)
    text = decoded.text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source_format = "vtt" if text.lstrip().startswith("WEBVTT") else "srt"
    raw = _read_cues(text.split("\n"), source_format, warnings)
    cues = []
    for number, start, end, lines in raw:
        body = "\n".join(lines).strip("\n")
        plain = plain_text(body)
        if not plain:
            warnings.add("empty", f"cue {number}")
            continue
        if end < start:
            warnings.add("end_before_start", f"cue {number}")
            continue
        cues.append((number, ParsedCue(start, end, body, plain)))
    if not cues:
        raise ValidationError({"file": _("No cues could be read from the file. Check that it is an SRT or WebVTT "
                                         "file with times like 00:01:02,500 --> 00:01:04,000.")})

    ordered = sorted(cues, key=lambda pair: (pair[1].start, pair[1].end))
    previous_start = None
    for number, cue in cues:
        if previous_start is not None and cue.start < previous_start:
            warnings.add("out_of_order", f"cue {number}")
        previous_start = cue.start
    latest_end = None
    for number, cue in ordered:
        if latest_end is not None and cue.start < latest_end:
            warnings.add("overlap", f"cue {number} at {timecode(cue.start)}")
        latest_end = cue.end if latest_end is None else max(latest_end, cue.end)
        if duration and cue.end > duration + 0.5:
            warnings.add("past_end", f"cue {number} at {timecode(cue.start)}", end=timecode(duration))
    return ParsedSubtitles([cue for _, cue in ordered], source_format, decoded.encoding, warnings.as_list(),
                           decoded.clean)


def _read_cues(lines: list[str], source_format: str, warnings: _Warnings) -> list[tuple[int, float, float, list[str]]]:
    """(number, start, end, text lines) for every timed block; SRT blocks without a blank line between work too.

    Only an empty line ends a cue's text (a line of spaces does not, as in WebVTT). A line of digits
    right before a timing line is that cue's SRT number when it is the number due next or follows a
    line of spaces; otherwise it is what was said.
    """
    cues: list[tuple[int, float, float, list[str]]] = []
    current: list[str] | None = None
    in_text = False
    last_number = pending_number = None
    for index, line in enumerate(lines):
        if "-->" in line:
            match = _TIMING_RE.match(line)
            start = _seconds(match.groups()[:4]) if match else None
            end = _seconds(match.groups()[4:]) if match else None
            if start is None or end is None:
                warnings.add("unreadable", f"line {index + 1}")
                current, in_text, pending_number = None, False, None
                continue
            if current is not None and in_text and current:
                number = _cue_number(current[-1])
                expected = last_number + 1 if last_number is not None else len(cues) + 1
                after_gap = len(current) > 1 and not current[-2]  # a line of spaces, then the number
                if number is not None and (number == expected or after_gap):
                    current.pop()  # an SRT cue number that lost its blank line belongs to this cue
                    pending_number = number
            last_number, pending_number = pending_number, None
            current = []
            cues.append((len(cues) + 1, start, end, current))
            in_text = True
        elif not line:
            in_text = False
        elif in_text and current is not None:
            current.append(line.rstrip())
        else:
            pending_number = _cue_number(line)
    return cues


def _cue_number(line: str) -> int | None:
    match = _CUE_NUMBER_RE.fullmatch(line)
    return int(match.group(1)) if match else None
