"""The message catalogs: extract from the code and templates, update, compile, check.

``python -m archive.i18n.catalogs update`` (``make messages``) extracts every message from Python
and Jinja (``babel.cfg``) into ``archive/translations/messages.pot`` and merges it into each
language's ``messages.po``; ``compile`` builds the ``.mo`` files the app reads (``make run`` and
``make test`` do this; the ``.mo`` files are build output and not kept in git); ``check`` says
which messages are untranslated, fuzzy, or missing from the catalogs.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "archive" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LANGUAGES = ("hy", "az", "ru")
# The names the code calls gettext by: Flask-Babel's, the lazy ones for messages made at import time,
# and `_n`, which only marks a message that is translated later (as in storage.base).
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
    "lazy_gettext": None, "_l": None, "_n": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("Translators:",)


def extract() -> Catalog:
    """Every message in the code and templates, as a fresh template catalog."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="Dialogue Archive", copyright_holder="Dialogue Archive", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read(language: str) -> Catalog:
    with open(po_path(language), "rb") as file:
        return read_po(file, locale=language)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, omit_header=False)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    """Extract into the template and merge it into every language's catalog (new messages untranslated)."""
    template = extract()
    _write(template, TEMPLATE)
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = read(language)
        else:
            catalog = Catalog(locale=language, project="Dialogue Archive", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        # A reviewed catalog, not a machine's draft: its header is not fuzzy and names who keeps it.
        catalog.fuzzy = False
        catalog.last_translator = catalog.language_team = "Dialogue Archive <translations@dialogue-archive.invalid>"
        _write(catalog, path)


def compile_all() -> None:
    """Build each language's ``messages.mo`` from its ``messages.po``."""
    for language in LANGUAGES:
        catalog = read(language)
        with open(po_path(language).with_suffix(".mo"), "wb") as file:
            write_mo(file, catalog, use_fuzzy=False)


def problems() -> list[str]:
    """What is not right in the catalogs: messages missing, untranslated, fuzzy or left over."""
    found = []
    wanted = {(message.id if isinstance(message.id, str) else message.id[0], message.context)
              for message in extract() if message.id}
    for language in LANGUAGES:
        if not po_path(language).exists():
            found.append(f"{language}: no catalog; run make messages")
            continue
        catalog = read(language)
        have = set()
        for message in catalog:
            if not message.id:
                continue
            key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
            have.add(key)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{language}: fuzzy: {key[0]!r}")
            elif not all(strings):
                found.append(f"{language}: untranslated: {key[0]!r}")
        found.extend(f"{language}: missing (run make messages): {key[0]!r}" for key in sorted(wanted - have, key=str))
        found.extend(f"{language}: no longer in the code (run make messages): {key[0]!r}" for key in sorted(have - wanted, key=str))
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        listed = problems()
        print("\n".join(listed) or "The catalogs are complete and up to date.")
        return 1 if listed else 0
    else:
        print("usage: python -m archive.i18n.catalogs update|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
