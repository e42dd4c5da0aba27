"""The one kit for checking input fields, shared by every feature's operations.

Each checker takes the raw value, the field's name and an ``errors`` dict: it returns the clean
value, or records what to fix under the field's name and returns an empty value. An operation
calls several checkers, then ``raise_if_any(errors)``, so a person sees every mistake at once and
nothing is written unless all of the input is valid. Parsers for single values (``language_tag``,
``country_code``, ``time_zone``, ``record_id``, ``one_of(...)``) raise ``ValueError`` with the
message instead, for ``list_of``, ``optional`` and ``required``.

Text is refused when it holds what no page can show: lone surrogates (they cannot be encoded as
UTF-8), NUL and other control characters (newlines and tabs only where a field has several lines).
Numbers are ASCII digits only, so ``²`` or Arabic-Indic digits never slip through ``int()``.
Dates and times typed for calendars (``moment``, ``month``) stay within ``FIRST_YEAR`` to
``LAST_YEAR``, so a day either side, a month either side or another time zone is still a date.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import available_timezones

import langcodes
import pycountry
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from archive.errors import ValidationError

T = TypeVar("T")

# The largest id a database integer column holds on PostgreSQL; larger ones can name nothing.
MAX_RECORD_ID = 2**31 - 1
# The refusal of an empty required field, in the interface language (``required_message()`` at call time).
REQUIRED = _l("This is required.")
# Calendars, bookings and their filters: wide enough for any real date, far from datetime's edges.
FIRST_YEAR = 1900
LAST_YEAR = 2999
_FIRST_MONTH, _LAST_MONTH = f"{FIRST_YEAR}-01", f"{LAST_YEAR}-12"
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = 30  # more than any field here holds; int() is never asked to read a million digits
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_MULTILINE_CONTROLS = {"\n", "\r", "\t"}


def required_message() -> str:
    """The refusal of an empty required field, in the language of the current request."""
    return _("This is required.")


def raise_if_any(errors: dict[str, str]) -> None:
    """Raise ``ValidationError`` when any field was refused."""
    if errors:
        raise ValidationError(errors)


def refuse_unknown(data: dict, allowed: Iterable[str]) -> None:
    """Refuse fields the operation does not know, naming the ones it does."""
    allowed = set(allowed)
    unknown = set(data) - allowed
    if unknown:
        known = ", ".join(sorted(allowed))
        message = _("Unknown field; known fields are %(known)s.", known=known)
        raise ValidationError({name: message for name in sorted(unknown, key=str)})


def require_object(data: Any) -> dict:
    """The request body as a dict, or a clear refusal."""
    if not isinstance(data, dict):
        raise ValidationError({"body": _("Send a JSON object.")})
    return data


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can."""
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            return _("The text holds a broken character (a lone surrogate); send it as valid UTF-8.")
        if category == "Cc" and not (multiline and char in _MULTILINE_CONTROLS):
            if char == "\x00":
                return _("The text holds a NUL character; remove it.")
            if char in _MULTILINE_CONTROLS:
                return _("Keep this on one line.")
            code = format(ord(char), "04X")
            return _("The text holds a control character (U+%(code)s); remove it.", code=code)
    return None


def one_line(value: str) -> str:
    """``value`` with line breaks and other control characters as single spaces, for a header or property.

    For text already stored that is written where a line break would end the field: an e-mail
    subject, an iCalendar summary or location. Broken characters become U+FFFD.
    """
    shown = {"Cc": " ", "Zl": " ", "Zp": " ", "Cs": "\ufffd"}
    cleaned = "".join(shown.get(unicodedata.category(char), char) for char in value)
    return " ".join(cleaned.split())


