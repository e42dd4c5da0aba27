"""Objects the screening tests build: films with a length, venues, licences, bookings."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.media.models import MediaFile
from archive.screenings import times
from archive.screenings.operations import booking, decisions, licences, venues
from archive.storage import get_storage
from archive.timeutil import utcnow

FILM_SECONDS = 90 * 60


def make_film(title: str = "Border Stories", visibility: str = "public", duration: float | None = FILM_SECONDS):
    """A film item whose media processing has (or has not) set its length."""
    item = catalogue.create_item({"kind": "film", "title": {"en": title}, "visibility": visibility})
    item.duration_seconds = duration
    db.session.commit()
    return item


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


def local_start(venue, days: int = 10, hour: int = 19, minute: int = 0) -> str:
    """A wall-clock start ``days`` from now at the venue, as the form sends it (no offset)."""
    local_today = times.to_local(utcnow(), times.zone(venue.timezone)).date()
    moment = datetime.combine(local_today + timedelta(days=days), datetime.min.time()) + timedelta(hours=hour, minutes=minute)
    return moment.strftime("%Y-%m-%dT%H:%M")


def book(user, item, venue, starts_at: str, **extra):
    """Request a screening through the operations."""
    data = {"item_id": item.id, "venue_id": venue.id, "starts_at": starts_at, "format": "community",
            "discussion_minutes": 30}
    data.update(extra)
    return booking.request_screening(data, user)


def attach_video(item, content: bytes = b"\x00\x00\x00\x18ftypmp42 fake film bytes", proxy: bytes | None = None,
                 poster: bytes | None = None) -> MediaFile:
    """Store a small object as the film's original (and optionally a proxy and poster)."""
    from archive.media.models import Derivative

    storage = get_storage()
    stored = storage.save(io.BytesIO(content), prefix="media/originals", content_type="video/mp4")
    media = MediaFile(item_id=item.id, kind="video", storage_key=stored.key, filename="border.mp4", size=stored.size,
                      sha256=stored.sha256, mime="video/mp4", technical={}, duration_seconds=item.duration_seconds)
    db.session.add(media)
    db.session.flush()
    for kind, body, mime in (("proxy", proxy, "video/mp4"), ("poster", poster, "image/jpeg")):
        if body is not None:
            obj = storage.save(io.BytesIO(body), prefix=f"media/{kind}", content_type=mime)
            db.session.add(Derivative(media_id=media.id, kind=kind, storage_key=obj.key, size=obj.size,
                                      sha256=obj.sha256, mime=mime))
    db.session.commit()
    return media


def screening_records(users) -> dict:
    """Ids for the access table: a venue (the venue user's), another venue, screenings in each."""
    film = make_film("Access table film")
    make_licence(film)
    own = make_venue(name="Own venue")
    other = make_venue(name="Other venue", city="Gyumri")
    venues.add_member(own, users["venue"].email)
    mine = book(users["venue"], film, own, local_start(own, days=20))
    theirs = book(users["admin"], film, other, local_start(other, days=21))
    approved = book(users["admin"], film, other, local_start(other, days=22))
    decisions.approve(approved, users["admin"])
    return {"scr_venue": own.id, "scr_other_venue": other.id, "scr_requested": mine.id,
            "scr_other_requested": theirs.id, "scr_approved": approved.id, "scr_film": film.id}


SRT = "1\n00:00:01,000 --> 00:00:03,500\nԲարեւ, hello\n\n2\n00:00:04,000 --> 00:00:06,000\n<i>Across the border</i>\n"


def add_subtitles(item, lang: str = "en"):
    """A real subtitle track through the subtitles feature."""
    from archive.subtitles import operations as subtitles

    track, _ = subtitles.create_track(item, lang, SRT.encode("utf-8"), f"film.{lang}.srt")
    return track
