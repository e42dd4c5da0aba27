"""Russian: lemmas from pymorphy3 (OpenCorpora dictionary), and Russian typed in Latin letters.

pymorphy3 knows each form's dictionary word, fleeting vowels included (``беженцы`` → ``беженец``,
``сёлах`` → ``село``), and guesses one for words it lacks from their endings. A word typed in Latin
letters is spelled back in Cyrillic by the common transliterations (``bezhentsy``, ``bejency``,
``bezhenci``); of the spellings those allow, the first the dictionary knows is taken.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

import pymorphy3

MAX_SPELLINGS = 256
MIN_LATIN_LETTERS = 3
MAX_SOFT_SIGN_SPELLINGS = 16
_CONSONANTS = set("бвгджзклмнпрстфхцчшщ")

# Longest first; each Latin group with the Cyrillic letters it may stand for, likeliest first.
_LATIN = [
    ("shch", ("щ",)), ("sch", ("щ", "ш")), ("zh", ("ж",)), ("kh", ("х",)), ("ts", ("ц", "тс")), ("tz", ("ц",)),
    ("ch", ("ч",)), ("sh", ("ш",)), ("yu", ("ю",)), ("ju", ("ю", "жу")), ("ya", ("я",)), ("ja", ("я", "жа")),
    ("yo", ("ё", "йо")), ("jo", ("ё", "жо")), ("ye", ("е", "ье")), ("je", ("е", "же")),
    ("y", ("ы", "й", "и")), ("a", ("а",)), ("b", ("б",)), ("c", ("ц", "к")), ("d", ("д",)),
    ("e", ("е", "э")), ("f", ("ф",)), ("g", ("г",)), ("h", ("х",)), ("i", ("и", "й", "ы")), ("j", ("й", "ж")),
    ("k", ("к",)), ("l", ("л",)), ("m", ("м",)), ("n", ("н",)), ("o", ("о",)), ("p", ("п",)), ("q", ("к",)),
    ("r", ("р",)), ("s", ("с",)), ("t", ("т",)), ("u", ("у",)), ("v", ("в",)), ("w", ("в",)), ("x", ("кс", "х")),
    ("z", ("з",)), ("'", ("ь",)),
]
_LATIN_RE = re.compile("|".join(re.escape(latin) for latin, _ in _LATIN))
_LATIN_MAP = dict(_LATIN)


def dictionaries() -> None:
    """Open pymorphy3's dictionary now (``analysis.preload``)."""
    _morph()


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


def lemma(word: str) -> str:
    """The dictionary form of a lowercase Cyrillic word (``ё`` kept; folding comes after)."""
    parses = _morph().parse(word)
    return parses[0].normal_form if parses else word


def cyrillic_spellings(typed: str) -> tuple[str, ...]:
    """The Cyrillic words a lowercase Latin-letter word most likely stands for (none if none is known).

    The first spelling the dictionary knows, and the first it knows with a soft sign put back after
    a consonant: transliterations mostly leave it out, and ``semya`` is ``семья`` more often than
    ``семя``, ``pismo`` only ``письмо``.
    """
    letters = re.sub(r"[^a-z']", "", typed)
    if len(letters) < MIN_LATIN_LETTERS:
        return ()
    groups = [_LATIN_MAP[m] for m in _LATIN_RE.findall(letters)]
    morph = _morph()
    spellings = ["".join(spelling) for spelling in itertools.islice(itertools.product(*groups), MAX_SPELLINGS)]
    found: list[str] = []
    for word in spellings:
        if morph.word_is_known(word) or morph.word_is_known(word + "ь"):
            found.append(word if morph.word_is_known(word) else word + "ь")
            break
    for word in spellings[:MAX_SOFT_SIGN_SPELLINGS]:
        softened = next((word[:at] + "ь" + word[at:] for at in range(1, len(word))
                         if word[at - 1] in _CONSONANTS and word[at] != "ь"
                         and morph.word_is_known(word[:at] + "ь" + word[at:])), None)
        if softened:
            found.append(softened)
            break
    return tuple(dict.fromkeys(found))


def latin_prefix(typed: str) -> str:
    """The likeliest Cyrillic spelling of a Latin prefix (first choice of each letter group)."""
    return "".join(_LATIN_MAP[m][0] for m in _LATIN_RE.findall(re.sub(r"[^a-z']", "", typed)))
