"""Catalogue pages: public browsing, and the archivists' editing pages under /manage."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from archive.auth.permissions import STAFF, acting_user, audience_of, require
from archive.catalogue import forms, home_page, item_page, operations
from archive.catalogue.models import (
    COLLECTION_KIND_LABELS,
    COLLECTION_KINDS,
    KIND_LABELS,
    KINDS,
    VISIBILITIES,
    VISIBILITY_LABELS,
    Collection,
    Item,
)
from archive.catalogue.visibility import (
    can_see_collection,
    can_see_item,
    visible_collections,
    visible_items,
)
from archive.errors import ValidationError
from archive.extensions import db
from archive.i18n.names import label
from archive.pagination import page_number, paginate

bp = Blueprint("catalogue", __name__)
manage_bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.app_context_processor
def catalogue_labels() -> dict:
    """Names for the catalogue's codes, for every page: ``kind_label('film')`` → "Film" / "Ֆիլմ"."""
    return {
        "kind_label": lambda code: label(KIND_LABELS, code),
        "visibility_label": lambda code: label(VISIBILITY_LABELS, code),
        "collection_kind_label": lambda code: label(COLLECTION_KIND_LABELS, code),
    }


def visible_item_or_404(item_id: int) -> Item:
    """The item if this user may see it; otherwise 404, so hidden items cannot be probed."""
    item = db.session.get(Item, item_id)
    if item is None or not can_see_item(acting_user(), item):
        abort(404)
    return item


HOME_FILMS = 6
HOME_PHOTOS = 8
HOME_COLLECTIONS = 6


@bp.get("/")
def index():
    """Home page: search, what is on soon, the newest films and photographs, the exhibitions."""
    user = acting_user()

    def newest(kind: str, limit: int) -> list[Item]:
        return db.session.scalars(
            select(Item).where(visible_items(user), Item.kind == kind)
            .order_by(Item.created_at.desc(), Item.id.desc()).limit(limit)
        ).all()

    collections = db.session.scalars(
        select(Collection).where(visible_collections(user)).order_by(Collection.id.desc()).limit(HOME_COLLECTIONS)
    ).all()
    return render_template(
        "catalogue/index.html", films=newest("film", HOME_FILMS), photos=newest("photo", HOME_PHOTOS),
        collections=collections, cover_candidates=_cover_candidates(collections, user), **home_page.parts(user),
    )


def _cover_candidates(collections, user) -> dict[int, list[Item]]:
    """For each collection, the first items this visitor may see: the media feature picks a cover among them."""
    return {collection.id: _collection_items(collection, user, 4) for collection in collections}


def _collection_items(collection: Collection, user, limit: int | None = None) -> list[Item]:
    """The items of a collection this visitor may see, in catalogue order."""
    query = (
        select(Item).join(Item.collections).where(Collection.id == collection.id, visible_items(user)).order_by(Item.id)
    )
    return db.session.scalars(query.limit(limit) if limit else query).all()


@bp.get("/items")
def items():
    """Browse items, newest first, optionally by kind."""
    kind = request.args.get("kind")
    query = select(Item).where(visible_items(acting_user()))
    if kind in KINDS:
        query = query.where(Item.kind == kind)
    page = paginate(query.order_by(Item.created_at.desc(), Item.id.desc()), page_number())
    return render_template("catalogue/items.html", page=page, kind=kind if kind in KINDS else None)


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    """One item's public page."""
    record = visible_item_or_404(item_id)
    user = acting_user()
    collections = [c for c in record.collections if can_see_collection(user, c)]
    return render_template(
        "catalogue/item.html",
        item=record,
        collections=collections,
        **item_page.parts(record, user),
        staff=audience_of(user) == "staff",
    )


@bp.get("/collections")
def collections():
    """Browse exhibitions and series, each with a picture from its items."""
    user = acting_user()
    query = select(Collection).where(visible_collections(user)).order_by(Collection.id.desc())
    page = paginate(query, page_number())
    return render_template("catalogue/collections.html", page=page, cover_candidates=_cover_candidates(page.items, user))


@bp.get("/collections/<int:collection_id>")
def collection(collection_id: int):
    """One collection and the items in it this visitor may see."""
    record = db.session.get(Collection, collection_id)
    user = acting_user()
    if record is None or not can_see_collection(user, record):
        abort(404)
    query = (
        select(Item)
        .join(Item.collections)
        .where(Collection.id == record.id, visible_items(user))
        .order_by(Item.id)
    )
    return render_template("catalogue/collection.html", collection=record, page=paginate(query, page_number()))


