"""CSV exports: one row per record, named columns, UTF-8 with a byte-order mark so Excel reads the letters.

Cells are safe to open in a spreadsheet: text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (which Excel, LibreOffice and Google Sheets read as a formula) is written with a
leading apostrophe, the mark spreadsheets themselves use for "this is text". Titles and
descriptions in the archive's four languages have a column each (``title_hy`` … as the import's
metadata CSV names them); any other language's go together in ``other_titles`` / ``other_descriptions``.
Languages and countries are given as codes and as names in the reader's interface language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import url_for

from archive.catalogue.models import Item
from archive.catalogue.visibility import can_see_collection
from archive.i18n.names import country_name, language_name

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LANGUAGES = ("hy", "az", "ru", "en")
COLUMNS = (
    "id", "kind", "url",
    *(f"title_{lang}" for lang in LANGUAGES), "other_titles",
    *(f"description_{lang}" for lang in LANGUAGES), "other_descriptions",
    "year", "duration_seconds", "languages", "language_names", "countries", "country_names",
    "credits", "themes", "collections", "visibility", "embargo_until", "rights_note", "created_at", "updated_at",
)
FLUSH_ROWS = 200


def safe_cell(value) -> str | int | float:
    """A cell a spreadsheet shows as written: text that would start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _others(texts: dict) -> str:
    return " | ".join(f"{lang}: {text}" for lang, text in texts.items() if lang not in LANGUAGES and text)


class Names(dict):
    """Names of language and country codes in the reader's language, each looked up once per export."""

    def language(self, tag: str) -> str:
        if ("language", tag) not in self:
            self["language", tag] = language_name(tag)
        return self["language", tag]

    def country(self, code: str) -> str:
        if ("country", code) not in self:
            self["country", code] = country_name(code)
        return self["country", code]


def row(item: Item, user, names: Names | None = None) -> list:
    """One record's cells, in ``COLUMNS`` order."""
    names = names if names is not None else Names()
    languages, countries = list(item.languages or []), list(item.countries or [])
    cells = [
        item.id, item.kind, url_for("catalogue.item", item_id=item.id, _external=True),
        *(item.title.get(lang, "") for lang in LANGUAGES), _others(item.title),
        *(item.description.get(lang, "") for lang in LANGUAGES), _others(item.description),
        item.year, round(item.duration_seconds, 3) if item.duration_seconds is not None else None,
        ", ".join(languages), ", ".join(names.language(tag) for tag in languages),
        ", ".join(countries), ", ".join(names.country(code) for code in countries),
        "; ".join(f"{credit.person.name}|{credit.role}" for credit in item.credits),
        ", ".join(theme.name for theme in item.themes),
        "; ".join(f"{c.id}|{c.display_title()}" for c in item.collections if can_see_collection(user, c)),
        item.visibility, item.embargo_until.isoformat() if item.embargo_until else "", item.rights_note or "",
        item.created_at.replace(microsecond=0).isoformat() + "Z", item.updated_at.replace(microsecond=0).isoformat() + "Z",
    ]
    return [safe_cell(cell) for cell in cells]


def stream(items: Iterable[Item], user) -> Iterator[bytes]:
    """The CSV document, a few hundred rows per chunk: the byte-order mark and header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    names = Names()
    for number, item in enumerate(items, start=1):
        writer.writerow(row(item, user, names))
        if number % FLUSH_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
