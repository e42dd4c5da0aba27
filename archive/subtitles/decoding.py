"""Turning the bytes of a subtitle file into text, whatever encoding it is in.

A byte-order mark decides outright; then strict UTF-8; then the legacy code pages these films'
files come in, chosen by a detector and the rules for its known confusions. A file whose lines
are partly UTF-8 and partly a legacy code page is read line by line. Bytes no candidate can read
are replaced with U+FFFD and reported with their lines, never raised: the archivist can then
choose the encoding (``ENCODING_CHOICES``) and read the file again. NUL characters become U+FFFD,
as WebVTT says; only a file that is mostly control bytes is refused as binary.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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
_CYRILLIC_PAIR = ("cp1251", "koi8_r")
# Bytes that are Turkish letters (Ğ İ Ş ğ ı ş) in Windows-1254 but Icelandic ones in Windows-1252.
_TURKISH_BYTES = re.compile(rb"[\xd0\xdd\xde\xf0\xfd\xfe]")
_ASCII_LETTERS = re.compile(rb"[A-Za-z]")
# Control bytes no text file holds (tab, line ends, form feed, DOS end-of-file and escape are allowed).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x19\x1c-\x1f]")

# What an archivist may choose when the guess was wrong, with the names people know them by.
ENCODING_CHOICES = {
    "utf-8": "UTF-8", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE",
    "cp1250": "Windows-1250 (Central European: Czech, Polish, Hungarian …)",
    "cp1251": "Windows-1251 (Cyrillic)", "koi8_r": "KOI8-R (Russian)", "koi8_u": "KOI8-U (Ukrainian)",
    "cp866": "CP866 (DOS Cyrillic)", "mac_cyrillic": "Mac Cyrillic",
    "cp1252": "Windows-1252 (Western European)", "cp1254": "Windows-1254 (Turkish, Azerbaijani)",
    "cp1253": "Windows-1253 (Greek)", "cp1255": "Windows-1255 (Hebrew)", "cp1256": "Windows-1256 (Arabic, Persian)",
    "cp1257": "Windows-1257 (Baltic)", "iso8859_2": "ISO-8859-2 (Central European)",
    "iso8859_5": "ISO-8859-5 (Cyrillic)", "iso8859_9": "ISO-8859-9 (Turkish)",
    "big5": "Big5 (Traditional Chinese)", "gb18030": "GB18030 (Simplified Chinese)",
    "shift_jis": "Shift JIS (Japanese)", "euc_kr": "EUC-KR (Korean)",
}
ENCODING_NAMES = {
    **{code: label.split(" (")[0] for code, label in ENCODING_CHOICES.items()},
    "utf-8-sig": "UTF-8 with BOM", "utf-32-le": "UTF-32LE", "utf-32-be": "UTF-32BE",
}
# What each choice is for, in the interface language (the names themselves are the same everywhere).
_PURPOSES = {
    # Translators: what a text encoding is for, shown in brackets after its name: "Windows-1250 (...)".
    "cp1250": _l("Central European: Czech, Polish, Hungarian …"), "cp1251": _l("Cyrillic"),
    "koi8_r": _l("Russian"), "koi8_u": _l("Ukrainian"), "cp866": _l("DOS Cyrillic"),
    "cp1252": _l("Western European"), "cp1254": _l("Turkish, Azerbaijani"), "cp1253": _l("Greek"),
    "cp1255": _l("Hebrew"), "cp1256": _l("Arabic, Persian"), "cp1257": _l("Baltic"),
    "iso8859_2": _l("Central European"), "iso8859_5": _l("Cyrillic"), "iso8859_9": _l("Turkish"),
    "big5": _l("Traditional Chinese"), "gb18030": _l("Simplified Chinese"), "shift_jis": _l("Japanese"),
    "euc_kr": _l("Korean"),
}
_WIDE = ("utf-16", "utf-32")


@dataclass
class Decoded:
    """A file's text, the encoding it was read in, and notes (code, args, where) for the warnings."""

    text: str
    encoding: str
    clean: bool = True
    notes: list[tuple[str, dict, str]] = field(default_factory=list)


def encoding_choices() -> dict[str, str]:
    """``ENCODING_CHOICES`` with what each is for in the interface language, for the pages' menus."""
    return {code: f"{_name(code)} ({_PURPOSES[code]})" if code in _PURPOSES else _name(code)
            for code in ENCODING_CHOICES}


def _name(encoding: str) -> str:
    if encoding == "utf-8-sig":
        return _("UTF-8 with BOM")
    return ENCODING_NAMES.get(encoding, encoding)


