"""Does decoded subtitle text look like the language the track says it is in?

A file read in the wrong encoding rarely fails to decode: it turns into other letters (Big5 read as
Windows-1252, Windows-1250 Czech read as Windows-1252, ARMSCII-8 read as anything). Its letters
then stop fitting the declared language: Armenian ones for ``hy``, Cyrillic ones for ``ru``, the
Latin alphabet with ``ə ğ ı ş`` for ``az``. This tells the archivist before the track is saved.
Languages not listed here, and tags that name a script (``sr-Latn``), are not checked.
"""

from __future__ import annotations

import unicodedata

from archive.subtitles import messages

# Languages written in one script of their own: the script's word in Unicode character names.
_SCRIPTS = {
    "hy": ("ARMENIAN",), "ka": ("GEORGIAN",), "el": ("GREEK",), "he": ("HEBREW",), "yi": ("HEBREW",),
    "ar": ("ARABIC",), "fa": ("ARABIC",), "ur": ("ARABIC",), "ku": ("ARABIC", "LATIN"),
    "ru": ("CYRILLIC",), "uk": ("CYRILLIC",), "be": ("CYRILLIC",), "bg": ("CYRILLIC",), "mk": ("CYRILLIC",),
    "kk": ("CYRILLIC",), "ky": ("CYRILLIC",), "tg": ("CYRILLIC",), "mn": ("CYRILLIC",), "os": ("CYRILLIC",),
    "zh": ("CJK",), "ja": ("CJK", "HIRAGANA", "KATAKANA"), "ko": ("HANGUL", "CJK"),
    "th": ("THAI",), "hi": ("DEVANAGARI",),
}
# Languages written in the Latin alphabet: the letters beyond A–Z each one uses (both cases).
_LATIN = {
    "en": "", "az": "əçğıöşüäx", "tr": "çğıöşüâîû", "cs": "áčďéěíňóřšťúůýž", "sk": "áäčďéíĺľňóôŕšťúýž",
    "pl": "ąćęłńóśźż", "hu": "áéíóöőúüű", "ro": "ăâîșțşţ", "hr": "čćđšž", "sl": "čšž", "bs": "čćđšž",
    "de": "äöüß", "fr": "àâæçéèêëîïôœùûüÿ", "es": "áéíñóúü", "it": "àèéìíîòóùú", "pt": "áâãàçéêíóôõú",
    "nl": "éëïóöü", "sv": "åäöé", "no": "æøåé", "nb": "æøåé", "da": "æøåé", "fi": "äöå", "et": "äöõüšž",
    "lv": "āčēģīķļņšūž", "lt": "ąčęėįšųūž", "sq": "çë", "ca": "àçèéíïòóúü", "uz": "oʻgʻ", "tk": "äçňöşüýž",
}
_MOST_FOREIGN = 0.02  # a name or a borrowed word is fine; a few in a hundred letters is not
_LEAST_FOREIGN = 3


def mismatch_warning(lang: str, texts: list[str]) -> dict | None:
    """A warning (the parser's shape) when the letters of ``texts`` do not fit ``lang``; None when they do."""
    subtags = lang.lower().split("-")
    if any(len(tag) == 4 and tag.isalpha() for tag in subtags[1:]):
        return None  # a script named in the tag: the primary language no longer says which letters to expect
    primary = subtags[0]
    if primary not in _SCRIPTS and primary not in _LATIN:
        return None
    letters = [char for text in texts for char in text if char.isalpha()]
    foreign = [char for char in letters if not _fits(char, primary)]
    native = len(letters) - len(foreign) - sum(1 for char in letters if char.isascii())
    too_many = len(foreign) >= _LEAST_FOREIGN and len(foreign) > _MOST_FOREIGN * len(letters)
    # In a script language, English words are fine but a track with hardly any of the script's letters is not.
    too_few = primary in _SCRIPTS and len(letters) >= 20 and native * 2 < len(letters)
    if not (too_many or too_few):
        return None
    examples = " ".join(dict.fromkeys(foreign or letters))[:40]
    args = {"lang": lang, "foreign": len(foreign), "letters": len(letters), "examples": examples}
    return {"code": "language", "message": messages.describe("language", args), "count": len(foreign), "where": [],
            "args": args}


def _fits(char: str, primary: str) -> bool:
    if char.isascii():
        return True
    if primary in _LATIN:
        return char.lower() in _LATIN[primary]
    name = unicodedata.name(char, "")
    return any(name.startswith(script) or f" {script} " in f" {name} " for script in _SCRIPTS[primary])