@manage_bp.get("/")
@require(STAFF)
def dashboard():
    """Every item, whatever its visibility, for archivists."""
    visibility = request.args.get("visibility")
    query = select(Item)
    if visibility in VISIBILITIES:
        query = query.where(Item.visibility == visibility)
    page = paginate(query.order_by(Item.updated_at.desc(), Item.id.desc()), page_number())
    collections = db.session.scalars(select(Collection).order_by(Collection.id.desc())).all()
    return render_template(
        "catalogue/manage.html", page=page, collections=collections, visibility=visibility
    )


def _item_form(item: Item | None, data: dict | None = None, errors: dict | None = None, status: int = 200):
    titles = (data or {}).get("title") if data else (item.title if item else {})
    descriptions = (data or {}).get("description") if data else (item.description if item else {})
    return (
        render_template(
            "catalogue/item_form.html",
            item=item,
            data=data,
            errors=errors or {},
            rows=forms.text_rows(titles or {}, descriptions or {}),
            credits_text=request.form.get("credits", "") if data else (forms.format_credits(item) if item else ""),
            all_collections=db.session.scalars(select(Collection).order_by(Collection.id)).all(),
            kinds=KINDS,
            visibilities=VISIBILITIES,
        ),
        status,
    )


@manage_bp.route("/items/new", methods=["GET", "POST"])
@require(STAFF)
def new_item():
    """Create an item."""
    if request.method == "GET":
        return _item_form(None)
    data = forms.item_data(request.form)
    try:
        record = operations.create_item(data, created_by=acting_user())
    except ValidationError as exc:
        return _item_form(None, data, exc.errors, 422)
    flash(_("Saved “%(title)s”.", title=record.display_title()), "success")
    return redirect(url_for("manage.edit_item", item_id=record.id))


@manage_bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@require(STAFF)
def edit_item(item_id: int):
    """Edit an item."""
    record = db.get_or_404(Item, item_id)
    if request.method == "GET":
        return _item_form(record)
    data = forms.item_data(request.form)
    try:
        operations.update_item(record, data)
    except ValidationError as exc:
        return _item_form(record, data, exc.errors, 422)
    flash(_("Changes saved."), "success")
    return redirect(url_for("manage.edit_item", item_id=record.id))


@manage_bp.post("/items/<int:item_id>/delete")
@require(STAFF)
def delete_item(item_id: int):
    """Delete an item."""
    record = db.get_or_404(Item, item_id)
    title = record.display_title()
    operations.delete_item(record, deleted_by=acting_user())
    flash(_("Deleted “%(title)s”.", title=title), "success")
    return redirect(url_for("manage.dashboard"))


def _collection_form(collection: Collection | None, data: dict | None = None, errors: dict | None = None, status=200):
    titles = data.get("title") if data else (collection.title if collection else {})
    descriptions = data.get("description") if data else (collection.description if collection else {})
    return (
        render_template(
            "catalogue/collection_form.html",
            collection=collection,
            data=data,
            errors=errors or {},
            rows=forms.text_rows(titles or {}, descriptions or {}),
            kinds=COLLECTION_KINDS,
            visibilities=VISIBILITIES,
        ),
        status,
    )


@manage_bp.route("/collections/new", methods=["GET", "POST"])
@require(STAFF)
def new_collection():
    """Create an exhibition or series."""
    if request.method == "GET":
        return _collection_form(None)
    data = forms.collection_data(request.form)
    try:
        record = operations.create_collection(data)
    except ValidationError as exc:
        return _collection_form(None, data, exc.errors, 422)
    flash(_("Saved “%(title)s”.", title=record.display_title()), "success")
    return redirect(url_for("manage.edit_collection", collection_id=record.id))


@manage_bp.route("/collections/<int:collection_id>/edit", methods=["GET", "POST"])
@require(STAFF)
def edit_collection(collection_id: int):
    """Edit an exhibition or series."""
    record = db.get_or_404(Collection, collection_id)
    if request.method == "GET":
        return _collection_form(record)
    data = forms.collection_data(request.form)
    try:
        operations.update_collection(record, data)
    except ValidationError as exc:
        return _collection_form(record, data, exc.errors, 422)
    flash(_("Changes saved."), "success")
    return redirect(url_for("manage.edit_collection", collection_id=record.id))
