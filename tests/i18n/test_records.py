"""A record's text is shown in the reader's language, else its own, else English, else any."""

from __future__ import annotations

from archive.i18n.records import Shown, shown


def test_the_interface_language_comes_first():
    texts = {"en": "The old bridge", "hy": "Հին կամուրջը", "az": "Köhnə körpü"}
    assert shown(texts, ["hy"], language="az") == Shown("Köhnə körpü", "az")
    assert shown(texts, ["hy"], language="ru") == Shown("Հին կամուրջը", "hy")  # the record's own language


def test_then_english_then_any():
    assert shown({"en": "Market day", "ka": "ბაზრის დღე"}, [], language="ru") == Shown("Market day", "en")
    assert shown({"ka": "ბაზრის დღე"}, [], language="ru") == Shown("ბაზრის დღე", "ka")
    assert not shown({}, [], language="ru")
    assert not shown({"en": ""}, [], language="ru")


def test_a_regional_or_script_tag_matches_its_language():
    assert shown({"az-Cyrl": "Сүлһ", "en": "Peace"}, [], language="az") == Shown("Сүлһ", "az-Cyrl")
    assert shown({"hy-AM": "Խաղաղություն"}, ["en"], language="hy").lang == "hy-AM"


def test_an_empty_text_in_the_wanted_language_is_passed_over():
    assert shown({"ru": "", "en": "Peace"}, [], language="ru") == Shown("Peace", "en")


def test_shown_is_its_text_on_a_page():
    assert str(Shown("Köhnə körpü", "az")) == "Köhnə körpü"
