"""Pictures for lists: a film's poster or a photograph's thumbnail on a card, and a search hit's storyboard frame.

Callers pass items the reader may already see (visibility is decided by the list's query); links are the
short-lived derivative links of ``archive.media.operations``, issued for the reader's audience and checked
again on use, so an item turned hidden loses its pictures too.
"""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass

from flask import Blueprint, Flask, abort, g, request, send_file, url_for
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive.auth.permissions import acting_user, audience_of
from archive.extensions import db
from archive.media.models import MediaFile
from archive.media.operations import derivative_url
from archive.storage import get_storage

bp = Blueprint("frames", __name__)
FRAME_CACHE_SECONDS = 3600
# Card pictures are shown in a grid: two columns on a phone, about 14rem each on a wide screen.
CARD_SIZES = "(min-width: 60rem) 14rem, (min-width: 36rem) 30vw, 45vw"
# Smallest first; an item without the small poster (made before it existed) shows its poster alone.
IMAGE_KINDS = {"video": ("poster_small", "poster"), "image": ("thumbnail", "display")}


def _first_media(item_ids: list[int]) -> dict[int, MediaFile]:
    """Each item's first media file with its derivatives loaded, in one query."""
    if not item_ids:
        return {}
    files = db.session.scalars(
        select(MediaFile).where(MediaFile.item_id.in_(item_ids)).options(selectinload(MediaFile.derivatives))
        .order_by(MediaFile.id)
    ).all()
    first: dict[int, MediaFile] = {}
    for media in files:
        first.setdefault(media.item_id, media)
    return first


def card_images(items) -> dict[int, dict]:
    """``{item id: {src, srcset, sizes, width, height}}`` for the items that have a picture yet."""
    items = [item for item in items or () if item is not None]
    audience = audience_of(acting_user())
    pictures: dict[int, dict] = {}
    for item_id, media in _first_media([item.id for item in items]).items():
        sizes = sorted((d for kind in IMAGE_KINDS.get(media.kind, ()) if (d := media.derivative(kind)) and d.width),
                       key=lambda d: d.width)
        if not sizes:
            continue
        smallest = sizes[0]
        links = [(derivative_url(d, audience), d.width) for d in sizes]
        pictures[item_id] = {
            "src": links[0][0],
            "srcset": ", ".join(f"{link} {width}w" for link, width in links),
            "sizes": CARD_SIZES,
            "width": smallest.width,
            "height": smallest.height,
        }
    return pictures


def collection_covers(candidates: dict[int, list]) -> dict[int, dict]:
    """``{collection id: picture}``: the first of each collection's candidate items (the catalogue lists
    the ones the visitor may see) that has a picture."""
    covers: dict[int, dict] = {}
    for collection_id, items in (candidates or {}).items():
        pictures = card_images(items)
        for item in items:
            if item.id in pictures:
                covers[collection_id] = pictures[item.id]
                break
    return covers


# ---------------------------------------------------------------- storyboard frames


@dataclass(frozen=True)
class Frame:
    """One storyboard thumbnail: which sprite sheet, and where in it."""

    start: float
    end: float
    sheet: int
    x: int
    y: int
    w: int
    h: int


_CUE_TIME = re.compile(r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})")
_CUE_TARGET = re.compile(r"storyboard-(\d{3})\.jpg#xywh=(\d+),(\d+),(\d+),(\d+)\s*$")


def _seconds(stamp: str) -> float:
    match = _CUE_TIME.fullmatch(stamp.strip())
    if match is None:
        raise ValueError(stamp)
    hours, minutes, secs, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + int(millis) / 1000


def parse_storyboard(text: str) -> list[Frame]:
    """The frames of a stored storyboard track (sprite names ``storyboard-NNN.jpg#xywh=x,y,w,h``), in time order."""
    frames = []
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if "-->" not in line or number + 1 >= len(lines):
            continue
        target = _CUE_TARGET.search(lines[number + 1])
        if target is None:
            continue
        try:
            start, end = (_seconds(part) for part in line.split("-->", 1))
        except ValueError:
            continue
        sheet, x, y, w, h = (int(value) for value in target.groups())
        frames.append(Frame(start, end, sheet - 1, x, y, w, h))
    return sorted(frames, key=lambda frame: frame.start)


def frame_at(frames: list[Frame], seconds: float) -> Frame | None:
    """The frame showing ``seconds``: the last one starting at or before it (the first before the start)."""
    if not frames:
        return None
    index = bisect.bisect_right([frame.start for frame in frames], max(0.0, seconds)) - 1
    return frames[max(0, index)]


def _storyboard_media(item_id: int) -> MediaFile | None:
    return db.session.scalar(
        select(MediaFile).where(MediaFile.item_id == item_id, MediaFile.kind == "video").order_by(MediaFile.id)
        .options(selectinload(MediaFile.derivatives)).limit(1)
    )


def hit_frame(item_id: int, seconds: float) -> dict | None:
    """The storyboard frame link for a hit at ``seconds`` of a film, with its width and height; None without one."""
    cache = g.setdefault("_storyboard_media", {})
    if item_id not in cache:
        cache[item_id] = _storyboard_media(item_id)
    media = cache[item_id]
    if media is None or media.derivative("storyboard_vtt") is None or not media.width or not media.height:
        return None
    sheet = media.derivative("storyboard")
    columns = 10
    width = (sheet.width // columns) if sheet is not None and sheet.width else 160
    height = max(2, round(width * media.height / media.width / 2) * 2)
    return {"src": url_for("frames.frame", item_id=item_id, t=f"{max(0.0, seconds):.1f}"), "width": width,
            "height": height}


@bp.get("/items/<int:item_id>/frame.jpg")
def frame(item_id: int):
    """The storyboard thumbnail of a film the visitor may see at ``?t=`` seconds, cut from its sprite sheet."""
    from archive.catalogue.views import visible_item_or_404

    visible_item_or_404(item_id)
    try:
        seconds = float(request.args.get("t", "0"))
    except ValueError:
        abort(404)
    if not 0 <= seconds < 10**7:
        abort(404)
    media = _storyboard_media(item_id)
    track = media.derivative("storyboard_vtt") if media is not None else None
    if track is None:
        abort(404)
    storage = get_storage()
    with storage.open(track.storage_key) as handle:
        found = frame_at(parse_storyboard(handle.read().decode("utf-8")), seconds)
    sheet = media.derivative("storyboard", found.sheet) if found is not None else None
    if sheet is None:
        abort(404)
    with storage.open(sheet.storage_key) as handle, Image.open(io.BytesIO(handle.read())) as picture:
        cut = picture.convert("RGB").crop((found.x, found.y, found.x + found.w, found.y + found.h))
    out = io.BytesIO()
    cut.save(out, "JPEG", quality=82)
    out.seek(0)
    response = send_file(out, mimetype="image/jpeg", max_age=FRAME_CACHE_SECONDS)
    response.headers["Cache-Control"] = f"private, max-age={FRAME_CACHE_SECONDS}"
    return response


def init_app(app: Flask) -> None:
    """Card pictures and hit frames for every template; the frame endpoint."""
    app.register_blueprint(bp)
    app.add_template_global(card_images)
    app.add_template_global(collection_covers)
    app.add_template_global(hit_frame)

