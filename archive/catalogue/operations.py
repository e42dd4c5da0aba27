"""Catalogue rules: validating and saving items and collections.

Pages and the JSON API both hand a plain dict to these functions, so every rule is checked in one
place. A ``ValidationError`` names each field that is wrong and says what to fix; nothing is written
unless the whole input is valid.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import langcodes
import pycountry
from sqlalchemy import select

from archive.catalogue.models import COLLECTION_KINDS, KINDS, VISIBILITIES, Collection, Credit, Item, Person, Theme
from archive.errors import ValidationError
from archive.extensions import db

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
MAX_NAME = 200
MIN_YEAR = 1850
MAX_YEAR = 2100

ITEM_FIELDS = {
    "kind", "title", "description", "year", "countries", "languages", "credits", "themes",
    "collections", "rights_note", "visibility", "embargo_until",
}
COLLECTION_FIELDS = {"kind", "title", "description", "visibility", "items"}


def language_tag(tag: Any) -> str:
    """Return the canonical BCP-47 form of ``tag`` or raise ValueError."""
    if not isinstance(tag, str) or not tag.strip() or len(tag) > 35 or not langcodes.tag_is_valid(tag.strip()):
        raise ValueError(f"{tag!r} is not a language tag; use BCP-47 such as hy, az, ru, en or az-Latn")
    return langcodes.standardize_tag(tag.strip())


def country_code(code: Any) -> str:
    """Return an ISO 3166-1 alpha-2 code in capitals or raise ValueError."""
    if not isinstance(code, str) or pycountry.countries.get(alpha_2=code.strip().upper()) is None:
        raise ValueError(f"{code!r} is not an ISO 3166 country code; use two letters such as AM, AZ or GE")
    return code.strip().upper()


def _texts(value: Any, field: str, limit: int, errors: dict, required: bool) -> dict[str, str]:
    """Validate a ``{language tag: text}`` map."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        errors[field] = 'Give texts by language, e.g. {"en": "...", "hy": "..."}.'
        return {}
    result = {}
    for tag, text in value.items():
        try:
            tag = language_tag(tag)
        except ValueError as exc:
            errors[field] = str(exc)
            return {}
        if text is None or (isinstance(text, str) and not text.strip()):
            continue  # an emptied language is removed
        if not isinstance(text, str):
            errors[field] = f"The {tag} text must be a string."
            return {}
        if len(text) > limit:
            errors[field] = f"The {tag} text is {len(text)} characters; keep it under {limit}."
            return {}
        result[tag] = text.strip()
    if required and not result:
        errors[field] = "Give at least one title, in any language."
    return result


def _choice(value: Any, field: str, choices: tuple[str, ...], errors: dict) -> str | None:
    if value not in choices:
        errors[field] = "Choose one of: " + ", ".join(choices) + "."
        return None
    return value


def _list_of(value: Any, field: str, parse, errors: dict) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    if not isinstance(value, list):
        errors[field] = "Give a list."
        return []
    result = []
    for entry in value:
        try:
            parsed = parse(entry)
        except ValueError as exc:
            errors[field] = str(exc)
            return []
        if parsed not in result:
            result.append(parsed)
    return result


