"""Reading subtitle files as they come: guessing the encoding, then parsing SRT or WebVTT.

Files arrive in every state: UTF-8 with or without a BOM, UTF-16 with a BOM, Windows-1251 or KOI8-R
Russian, Windows-1254 Turkish and Azerbaijani, Windows-1252; CRLF or CR line ends; SRT with dots
in the times; no final blank line; ``<i>``/``<font>`` tags and ``{\\an8}`` codes. Whatever can be
read is read; what cannot is reported as a warning that says where, so an archivist can fix it.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

from archive.errors import ValidationError

# Byte-order marks decide the encoding outright; UTF-32 first, as its LE mark starts like UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Single-byte encodings subtitle files here are found in; the detector only chooses among these.
LEGACY_ENCODINGS = ("cp1251", "koi8_r", "cp1254", "cp1252")
_CYRILLIC_PAIR = {"cp1251", "koi8_r"}
_LATIN_PAIR = {"cp1252", "cp1254"}
# Bytes that are Turkish letters (Ğ İ Ş ğ ı ş) in Windows-1254 but Icelandic ones in Windows-1252.
_TURKISH_BYTES = re.compile(rb"[\xd0\xdd\xde\xf0\xfd\xfe]")
ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE",
    "utf-32-le": "UTF-32LE", "utf-32-be": "UTF-32BE", "cp1251": "Windows-1251", "koi8_r": "KOI8-R",
    "cp1254": "Windows-1254", "cp1252": "Windows-1252",
}

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[,.:](\d{1,3}))?"
_TIMING_RE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")
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

    @property
    def first_start(self) -> float:
        """When the first cue appears."""
        return self.cues[0].start if self.cues else 0.0

    @property
    def last_end(self) -> float:
        """When the last cue disappears."""
        return max((cue.end for cue in self.cues), default=0.0)


def decode(data: bytes) -> tuple[str, str]:
    """Return the text of a subtitle file and the encoding it was in."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode("utf-8" if encoding == "utf-8-sig" else encoding), encoding
            except UnicodeDecodeError as exc:
                raise ValidationError({"file": f"The file starts with a byte-order mark ({ENCODING_NAMES[encoding]}) but "
                                               f"is not valid {ENCODING_NAMES[encoding]} (byte {exc.start}). "
                                               "Save it again as UTF-8."}) from None
    if b"\x00" in data:
        raise ValidationError({"file": "This is not a subtitle file: it holds binary data. Upload an .srt or .vtt "
                                       "text file (UTF-16 needs its byte-order mark)."})
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _detect_legacy(data)
    return data.decode(encoding), encoding


def _detect_legacy(data: bytes) -> str:
    """Choose among the legacy encodings; the detector first, then rules for its known confusions."""
    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    encoding = best.encoding if best is not None else None
    if encoding in _CYRILLIC_PAIR or encoding is None and _looks_cyrillic(data):
        # Russian is mostly lowercase: read in the wrong one of the two, it turns mostly uppercase.
        return max(("cp1251", "koi8_r"), key=lambda name: _lowercase_cyrillic(data.decode(name, "replace")))
    if encoding in _LATIN_PAIR or encoding is None:
        # Ğ İ Ş ğ ı ş would otherwise read as Icelandic letters, which these films do not use.
        return "cp1254" if _TURKISH_BYTES.search(data) else "cp1252"
    return encoding


def _looks_cyrillic(data: bytes) -> bool:
    high = sum(1 for byte in data if byte >= 0xC0)
    return high > len(data) // 4


def _lowercase_cyrillic(text: str) -> int:
    return sum(1 for char in text if "а" <= char <= "я" or char == "ё") - sum(
        1 for char in text if "А" <= char <= "Я" or char == "Ё"
    )


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
    """Warnings grouped by kind: one line per kind with a count and where the first ones are."""

    def __init__(self) -> None:
        self._found: dict[str, dict] = {}

    def add(self, code: str, message: str, where: str) -> None:
        entry = self._found.setdefault(code, {"code": code, "message": message, "count": 0, "where": []})
        entry["count"] += 1
        if len(entry["where"]) < 5:
            entry["where"].append(where)

    def as_list(self) -> list[dict]:
        result = []
        for entry in self._found.values():
            places = ", ".join(entry["where"]) + (" …" if entry["count"] > len(entry["where"]) else "")
            result.append({**entry, "message": f"{entry['message']} ({entry['count']}: {places})"})
        return result


def parse(data: bytes, *, duration: float | None = None) -> ParsedSubtitles:
    """Decode and parse an SRT or WebVTT file into cues in time order, with warnings."""
    if not data.strip():
        raise ValidationError({"file": "The file is empty. Upload an .srt or .vtt file with cues."})
    text, encoding = decode(data)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source_format = "vtt" if text.lstrip().startswith("WEBVTT") else "srt"
    warnings = _Warnings()
    raw = _read_cues(text.split("\n"), source_format, warnings)
    cues = []
    for number, start, end, lines in raw:
        body = "\n".join(lines).strip("\n")
        plain = plain_text(body)
        if not plain:
            warnings.add("empty", "Empty cues were left out", f"cue {number}")
            continue
        if end < start:
            warnings.add("end_before_start", "Cues that end before they start were left out", f"cue {number}")
            continue
        cues.append((number, ParsedCue(start, end, body, plain)))
    if not cues:
        hint = "Check that it is an SRT or WebVTT file with times like 00:01:02,500 --> 00:01:04,000."
        raise ValidationError({"file": f"No cues could be read from the file. {hint}"})

    ordered = sorted(cues, key=lambda pair: (pair[1].start, pair[1].end))
    previous_start = None
    for number, cue in cues:
        if previous_start is not None and cue.start < previous_start:
            warnings.add("out_of_order", "Cues out of order were put in time order", f"cue {number}")
        previous_start = cue.start
    latest_end = None
    for number, cue in ordered:
        if latest_end is not None and cue.start < latest_end:
            warnings.add("overlap", "Cues overlap the one before", f"cue {number} at {timecode(cue.start)}")
        latest_end = cue.end if latest_end is None else max(latest_end, cue.end)
        if duration and cue.end > duration + 0.5:
            warnings.add("past_end", f"Cues run past the end of the film ({timecode(duration)})",
                         f"cue {number} at {timecode(cue.start)}")
    return ParsedSubtitles([cue for _, cue in ordered], source_format, encoding, warnings.as_list())


def _read_cues(lines: list[str], source_format: str, warnings: _Warnings) -> list[tuple[int, float, float, list[str]]]:
    """(number, start, end, text lines) for every timed block; SRT blocks without a blank line between work too."""
    cues: list[tuple[int, float, float, list[str]]] = []
    current: list[str] | None = None
    in_text = False
    for index, line in enumerate(lines):
        if "-->" in line:
            match = _TIMING_RE.match(line)
            start = _seconds(match.groups()[:4]) if match else None
            end = _seconds(match.groups()[4:]) if match else None
            if start is None or end is None:
                warnings.add("unreadable", "Lines with times that could not be read were skipped",
                              f"line {index + 1}")
                current, in_text = None, False
                continue
            if current is not None and in_text and current and current[-1].strip().isdigit():
                current.pop()  # an SRT cue number that lost its blank line belongs to this cue
            current = []
            cues.append((len(cues) + 1, start, end, current))
            in_text = True
        elif not line.strip():
            in_text = False
        elif in_text and current is not None:
            current.append(line.rstrip())
    return cues
