"""schema.org descriptions as JSON-LD: ``VideoObject`` for films, ``Photograph`` for photos,
``ScreeningEvent`` for screenings. The callers have checked that the public may see the record.

A film's ``hasPart`` lists its top moments as ``Clip``s (search engines show them as "key moments"):
the film is cut into up to ``MAX_CLIPS`` equal stretches and each clip starts at the first subtitle
line spoken in its stretch, named by that line, and runs to the next clip. The archive keeps no
chapters; evenly spread lines are what a reader skimming the transcript would pick.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from flask import url_for
from sqlalchemy import select

from archive.catalogue.dublin_core import is_creator
from archive.catalogue.models import Item
from archive.extensions import db
from archive.i18n.names import country_name
from archive.screenings.models import Screening
from archive.screenings.times import local_iso, zone
from archive.subtitles.models import Cue, SubtitleTrack
from archive.subtitles.operations import tracks_of
from archive.webmeta.media import ItemMedia

CONTEXT = "https://schema.org"
MAX_CLIPS = 8
CLIP_NAME_CHARS = 110


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration to the second: 5025.4 → ``PT1H23M45S``; 0 → ``PT0S``."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs or not total else "")
    return "PT" + parts


def iso_utc(moment: datetime) -> str:
    """A stored naive-UTC time with its offset, as schema.org dates want: ``2026-12-01T10:00:00+00:00``."""
    return moment.replace(tzinfo=UTC, microsecond=0).isoformat()


def item_url(item: Item) -> str:
    return url_for("catalogue.item", item_id=item.id, _external=True)


def _texts(item: Item) -> tuple[str, str, str]:
    """The name, description and the language tag of the name, in the reader's language when the item has it."""
    title = item.shown_title()
    description = item.shown_description()
    return title.text, description.text, title.lang or ""


def _people(item: Item, creators: bool) -> list[dict]:
    return [{"@type": "Person", "name": credit.person.name, **({"roleName": credit.role} if credit.role else {})}
            for credit in item.credits if is_creator(credit.role) == creators]


def _common(item: Item, kind: str) -> dict:
    name, description, lang = _texts(item)
    data = {"@context": CONTEXT, "@type": kind, "@id": item_url(item) + "#" + kind.lower(), "url": item_url(item),
            "name": name, "description": description or name}
    if item.languages:
        data["inLanguage"] = list(item.languages)
    if item.year:
        data["dateCreated"] = str(item.year)
    creators, contributors = _people(item, True), _people(item, False)
    if creators:
        data["creator"] = creators
    if contributors:
        data["contributor"] = contributors
    if item.themes:
        data["keywords"] = ", ".join(theme.name for theme in item.themes)
    if item.countries:
        data["contentLocation"] = [
            {"@type": "Place", "name": country_name(code), "address": {"@type": "PostalAddress", "addressCountry": code}}
            for code in item.countries
        ]
    if item.rights_note:
        data["copyrightNotice"] = item.rights_note
    return data


def _clip_track(item: Item) -> SubtitleTrack | None:
    """The subtitles the clips are named from: the film's own first language when it has them, else the first."""
    tracks = tracks_of(item)
    by_lang = {track.lang: track for track in tracks}
    return next((by_lang[lang] for lang in item.languages or () if lang in by_lang), tracks[0] if tracks else None)


