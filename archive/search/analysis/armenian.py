"""Armenian: lemmas from simplemma's dictionary, a suffix stripper for words it lacks, and Latin typing.

Every Armenian word gets two index terms: its lemma in Armenian letters (what a query in Armenian
letters looks up, so ``ե``/``է`` or ``տ``/``թ`` stay apart) and the lemma's *Latin key*, the
lemma spelled in a Latin alphabet where the letters informal romanisation confuses fall together
(``ղ``/``խ`` → ``X``: typed ``gh``, ``kh`` or ``x``; ``ց``/``ծ`` → ``c``: ``ts`` or ``c``;
``չ``/``ճ`` → ``C``: ``ch``; ``ժ``/``ջ`` → ``J``: ``zh`` or ``j``; ``ու`` → ``u``...). A word
typed in Latin letters is turned into the same Latin key, its common endings stripped, so
``khaghaghutyun`` finds ``Խաղաղությունը``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

from archive.search.analysis.folding import fold

_VOWELS = set("աեէիոօը")

# Endings of nouns in the order they attach (stem + plural + case + article), removed from the
# end for words the dictionary does not know; the stem keeps at least three letters.
_ARTICLE = ("ը",)
_CASES = ("ներից", "ներում", "ներով", "ների", "ներին", "երից", "երում", "երով", "երի", "երին",
          "ից", "ում", "ով", "ին", "ի")
_PLURALS = ("ներ", "եր")
# -ություն nouns change their last syllable in the genitive/dative and instrumental.
_ABSTRACT = (("ությանը", "ություն"), ("ության", "ություն"), ("ությամբ", "ություն"))


def one_ev(word: str) -> str:
    """``word`` with ``և`` in one spelling: ``եւ``, what NFKC makes of the ligature.

    Keyboards without ``և`` make people type ``եվ`` (``հարեվան`` for ``հարևան``); the sound is the
    same, so both spellings meet. A word really written with ``եվ`` (``Եվրոպա``) is spelled the
    same way in text and in queries, so it still meets itself.
    """
    return word.replace("և", "եւ").replace("եվ", "եւ")


def strip_endings(word: str) -> str:
    """The likely dictionary form of an Armenian word the dictionary does not know."""
    for ending, base in _ABSTRACT:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)] + base
    if word.endswith("ը") and len(word) > 4:
        word = word[:-1]
    elif word.endswith("ն") and len(word) > 4 and (word[-2] in _VOWELS or word.endswith("երն")) \
            and not word.endswith("ուն"):
        word = word[:-1]  # the article after a vowel, or after a plural before a vowel (հարևաններն էին)
    for group in (_CASES, _PLURALS):
        for ending in group:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
    return word


@lru_cache(maxsize=1)
def _dictionary():
    """simplemma's Armenian dictionary: form → lemma (looked up directly: its other strategies guess)."""
    return DEFAULT_DICTIONARY_FACTORY.get_dictionary("hy")


@lru_cache(maxsize=1)
def _headwords() -> frozenset[str]:
    """The dictionary's own entries (the forms it gives as lemmas)."""
    return frozenset(lemma.lower() for lemma in _dictionary().values())


def dictionaries() -> None:
    """Open the dictionary and its headwords now (``analysis.preload``)."""
    _headwords()


def lemma(word: str) -> str:
    """The dictionary form of a lowercase Armenian word (simplemma's dictionary, else the stripper).

    A word that is an entry itself stays as it is, and so does an entry its endings leave: the
    dictionary also lists ``սահման`` (border) and ``սահմանի`` as forms of the verb ``սահմանել``,
    and ``սահմանի`` must meet ``սահման``.
    """
    headwords = _headwords()
    if word in headwords:
        return word
    if "եվ" in word and one_ev(word) in headwords:  # հարեվան typed for հարևան
        return one_ev(word)
    stripped = strip_endings(word)
    if stripped in headwords:
        return stripped
    dictionary = _dictionary()
    found = dictionary.get(word) or dictionary.get(word[:1].upper() + word[1:])
    return found.lower() if found else stripped


