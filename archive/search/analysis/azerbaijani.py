"""Azerbaijani: the 1958 Cyrillic alphabet read as Latin, then a suffix stripper on folded letters.

No maintained Azerbaijani lemmatiser or dictionary is packaged (simplemma has Turkish, whose
spelling differs), so this strips suffixes itself. It works on the folded word (``ə``→``e``,
``ı``→``i``, ``ü``→``u``, ``ş``→``s``, ``ğ``→``g``...) so that a word typed without the
language's letters, before or after its suffixes, is stripped exactly like the indexed one:
``kockunler``, ``kockunlar`` and ``köçkün`` all become ``kockun``. Vowel harmony picks one suffix of
each pair (``-lar``/``-lər``, ``-da``/``-də``, ``-ın``/``-in``/``-un``/``-ün``); folded, the pairs
are ``lar``/``ler``, ``da``/``de``, ``in``/``un``, and the stripper accepts each of them.
"""

from __future__ import annotations

# The 1958–1991 alphabet, one letter to one (plus the Russian letters loanwords kept).
_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "ҹ": "c", "ч": "ç", "д": "d", "е": "e", "ә": "ə", "ф": "f", "ҝ": "g", "ғ": "ğ",
    "һ": "h", "х": "x", "ы": "ı", "и": "i", "ж": "j", "к": "k", "г": "q", "л": "l", "м": "m", "н": "n",
    "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "ш": "ş", "т": "t", "у": "u", "ү": "ü", "в": "v",
    "ј": "y", "й": "y", "з": "z", "э": "e", "я": "ya", "ю": "yu", "ё": "yo", "ц": "ts", "щ": "şç",
    "ъ": None, "ь": None,
})

MIN_STEM = 3

# Folded suffixes, by what they may follow; each pass removes the longest that leaves a stem of
# MIN_STEM letters with a vowel. Nouns: plural + possessive + case (+ predicative); verbs: the
# infinitive (with its case), past, present, evidential and converb forms with person endings.
_SUFFIXES = sorted({
    # predicative and person endings
    "dir", "dur", "tir", "tur", "am", "em", "san", "sen", "siniz", "sunuz",
    # (-ıq/-ik of "we" only after the past or present: "danışıq", talks, is a noun of its own)
    "diq", "duq", "dik", "duk", "iriq", "irik", "uruq", "uruk",
    # plural
    "lar", "ler",
    # possessive
    "imiz", "umuz", "iniz", "unuz", "miz", "muz", "niz", "nuz", "im", "um", "in", "un", "si", "su",
    "lari", "leri",
    # case
    "da", "de", "ta", "te", "dan", "den", "tan", "ten", "nda", "nde", "ndan", "nden", "na", "ne",
    "ya", "ye", "a", "e", "nin", "nun", "ni", "nu", "i", "u", "yi", "yu", "la", "le", "yla", "yle",
    # verbs
    "maq", "mek", "mag", "meg", "di", "du", "ti", "tu", "mis", "mus", "ib", "ub", "ir", "ur",
    "acaq", "ecek", "acag", "eceg",
}, key=lambda suffix: (-len(suffix), suffix))
_VERBAL = {"ir", "ur", "ib", "ub", "acaq", "ecek", "acag", "eceg"}
_VOWELS = set("aeiou")
MAX_PASSES = 5


def to_latin(word: str) -> str:
    """A lowercase word in the Cyrillic alphabet spelled in today's Latin one (Latin words unchanged)."""
    return word.translate(_CYRILLIC)


MAX_STEMS = 4


def stems(folded: str) -> tuple[str, ...]:
    """The stems a folded, lowercase Azerbaijani word may have, longest first.

    A word can often be cut two ways (``kəndə`` is ``kənd`` + ``ə``, but could be ``kən`` + ``də``),
    and the letters alone cannot tell which: every way that ends where no suffix is left is kept
    (at most ``MAX_STEMS``), the index holds them all and a query looks for any of them.
    """
    found: set[str] = set()
    seen: set[str] = set()
    todo = [(folded, 0)]
    while todo:
        word, passes = todo.pop()
        if word in seen:
            continue
        seen.add(word)
        shorter = list(_shorter(word)) if passes < MAX_PASSES else []
        if not shorter:
            found.add(word[:-1] + "q" if word.endswith("g") else word)  # ğ before a vowel is q at the end
        todo.extend((rest, passes + 1) for rest in shorter)
    return tuple(sorted(found, key=lambda stem: (-len(stem), stem))[:MAX_STEMS])


def _shorter(word: str):
    """The word without each suffix it may end in, leaving a stem of MIN_STEM letters with a vowel."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix):
            rest = word[: -len(suffix)]
            if len(rest) >= MIN_STEM and _VOWELS.intersection(rest):
                if suffix in _VERBAL and len(rest) > MIN_STEM and rest[-1] == "y" and rest[-2] in "ae":
                    rest = rest[:-1]  # the buffer y of yaşa-y-ır
                yield rest
