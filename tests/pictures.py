"""Items with real (small) pictures, as media processing leaves them: a film's poster and storyboard, a photo's sizes.

Made with Pillow and stored through ``store_derivative``, so no ffmpeg runs and the tests stay quick.
"""

from __future__ import annotations

import io
import os
import tempfile

from PIL import Image

from archive.extensions import db
from archive.media.models import MediaFile
from archive.media.operations import store_derivative
from archive.storage import get_storage

TILE = (160, 90)
COLUMNS = 10
# Tile n of the storyboard is painted in this colour, so a test can tell which tile a frame was cut from.
TILE_COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30), (30, 200, 200)]


def _jpeg(size: tuple[int, int], colour=(90, 110, 140), tiles: int = 0) -> bytes:
    picture = Image.new("RGB", size, colour)
    for number in range(tiles):
        x, y = (number % COLUMNS) * TILE[0], (number // COLUMNS) * TILE[1]
        picture.paste(TILE_COLOURS[number % len(TILE_COLOURS)], (x, y, x + TILE[0], y + TILE[1]))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def _store(media: MediaFile, kind: str, body: bytes, mime: str, *, index: int = 0, width=None, height=None) -> None:
    with tempfile.NamedTemporaryFile(delete=False) as handle:
        handle.write(body)
    try:
        store_derivative(media, kind, handle.name, mime, index=index, width=width, height=height)
    finally:
        os.unlink(handle.name)


def _media(item, kind: str, mime: str, width: int, height: int) -> MediaFile:
    stored = get_storage().save(io.BytesIO(b"original of item %d" % item.id), prefix="media/originals",
                                content_type=mime)
    media = MediaFile(item_id=item.id, kind=kind, storage_key=stored.key, filename=f"item{item.id}", size=stored.size,
                      sha256=stored.sha256, mime=mime, technical={}, width=width, height=height,
                      duration_seconds=item.duration_seconds)
    db.session.add(media)
    db.session.commit()
    return media


def give_poster(film, *, tiles: int = 5, interval: float = 10.0, small: bool = False) -> MediaFile:
    """A 640×360 poster (with its 400×224 small size if ``small``, as processing makes it now; without, as
    films processed before it existed) and a storyboard of ``tiles`` thumbnails, one every ``interval`` seconds."""
    media = _media(film, "video", "video/mp4", 640, 360)
    _store(media, "poster", _jpeg((640, 360)), "image/jpeg", width=640, height=360)
    if small:
        _store(media, "poster_small", _jpeg((400, 224), (140, 90, 60)), "image/jpeg", width=400, height=224)
    rows = -(-tiles // COLUMNS)
    sheet = (TILE[0] * COLUMNS, TILE[1] * rows)
    _store(media, "storyboard", _jpeg(sheet, tiles=tiles), "image/jpeg", width=sheet[0], height=sheet[1])
    cues = ["WEBVTT", ""]
    for number in range(tiles):
        start, end = number * interval, (number + 1) * interval
        x, y = (number % COLUMNS) * TILE[0], (number // COLUMNS) * TILE[1]
        cues += [f"{_stamp(start)} --> {_stamp(end)}", f"storyboard-001.jpg#xywh={x},{y},{TILE[0]},{TILE[1]}", ""]
    _store(media, "storyboard_vtt", "\n".join(cues).encode(), "text/vtt")
    return media


def give_photo_sizes(photo) -> MediaFile:
    """A 1200×800 photograph with its 400 px thumbnail and 1200 px display size."""
    media = _media(photo, "image", "image/jpeg", 1200, 800)
    _store(media, "thumbnail", _jpeg((400, 267), (160, 120, 80)), "image/jpeg", width=400, height=267)
    _store(media, "display", _jpeg((1200, 800), (160, 120, 80)), "image/jpeg", width=1200, height=800)
    return media


def _stamp(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"00:{int(minutes):02d}:{secs:06.3f}"
