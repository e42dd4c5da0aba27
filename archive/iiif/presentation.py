"""Manifests and collections as iiif-prezi3 models, from the catalogue's public records.

Every link a manifest holds is a stable address of this app (``iiif.media`` for derivatives, the
subtitles' own ``.vtt`` route): viewers cache manifests for longer than a storage link lives, so
each use of such an address asks again whether the item is public and only then redirects to a
short-lived link.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from iiif_prezi3 import (
    Annotation,
    AnnotationBody,
    AnnotationPage,
    Canvas,
    Collection,
    KeyValueString,
    Manifest,
    ManifestRef,
)
from sqlalchemy import select

from archive.catalogue import item_page
from archive.catalogue import models as catalogue
from archive.catalogue.visibility import audience_may_see, can_see_collection, visible_collections, visible_items
from archive.extensions import db
from archive.media.models import Derivative, MediaFile
from archive.subtitles.operations import tracks_of

PUBLIC = None  # manifests answer as to the public, whoever asks
PAINTED = {"video": ("proxy",), "image": ("display", "thumbnail")}  # what may be painted, best first
MEDIA_KINDS = ("proxy", "poster", "display", "thumbnail")  # derivatives a manifest links to


def public_item(item_id: int) -> catalogue.Item | None:
    """The item, if the public may see it."""
    return db.session.scalar(select(catalogue.Item).where(catalogue.Item.id == item_id, visible_items(PUBLIC)))


def public_collection(collection_id: int) -> catalogue.Collection | None:
    """The collection, if the public may see it."""
    return db.session.scalar(
        select(catalogue.Collection).where(catalogue.Collection.id == collection_id, visible_collections(PUBLIC))
    )


def language_map(texts: dict | None, fallback: str | None = None) -> dict[str, list[str]] | None:
    """A record's ``{"tag": "text"}`` as a IIIF language map ``{"tag": ["text"]}``; ``none`` for no language."""
    found = {tag: [text] for tag, text in (texts or {}).items() if isinstance(text, str) and text.strip()}
    if not found and fallback:
        return {"none": [fallback]}
    return found or None


@dataclass
class Painted:
    """One media file and the derivative a canvas paints it with."""

    media: MediaFile
    body: Derivative
    duration: float | None


def painted_media(item: catalogue.Item) -> list[Painted]:
    """The item's media that a canvas can show: a film's web version (with a length), a photo's display size."""
    files = db.session.scalars(select(MediaFile).where(MediaFile.item_id == item.id).order_by(MediaFile.id)).all()
    found = []
    for media in files:
        body = next((d for kind in PAINTED.get(media.kind, ()) if (d := media.derivative(kind))), None)
        duration = media.duration_seconds or item.duration_seconds if media.kind == "video" else None
        if body is None or (media.kind == "video" and not duration):
            continue  # not processed yet, or a film whose length is unknown (a time-based canvas needs one)
        found.append(Painted(media, body, duration))
    return found


def manifest_url(item: catalogue.Item) -> str | None:
    """The item's manifest address when it has one (public, with something to show), else None."""
    if not audience_may_see("public", item) or not painted_media(item):
        return None
    return url_for("iiif.manifest", item_id=item.id, _external=True)


def collection_url(collection: catalogue.Collection) -> str | None:
    """The collection's IIIF address when the public may see it, else None."""
    if not can_see_collection(PUBLIC, collection):
        return None
    return url_for("iiif.collection", collection_id=collection.id, _external=True)


def media_link(item: catalogue.Item, media: MediaFile, derivative: Derivative) -> str:
    """The stable address of a derivative (it redirects to a short-lived link)."""
    return url_for("iiif.media", item_id=item.id, media_id=media.id, kind=derivative.kind, _external=True)


def _label(text: str) -> dict[str, list[str]]:
    return {"en": [text]}


def _metadata(item: catalogue.Item) -> list[KeyValueString]:
    """Year, countries, languages, credits and themes as label/value pairs."""
    pairs = [
        ("Year", [str(item.year)] if item.year else []),
        ("Countries", list(item.countries or [])),
        ("Languages", list(item.languages or [])),
        ("Credits", [f"{credit.person.name} ({credit.role})" for credit in item.credits]),
        ("Themes", [theme.name for theme in item.themes]),
    ]
    return [KeyValueString(label=_label(name), value={"none": values}) for name, values in pairs if values]


def _resource(item: catalogue.Item, media: MediaFile, derivative: Derivative, kind: str, **extra) -> AnnotationBody:
    width, height = derivative.width or media.width, derivative.height or media.height
    sizes = {"width": width, "height": height} if width and height else {}
    return AnnotationBody(id=media_link(item, media, derivative), type=kind, format=derivative.mime, **sizes, **extra)


