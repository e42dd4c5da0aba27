"""Per-language analysis: case and diacritic folding, Turkic dotted and dotless I, stemming."""

from __future__ import annotations

import pytest

from archive.search.analysis import ANALYSES, family_of, fold, lower


@pytest.mark.parametrize("family, indexed, typed", [
    ("az", "Şahin", "Sahin"), ("az", "xəbər", "xeber"), ("az", "İnsanlar", "insanlar"), ("az", "körpüdə", "körpü"),
    ("ru", "Ёлка", "елка"), ("ru", "границы", "граница"), ("en", "Borders", "border"), ("hy", "Սահմանին", "սահման"),
    ("xx", "Şahin", "sahin"), ("en", "İnsanlar", "insanlar"), ("hy", "և", "եւ"),
])
def test_query_forms_meet_indexed_forms(family, indexed, typed):
    # A query word looks for any of its keys; the index holds every key of the indexed word.
    assert set(ANALYSES[family].query_keys(typed)) & set(ANALYSES[family].keys(indexed))


def test_turkic_lowercasing_and_the_combining_dot():
    assert lower("İSTANBUL IŞIQ", "az") == "istanbul ışıq"
    assert lower("I", "en") == "i"
    assert fold(lower("İnsanlar", "en")) == "insanlar"  # str.lower leaves a combining dot; folding removes it
    assert fold("й") == "й" and fold("ё") == "е"  # Cyrillic letters are not stripped, only ё folds


def test_families_follow_the_language_tag():
    assert [family_of(tag) for tag in ("hy", "az-Latn", "tr", "ru", "en-GB", "ka", None)] == [
        "hy", "az", "az", "ru", "en", "xx", "xx"]