def text(value: Any, field: str, errors: dict, *, limit: int, required: bool = False, multiline: bool = False) -> str:
    """A string, stripped, at most ``limit`` characters; ``None`` counts as empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("Give text.")
        return ""
    value = value.strip()
    problem = text_problem(value, multiline=multiline)
    if problem:
        errors[field] = problem
        return ""
    if required and not value:
        errors[field] = required_message()
    elif len(value) > limit:
        errors[field] = _("Keep it under %(limit)s characters (it is %(length)s).", limit=limit, length=len(value))
        return ""
    return value


def texts(value: Any, field: str, errors: dict, *, limit: int, required: bool = False, multiline: bool = False) -> dict[str, str]:
    """A ``{language tag: text}`` map; an emptied language is dropped."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        errors[field] = _('Give texts by language, e.g. {"en": "...", "hy": "..."}.')
        return {}
    result = {}
    for tag, entry in value.items():
        try:
            tag = language_tag(tag)
        except ValueError as exc:
            errors[field] = str(exc)
            return {}
        if entry is None or (isinstance(entry, str) and not entry.strip()):
            continue
        if not isinstance(entry, str):
            errors[field] = _("The %(tag)s text must be a string.", tag=tag)
            return {}
        problem = text_problem(entry.strip(), multiline=multiline)
        if problem:
            errors[field] = _("The %(tag)s text: %(problem)s", tag=tag, problem=problem)
            return {}
        if len(entry) > limit:
            errors[field] = _(
                "The %(tag)s text is %(length)s characters; keep it under %(limit)s.", tag=tag, length=len(entry), limit=limit
            )
            return {}
        result[tag] = entry.strip()
    if required and not result:
        errors[field] = (
            _("Give at least one title, in any language.")
            if field == "title"
            else _("Give at least one %(field)s, in any language.", field=field)
        )
    return result


def parse_whole(value: Any) -> int:
    """An integer from an int or a string of ASCII digits; anything else raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(_("%(value)s is not a whole number.", value=repr(value)))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(_("%(value)s is not a whole number.", value=repr(value)))
        return int(value)
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        if len(value.strip()) > _MAX_DIGITS:
            raise ValueError(_("%(value)s is far too large a number.", value=_shown(value)))
        return int(value.strip())
    raise ValueError(_("%(value)s is not a whole number; use the digits 0-9.", value=_shown(value)))


def whole(value: Any, field: str, errors: dict, *, low: int, high: int, required: bool = False) -> int | None:
    """A whole number between ``low`` and ``high``; empty gives None (or a refusal when required)."""
    if value is None or value == "":
        if required:
            errors[field] = required_message()
        return None
    try:
        number = parse_whole(value)
    except ValueError as exc:
        errors[field] = str(exc)
        return None
    if not low <= number <= high:
        errors[field] = _("%(number)s is out of range; use %(low)s to %(high)s.", number=number, low=low, high=high)
        return None
    return number


def iso_date(value: Any, field: str, errors: dict, *, required: bool = False) -> date | None:
    """A calendar date written YYYY-MM-DD; empty gives None (or a refusal when required)."""
    if value in (None, ""):
        if required:
            errors[field] = _("Give a date as YYYY-MM-DD.")
        return None
    if not isinstance(value, str | date) or (isinstance(value, str) and not value.isascii()):
        errors[field] = _("%(value)s is not a date; use YYYY-MM-DD.", value=_shown(value))
        return None
    try:
        return value if isinstance(value, date) else date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = _("%(value)s is not a date; use YYYY-MM-DD.", value=_shown(value))
        return None


def moment(value: Any) -> datetime:
    """A date or an ISO 8601 date and time (an offset is turned into UTC) as naive UTC; raises ValueError.

    Without an offset the time is taken as it is written (UTC, or local time where the caller says so).
    """
    if not isinstance(value, str) or not value.strip().isascii():
        raise ValueError(_not_a_moment(value))
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(_not_a_moment(value)) from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(
            _("%(value)s is out of range; use a date from %(first)s to %(last)s.", value=_shown(value), first=FIRST_YEAR, last=LAST_YEAR)
        )
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def month(value: Any) -> date:
    """The first day of a month written YYYY-MM, within the calendar's years; raises ValueError."""
    found = _MONTH.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None or not 1 <= int(found[2]) <= 12:
        raise ValueError(_("%(value)s is not a month; use YYYY-MM such as 2027-03.", value=_shown(value)))
    if not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise ValueError(
            _("%(value)s is out of range; use a month from %(first)s to %(last)s.",
              value=_shown(value), first=_FIRST_MONTH, last=_LAST_MONTH)
        )
    return date(int(found[1]), int(found[2]), 1)


