"""Per-language text analysis shared by indexing and querying, so both always agree.

A word becomes one or more index *keys*. Every language starts the same way (NFKC, lowercase with
Turkic ``I``/``İ`` rules for ``az``/``tr``, Latin diacritics and ``ё`` folded), then:

- **Armenian** (``armenian``): simplemma's lemma (``Խաղաղությունը`` → ``խաղաղություն``), a suffix
  stripper for words its dictionary lacks, and a second key in Latin letters for Armenian typed in
  Latin (``khaghaghutyun``);
- **Azerbaijani** and Turkish (``azerbaijani``): Cyrillic read as Latin (``сүлһ`` → ``sülh``), then
  folding *before* a suffix stripper, so folded and unfolded letters meet in any order;
- **Russian** (``russian``): pymorphy3's lemma (``беженцы`` → ``беженец``); Latin letters are spelled
  back in Cyrillic (``bezhentsy``);
- **English**: simplemma's lemma (``women`` → ``woman``, ``went`` → ``go``), then the Snowball stem;
- other languages: folding only.

A query word is looked up by one key (``term``), or by any of a few where the letters cannot tell
how a word divides (``query_keys``, joined by ``ALTERNATIVES`` into one token that ``parsing``
turns into an OR); ``word*`` matches keys starting with the folded prefix or with the prefix's
own keys (``prefixes``). ``ANALYSIS_VERSION`` names this set of rules:
an index built with other rules is rebuilt (``schema.IndexedText``). The rules the archive used
before are kept in ``legacy`` for comparison (``bench/relevance.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import Stemmer
from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY
from whoosh.analysis import Composable, Filter, RegexTokenizer

from archive.search.analysis import armenian, azerbaijani, legacy, russian
from archive.search.analysis.folding import (
    WORD_PATTERN,
    WORD_RE,
    fold,
    lower,
    normal,
    only_word_characters,
    script_of,
)

__all__ = [
    "ALTERNATIVES", "ANALYSES", "ANALYSIS_VERSION", "CROSSED_SCRIPT", "CROSSED_SCRIPT_BOOST", "FAMILIES",
    "PREFIX_SEPARATOR", "WORD_PATTERN", "WORD_RE", "LanguageFilter", "analyzer_for", "family_of", "fold",
    "lower", "preload", "select_analysis", "terms_with_positions", "word_count",
]

# Raised whenever a word's keys change: indexes built with another version are rebuilt.
ANALYSIS_VERSION = 3

# Language families with their own index field. Turkish shares Azerbaijani's rules.
FAMILIES = ("en", "ru", "hy", "az", "xx")
_FAMILY_OF = {"en": "en", "ru": "ru", "uk": "ru", "be": "ru", "hy": "hy", "az": "az", "tr": "az"}

# Between the alternatives of one query word or ``word*`` prefix: a private-use character, which no
# analysed word contains, no query may (control and private-use characters are cleaned out), and
# Whoosh does not take for a space.
ALTERNATIVES = "\ue000"
PREFIX_SEPARATOR = ALTERNATIVES
# Put before a query word's keys when it was typed in another script than the field's (Armenian or
# Russian in Latin letters, Azerbaijani in Cyrillic): such a match counts for less than one in the
# script typed (``CROSSED_SCRIPT_BOOST``), so a word's own language comes first.
CROSSED_SCRIPT = "\ue001"
CROSSED_SCRIPT_BOOST = 0.5
CACHE_WORDS = 200_000


def family_of(lang: str | None) -> str:
    """The analysis family (and index field suffix) for a BCP-47 tag; ``xx`` when none applies."""
    if not lang:
        return "xx"
    return _FAMILY_OF.get(lang.split("-")[0].lower(), "xx")


class Analysis:
    """Word → index keys for one family, memoised (subtitle vocabularies repeat a lot)."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._cache: dict[str, tuple[str, ...]] = {}

    def keys(self, word: str) -> tuple[str, ...]:
        """Every index key of one word as it appears in text (the first is the one queries use)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        lowered = normal(word, self.family)
        found = self._cache.get(lowered)  # "Беженцы" at the start of a cue is "беженцы" again
        if found is None:
            found = tuple(dict.fromkeys(k for k in map(only_word_characters, self._keys(lowered)) if k))
        if len(self._cache) > CACHE_WORDS:
            self._cache.clear()
        self._cache[word] = self._cache[lowered] = found
        return found

    def term(self, word: str) -> str:
        """The key a query word is looked up by ("" for a word with none)."""
        found = self.keys(word)
        return found[0] if found else ""

    def query_keys(self, word: str) -> tuple[str, ...]:
        """The keys a query word looks for, any of which will do (the first alone, unless a language says)."""
        found = self.keys(word)
        return found[:1]

    def prefixes(self, typed: str) -> tuple[str, ...]:
        """The key prefixes a ``typed*`` query matches: the folded prefix and its own keys."""
        lowered = normal(typed, self.family)
        return tuple(dict.fromkeys(p for p in (self._surface(lowered), *self.query_keys(typed)) if p))

    def crosses_script(self, word: str) -> bool:
        """Whether ``word`` is written in another script than the language's own (read across scripts)."""
        return False

    def unstemmed(self, word: str) -> str:
        """The folded form without stemming, for wildcard queries other than ``word*``."""
        return self._surface(normal(word, self.family))

    def _surface(self, lowered: str) -> str:
        return fold(lowered)

    def _keys(self, lowered: str) -> Iterable[str]:
        return (fold(lowered),)


