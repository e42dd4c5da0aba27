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

# Folded suffixes in the slots they fill, from the end of the word inwards: a noun is stem +
# plural + possessive + case + predicative, a verb stem + tense (twice: -ır-dı) + person; the
# infinitive takes a case (danış-mağ-a). A suffix is removed only inside-out in that order.
_SLOTS = (
    ("dir", "dur", "tir", "tur", "am", "em", "san", "sen", "siniz", "sunuz",
     # -ıq/-ik of "we" only after the past or present: "danışıq" (talks) is a noun of its own
     "diq", "duq", "dik", "duk", "iriq", "irik", "uruq", "uruk"),
    ("da", "de", "ta", "te", "dan", "den", "tan", "ten", "nda", "nde", "ndan", "nden", "na", "ne", "ya", "ye", "a", "e",
     "nin", "nun", "in", "un", "ni", "nu", "i", "u", "yi", "yu", "la", "le", "yla", "yle"),
    ("imiz", "umuz", "iniz", "unuz", "miz", "muz", "niz", "nuz", "im", "um", "in", "un", "si", "su", "i", "u",
     "lari", "leri"),
    ("lar", "ler"),
    ("maq", "mek", "mag", "meg", "di", "du", "ti", "tu", "mis", "mus", "ib", "ub", "ir", "ur",
     "acaq", "ecek", "acag", "eceg"),
)
_TENSE = len(_SLOTS) - 1
_BY_SLOT = [sorted(set(slot), key=lambda suffix: (-len(suffix), suffix)) for slot in _SLOTS]
# Suffixes whose first letter is a buffer consonant, used only after a vowel (su-y-a, ana-nın).
_AFTER_VOWEL = {"na", "ne", "nda", "nde", "ndan", "nden", "ya", "ye", "nin", "nun", "ni", "nu", "yi", "yu", "yla",
                "yle", "si", "su", "miz", "muz", "niz", "nuz"}
_VERBAL = {"ir", "ur", "ib", "ub", "acaq", "ecek", "acag", "eceg"}
_VOWELS = set("aeiou")
MAX_STEMS = 6
# The letters a folded suffix letter stands for in the suffix as written: "ş" only in -mış/-miş/-muş/-müş.
_WRITTEN = {"e": "eə", "i": "iı", "u": "uü", "g": "gğ"}
_EVIDENTIAL = {"mis", "mus"}
# Vowels whose front or back quality is certain in a word as typed: plain "i", "u", "o" may be
# "ı", "ü", "ö" typed without their marks.
_BACK, _FRONT = set("aı"), set("eəöü")
# Turkish writes -ta, -tı, -tan after a voiceless consonant (kitap-ta, git-ti); Azerbaijani always
# writes -da, -dı (kitab-da, get-di), so a "t" suffix after any other letter is no suffix at all.
_VOICELESS = set("çfhkpsştx") | {"c"}  # a plain "c" may be "ç" typed without its mark


def to_latin(word: str) -> str:
    """A lowercase word in the Cyrillic alphabet spelled in today's Latin one (Latin words unchanged)."""
    return word.translate(_CYRILLIC)


def stems(folded: str, written: str | None = None) -> tuple[str, ...]:
    """The word and the stems it may have, the most stripped first (at most ``MAX_STEMS``).

    A word can often be cut two ways (``kəndə`` is ``kənd`` + ``ə``, but could be ``kən`` + ``də``),
    and the letters alone cannot tell which: every cut the order of suffixes and the buffer
    letters allow is kept, the index holds them all and a query looks for any of them. ``written``
    is the word as typed (Latin, lowercase, letter for letter with ``folded``): a cut is refused
    where its letters say it cannot be (``yoldaşınız`` is not ``yolda`` + ``sınız``) or where vowel
    harmony forbids it (``kənd`` + ``lar``). A word typed without the language's letters is cut
    every way its folded letters allow, so it still finds the word written with them.
    """
    if written is not None and len(written) != len(folded):
        written = None
    found: dict[str, int] = {}
    todo = [(folded, written, 0, 0)]
    while todo:
        word, letters, slot, tenses = todo.pop()
        key = word[:-1] + "q" if word.endswith("g") else word  # ğ before a vowel is q at the end
        found[key] = min(found.get(key, 99), -len(word))
        for rest, stripped_slot in _shorter(word, letters, slot, tenses):
            todo.append((rest, letters[:len(rest)] if letters else None, min(stripped_slot + 1, _TENSE),
                         tenses + (stripped_slot == _TENSE)))
    ordered = sorted(found, key=lambda stem: (len(stem), stem))
    return tuple(ordered[:MAX_STEMS])


def _shorter(word: str, letters: str | None, first_slot: int, tenses: int):
    """(the word without a suffix, the suffix's slot) for each suffix it may end in at or inside ``first_slot``."""
    for slot in range(first_slot, len(_SLOTS)):
        if slot == _TENSE and tenses >= 2:
            break
        for suffix in _BY_SLOT[slot]:
            if not word.endswith(suffix):
                continue
            rest = word[: -len(suffix)]
            if len(rest) < MIN_STEM and not _short_root(rest, suffix):
                continue
            if not _VOWELS.intersection(rest):
                continue
            if (suffix in _AFTER_VOWEL) != (rest[-1] in _VOWELS) and (suffix in _AFTER_VOWEL or suffix[0] in _VOWELS):
                continue  # a buffer suffix needs a vowel before it, a vowel-initial one a consonant
            if suffix[0] == "t" and (letters[len(rest) - 1] if letters else rest[-1]) not in _VOICELESS:
                continue
            if letters and not _as_written(suffix, letters[len(rest):]):
                continue
            if not _in_harmony(rest, letters[:len(rest)] if letters else rest, suffix):
                continue
            if suffix in _VERBAL and len(rest) > MIN_STEM and rest[-1] == "y" and rest[-2] in "ae":
                rest = rest[:-1]  # the buffer y of yaşa-y-ır
            yield rest, slot


def _as_written(suffix: str, letters: str) -> bool:
    """Whether the letters typed can spell the folded suffix (no "ş", "ç" or "ö" where it has none)."""
    for plain, typed in zip(suffix, letters, strict=True):
        if typed != plain and typed not in _WRITTEN.get(plain, "") and not (
                plain == "s" and typed == "ş" and suffix in _EVIDENTIAL):
            return False
    return True


def _in_harmony(folded_stem: str, typed_stem: str, suffix: str) -> bool:
    """Vowel harmony between the stem's last vowel and the suffix's first, where the letters make it certain.

    Two-way suffixes (folded ``a``/``e``) follow front or back; four-way ones (folded ``i``/``u``)
    follow rounding, which folding keeps (``o``/``ö``, ``u``/``ü`` against ``a``, ``e``, ``i``).
    """
    vowel = next((letter for letter in suffix if letter in _VOWELS), None)
    if vowel is None:
        return True
    last_folded = next((letter for letter in reversed(folded_stem) if letter in _VOWELS), None)
    if last_folded is None:
        return True
    if vowel in "ae":
        last = next((letter for letter in reversed(typed_stem) if letter in _VOWELS or letter in "ıəöü"), "")
        if last in _BACK:
            return vowel == "a"
        if last in _FRONT:
            return vowel == "e"
        return True
    return (last_folded in "ou") == (vowel == "u")


def _short_root(rest: str, suffix: str) -> bool:
    """Two-letter roots of a vowel and a consonant (ev, əl, iş) take suffixes of two letters or more."""
    return len(rest) == 2 and rest[0] in _VOWELS and rest[1] not in _VOWELS and len(suffix) >= 2
