"""The message catalogs are complete, up to date with the code, and translated, not copied.

``catalogs.problems()`` extracts every message from the code and templates afresh and compares it
with each language's catalog, so a message added without ``make messages``, an untranslated or
fuzzy one, or one the code no longer uses fails here. The other checks catch what a tired
translator or a machine leaves behind: a placeholder lost or renamed, English left in place, a
Latin full stop in Armenian, Cyrillic in Azerbaijani, a Russian plural without its three forms.
"""

from __future__ import annotations

import re

import pytest

from archive.i18n import catalogs

PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)[sd]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
ARMENIAN = re.compile(r"[\u0531-\u058F]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
PLURAL_FORMS = {"hy": 2, "az": 2, "ru": 3}


def _messages(language: str):
    return [message for message in catalogs.read(language) if message.id]


def _forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _source(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[-1]


def test_every_catalog_is_complete_and_up_to_date_with_the_code():
    problems = catalogs.problems()
    assert not problems, f"{len(problems)} problems; run `make messages` and translate:\n" + "\n".join(problems[:50])


def test_the_catalogs_hold_the_interface():
    # Not an empty catalog passing the checks above: the pages' messages are all there.
    for language in catalogs.LANGUAGES:
        ids = {_source(message) for message in _messages(language)}
        assert len(ids) > 300, language
        assert {"Sign in", "Screenings", "Search", "Please fix the following:"} <= ids


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for message in _messages(language):
        wanted = set(PLACEHOLDER.findall(_source(message)))
        for form in filter(None, _forms(message)):  # an empty one is caught as untranslated
            if set(PLACEHOLDER.findall(form)) != wanted:
                wrong.append(f"{_source(message)!r} -> {form!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_plurals_have_the_languages_forms(language):
    catalog = catalogs.read(language)
    assert catalog.num_plurals == PLURAL_FORMS[language]
    for message in _messages(language):
        if isinstance(message.id, tuple):
            assert len(_forms(message)) == PLURAL_FORMS[language], message.id


def _english_left(form: str) -> bool:
    # Placeholders, addresses and codes are not words a reader must understand.
    words = PLACEHOLDER.sub("", form)
    words = re.sub(r"\S+@\S+|https?://\S+|\b[A-Z0-9][A-Z0-9-]+\b|\.[a-z0-9]{2,4}\b", "", words)
    return bool(LATIN_WORD.search(words))


def test_armenian_is_in_armenian_script_with_armenian_full_stops():
    wrong = []
    for message in _messages("hy"):
        for form in filter(None, _forms(message)):
            # A form of placeholders and punctuation only ("%(start)s – %(end)s") needs no script.
            if LATIN_WORD.search(PLACEHOLDER.sub("", form)) and not ARMENIAN.search(form):
                wrong.append(f"not Armenian: {form!r}")
            # A sentence ends with ։; a dot before a lower-case word is an abbreviation (էլ. փոստ).
            if re.search(r"[\u0531-\u058F]\.(\s*$|\s+[\u0531-\u0556])", form):
                wrong.append(f"Latin full stop after Armenian (use ։): {form!r}")
    assert not wrong, "\n".join(wrong)


def test_azerbaijani_is_in_the_latin_alphabet():
    wrong = []
    for message in _messages("az"):
        for form in _forms(message):
            if CYRILLIC.search(form) or ARMENIAN.search(form):
                wrong.append(form)
    assert not wrong, "\n".join(wrong)


def test_russian_is_in_cyrillic_and_nothing_is_left_in_english():
    wrong = []
    for message in _messages("ru"):
        source = PLACEHOLDER.sub("", _source(message))
        for form in filter(None, _forms(message)):
            if LATIN_WORD.search(source) and LATIN_WORD.search(PLACEHOLDER.sub("", form)) and not CYRILLIC.search(form):
                wrong.append(f"not Russian: {form!r}")
    for language in ("hy", "ru"):
        for message in _messages(language):
            for form in _forms(message):
                if _english_left(form) and _english_left(_source(message)) and form == _source(message):
                    wrong.append(f"{language}: copied from English: {form!r}")
    assert not wrong, "\n".join(wrong)