_ARMENIAN_TO_KEY = str.maketrans({
    "ա": "a", "բ": "b", "գ": "g", "դ": "d", "ե": "e", "զ": "z", "է": "e", "ը": "y", "թ": "t", "ժ": "J",
    "ի": "i", "լ": "l", "խ": "X", "ծ": "c", "կ": "k", "հ": "h", "ձ": "Z", "ղ": "X", "ճ": "C", "մ": "m",
    "յ": "y", "ն": "n", "շ": "S", "ո": "o", "չ": "C", "պ": "p", "ջ": "J", "ռ": "r", "ս": "s", "վ": "v",
    "տ": "t", "ր": "r", "ց": "c", "ւ": "v", "փ": "p", "ք": "k", "օ": "o", "ֆ": "f", "և": "ev",
})
# Longest first: what informal romanisation writes for one Armenian sound.
_LATIN_TO_KEY = [
    ("tch", "C"), ("kh", "X"), ("gh", "X"), ("x", "X"), ("sh", "S"), ("ch", "C"), ("zh", "J"), ("dj", "J"),
    ("j", "J"), ("dz", "Z"), ("ts", "c"), ("tz", "c"), ("th", "t"), ("ph", "p"), ("q", "k"), ("w", "v"),
    ("ou", "u"),
]
_LATIN_RE = re.compile("|".join(re.escape(latin) for latin, _ in _LATIN_TO_KEY))
_LATIN_MAP = dict(_LATIN_TO_KEY)
# Sounds written differently at the start of a word or after a vowel: "Yerevan"/"Երևան", "vor"/"որ".
_SPOKEN = [(re.compile(r"ye"), "e"), (re.compile(r"vo"), "o"), (re.compile(r"(.)\1"), r"\1")]

# Endings typed in Latin letters, for forms the user typed rather than the dictionary form.
_LATIN_ABSTRACT = (("utyany", "utyun"), ("utyan", "utyun"), ("utyamb", "utyun"))
_LATIN_CASES = ("neric", "nerum", "nerov", "neri", "nerin", "eric", "erum", "erov", "eri", "erin",
                "ic", "um", "ov", "in", "i")
_LATIN_PLURALS = ("ner", "er")


def _spoken(key: str) -> str:
    for pattern, replacement in _SPOKEN:
        key = pattern.sub(replacement, key)
    return key


def latin_key_of_lemma(armenian_lemma: str) -> str:
    """The Latin key of an Armenian word (its lemma, or itself): what a word typed in Latin must meet."""
    return strip_latin_endings(_spoken(armenian_lemma.replace("ու", "u").translate(_ARMENIAN_TO_KEY)))


def latin_spelling(typed: str) -> str:
    """Armenian typed in Latin letters (lowercase) in the letters of the Latin key, endings kept."""
    return _spoken(_LATIN_RE.sub(lambda m: _LATIN_MAP[m.group(0)], fold(typed)))


def latin_key(typed: str) -> str:
    """The Latin key of a word typed in Latin letters: its spelling without its usual endings."""
    return strip_latin_endings(latin_spelling(typed))


def strip_latin_endings(key: str) -> str:
    """A spelling without the article and case or plural endings (applied to lemmas too, so both agree)."""
    for ending, base in _LATIN_ABSTRACT:
        if key.endswith(ending):
            return key[: -len(ending)] + base
    if key.endswith("y") and len(key) > 4 and key[-2] not in "aeiou":
        key = key[:-1]  # the article ը, typed y
    for group in (_LATIN_CASES, _LATIN_PLURALS):
        for ending in group:
            if key.endswith(ending) and len(key) - len(ending) >= 3:
                key = key[: -len(ending)]
                break
    return key


def is_latin_key(text: str) -> bool:
    """Whether an analysed prefix or term is a Latin key (the keys use Latin letters only)."""
    return text.isascii()
