"""Reading a page's web metadata the way a crawler does: JSON-LD blocks, meta tags, links."""

from __future__ import annotations

import io
import json

import lxml.html

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.media.models import Derivative, MediaFile
from archive.storage import get_storage
from archive.subtitles import operations as subtitles
from tests.factories import attach_video, make_film


def head_of(html: str):
    return lxml.html.document_fromstring(html).head


def json_ld(html: str) -> list[dict]:
    """Every ``application/ld+json`` block of a page, parsed."""
    return [json.loads(script.text) for script in head_of(html).xpath('//script[@type="application/ld+json"]')]


def meta(html: str) -> dict[str, list[str]]:
    """``<meta property|name=... content=...>`` of a page's head, by property or name."""
    found: dict[str, list[str]] = {}
    for tag in head_of(html).xpath("meta[@content]"):
        key = tag.get("property") or tag.get("name")
        if key:
            found.setdefault(key, []).append(tag.get("content"))
    return found


def srt_over(minutes: int, lines: list[str]) -> bytes:
    """Subtitles with one line every ``minutes`` minutes."""
    blocks = []
    for number, line in enumerate(lines, start=1):
        start = (number - 1) * minutes * 60 + 5
        blocks.append(f"{number}\n{start // 3600:02d}:{start // 60 % 60:02d}:{start % 60:02d},000 --> "
                      f"{start // 3600:02d}:{start // 60 % 60:02d}:{start % 60 + 3:02d},000\n{line}\n")
    return "\n".join(blocks).encode("utf-8")


def film_with_media(title: str, visibility: str = "public", *, lines: list[str] | None = None, **fields):
    """A 90-minute film with a proxy (1280×720) and poster (1280×720) and, given ``lines``, Armenian subtitles."""
    film = make_film(title, visibility, description={"en": f"About {title}"}, **fields)
    media = attach_video(film, content=b"\x00\x00\x00\x18ftypmp42 " + title.encode(), proxy=b"proxy " + title.encode(),
                         poster=b"\xff\xd8 " + title.encode())
    for derivative in media.derivatives:
        derivative.width, derivative.height = 1280, 720
    db.session.commit()
    if lines:
        subtitles.create_track(film, "hy", srt_over(10, lines), "film.hy.srt")
    return film


def photo_with_display(title: str, visibility: str = "public", **fields):
    """A photograph with a display size (1600×1067) and a thumbnail (320×213)."""
    photo = catalogue.create_item({"kind": "photo", "title": {"en": title}, "visibility": visibility, **fields})
    storage = get_storage()
    original = storage.save(io.BytesIO(b"\xff\xd8\xff " + title.encode()), prefix="originals")
    media = MediaFile(item_id=photo.id, kind="image", storage_key=original.key, filename="p.jpg", size=original.size,
                      sha256=original.sha256, mime="image/jpeg", width=4000, height=2667)
    db.session.add(media)
    db.session.flush()
    for kind, width, height in (("display", 1600, 1067), ("thumbnail", 320, 213)):
        stored = storage.save(io.BytesIO(b"\xff\xd8\xff " + kind.encode() + title.encode()), prefix=kind)
        db.session.add(Derivative(media_id=media.id, kind=kind, storage_key=stored.key, size=stored.size,
                                  sha256=stored.sha256, mime="image/jpeg", width=width, height=height))
    db.session.commit()
    return photo
