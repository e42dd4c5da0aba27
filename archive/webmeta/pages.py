"""The web metadata part of film, photo and screening pages, added through those pages' registries.

A record the public may see gets its canonical address, its language alternates, Open Graph and
Twitter tags and schema.org JSON-LD; any other record's page (seen by a venue or the staff) gets
only ``noindex``, so nothing about it reaches a search engine or a link preview.
"""

from __future__ import annotations

from flask import Flask, url_for

from archive.catalogue import item_page
from archive.catalogue.models import Item
from archive.catalogue.visibility import audience_may_see
from archive.i18n.languages import LANGUAGES
from archive.screenings import screening_page
from archive.screenings.models import Screening
from archive.screenings.visibility import can_see_screening
from archive.webmeta import schemaorg, social
from archive.webmeta.media import public_media

PART = "web_meta"
TEMPLATE = "webmeta/_head.html"
PUBLIC = None  # the metadata answers as to the public, whoever looks at the page
HIDDEN = {"noindex": True}


def alternates(endpoint: str, **values) -> list[tuple[str, str]]:
    """The page in each interface language (``?lang=``), and ``x-default`` without it."""
    return [(lang, url_for(endpoint, **values, lang=lang, _external=True)) for lang in LANGUAGES] + [
        ("x-default", url_for(endpoint, **values, _external=True))]


def item_meta(item: Item, user) -> dict:
    """An item page's metadata when the public may see the item, else only ``noindex``."""
    if not audience_may_see("public", item):
        return HIDDEN
    media = public_media(item)
    url = schemaorg.item_url(item)
    film = item.kind == "film"
    json_ld = schemaorg.video_object(item, media) if film else schemaorg.photograph(item, media)
    return {"canonical": url, "alternates": alternates("catalogue.item", item_id=item.id), "json_ld": json_ld,
            **social.tags(kind="video.other" if film else "website", title=json_ld["name"],
                          description=json_ld["description"], url=url, media=media)}


def screening_meta(screening: Screening, user) -> dict:
    """A screening page's metadata when the public may see the screening, else only ``noindex``."""
    if not can_see_screening(PUBLIC, screening):
        return HIDDEN
    media = public_media(screening.item)
    json_ld = schemaorg.screening_event(screening, media)
    return {"canonical": json_ld["url"], "alternates": alternates("screenings.screening", screening_id=screening.id),
            "json_ld": json_ld, **social.tags(kind="website", title=json_ld["name"],
                                              description=json_ld.get("description", ""), url=json_ld["url"],
                                              media=media)}


def init_app(app: Flask) -> None:
    """Put the metadata into the head of film, photo and screening pages."""
    item_page.add_part(PART, item_meta, head=TEMPLATE)
    screening_page.add_part(PART, screening_meta, head=TEMPLATE)
