"""Demo content for trying the archive: a few films and photographs, subtitles, a venue and a licence.

The media is made on the spot (ffmpeg test pictures, Pillow colours), so nothing is downloaded.
Loading twice adds nothing new: the demo items are recognised by their titles.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile

from PIL import Image, ImageDraw
from sqlalchemy import select

from archive.catalogue import operations as catalogue
from archive.catalogue.models import Collection, Item
from archive.extensions import db
from archive.media.ffmpeg import default_tools
from archive.media.ingest import ingest
from archive.screenings.models import Venue
from archive.screenings.operations.licences import create_licence
from archive.screenings.operations.venues import create_venue
from archive.subtitles.operations import create_track

FILMS = [
    {
        "title": {"en": "Two Banks of One River", "hy": "Մեկ գետի երկու ափ", "az": "Bir çayın iki sahili",
                  "ru": "Два берега одной реки"},
        "description": {"en": "Neighbours on both sides of a closed border remember the river they shared.",
                        "hy": "Փակ սահմանի երկու կողմերում ապրող հարևանները հիշում են իրենց ընդհանուր գետը։",
                        "az": "Bağlı sərhədin hər iki tərəfində yaşayan qonşular bir vaxtlar paylaşdıqları çayı xatırlayırlar.",
                        "ru": "Соседи по обе стороны закрытой границы вспоминают реку, которая когда-то была у них общей."},
        "year": 2021, "countries": ["AM", "AZ", "GE"], "languages": ["hy", "az", "ru"],
        "credits": [{"name": "Ani Petrosyan", "role": "director"}, {"name": "Rəşad Əliyev", "role": "camera"}],
        "themes": ["memory", "water"], "visibility": "public",
        "subtitles": {
            "en": "1\n00:00:00,500 --> 00:00:02,500\nWe used to swim across the river.\n",
            "ru": "1\n00:00:00,500 --> 00:00:02,500\nМы переплывали реку.\n",
            "hy": "1\n00:00:00,500 --> 00:00:02,500\nՄենք լողում էինք գետի վրայով։\n",
            "az": "1\n00:00:00,500 --> 00:00:02,500\nBiz çayı üzüb keçərdik.\n",
        },
    },
    {
        "title": {"en": "Unreleased interviews", "ru": "Неопубликованные интервью"},
        "description": {"en": "Restricted: people in these interviews could be at risk."},
        "year": 2023, "countries": ["AZ"], "languages": ["az", "ru"], "visibility": "restricted",
        "subtitles": {},
    },
]
PHOTOS = [
    {"title": {"en": "The old bridge", "hy": "Հին կամուրջը", "az": "Köhnə körpü"}, "year": 2019,
     "colour": (70, 110, 160), "visibility": "public"},
    {"title": {"en": "Market day", "ru": "Базарный день"}, "year": 2020, "colour": (190, 120, 50),
     "visibility": "partners"},
]
COLLECTION = {"kind": "exhibition", "title": {"en": "Across the river", "hy": "Գետի այն կողմ",
                                              "az": "Çayın o tayında"},
              "visibility": "public"}


def _film_bytes(seconds: int = 4) -> bytes:
    """A short test film (colour bars and a tone) made with ffmpeg."""
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "demo.mp4")
        subprocess.run(  # noqa: S603 (fixed arguments, the configured ffmpeg)
            [default_tools().ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=duration={seconds}:size=640x360:rate=25",
             "-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}",
             "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-c:a", "aac", "-shortest", path],
            check=True, timeout=120,
        )
        with open(path, "rb") as handle:
            return handle.read()


def _photo_bytes(colour: tuple[int, int, int], label: str) -> bytes:
    """A plain picture with a caption, as a JPEG."""
    picture = Image.new("RGB", (1200, 800), colour)
    ImageDraw.Draw(picture).text((40, 40), label, fill=(255, 255, 255))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88)
    return out.getvalue()


def _existing(title: dict) -> Item | None:
    for item in db.session.scalars(select(Item)):
        if item.title.get("en") == title["en"]:
            return item
    return None


def load_demo(by=None) -> dict:
    """Create the demo catalogue (skipping what exists) and queue its processing; return counts."""
    made = {"items": 0, "subtitles": 0, "venues": 0}
    collection = next((c for c in _collections() if c.title.get("en") == COLLECTION["title"]["en"]), None)
    if collection is None:
        collection = catalogue.create_collection(COLLECTION)
    for number, film in enumerate(FILMS):
        if _existing(film["title"]):
            continue
        fields = {k: v for k, v in film.items() if k != "subtitles"}
        item = catalogue.create_item({"kind": "film", **fields, "collections": [collection.id]}, created_by=by)
        # Each film's bytes differ (length), so the duplicate check never merges two demo films.
        ingest(item, io.BytesIO(_film_bytes(4 + number)), "demo-film.mp4", uploaded_by=by)
        for lang, text in film["subtitles"].items():
            create_track(item, lang, text.encode("utf-8"), f"{lang}.srt", created_by=by)
            made["subtitles"] += 1
        made["items"] += 1
    for photo in PHOTOS:
        if _existing(photo["title"]):
            continue
        item = catalogue.create_item(
            {"kind": "photo", "title": photo["title"], "year": photo["year"], "visibility": photo["visibility"],
             "collections": [collection.id]}, created_by=by)
        ingest(item, io.BytesIO(_photo_bytes(photo["colour"], photo["title"]["en"])), "demo-photo.jpg",
               uploaded_by=by)
        made["items"] += 1
    made["venues"] = _demo_venue(_existing(FILMS[0]["title"]))
    return made


def _collections():
    return db.session.scalars(select(Collection))


def _demo_venue(film: Item | None) -> int:
    """A community cinema in Gyumri with a licence for the public demo film."""
    if db.session.scalar(select(Venue).where(Venue.name == "Gyumri Community Cinema")) is not None:
        return 0
    create_venue({"name": "Gyumri Community Cinema", "city": "Gyumri", "country": "AM",
                             "timezone": "Asia/Yerevan", "capacity": 80, "buffer_minutes": 30})
    if film is not None:
        create_licence(film, {"territories": ["AM", "AZ", "GE"], "starts_on": "2026-01-01",
                              "ends_on": "2030-12-31", "uses": ["non-commercial"]})
    return 1
