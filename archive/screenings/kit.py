"""A screening kit: what is in it (the screening copy, the poster, the chosen subtitles) and when it opens.

The copy is a file for projection: the original when it already suits a cinema (H.264/H.265 in MP4
at a sensible bit rate), else the 1080p master that ``archive.media.screening_copies`` makes when
the venue or staff ask for it; until then the web version stands in, marked as such. Each copy
comes with its size and SHA-256, so a projectionist can check the download. On request, the
chosen language's subtitles are burned into an "open captions" version. Subtitles are
rendered from the cues that ``archive.subtitles`` keeps (the source of truth) as SRT or WebVTT.
Only the venue's accounts and staff download a kit, and only from 48 hours before an approved
screening until 24 hours after it; a download link never outlives that window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from archive.catalogue.models import Item
from archive.extensions import db
from archive.media import screening_copies
from archive.media.models import Derivative, MediaFile
from archive.screenings import times
from archive.screenings.labels import status_label
from archive.screenings.models import Screening
from archive.screenings.operations.refusals import Refused
from archive.screenings.operations.venues import may_act_for
from archive.storage import get_storage
from archive.subtitles import formats as subtitle_formats
from archive.subtitles import operations as subtitle_operations
from archive.subtitles.models import SubtitleTrack
from archive.timeutil import utcnow

KIT_OPENS_BEFORE = timedelta(hours=48)
KIT_CLOSES_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class KitFile:
    """One stored object offered in a kit, with the name a download should get."""

    key: str
    filename: str
    mime: str
    size: int | None = None
    sha256: str | None = None
    source: str = "original"  # original | master | web | open_captions


def _video(item: Item) -> MediaFile | None:
    return db.session.scalar(
        select(MediaFile).where(MediaFile.item_id == item.id, MediaFile.kind == "video").order_by(MediaFile.id).limit(1)
    )


def _safe_stem(item: Item) -> str:
    title = item.display_title()
    stem = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in title).strip() or f"film-{item.id}"
    return stem[:80]


def _extension(mime: str) -> str:
    return {"video/quicktime": "mov"}.get(mime, "mp4")


def _made(item: Item, derivative: Derivative, source: str, suffix: str = "") -> KitFile:
    return KitFile(derivative.storage_key, f"{_safe_stem(item)}{suffix}.{_extension(derivative.mime)}",
                   derivative.mime, derivative.size, derivative.sha256, source)


def screening_copy(item: Item) -> KitFile | None:
    """The file a venue projects: the made master, else a projection-ready original, else the web version."""
    media = _video(item)
    if media is None:
        return None
    master = screening_copies.made_copy(media)
    if master is not None:
        return _made(item, master, "master")
    if screening_copies.original_is_projection_ready(media) or media.derivative("proxy") is None:
        extension = media.filename.rsplit(".", 1)[-1] if "." in media.filename else "bin"
        return KitFile(media.storage_key, f"{_safe_stem(item)}.{extension[:8]}", media.mime, media.size,
                       media.sha256, "original")
    return _made(item, media.derivative("proxy"), "web", "-web")


def open_captions(item: Item, lang: str | None) -> KitFile | None:
    """The film with the ``lang`` subtitles burned in, once made."""
    media, track = _video(item), _track(item, lang) if lang else None
    if media is None or track is None:
        return None
    made = screening_copies.made_copy(media, track.id)
    return _made(item, made, "open_captions", f".{lang}.open-captions") if made is not None else None


def copy_requests(item: Item, lang: str | None) -> dict:
    """What can still be asked for: the master and the open captions, each with the job making it (if any)."""
    media = _video(item)
    if media is None:
        return {}
    master_needed = screening_copies.made_copy(media) is None and not screening_copies.original_is_projection_ready(media)
    track = _track(item, lang) if lang else None
    captions_needed = track is not None and screening_copies.made_copy(media, track.id) is None
    return {
        "master": master_needed, "master_job": screening_copies.latest_job(media) if master_needed else None,
        "captions": captions_needed,
        "captions_job": screening_copies.latest_job(media, track.id) if captions_needed else None,
    }


def request_copy(item: Item, what: str, lang: str | None):
    """Queue the master (``what="master"``) or the open captions of ``lang``; refuse what cannot be made."""
    media = _video(item)
    if media is None:
        raise Refused("no_film", _("This film has no video file yet, so no copy can be made."), 409)
    if what == "master":
        return screening_copies.request_copy(media)
    track = _track(item, lang) if lang else None
    if what != "open_captions" or track is None:
        raise Refused("no_subtitles", _("Choose the subtitle language of the screening first; open captions are "
                                        "made from its subtitles."), 409)
    return screening_copies.request_copy(media, track.id)


def _track(item: Item, lang: str) -> SubtitleTrack | None:
    return db.session.scalar(
        select(SubtitleTrack).where(SubtitleTrack.item_id == item.id, SubtitleTrack.lang == lang).limit(1))


def poster(item: Item) -> KitFile | None:
    """The film's poster frame, once media processing has made it."""
    media = _video(item)
    found = media.derivative("poster") if media is not None else None
    if found is None:
        return None
    extension = {"image/png": "png", "image/webp": "webp"}.get(found.mime, "jpg")
    return KitFile(found.storage_key, f"{_safe_stem(item)}-poster.{extension}", found.mime)


