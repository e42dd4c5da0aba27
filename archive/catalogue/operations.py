"""Catalogue rules: validating and saving items and collections.

Pages and the JSON API both hand a plain dict to these functions, so every rule is checked in one
place. A ``ValidationError`` names each field that is wrong and says what to fix; nothing is written
unless the whole input is valid.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from archive import signals, validation
from archive.catalogue.models import COLLECTION_KINDS, KINDS, VISIBILITIES, Collection, Credit, Item, Person, Theme
from archive.errors import ValidationError
from archive.extensions import db
from archive.signals import announce

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


def _year(value: Any, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = validation.parse_whole(value)
    except ValueError:
        errors["year"] = _("%(value)s is not a year; use four digits such as 2019.", value=repr(value))
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = _("%(year)s is out of range; use a year between %(first)s and %(last)s.",
                           year=year, first=MIN_YEAR, last=MAX_YEAR)
        return None
    return year


def _credits(value: Any, errors: dict) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors["credits"] = _('Give a list such as [{"name": "Ani Petrosyan", "role": "director"}].')
        return []
    result = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            errors["credits"] = _('Each credit needs a "name" (and a "role").')
            return []
        name = validation.text(entry["name"], "credits", errors, limit=MAX_NAME, required=True)
        role = validation.text(entry.get("role"), "credits", errors, limit=100)
        if "credits" in errors:
            return []
        result.append((name, role))
    return result


def _theme_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 100:
        raise ValueError(_("Each theme is a name of 1 to 100 characters."))
    problem = validation.text_problem(value.strip())
    if problem:
        raise ValueError(problem)
    return value.strip().lower()


def _collection_ids(value: Any, errors: dict) -> list[Collection]:
    ids = validation.list_of(value, "collections", validation.record_id, errors)
    if not ids:
        return []
    found = db.session.scalars(select(Collection).where(Collection.id.in_(ids))).all()
    missing = set(ids) - {c.id for c in found}
    if missing:
        errors["collections"] = ngettext("No collection with id %(ids)s.", "No collections with ids %(ids)s.",
                                          len(missing), ids=", ".join(map(str, sorted(missing))))
    return list(found)


def create_item(data: dict, created_by=None, *, commit: bool = True) -> Item:
    """Validate ``data`` and add a new item; visibility defaults to restricted (safe until reviewed).

    With ``commit=False`` the item is only flushed, so a caller can commit it together with more rows.
    """
    validation.require_object(data)
    data = {"visibility": "restricted", **data}
    item = Item(created_by_id=getattr(created_by, "id", None))
    _apply_item(item, data, creating=True)
    db.session.add(item)
    db.session.flush()
    announce(db.session, signals.item_saved, item_id=item.id)  # sent when the caller's transaction commits
    if commit:
        db.session.commit()
    return item


def update_item(item: Item, data: dict) -> Item:
    """Validate ``data`` and change only the fields it holds."""
    validation.require_object(data)
    visibility_before, embargo_before = item.visibility, item.embargo_until
    _apply_item(item, data, creating=False)
    announce(db.session, signals.item_saved, item_id=item.id)
    if (item.visibility, item.embargo_until) != (visibility_before, embargo_before):
        announce(db.session, signals.item_visibility_changed, item_id=item.id, visibility_before=visibility_before,
                 embargo_before=embargo_before.isoformat() if embargo_before else None)
    db.session.commit()
    return item


def delete_item(item: Item, deleted_by=None) -> None:
    """Remove an item and its rows; whoever stores objects for it hears ``item_deleting`` first.

    ``item_deleting`` is sent at once, inside this transaction and before the delete, because the
    database removes the item's media and track rows with it: listeners record what must be purged
    while those rows can still be read, and their records commit or roll back with the deletion.
    """
    signals.item_deleting.send(None, item_id=item.id, item_kind=item.kind, deleted_by=deleted_by)
    announce(db.session, signals.item_deleted, item_id=item.id)
    db.session.delete(item)
    db.session.commit()


def _apply_item(item: Item, data: dict, *, creating: bool) -> None:
    validation.refuse_unknown(data, ITEM_FIELDS)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if creating or "kind" in data:
        values["kind"] = validation.choice(data.get("kind"), "kind", KINDS, errors)
    if creating or "title" in data:
        values["title"] = validation.texts(data.get("title"), "title", errors, limit=MAX_TITLE, required=True)
    if "description" in data:
        values["description"] = validation.texts(data["description"], "description", errors, limit=MAX_DESCRIPTION, multiline=True)
    if "year" in data:
        values["year"] = _year(data["year"], errors)
    if "countries" in data:
        values["countries"] = validation.list_of(data["countries"], "countries", validation.country_code, errors)
    if "languages" in data:
        values["languages"] = validation.list_of(data["languages"], "languages", validation.language_tag, errors)
    if "rights_note" in data:
        values["rights_note"] = validation.text(
            data["rights_note"], "rights_note", errors, limit=MAX_DESCRIPTION, multiline=True
        )
    if creating or "visibility" in data:
        values["visibility"] = validation.choice(data.get("visibility"), "visibility", VISIBILITIES, errors)
    if "embargo_until" in data:
        values["embargo_until"] = validation.iso_date(data["embargo_until"], "embargo_until", errors)
    credits = _credits(data.get("credits"), errors) if "credits" in data else None
    themes = validation.list_of(data.get("themes"), "themes", _theme_name, errors) if "themes" in data else None
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
    validation.require_object(data)
    data = {"visibility": "restricted", **data}
    collection = Collection()
    _apply_collection(collection, data, creating=True)
    db.session.add(collection)
    announce(db.session, signals.collection_changed, item_ids=[item.id for item in collection.items])
    db.session.commit()
    return collection


def update_collection(collection: Collection, data: dict) -> Collection:
    """Validate ``data`` and change only the fields it holds."""
    validation.require_object(data)
    members_before = [item.id for item in collection.items]
    _apply_collection(collection, data, creating=False)
    # Members carry the collection's title and id in the index: those who left as well as those who stay.
    members_after = [item.id for item in collection.items]
    announce(db.session, signals.collection_changed, item_ids=members_before + members_after)
    db.session.commit()
    return collection


def _apply_collection(collection: Collection, data: dict, *, creating: bool) -> None:
    validation.refuse_unknown(data, COLLECTION_FIELDS)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if creating or "kind" in data:
        values["kind"] = validation.choice(data.get("kind"), "kind", COLLECTION_KINDS, errors)
    if creating or "title" in data:
        values["title"] = validation.texts(data.get("title"), "title", errors, limit=MAX_TITLE, required=True)
    if "description" in data:
        values["description"] = validation.texts(data["description"], "description", errors, limit=MAX_DESCRIPTION, multiline=True)
    if creating or "visibility" in data:
        values["visibility"] = validation.choice(data.get("visibility"), "visibility", VISIBILITIES, errors)
    items = None
    if "items" in data:
        ids = validation.list_of(data["items"], "items", validation.record_id, errors)
        items = db.session.scalars(select(Item).where(Item.id.in_(ids))).all() if ids else []
        missing = set(ids) - {i.id for i in items}
        if missing:
            errors["items"] = ngettext("No item with id %(ids)s.", "No items with ids %(ids)s.",
                                    len(missing), ids=", ".join(map(str, sorted(missing))))
    if errors:
        db.session.rollback()
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(collection, field, value)
    if items is not None:
        collection.items = list(items)
