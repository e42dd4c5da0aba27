"""API routes for items and collections."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from archive.api import bp, json_body
from archive.auth.permissions import SIGNED_IN, STAFF, acting_user, require
from archive.catalogue import operations
from archive.catalogue.models import KINDS, Collection, Item
from archive.catalogue.visibility import can_see_collection, can_see_item, visible_collections, visible_items
from archive.extensions import db
from archive.iiif.presentation import collection_url, manifest_url
from archive.media.presenting import present_media
from archive.pagination import page_number, paginate
from archive.subtitles.operations import tracks_json


def item_json(item: Item, user) -> dict:
    """An item as the API shows it; collections the caller may not see are left out."""
    return {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "year": item.year,
        "countries": item.countries,
        "languages": item.languages,
        "credits": [{"name": c.person.name, "role": c.role} for c in item.credits],
        "themes": [t.name for t in item.themes],
        "collections": [c.id for c in item.collections if can_see_collection(user, c)],
        "rights_note": item.rights_note,
        "visibility": item.visibility,
        "embargo_until": item.embargo_until.isoformat() if item.embargo_until else None,
        "created_at": item.created_at.isoformat() + "Z",
        "updated_at": item.updated_at.isoformat() + "Z",
        "url": url_for("catalogue.item", item_id=item.id, _external=True),
        "duration": item.duration_seconds,
        "media": present_media(item, user),
        "subtitles": tracks_json(item),
        "iiif_manifest": manifest_url(item),
    }


def collection_json(collection: Collection, user) -> dict:
    """A collection with the ids of the items the caller may see."""
    return {
        "id": collection.id,
        "kind": collection.kind,
        "title": collection.title,
        "description": collection.description,
        "visibility": collection.visibility,
        "items": [i.id for i in collection.items if can_see_item(user, i)],
        "iiif_collection": collection_url(collection),
    }


def page_json(page, render) -> dict:
    """The API's pagination envelope."""
    return {
        "items": [render(row) for row in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def _item_or_404(item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None or not can_see_item(acting_user(), item):
        abort(404, description=_("No item %(id)s.", id=item_id))
    return item


@bp.get("/me")
@require(SIGNED_IN)
def me():
    """Who the token belongs to."""
    user = acting_user()
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role}


@bp.get("/items")
def list_items():
    """Items the caller may see, newest first; ``kind`` filters."""
    user = acting_user()
    query = select(Item).where(visible_items(user))
    kind = request.args.get("kind")
    if kind:
        if kind not in KINDS:
            abort(400, description=_("kind must be one of: %(kinds)s.", kinds=", ".join(KINDS)))
        query = query.where(Item.kind == kind)
    page = paginate(query.order_by(Item.created_at.desc(), Item.id.desc()), page_number())
    return page_json(page, lambda item: item_json(item, user))


@bp.post("/items")
@require(STAFF)
def create_item():
    """Create an item (staff)."""
    item = operations.create_item(json_body(), created_by=acting_user())
    return item_json(item, acting_user()), 201, {"Location": url_for("api.get_item", item_id=item.id)}


@bp.get("/items/<int:item_id>")
def get_item(item_id: int):
    """One item, if the caller may see it."""
    return item_json(_item_or_404(item_id), acting_user())


@bp.patch("/items/<int:item_id>")
@require(STAFF)
def update_item(item_id: int):
    """Change some fields of an item (staff)."""
    item = operations.update_item(_item_or_404(item_id), json_body())
    return item_json(item, acting_user())


@bp.delete("/items/<int:item_id>")
@require(STAFF)
def delete_item(item_id: int):
    """Delete an item (staff)."""
    operations.delete_item(_item_or_404(item_id), deleted_by=acting_user())
    return "", 204


@bp.get("/collections")
def list_collections():
    """Collections the caller may see."""
    user = acting_user()
    query = select(Collection).where(visible_collections(user)).order_by(Collection.id.desc())
    return page_json(paginate(query, page_number()), lambda c: collection_json(c, user))


@bp.post("/collections")
@require(STAFF)
def create_collection():
    """Create an exhibition or series (staff)."""
    collection = operations.create_collection(json_body())
    return collection_json(collection, acting_user()), 201


def _collection_or_404(collection_id: int) -> Collection:
    collection = db.session.get(Collection, collection_id)
    if collection is None or not can_see_collection(acting_user(), collection):
        abort(404, description=_("No collection %(id)s.", id=collection_id))
    return collection


@bp.get("/collections/<int:collection_id>")
def get_collection(collection_id: int):
    """One collection, if the caller may see it."""
    return collection_json(_collection_or_404(collection_id), acting_user())


@bp.patch("/collections/<int:collection_id>")
@require(STAFF)
def update_collection(collection_id: int):
    """Change some fields of a collection (staff)."""
    collection = operations.update_collection(_collection_or_404(collection_id), json_body())
    return collection_json(collection, acting_user())
