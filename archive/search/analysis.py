"""Per-language text analysis shared by indexing and querying, so both always agree.

Every word goes through the same steps: NFKC normalisation, case folding (Turkic rules for
``az``/``tr``: ``I``→``ı``, ``İ``→``i``), diacritic folding for Latin letters and ``ё``→``е``
(so ``Sahin`` finds ``Şahin``, ``xeber`` finds ``xəbər``, ``елка`` finds ``Ёлка``), then a Snowball
stemmer where one exists for the language (Russian, English, Armenian; Turkish for Azerbaijani).
Folding comes before stemming so that a query typed without diacritics is stemmed exactly like
the indexed word it should find, except for Azerbaijani/Turkish, whose stemmer needs the vowels.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from whoosh.analysis import Composable, Filter, RegexTokenizer

# Letters and digits, with in-word apostrophes and hyphens kept out: "don't" → "don", "t".
WORD_PATTERN = r"[^\W_]+"
WORD_RE = re.compile(WORD_PATTERN)

# Language families with their own index field. Turkish shares Azerbaijani's rules.
FAMILIES = ("en", "ru", "hy", "az", "xx")
_FAMILY_OF = {"en": "en", "ru": "ru", "uk": "ru", "be": "ru", "hy": "hy", "az": "az", "tr": "az"}
_STEMMERS = {"en": "english", "ru": "russian", "hy": "armenian", "az": "turkish"}
_TURKIC = {"az"}

# Letters whose base is not reachable through Unicode decomposition.
_EXTRA_FOLDS = str.maketrans({
    "ə": "e", "ı": "i", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t", "ß": "ss", "æ": "ae",
    "œ": "oe", "ё": "е", "\u0307": None,
})


def family_of(lang: str | None) -> str:
    """The analysis family (and index field suffix) for a BCP-47 tag; ``xx`` when none applies."""
    if not lang:
        return "xx"
    return _FAMILY_OF.get(lang.split("-")[0].lower(), "xx")


def lower(text: str, family: str) -> str:
    """Lowercase ``text``; Turkic text maps ``I``→``ı`` and ``İ``→``i`` first, as the language does."""
    if family in _TURKIC:
        text = text.replace("I", "ı").replace("İ", "i")
    # str.lower turns "İ" into "i" plus a combining dot; the dot goes in fold().
    return text.lower()


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    # Only Latin letters lose their marks: stripping would change Cyrillic "й" or Armenian letters.
    if len(decomposed) > 1 and "a" <= base <= "z":
        return base
    return char


def fold(word: str) -> str:
    """Fold diacritics of Latin letters and ``ё``; ``word`` is already lowercase."""
    word = word.translate(_EXTRA_FOLDS)
    if word.isascii():
        return word
    return "".join(_fold_char(char) for char in word)


class _Analysis:
    """Word → index term for one family, memoised (subtitle vocabularies repeat a lot)."""

    def __init__(self, family: str) -> None:
        self.family = family
        name = _STEMMERS.get(family)
        self._stem = Stemmer.Stemmer(name).stemWord if name else None
        self._cache: dict[str, str] = {}

    def term(self, word: str) -> str:
        """The index term for one word as it appears in text."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        lowered = lower(unicodedata.normalize("NFKC", word), self.family)
        if self.family in _TURKIC and self._stem:
            # Turkish suffix rules check vowel harmony, so they need ö/ü/ı intact: stem, then fold
            # ("ə" becomes "e" first: it is the front vowel the Turkish rules know).
            term = fold(self._stem(lowered.replace("ə", "e")))
        else:
            folded = fold(lowered)
            term = self._stem(folded) if self._stem and folded else folded
        # NFKC may split a ligature (Armenian "և" → "եւ") into two words' worth of letters.
        term = "".join(WORD_RE.findall(term))
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[word] = term
        return term

    def unstemmed(self, word: str) -> str:
        """The folded form without stemming, for prefix and wildcard queries."""
        return fold(lower(unicodedata.normalize("NFKC", word), self.family))


ANALYSES = {family: _Analysis(family) for family in FAMILIES}


def terms_with_positions(text: str, family: str) -> dict[str, list[int]]:
    """Index terms of ``text`` with the word positions where each occurs."""
    term = ANALYSES[family].term
    positions: dict[str, list[int]] = {}
    for position, word in enumerate(WORD_RE.findall(text)):
        analysed = term(word)
        if analysed:
            positions.setdefault(analysed, []).append(position)
    return positions


def word_count(text: str) -> int:
    """How many word positions ``text`` takes in the index."""
    return len(WORD_RE.findall(text))


class LanguageFilter(Filter):
    """Whoosh filter applying the family's analysis to each token (used at query time)."""

    def __init__(self, family: str) -> None:
        self.family = family

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LanguageFilter) and other.family == self.family

    def __call__(self, tokens):
        analysis = ANALYSES[self.family]
        for token in tokens:
            if "*" in token.text or "?" in token.text:
                # A wildcard pattern: fold it like the words it should match, but never stem it.
                token.text = analysis.unstemmed(token.text)
            else:
                token.text = analysis.term(token.text)
            if token.text:
                yield token


def analyzer_for(family: str) -> Composable:
    """The Whoosh analyzer of the ``text_<family>`` field."""
    return RegexTokenizer(WORD_PATTERN) | LanguageFilter(family)
