"""Names of languages, countries and scripts in the interface language, from CLDR through Babel.

Pages never show a raw code (``AM``, ``hy``, ``az-Cyrl``) where a name exists: ``Հայաստան``,
``Azərbaycan``, ``Грузия``. A code Babel does not know is shown as it is, so nothing is lost.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale

DOTTED_I = ("az", "tr")


def interface_locale() -> Locale:
    """The Babel locale of the current request (English outside one)."""
    return get_locale() or Locale("en")


def _capitalised(name: str) -> str:
    # CLDR writes language names in lower case in Armenian, Azerbaijani and Russian, as running
    # text does; on their own (a menu, a label, a list) they start with a capital. Azerbaijani (as
    # Turkish) capitalises a dotted i as İ, never I (``ingilis`` → ``İngilis``).
    if name[:1] == "i" and interface_locale().language in DOTTED_I:
        return "İ" + name[1:]
    return name[:1].upper() + name[1:]


def language_name(tag: str, *, capitalise: bool = True) -> str:
    """``hy`` → ``Armenian`` / ``армянский``; ``az-Cyrl`` → ``Azerbaijani (Cyrillic)``; unknown tags as given."""
    if not isinstance(tag, str) or not tag:
        return ""
    try:
        name = Locale.parse(tag, sep="-").get_display_name(interface_locale())
    except (UnknownLocaleError, ValueError, TypeError):
        return tag
    if not name:
        return tag
    return _capitalised(name) if capitalise else name


def country_name(code: str) -> str:
    """``AM`` → ``Armenia`` / ``Հայաստան``; an unknown code as given."""
    if not isinstance(code, str) or not code:
        return ""
    return interface_locale().territories.get(code.upper(), code)


def script_name(code: str) -> str:
    """``Latn`` → ``Latin`` / ``латиница``."""
    return interface_locale().scripts.get(code, code)


def label(labels: dict, code: str | None) -> str:
    """The name of a stored ``code`` from a dict of (lazy) labels; a code without one is shown as
    written, with spaces for underscores (``mobile_cinema`` → ``mobile cinema``)."""
    found = labels.get(code or "")
    return str(found) if found is not None else (code or "").replace("_", " ")