class EnglishAnalysis(Analysis):
    """The lemma from simplemma's dictionary, then the Snowball stem: plurals, tenses and irregular forms meet."""

    def __init__(self) -> None:
        super().__init__("en")
        self._stem = Stemmer.Stemmer("english").stemWord

    def _keys(self, lowered: str) -> Iterable[str]:
        folded = fold(lowered)
        if not folded.isascii():
            return (folded,)
        found = self._lemmas().get(folded)
        return (self._stem(found.lower() if found else folded),)

    @staticmethod
    @lru_cache(maxsize=1)
    def _lemmas():
        """simplemma's English dictionary (looked up directly: its other strategies guess, slowly)."""
        return DEFAULT_DICTIONARY_FACTORY.get_dictionary("en")

    def prefixes(self, typed: str) -> tuple[str, ...]:
        """Also without the vowels the stemmer drops from a word's end (``negotia*``: ``negoti``)."""
        found = super().prefixes(typed)
        shorter = found[0].rstrip("aeiouy") if found else ""
        return found + (shorter,) if len(shorter) >= 3 and shorter not in found else found


class RussianAnalysis(Analysis):
    """pymorphy3's lemma; Latin letters spelled back in Cyrillic first."""

    def __init__(self) -> None:
        super().__init__("ru")

    def crosses_script(self, word: str) -> bool:
        """Russian typed in Latin letters."""
        return script_of(word) == "latin"

    def _keys(self, lowered: str) -> Iterable[str]:
        if script_of(lowered) == "latin":
            spelled = russian.cyrillic_spellings(fold(lowered))
            if not spelled:
                return (fold(lowered),)
            return tuple(fold(russian.lemma(word)) for word in spelled)
        return (fold(russian.lemma(lowered)),)

    def query_keys(self, word: str) -> tuple[str, ...]:
        """A word in Latin letters looks for each Cyrillic word it may stand for (``semya``: семья, семя)."""
        found = self.keys(word)
        return found if script_of(normal(word, self.family)) == "latin" else found[:1]

    def _surface(self, lowered: str) -> str:
        if script_of(lowered) == "latin":
            return fold(russian.latin_prefix(fold(lowered)))
        return fold(lowered)


class ArmenianAnalysis(Analysis):
    """The lemma in Armenian letters and Latin keys; a word in Latin letters is looked up by its Latin key."""

    def __init__(self) -> None:
        super().__init__("hy")

    def crosses_script(self, word: str) -> bool:
        """Armenian typed in Latin letters."""
        return script_of(word) == "latin"

    def _keys(self, lowered: str) -> Iterable[str]:
        if script_of(lowered) == "armenian":
            found = armenian.lemma(lowered)
            # The word's own spelling, without its endings, too: the dictionary reads a few names
            # as other words' forms (Երևան as a form of երևալ), and Երևանում must still meet
            # Երևան, and Yerevan. Looked up as spelled, keyed with one spelling of և.
            return (armenian.one_ev(found), armenian.latin_key_of_lemma(found),
                    armenian.one_ev(armenian.strip_endings(lowered)), armenian.latin_key_of_lemma(lowered))
        if script_of(lowered) == "latin":
            return (armenian.latin_key(lowered),)
        return (fold(lowered),)

    def query_keys(self, word: str) -> tuple[str, ...]:
        """In Armenian letters: the lemma, the word without its endings, or the word as typed."""
        found = self.keys(word)
        if len(found) < 2 or script_of(found[0]) != "armenian":
            return found[:1]
        return tuple(dict.fromkeys((found[0], *[k for k in found[1:] if script_of(k) == "armenian"],
                                    armenian.one_ev(only_word_characters(normal(word, self.family))))))

    def _surface(self, lowered: str) -> str:
        if script_of(lowered) == "latin":
            return armenian.latin_spelling(lowered)
        return fold(armenian.one_ev(lowered))


