"""``/iiif/...``: manifests, collections and the stable media addresses they link to, for the public."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect

from archive.extensions import db
from archive.iiif import presentation
from archive.media.models import MediaFile
from archive.media.operations import derivative_url

bp = Blueprint("iiif", __name__, url_prefix="/iiif")

CONTENT_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
CACHE_SECONDS = 60  # viewers may keep a manifest this long; its media addresses check visibility on each use


def _document(resource) -> Response:
    """A IIIF resource as JSON-LD, readable by viewers on other sites (CORS)."""
    response = Response(resource.jsonld(), content_type=CONTENT_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


@bp.get("/items/<int:item_id>/manifest")
def manifest(item_id: int):
    """The IIIF Presentation 3 manifest of a public film or photo."""
    item = presentation.public_item(item_id)
    built = presentation.build_manifest(item) if item is not None else None
    if built is None:
        abort(404)  # hidden, gone, or nothing to show yet: the same answer, so nothing can be probed
    return _document(built)


@bp.get("/collections/<int:collection_id>")
def collection(collection_id: int):
    """The IIIF collection of a public exhibition or series: its public members' manifests."""
    found = presentation.public_collection(collection_id)
    if found is None:
        abort(404)
    return _document(presentation.build_collection(found))


@bp.get("/items/<int:item_id>/media/<int:media_id>/<any(proxy, poster, display, thumbnail):kind>")
def media(item_id: int, media_id: int, kind: str):
    """A derivative of a public item: a redirect to a short-lived link, asked for afresh on each use."""
    item = presentation.public_item(item_id)
    media_file = db.session.get(MediaFile, media_id) if item is not None else None
    derivative = media_file.derivative(kind) if media_file is not None and media_file.item_id == item_id else None
    if derivative is None:
        abort(404)
    response = redirect(derivative_url(derivative, "public"))
    response.headers["Cache-Control"] = "no-store"  # the target expires; the address stays
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