def encoding_name(encoding: str) -> str:
    """The name people know an encoding by; ``utf-8+cp1251`` for a file that mixes two."""
    parts = [_name(part) for part in encoding.split("+")]
    if len(parts) == 2:
        return _("%(first)s and %(second)s", first=parts[0], second=parts[1])
    return ", ".join(parts)


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Read ``data`` as text: in ``encoding`` when the archivist chose one, else in the one it appears to be in."""
    if encoding is not None:
        return _decode_as(data, encoding)
    for bom, found in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode("utf-8" if found == "utf-8-sig" else found)
            except UnicodeDecodeError as exc:
                name = ENCODING_NAMES[found]
                raise ValidationError({"file": _(
                    "The file starts with a byte-order mark (%(encoding)s) but is not valid %(encoding)s "
                    "(byte %(byte)s). Save it again as UTF-8.", encoding=name, byte=exc.start,
                )}) from None
            return _without_nul(Decoded(text, found))
    _refuse_binary(data)
    try:
        return _without_nul(Decoded(data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return _without_nul(mixed)
    return _without_nul(_decode_legacy(data, _legacy_candidates(data)))


def _decode_as(data: bytes, encoding: str) -> Decoded:
    if encoding not in ENCODING_CHOICES:
        raise ValidationError({"encoding": _("%(encoding)s is not an encoding this archive reads; choose one "
                                             "of: %(choices)s.", encoding=repr(encoding),
                                             choices=", ".join(ENCODING_CHOICES))})
    if not encoding.startswith(_WIDE):
        _refuse_binary(data)
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    return _without_nul(_decode_legacy(data, [codec], reported=encoding))


def _refuse_binary(data: bytes) -> None:
    sample = data[:8192]
    if len(_CONTROL_BYTES.findall(sample)) * 10 > len(sample):
        raise ValidationError({"file": _("This is not a subtitle file: it holds binary data. Upload an .srt or "
                                         ".vtt text file (for UTF-16 without a byte-order mark, choose UTF-16LE "
                                         "or UTF-16BE as the encoding).")})


def _legacy_candidates(data: bytes) -> list[str]:
    """Legacy encodings to try in order; the first that reads every byte wins."""
    high = sum(1 for byte in data if byte >= 0xC0)
    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    detected = best.encoding if best is not None else None
    if detected in _CYRILLIC_PAIR or high > len(_ASCII_LETTERS.findall(data)):
        # Russian is mostly lowercase: read in the wrong one of the two, it turns mostly uppercase.
        # Only the winner is tried: KOI8-R reads any byte, so a fallback to it would hide the problem.
        return [max(_CYRILLIC_PAIR, key=lambda name: _lowercase_cyrillic(data.decode(name, "replace")))]
    # Ğ İ Ş ğ ı ş would otherwise read as Icelandic letters, which these films do not use; a byte
    # Windows-1254 lacks (Ž, ž) says Windows-1252, and one both lack (Ť, ť, Ź) says Windows-1250.
    latin = ["cp1254", "cp1252"] if _TURKISH_BYTES.search(data) else ["cp1252", "cp1254"]
    return [*latin, "cp1250"]


def _lowercase_cyrillic(text: str) -> int:
    return sum(1 for char in text if "а" <= char <= "я" or char == "ё") - sum(
        1 for char in text if "А" <= char <= "Я" or char == "Ё"
    )


def _decode_legacy(data: bytes, candidates: list[str], reported: str | None = None) -> Decoded:
    """The first candidate that reads every byte; else the first, with U+FFFD and a note per line."""
    for candidate in candidates:
        try:
            return Decoded(data.decode(candidate), reported or candidate)
        except UnicodeDecodeError:
            continue
    chosen = candidates[0]
    decoded = Decoded(data.decode(chosen, "replace"), reported or chosen, clean=False)
    for number in _lines_with(decoded.text, "\ufffd"):
        decoded.notes.append(("undecodable", {"encoding": reported or chosen}, f"line {number}"))
    return decoded


def _decode_mixed(data: bytes) -> Decoded | None:
    """A file whose non-ASCII lines are partly UTF-8 and partly one legacy code page, read line by line."""
    lines = data.split(b"\n")
    utf8, legacy = [], []
    for index, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append(index)
        except UnicodeDecodeError:
            legacy.append(index)
    if not utf8 or not legacy:
        return None
    rest = _decode_legacy(b"\n".join(lines[index] for index in legacy), _legacy_candidates(b"\n".join(lines[i] for i in legacy)))
    read = dict(zip(legacy, rest.text.split("\n"), strict=False))
    text = "\n".join(read[index] if index in read else line.decode("utf-8") for index, line in enumerate(lines))
    decoded = Decoded(text, f"utf-8+{rest.encoding}", clean=rest.clean)
    decoded.notes = [("mixed", {"encoding": rest.encoding}, f"line {index + 1}") for index in legacy]
    if not rest.clean:
        decoded.notes += [("undecodable", {"encoding": rest.encoding}, f"line {n}")
                          for n in _lines_with(text, "\ufffd")]
    return decoded


def _without_nul(decoded: Decoded) -> Decoded:
    """NUL characters become U+FFFD, as a WebVTT parser does; each line with one is noted."""
    if "\x00" in decoded.text:
        decoded.notes += [("nul", {}, f"line {n}")
                          for n in _lines_with(decoded.text, "\x00")]
        decoded.text = decoded.text.replace("\x00", "\ufffd")
    return decoded


def _lines_with(text: str, char: str) -> list[int]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [number for number, line in enumerate(lines, start=1) if char in line]
