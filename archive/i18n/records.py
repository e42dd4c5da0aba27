"""Records in the reader's language: which of a record's texts a page shows, and in which language.

A title, description or caption is kept as ``{language tag: text}``. A page shows the text in the
interface language when the record has it, else in the record's original language (the first of
its languages), else English, else any; and it says which language it shows, so the element can
carry a ``lang`` attribute for screen readers and fonts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from archive.i18n import languages


@dataclass(frozen=True)
class Shown:
    """A text chosen for the reader, with the language tag it is written in ('' when none)."""

    text: str
    lang: str = ""

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def _find(texts: Mapping[str, str], wanted: str) -> str | None:
    """The key of ``texts`` written in ``wanted``: the same tag, else one with the same language."""
    if texts.get(wanted):
        return wanted
    for tag, value in texts.items():
        if value and _primary(tag) == _primary(wanted):
            return tag
    return None


def preference(original: Iterable[str] = (), language: str | None = None) -> list[str]:
    """The languages to look for, in order: the interface's, the record's own, English."""
    order = [language or languages.current()]
    order.extend(tag for tag in original if isinstance(tag, str))
    order.append("en")
    return order


def shown(texts: Mapping[str, str] | None, original: Iterable[str] = (), *, language: str | None = None) -> Shown:
    """The text of ``texts`` to show this reader (see the module's order), or an empty ``Shown``."""
    if not texts:
        return Shown("")
    for wanted in preference(original, language):
        tag = _find(texts, wanted)
        if tag:
            return Shown(texts[tag], tag)
    for tag, value in texts.items():
        if value:
            return Shown(value, tag)
    return Shown("")