def choice(value: Any, field: str, choices: Iterable[str], errors: dict) -> str | None:
    """One of ``choices``, exactly as written there."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        errors[field] = _("Choose one of: %(choices)s.", choices=", ".join(choices))
        return None
    return value


def one_of(choices: Iterable[str]) -> Callable[[Any], str]:
    """A parser accepting only ``choices`` (surrounding spaces ignored), for ``list_of`` and ``optional``."""
    choices = tuple(choices)

    def parse(value: Any) -> str:
        if isinstance(value, str) and value.strip() in choices:
            return value.strip()
        raise ValueError(_("%(value)s is not one of: %(choices)s.", value=_shown(value), choices=", ".join(choices)))

    return parse


def list_of(value: Any, field: str, parse: Callable[[Any], T], errors: dict) -> list[T]:
    """A list (or a comma- or semicolon-separated string) whose entries ``parse`` accepts; duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    if not isinstance(value, list):
        errors[field] = _("Give a list.")
        return []
    result: list[T] = []
    for entry in value:
        try:
            parsed = parse(entry)
        except ValueError as exc:
            errors[field] = str(exc)
            return []
        if parsed not in result:
            result.append(parsed)
    return result


def optional(parse: Callable[[Any], T], value: Any, field: str, errors: dict) -> T | None:
    """``parse(value)`` for a single value that may be left empty."""
    if value in (None, ""):
        return None
    try:
        return parse(value)
    except ValueError as exc:
        errors[field] = str(exc)
        return None


def required(parse: Callable[[Any], T], value: Any, field: str, errors: dict) -> T | None:
    """``parse(value)`` for a single value that must be given; empty is refused as required."""
    if value in (None, ""):
        errors[field] = required_message()
        return None
    return optional(parse, value, field, errors)


def language_tag(tag: Any) -> str:
    """The canonical BCP-47 form of ``tag``; raises ValueError for anything else."""
    if (
        not isinstance(tag, str)
        or not tag.strip()
        or len(tag) > 35
        or not tag.isascii()
        or not langcodes.tag_is_valid(tag.strip())
    ):
        raise ValueError(_("%(value)s is not a language tag; use BCP-47 such as hy, az, ru, en or az-Latn.", value=_shown(tag)))
    return langcodes.standardize_tag(tag.strip())


def country_code(code: Any) -> str:
    """An ISO 3166-1 alpha-2 code in capitals; raises ValueError for anything else."""
    if (
        not isinstance(code, str)
        or not code.strip().isascii()
        or len(code.strip()) != 2
        or pycountry.countries.get(alpha_2=code.strip().upper()) is None
    ):
        raise ValueError(
            _("%(value)s is not an ISO 3166 country code; use two letters such as AM, AZ or GE.", value=_shown(code))
        )
    return code.strip().upper()


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone(name: Any) -> str:
    """An IANA time zone name such as Asia/Yerevan; raises ValueError for anything else."""
    # Checked against the list: ZoneInfo itself would also open paths such as "../../etc/x".
    if not isinstance(name, str) or name.strip() not in _zone_names():
        raise ValueError(
            _("%(value)s is not an IANA time zone; use a name such as Asia/Yerevan, Asia/Baku or Europe/Paris.", value=_shown(name))
        )
    return name.strip()


def record_id(value: Any) -> int:
    """A positive id a database row can have; raises ValueError for anything else."""
    try:
        number = parse_whole(value)
    except ValueError:
        raise ValueError(_("%(value)s is not an id; give whole numbers.", value=_shown(value))) from None
    if not 0 < number <= MAX_RECORD_ID:
        raise ValueError(
            _("%(value)s is not an id; give whole numbers from 1 to %(largest)s.", value=_shown(value), largest=MAX_RECORD_ID)
        )
    return number


def _not_a_moment(value: Any) -> str:
    return _("%(value)s is not a date or time; use YYYY-MM-DD or ISO 8601 such as 2027-03-01T19:00+04:00.", value=_shown(value))


def _shown(value: Any) -> str:
    """A value quoted for a message, cut short and safe to print whatever it holds."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
