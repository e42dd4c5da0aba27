"""The analysis the archive used before lemmas and scripts (analysis version 1), for comparisons.

Folding, then a Snowball stemmer (Turkish for Azerbaijani, which stems before folding because its
rules need the vowels). ``bench/relevance.py`` measures the current rules against these.
"""

from __future__ import annotations

import Stemmer

from archive.search.analysis.folding import TURKIC, fold, normal, only_word_characters

_STEMMERS = {"en": "english", "ru": "russian", "hy": "armenian", "az": "turkish"}


class LegacyAnalysis:
    """Word → one index term for one family, as analysis version 1 made it."""

    def __init__(self, family: str) -> None:
        self.family = family
        name = _STEMMERS.get(family)
        self._stem = Stemmer.Stemmer(name).stemWord if name else None

    def keys(self, word: str) -> tuple[str, ...]:
        """The word's one index term, as a tuple like the current analysis gives."""
        found = self.term(word)
        return (found,) if found else ()

    def term(self, word: str) -> str:
        """The index term for one word as it appears in text."""
        lowered = normal(word, self.family)
        if self.family in TURKIC and self._stem:
            term = fold(self._stem(lowered.replace("ə", "e")))
        else:
            folded = fold(lowered)
            term = self._stem(folded) if self._stem and folded else folded
        return only_word_characters(term)

    def unstemmed(self, word: str) -> str:
        """The folded form without stemming, for prefix and wildcard queries."""
        return fold(normal(word, self.family))

    def crosses_script(self, word: str) -> bool:
        """Version 1 read no script as another."""
        return False

    def query_keys(self, word: str) -> tuple[str, ...]:
        """A query word's one term."""
        return self.keys(word)

    def prefixes(self, typed: str) -> tuple[str, ...]:
        """Version 1 analysed the ``word`` of ``word*`` like any word (Whoosh passed it without the star)."""
        return self.keys(typed)