class AzerbaijaniAnalysis(Analysis):
    """Cyrillic read as Latin, folded, then the suffix stripper."""

    def __init__(self) -> None:
        super().__init__("az")

    def crosses_script(self, word: str) -> bool:
        """Azerbaijani typed in the Cyrillic alphabet."""
        return script_of(word) == "cyrillic"

    def _keys(self, lowered: str) -> Iterable[str]:
        written = azerbaijani.to_latin(lowered)
        return azerbaijani.stems(fold(written), written)

    def query_keys(self, word: str) -> tuple[str, ...]:
        """Every stem the word may have: the letters alone cannot tell ``kənd+ə`` from ``kən+də``."""
        return self.keys(word)

    def _surface(self, lowered: str) -> str:
        # "ə" is "e" to people typing without it, as the folding says.
        return fold(azerbaijani.to_latin(lowered))


def _current() -> dict[str, Analysis]:
    return {"en": EnglishAnalysis(), "ru": RussianAnalysis(), "hy": ArmenianAnalysis(),
            "az": AzerbaijaniAnalysis(), "xx": Analysis("xx")}


ANALYSES: dict[str, Analysis] = _current()


def select_analysis(name: str) -> None:
    """Use the ``current`` rules or the ``legacy`` ones (before lemmas and scripts) everywhere, in place."""
    chosen = _current() if name == "current" else {family: legacy.LegacyAnalysis(family) for family in FAMILIES}
    ANALYSES.clear()
    ANALYSES.update(chosen)


# One word per family whose analysis opens that family's dictionaries (simplemma's, pymorphy3's).
_PRELOAD_WORDS = {"en": "women", "ru": "беженцы", "hy": "Խաղաղությունը", "az": "köçkünlər", "xx": "preload"}


def preload() -> None:
    """Open every family's dictionaries now (a few CPU-seconds), not in the first index run that needs them.

    A long-lived worker calls this when it starts, so the first upload after a restart is indexed
    as fast as the rest. The words go past the memo (a word already in it would open nothing).
    """
    EnglishAnalysis._lemmas()
    armenian.dictionaries()
    russian.dictionaries()
    for family, word in _PRELOAD_WORDS.items():
        list(ANALYSES[family]._keys(normal(word, family)))


def terms_with_positions(text: str, family: str) -> dict[str, list[int]]:
    """Index keys of ``text`` with the word positions where each occurs."""
    keys = ANALYSES[family].keys
    positions: dict[str, list[int]] = {}
    for position, word in enumerate(WORD_RE.findall(text)):
        for key in keys(word):
            positions.setdefault(key, []).append(position)
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
            text = token.text
            if text.endswith("*") and "*" not in text[:-1] and "?" not in text:
                # word*: every key starting with the folded prefix or with the prefix's own key.
                prefixes = analysis.prefixes(text[:-1])
                token.text = PREFIX_SEPARATOR.join(prefixes) + "*" if prefixes else ""
            elif "*" in text or "?" in text:
                # Another wildcard pattern: fold it like the words it should match, but never stem it.
                token.text = analysis.unstemmed(text)
            else:
                token.text = ALTERNATIVES.join(analysis.query_keys(text))
            if token.text and analysis.crosses_script(text):
                token.text = CROSSED_SCRIPT + token.text
            if token.text:
                yield token


def analyzer_for(family: str) -> Composable:
    """The Whoosh analyzer of the ``text_<family>`` field."""
    return RegexTokenizer(WORD_PATTERN) | LanguageFilter(family)

