"""The pictures and video a public item's metadata may point at, always by this app's stable addresses.

A derivative's storage link expires within minutes and must never reach a search engine or a
shared link's preview; the IIIF media address (``/iiif/items/<id>/media/<m>/<kind>``) stays valid
and checks on every use that the item is still public before it redirects to a fresh link.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from archive.catalogue.models import Item
from archive.catalogue.visibility import audience_may_see
from archive.extensions import db
from archive.iiif.presentation import media_link
from archive.media.models import Derivative, MediaFile


@dataclass
class Picture:
    """A derivative by its stable address, with its size when known."""

    url: str
    mime: str
    width: int | None
    height: int | None


@dataclass
class ItemMedia:
    """An item's picture (a film's poster, a photo's display size), thumbnail and web video, each maybe absent."""

    image: Picture | None = None
    thumbnail: Picture | None = None
    video: Picture | None = None
    duration: float | None = None


def _picture(item: Item, media: MediaFile, derivative: Derivative | None) -> Picture | None:
    if derivative is None:
        return None
    return Picture(media_link(item, media, derivative), derivative.mime,
                   derivative.width or media.width, derivative.height or media.height)


def public_media(item: Item) -> ItemMedia:
    """The first media file's derivatives of a public item; nothing at all for any other item."""
    if not audience_may_see("public", item):
        return ItemMedia()
    files = db.session.scalars(select(MediaFile).where(MediaFile.item_id == item.id).order_by(MediaFile.id)).all()
    for media in files:
        if media.kind == "video":
            poster = _picture(item, media, media.derivative("poster"))
            found = ItemMedia(image=poster, thumbnail=poster, video=_picture(item, media, media.derivative("proxy")),
                              duration=media.duration_seconds or item.duration_seconds)
        else:
            display = _picture(item, media, media.derivative("display"))
            found = ItemMedia(image=display, thumbnail=_picture(item, media, media.derivative("thumbnail")) or display)
        if found.image or found.video:
            return found
    return ItemMedia(duration=item.duration_seconds)