def clips(item: Item, track: SubtitleTrack, length: float | None) -> list[dict]:
    """Up to ``MAX_CLIPS`` top moments, each from the first line spoken in its stretch of the film."""
    cues = db_cues(track)
    if not cues:
        return []
    end = max(length or 0.0, cues[-1].end)
    stretch = end / MAX_CLIPS
    starts: list[Cue] = []
    for number in range(MAX_CLIPS):
        low, high = number * stretch, (number + 1) * stretch
        first = next((cue for cue in cues if low <= cue.start < high and cue.plain.strip()), None)
        if first is not None and (not starts or math.floor(first.start) > math.floor(starts[-1].start)):
            starts.append(first)
    found = []
    for index, cue in enumerate(starts):
        begin = math.floor(cue.start)
        finish = math.floor(starts[index + 1].start) if index + 1 < len(starts) else math.ceil(end)
        text = " ".join(cue.plain.split())
        found.append({
            "@type": "Clip", "name": text if len(text) <= CLIP_NAME_CHARS else text[:CLIP_NAME_CHARS - 1] + "…",
            "inLanguage": track.lang, "startOffset": begin, "endOffset": max(finish, begin + 1),
            "url": f"{item_url(item)}#t={begin}",
        })
    return found


def db_cues(track: SubtitleTrack) -> list[Cue]:
    """A track's cues in order."""
    return list(db.session.scalars(select(Cue).where(Cue.track_id == track.id).order_by(Cue.position)))


def video_object(item: Item, media: ItemMedia) -> dict:
    """A film as a ``VideoObject``: with its length, poster, web version, transcript and top moments."""
    data = _common(item, "VideoObject")
    data["uploadDate"] = iso_utc(item.created_at)
    length = media.duration or item.duration_seconds
    if length:
        data["duration"] = iso_duration(length)
    if media.thumbnail:
        data["thumbnailUrl"] = [media.thumbnail.url]
    if media.video:
        data["contentUrl"] = media.video.url
        data["encodingFormat"] = media.video.mime
        if media.video.width and media.video.height:
            data["width"], data["height"] = media.video.width, media.video.height
    track = _clip_track(item)
    if track is not None:
        data["transcript"] = url_for("catalogue.item", item_id=item.id, sub=track.lang, _external=True) + "#transcript"
        moments = clips(item, track, length)
        if moments:
            data["hasPart"] = moments
    return data


def photograph(item: Item, media: ItemMedia) -> dict:
    """A photo as a ``Photograph``: caption, creator from the credits, where it was taken, its picture."""
    data = _common(item, "Photograph")
    data["caption"] = data["description"]
    if media.image:
        image = {"@type": "ImageObject", "contentUrl": media.image.url, "encodingFormat": media.image.mime}
        if media.image.width and media.image.height:
            image.update(width=media.image.width, height=media.image.height)
        data["image"] = image
    if media.thumbnail:
        data["thumbnailUrl"] = media.thumbnail.url
    return data


EVENT_STATUS = {"cancelled": "https://schema.org/EventCancelled"}


def screening_event(screening: Screening, media: ItemMedia) -> dict:
    """A screening as a ``ScreeningEvent``: when (in the venue's time zone), where, which film, in which subtitles."""
    venue, film = screening.venue, screening.item
    tz = zone(venue.timezone)
    name, description, _lang = _texts(film)
    address = {"@type": "PostalAddress", "addressLocality": venue.city, "addressCountry": venue.country}
    if venue.address:
        address["streetAddress"] = venue.address
    movie = {"@type": "Movie", "name": name, "url": item_url(film)}
    if film.duration_seconds:
        movie["duration"] = iso_duration(film.duration_seconds)
    if media.image:
        movie["image"] = media.image.url
    data = {
        "@context": CONTEXT, "@type": "ScreeningEvent",
        "url": url_for("screenings.screening", screening_id=screening.id, _external=True),
        "name": f"{name} · {venue.name}",
        "startDate": local_iso(screening.starts_at, tz), "endDate": local_iso(screening.ends_at, tz),
        "eventStatus": EVENT_STATUS.get(screening.status, "https://schema.org/EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "Place", "name": venue.name, "address": address,
                     "url": url_for("screenings.venue", venue_id=venue.id, _external=True)},
        "workPresented": movie,
    }
    if description:
        data["description"] = description
    if media.image:
        data["image"] = media.image.url
    if screening.subtitle_lang:
        data["inLanguage"] = data["subtitleLanguage"] = screening.subtitle_lang
    return data
