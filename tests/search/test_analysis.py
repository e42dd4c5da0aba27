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


@pytest.mark.parametrize(("written", "not_meeting"), [
    ("yoldaşınız", "yol"),  # your comrade: -şınız is no suffix, so not "on the road" (yolda + sınız)
    ("qardaşınız", "qar"),  # your brother, not snow
    ("günəşi", "günə"),  # its sun, not "to the day" + -şi
    ("çanta", "can"),  # Azerbaijani writes -da after n: a bag is no soul's locative
])
def test_azerbaijani_cuts_follow_the_letters_as_written(written, not_meeting):
    analysis = ANALYSES["az"]
    assert not set(analysis.keys(written)) & set(analysis.keys(not_meeting))
    # Typed without the language's letters, the word is cut every way and still finds the written one.
    plain = fold(written)
    assert set(analysis.keys(written)) & set(analysis.keys(plain))


def test_azerbaijani_vowel_harmony_refuses_impossible_suffixes():
    analysis = ANALYSES["az"]
    # "kəndlar" breaks harmony (kənd takes -lər): no cut, so it does not meet "kənd".
    assert "kend" not in analysis.keys("kəndlar")
    assert "kend" in analysis.keys("kəndlər")
    # Rounding survives folding: after "o"/"u" the four-way suffix is -u/-ü, never -ı/-i.
    assert "yol" in analysis.keys("yolun") and "yol" not in analysis.keys("yolin")
    # Turkish keeps its -ta after a voiceless consonant.
    assert "kitap" in ANALYSES[family_of("tr")].keys("kitapta")


def test_preload_opens_every_dictionary_the_analysis_uses():
    from archive.search.analysis import EnglishAnalysis, armenian, preload, russian

    loaders = (EnglishAnalysis._lemmas, armenian._dictionary, armenian._headwords, russian._morph)
    for loader in loaders:
        loader.cache_clear()
    preload()
    assert [loader.cache_info().currsize for loader in loaders] == [1, 1, 1, 1]
