"""What the archivist is told about a subtitle file, in the interface language.

A warning is kept with its track as ``{"code", "message", "count", "where", "args"}``: ``code`` and
``args`` say what was found, ``where`` lists the first places (``line 3``, ``cue 5``, ``cue 7 at
0:04``: stable English keys, as the API has always given them), and ``message`` is the text in the
language of the request that read the file. ``warning_text`` writes a kept warning again in the
language of whoever reads it now; a warning from before ``args`` were kept shows its stored text.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from archive.i18n.formats import number
from archive.i18n.names import language_name

WARNINGS = {
    "empty": _l("Empty cues were left out"),
    "end_before_start": _l("Cues that end before they start were left out"),
    "out_of_order": _l("Cues out of order were put in time order"),
    "overlap": _l("Cues overlap the one before"),
    "past_end": _l("Cues run past the end of the film (%(end)s)"),
    "unreadable": _l("Lines with times that could not be read were skipped"),
    "undecodable": _l("Bytes that are not valid %(encoding)s were replaced with \ufffd; choose the file's "
                      "encoding on the preview page (or send ?encoding= to the API) and read it again"),
    "mixed": _l("The file mixes encodings: these lines were read as %(encoding)s, the others as UTF-8; check "
                "them, or save the file again as UTF-8"),
    "nul": _l("NUL characters were replaced with \ufffd"),
    # Translators: %(lang)s is a language tag such as "hy", %(language)s its name ("Armenian").
    "language": _l("The text does not look like %(lang)s (%(language)s): %(foreign)s of %(letters)s letters are "
                   "not letters of that language (such as %(examples)s). The file may be in another encoding, or "
                   "in another language: choose the encoding on the preview page (or send ?encoding= to the "
                   "API), or check the language tag"),
}
_LINE_RE = re.compile(r"line (\d+)")
_CUE_RE = re.compile(r"cue (\d+)")
_CUE_AT_RE = re.compile(r"cue (\d+) at (\S+)")


def _arguments(code: str, args: dict) -> dict:
    """The values a warning's text needs, written for the reader (a language tag also by its name)."""
    shown = dict(args)
    if code == "language":
        shown["language"] = language_name(args.get("lang", ""), capitalise=False)
        shown["foreign"] = number(args.get("foreign"))
        shown["letters"] = number(args.get("letters"))
    if code in ("undecodable", "mixed"):
        from archive.subtitles.decoding import encoding_name  # decoding imports this module

        shown["encoding"] = encoding_name(args.get("encoding", ""))
    return shown


def describe(code: str, args: dict | None = None) -> str | None:
    """The sentence for a warning of ``code`` in the interface language; None for a code not known here."""
    template = WARNINGS.get(code)
    if template is None:
        return None
    try:
        return str(template) % _arguments(code, args or {})
    except (KeyError, TypeError, ValueError):
        return None


def place(where: str) -> str:
    """A place in a file (``line 3``, ``cue 5``, ``cue 7 at 0:04``) in the interface language."""
    if match := _CUE_AT_RE.fullmatch(where):
        return _("cue %(number)s at %(time)s", number=match.group(1), time=match.group(2))
    if match := _CUE_RE.fullmatch(where):
        return _("cue %(number)s", number=match.group(1))
    if match := _LINE_RE.fullmatch(where):
        return _("line %(number)s", number=match.group(1))
    return where


def with_places(sentence: str, count: int, where: list[str]) -> str:
    """``Cues overlap the one before (2: cue 3 at 0:04, cue 9 at 1:10)``, in the interface language."""
    if not where:
        return sentence
    places = ", ".join(place(spot) for spot in where) + (" …" if count > len(where) else "")
    return _("%(message)s (%(count)s: %(places)s)", message=sentence, count=number(count), places=places)


def warning_text(warning: dict) -> str:
    """A kept warning as the current reader should see it."""
    if "args" in warning:
        sentence = describe(warning.get("code", ""), warning["args"])
        if sentence is not None:
            return with_places(sentence, warning.get("count", 0), warning.get("where", []))
    return warning.get("message", "")
