"""The one set of factories tests build records with: films, photos, collections, venues, licences, screenings.

Each goes through the feature's own operations, so what a test builds passed the same rules as
what a person builds. Films and photos are public unless a test says otherwise, and a film is
90 minutes long, as its media processing would have found (``duration=None``: not processed yet).
"""

from __future__ import annotations

import io
from datetime import timedelta

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.jobs.operations import drain
from archive.media.models import Derivative, MediaFile
from archive.screenings.operations import booking, licences, venues
from archive.storage import get_storage
from archive.subtitles import operations as subtitles
from archive.timeutil import utcnow

FILM_SECONDS = 90 * 60


def make_film(title: str = "Border Stories", visibility: str = "public", *, duration: float | None = FILM_SECONDS,
              tracks: dict[str, bytes] | None = None, **fields):
    """A film; ``duration`` as its media processing would set it; ``tracks`` are subtitle files by language.

    With ``tracks`` the queued index jobs are run before returning, so the film is searchable.
    """
    item = catalogue.create_item({"kind": "film", "title": {"en": title}, "visibility": visibility, **fields})
    if duration is not None:
        item.duration_seconds = duration
        db.session.commit()
    for lang, data in (tracks or {}).items():
        subtitles.create_track(item, lang, data, f"{lang}.srt")
    if tracks is not None:
        drain()
    return item


def make_photo(title: str = "Portrait", visibility: str = "public", **fields):
    """A photograph item (no image stored: ingest tests upload their own)."""
    return catalogue.create_item({"kind": "photo", "title": {"en": title}, "visibility": visibility, **fields})


def make_collection(title: str = "Crossings", visibility: str = "public", *, kind: str = "series", items=()):
    """An exhibition or series holding ``items``."""
    return catalogue.create_collection({"kind": kind, "title": {"en": title}, "visibility": visibility,
                                        "items": [item.id for item in items]})


def attach_video(item, content: bytes = b"\x00\x00\x00\x18ftypmp42 fake film bytes", proxy: bytes | None = None,
                 poster: bytes | None = None, storyboard: int = 0) -> MediaFile:
    """Store a small object as the film's original (and optionally a proxy, poster and storyboard sheets)."""
    storage = get_storage()
    stored = storage.save(io.BytesIO(content), prefix="media/originals", content_type="video/mp4")
    media = MediaFile(item_id=item.id, kind="video", storage_key=stored.key, filename="border.mp4", size=stored.size,
                      sha256=stored.sha256, mime="video/mp4", technical={}, duration_seconds=item.duration_seconds)
    db.session.add(media)
    db.session.flush()
    made = [("proxy", 0, proxy, "video/mp4"), ("poster", 0, poster, "image/jpeg")]
    made += [("storyboard", n, b"\xff\xd8 sheet %d" % n, "image/jpeg") for n in range(storyboard)]
    if storyboard:
        made.append(("storyboard_vtt", 0, b"WEBVTT\n\n00:00.000 --> 00:10.000\nstoryboard-001.jpg#xywh=0,0,160,90\n",
                     "text/vtt"))
    for kind, index, body, mime in made:
        if body is not None:
            obj = storage.save(io.BytesIO(body), prefix=f"media/{kind.replace('_', '-')}", content_type=mime)
            db.session.add(Derivative(media_id=media.id, kind=kind, index=index, storage_key=obj.key, size=obj.size,
                                      sha256=obj.sha256, mime=mime))
    db.session.commit()
    return media


SRT = "1\n00:00:01,000 --> 00:00:03,500\nԲարեւ, hello\n\n2\n00:00:04,000 --> 00:00:06,000\n<i>Across the border</i>\n"


def add_subtitles(item, lang: str = "en"):
    """A real subtitle track through the subtitles feature."""
    track, _ = subtitles.create_track(item, lang, SRT.encode("utf-8"), f"film.{lang}.srt")
    return track


def make_venue(**overrides):
    """A venue in Yerevan (no daylight saving), changeover 30 minutes."""
    data = {"name": "Yerevan Film House", "city": "Yerevan", "country": "AM", "timezone": "Asia/Yerevan",
            "capacity": 120, "buffer_minutes": 30}
    data.update(overrides)
    return venues.create_venue(data)


def make_licence(item, **overrides):
    """A broad licence: Armenia, Georgia and France, this year to two years on, non-commercial and educational."""
    today = utcnow().date()
    data = {"territories": ["AM", "GE", "FR"], "starts_on": (today - timedelta(days=365)).isoformat(),
            "ends_on": (today + timedelta(days=730)).isoformat(), "uses": ["non-commercial", "educational"]}
    data.update(overrides)
    return licences.create_licence(item, data)


def book(user, item, venue, starts_at: str, **extra):
    """Request a screening through the operations."""
    data = {"item_id": item.id, "venue_id": venue.id, "starts_at": starts_at, "format": "community",
            "discussion_minutes": 30}
    data.update(extra)
    return booking.request_screening(data, user)
