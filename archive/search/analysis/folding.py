"""Case and diacritic folding shared by every language: the letters people leave out when typing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters and digits, with in-word apostrophes and hyphens kept out: "don't" → "don", "t".
WORD_PATTERN = r"[^\W_]+"
WORD_RE = re.compile(WORD_PATTERN)

TURKIC = {"az"}

# Letters whose base is not reachable through Unicode decomposition.
_EXTRA_FOLDS = str.maketrans({
    "ə": "e", "ı": "i", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t", "ß": "ss", "æ": "ae",
    "œ": "oe", "ё": "е", "\u0307": None,
})


def lower(text: str, family: str) -> str:
    """Lowercase ``text``; Turkic text maps ``I``→``ı`` and ``İ``→``i`` first, as the language does."""
    if family in TURKIC:
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


def normal(word: str, family: str) -> str:
    """NFKC, lowercase by the family's rules: the form every analysis starts from."""
    return lower(unicodedata.normalize("NFKC", word), family)


def only_word_characters(term: str) -> str:
    """``term`` without what is not a letter or digit (NFKC may split a ligature: ``և`` → ``եւ``)."""
    return "".join(WORD_RE.findall(term))


def script_of(word: str) -> str:
    """``latin``, ``cyrillic``, ``armenian`` or ``other``, by the word's first letter."""
    for char in word:
        if char.isalpha():
            code = ord(char)
            if code < 0x250 or 0x1E00 <= code < 0x1F00:
                return "latin"
            if 0x400 <= code < 0x530:
                return "cyrillic"
            if 0x530 <= code < 0x590 or 0xFB13 <= code <= 0xFB17:
                return "armenian"
            return "other"
    return "other"