def subtitle_languages(item: Item) -> list[str]:
    """Languages of the film's subtitle tracks."""
    return [track.lang for track in subtitle_operations.tracks_of(item)]


def subtitle_languages_of(item_ids: list[int]) -> dict[int, list[str]]:
    """Subtitle languages per film, for many films in one query (the request form's choices)."""
    found: dict[int, list[str]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        rows = db.session.execute(
            select(SubtitleTrack.item_id, SubtitleTrack.lang).where(SubtitleTrack.item_id.in_(item_ids)).order_by(SubtitleTrack.lang)
        )
        for item_id, lang in rows:
            found[item_id].append(lang)
    return found


def subtitles(item: Item, lang: str, fmt: str) -> tuple[str, str] | None:
    """The film's ``lang`` subtitles as (text, filename) in ``srt`` or ``vtt``; None if there are none."""
    track = _track(item, lang)
    if track is None:
        return None
    cues = subtitle_operations.cues_of(track)
    text = subtitle_formats.to_srt(cues) if fmt == "srt" else subtitle_formats.to_vtt(cues)
    return text, f"{_safe_stem(item)}.{lang}.{fmt}"


def kit_window(screening: Screening) -> tuple[datetime, datetime]:
    """When the kit's download links work: 48 hours before the start to 24 hours after the end."""
    return screening.starts_at - KIT_OPENS_BEFORE, screening.ends_at + KIT_CLOSES_AFTER


def is_open(screening: Screening, now: datetime) -> bool:
    """Whether the kit of ``screening`` can be downloaded at ``now`` (approved, inside its window)."""
    opens, closes = kit_window(screening)
    return screening.status == "approved" and opens <= now <= closes


def check_kit(screening: Screening, user, now: datetime | None = None) -> int:
    """Refuse a kit download outside its window or rules; return how many seconds it stays open."""
    now = now or utcnow()
    if not may_act_for(user, screening.venue):
        raise Refused("forbidden", _("This kit belongs to another venue."), 403)
    if screening.status == "cancelled":
        raise Refused("kit_revoked", _("This screening was cancelled, so its kit has been revoked."), 410)
    if screening.status != "approved":
        raise Refused("not_approved", _("The kit is ready once the screening is approved; it is %(status)s.",
                                        status=status_label(screening.status)), 403)
    opens, closes = kit_window(screening)
    tz = times.zone(screening.venue.timezone)
    if now < opens:
        raise Refused("kit_not_open", _("The kit's download opens 48 hours before the screening, at %(time)s.",
                                        time=times.shown(opens, tz)), 403)
    if now > closes:
        raise Refused("kit_expired", _("The kit's download closed 24 hours after the screening, at %(time)s.",
                                       time=times.shown(closes, tz)), 410)
    return max(1, int((closes - now).total_seconds()))


def download_url(found: KitFile, seconds_left: int, audience: str = "partners") -> str:
    """A link to a kit file for ``audience`` that expires quickly, and never outlives the kit's window."""
    storage = get_storage()
    expires = min(storage.url_seconds, seconds_left)
    return storage.url(found.key, expires_in=expires, filename=found.filename, content_type=found.mime,
                       audience=audience)