def _year(value: Any, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        errors["year"] = f"{value!r} is not a year; use four digits such as 2019."
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = f"{year} is out of range; use a year between {MIN_YEAR} and {MAX_YEAR}."
        return None
    return year


def _date(value: Any, field: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = f"{value!r} is not a date; use YYYY-MM-DD."
        return None


def _credits(value: Any, errors: dict) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors["credits"] = 'Give a list such as [{"name": "Ani Petrosyan", "role": "director"}].'
        return []
    result = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            errors["credits"] = 'Each credit needs a "name" (and a "role").'
            return []
        name, role = entry["name"].strip(), str(entry.get("role") or "").strip()
        if len(name) > MAX_NAME or len(role) > 100:
            errors["credits"] = f"Keep names under {MAX_NAME} and roles under 100 characters."
            return []
        result.append((name, role))
    return result


def _theme_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 100:
        raise ValueError("Each theme is a name of 1 to 100 characters.")
    return value.strip().lower()


def _record_id(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not an id; give whole numbers.") from None
    if number <= 0:
        raise ValueError(f"{value!r} is not an id; give whole numbers.")
    return number


def _collection_ids(value: Any, errors: dict) -> list[Collection]:
    ids = _list_of(value, "collections", _record_id, errors)
    if not ids:
        return []
    found = db.session.scalars(select(Collection).where(Collection.id.in_(ids))).all()
    missing = set(ids) - {c.id for c in found}
    if missing:
        errors["collections"] = "No collection with id " + ", ".join(map(str, sorted(missing))) + "."
    return list(found)


def _unknown(data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: "Unknown field; allowed: " + ", ".join(sorted(allowed)) + "." for name in unknown})


def create_item(data: dict, created_by=None, *, commit: bool = True) -> Item:
    """Validate ``data`` and add a new item; visibility defaults to restricted (safe until reviewed).

    With ``commit=False`` the item is only flushed, so a caller can commit it together with more rows.
    """
    if not isinstance(data, dict):
        raise ValidationError({"body": "Send a JSON object."})
    data = {"visibility": "restricted", **data}
    item = Item(created_by_id=getattr(created_by, "id", None))
    _apply_item(item, data, creating=True)
    db.session.add(item)
    if commit:
        db.session.commit()
        _reindex(item.id)
    else:
        db.session.flush()
    return item


def update_item(item: Item, data: dict) -> Item:
    """Validate ``data`` and change only the fields it holds."""
    if not isinstance(data, dict):
        raise ValidationError({"body": "Send a JSON object."})
    _apply_item(item, data, creating=False)
    db.session.commit()
    _reindex(item.id)
    return item


def delete_item(item: Item) -> None:
    """Remove an item and its credits; media removal belongs to the media feature."""
    item_id = item.id
    db.session.delete(item)
    db.session.commit()
    _reindex(item_id, deleted=True)


def _reindex(item_id: int, *, deleted: bool = False) -> None:
    """Have the search index follow the change (visibility and embargo included), after the commit."""
    from archive.search.operations import item_changed  # search builds on the catalogue, not the reverse

    item_changed(item_id, deleted=deleted)


def _apply_item(item: Item, data: dict, *, creating: bool) -> None:
    _unknown(data, ITEM_FIELDS)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if creating or "kind" in data:
        values["kind"] = _choice(data.get("kind"), "kind", KINDS, errors)
    if creating or "title" in data:
        values["title"] = _texts(data.get("title"), "title", MAX_TITLE, errors, required=True)
    if "description" in data:
        values["description"] = _texts(data["description"], "description", MAX_DESCRIPTION, errors, required=False)
    if "year" in data:
        values["year"] = _year(data["year"], errors)
    if "countries" in data:
        values["countries"] = _list_of(data["countries"], "countries", country_code, errors)
    if "languages" in data:
        values["languages"] = _list_of(data["languages"], "languages", language_tag, errors)
    if "rights_note" in data:
        note = data["rights_note"] or ""
        if not isinstance(note, str) or len(note) > MAX_DESCRIPTION:
            errors["rights_note"] = f"Give the rights note as text under {MAX_DESCRIPTION} characters."
        values["rights_note"] = note
    if creating or "visibility" in data:
        values["visibility"] = _choice(data.get("visibility"), "visibility", VISIBILITIES, errors)
    if "embargo_until" in data:
        values["embargo_until"] = _date(data["embargo_until"], "embargo_until", errors)
    credits = _credits(data.get("credits"), errors) if "credits" in data else None
    themes = _list_of(data.get("themes"), "themes", _theme_name, errors) if "themes" in data else None
    collections = _collection_ids(data.get("collections"), errors) if "collections" in data else None
    if errors:
        db.session.rollback()
        raise ValidationError(errors)

    for field, value in values.items():
        setattr(item, field, value)
    if credits is not None:
        item.credits = [
            Credit(person=_person(name), role=role, position=index) for index, (name, role) in enumerate(credits)
        ]
    if themes is not None:
        item.themes = [_theme(name) for name in themes]
    if collections is not None:
        item.collections = collections


def _person(name: str) -> Person:
    person = db.session.scalar(select(Person).where(Person.name == name))
    if person is None:
        person = Person(name=name)
        db.session.add(person)
    return person


def _theme(name: str) -> Theme:
    theme = db.session.scalar(select(Theme).where(Theme.name == name))
    if theme is None:
        theme = Theme(name=name)
        db.session.add(theme)
    return theme


def create_collection(data: dict) -> Collection:
    """Validate ``data`` and add an exhibition or series."""
    if not isinstance(data, dict):
        raise ValidationError({"body": "Send a JSON object."})
    data = {"visibility": "restricted", **data}
    collection = Collection()
    _apply_collection(collection, data, creating=True)
    db.session.add(collection)
    db.session.commit()
    return collection


def update_collection(collection: Collection, data: dict) -> Collection:
    """Validate ``data`` and change only the fields it holds."""
    if not isinstance(data, dict):
        raise ValidationError({"body": "Send a JSON object."})
    _apply_collection(collection, data, creating=False)
    db.session.commit()
    for item in collection.items:  # items carry the collection's title and id in the index
        _reindex(item.id)
    return collection


def _apply_collection(collection: Collection, data: dict, *, creating: bool) -> None:
    _unknown(data, COLLECTION_FIELDS)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if creating or "kind" in data:
        values["kind"] = _choice(data.get("kind"), "kind", COLLECTION_KINDS, errors)
    if creating or "title" in data:
        values["title"] = _texts(data.get("title"), "title", MAX_TITLE, errors, required=True)
    if "description" in data:
        values["description"] = _texts(data["description"], "description", MAX_DESCRIPTION, errors, required=False)
    if creating or "visibility" in data:
        values["visibility"] = _choice(data.get("visibility"), "visibility", VISIBILITIES, errors)
    items = None
    if "items" in data:
        ids = _list_of(data["items"], "items", _record_id, errors)
        items = db.session.scalars(select(Item).where(Item.id.in_(ids))).all() if ids else []
        missing = set(ids) - {i.id for i in items}
        if missing:
            errors["items"] = "No item with id " + ", ".join(map(str, sorted(missing))) + "."
    if errors:
        db.session.rollback()
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(collection, field, value)
    if items is not None:
        collection.items = list(items)