def _canvas(item: catalogue.Item, painted: Painted, number: int, manifest_id: str) -> Canvas:
    """A canvas painted with the media's web version or display image, with its thumbnails and subtitles."""
    media, body = painted.media, painted.body
    canvas_id = f"{manifest_id.removesuffix('/manifest')}/canvas/{number}"
    width, height = body.width or media.width, body.height or media.height
    canvas = Canvas(id=canvas_id, label={"none": [str(number)]}, items=[])
    if width and height:
        canvas.width, canvas.height = width, height
    if media.kind == "video":
        canvas.duration = painted.duration
        painting = _resource(item, media, body, "Video", duration=painted.duration)
        thumbnails = [d for d in media.derivatives if d.kind == "poster"]
    else:
        if not (width and height):
            canvas.width, canvas.height = 1, 1  # an image canvas needs a size; viewers scale to the image
        painting = _resource(item, media, body, "Image")
        thumbnails = [d for d in media.derivatives if d.kind in ("thumbnail", "display") and d is not body]
    if thumbnails:
        canvas.thumbnail = [_resource(item, media, d, "Image") for d in thumbnails]
    canvas.items = [AnnotationPage(id=f"{canvas_id}/page", items=[
        Annotation(id=f"{canvas_id}/page/painting", motivation="painting", body=painting, target=canvas_id)
    ])]
    if media.kind == "video":
        captions = [
            Annotation(
                id=f"{canvas_id}/subtitles/{track.id}", motivation="supplementing", target=canvas_id,
                body=AnnotationBody(
                    id=url_for("subtitles.vtt", item_id=item.id, track_id=track.id, _external=True),
                    type="Text", format="text/vtt", language=track.lang,
                    label=language_map({track.lang: track.label or track.lang}),
                ),
            )
            for track in tracks_of(item)
        ]
        if captions:
            canvas.annotations = [AnnotationPage(id=f"{canvas_id}/subtitles", items=captions)]
    return canvas


def build_manifest(item: catalogue.Item) -> Manifest | None:
    """The item's manifest, or None when it has nothing to show yet. The caller has checked it is public."""
    painted = painted_media(item)
    if not painted:
        return None
    manifest_id = url_for("iiif.manifest", item_id=item.id, _external=True)
    manifest = Manifest(
        id=manifest_id,
        label=language_map(item.title, fallback=f"Item {item.id}"),
        items=[_canvas(item, entry, number, manifest_id) for number, entry in enumerate(painted, start=1)],
    )
    summary = language_map(item.description)
    if summary:
        manifest.summary = summary
    metadata = _metadata(item)
    if metadata:
        manifest.metadata = metadata
    if item.rights_note and item.rights_note.strip():
        manifest.requiredStatement = KeyValueString(label=_label("Rights"), value={"none": [item.rights_note]})
    manifest.homepage = [{"id": url_for("catalogue.item", item_id=item.id, _external=True), "type": "Text",
                          "format": "text/html", "label": manifest.label}]
    collections = [c for c in item.collections if can_see_collection(PUBLIC, c)]
    if collections:
        manifest.partOf = [{"id": url_for("iiif.collection", collection_id=c.id, _external=True),
                            "type": "Collection", "label": language_map(c.title, fallback=f"Collection {c.id}")}
                           for c in collections]
    return manifest


def build_collection(collection: catalogue.Collection) -> Collection:
    """The collection with a reference to the manifest of each public member that has one."""
    members = db.session.scalars(
        select(catalogue.Item)
        .join(catalogue.collection_items, catalogue.collection_items.c.item_id == catalogue.Item.id)
        .where(catalogue.collection_items.c.collection_id == collection.id, visible_items(PUBLIC))
        .order_by(catalogue.Item.id)
    ).all()
    iiif = Collection(
        id=url_for("iiif.collection", collection_id=collection.id, _external=True),
        label=language_map(collection.title, fallback=f"Collection {collection.id}"),
        items=[
            ManifestRef(id=url_for("iiif.manifest", item_id=item.id, _external=True),
                        label=language_map(item.title, fallback=f"Item {item.id}"))
            for item in members if painted_media(item)
        ],
    )
    summary = language_map(collection.description)
    if summary:
        iiif.summary = summary
    iiif.homepage = [{"id": url_for("catalogue.collection", collection_id=collection.id, _external=True),
                      "type": "Text", "format": "text/html", "label": iiif.label}]
    return iiif


def init_app(app: Flask) -> None:
    """Give the item page its manifest's address (``iiif_manifest``, None when it has none)."""
    item_page.add_part("iiif_manifest", lambda item, user: manifest_url(item))
