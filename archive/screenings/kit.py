"""What goes into a screening kit: the screening copy, the poster and the chosen subtitles.

The copy is the film's web proxy when it has been made, else the original upload. Subtitles are
rendered from the cues that ``archive.subtitles`` keeps (the source of truth) as SRT or WebVTT.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from archive.catalogue.models import Item
from archive.extensions import db
from archive.media.models import MediaFile
from archive.subtitles import formats as subtitle_formats
from archive.subtitles import operations as subtitle_operations
from archive.subtitles.models import SubtitleTrack


@dataclass(frozen=True)
class KitFile:
    """One stored object offered in a kit, with the name a download should get."""

    key: str
    filename: str
    mime: str


def _video(item: Item) -> MediaFile | None:
    return db.session.scalar(
        select(MediaFile).where(MediaFile.item_id == item.id, MediaFile.kind == "video").order_by(MediaFile.id).limit(1)
    )


def _safe_stem(item: Item) -> str:
    title = item.display_title()
    stem = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in title).strip() or f"film-{item.id}"
    return stem[:80]


def screening_copy(item: Item) -> KitFile | None:
    """The file a venue projects: the proxy if made, else the original; None without media."""
    media = _video(item)
    if media is None:
        return None
    proxy = media.derivative("proxy")
    if proxy is not None:
        return KitFile(proxy.storage_key, f"{_safe_stem(item)}.mp4", proxy.mime)
    extension = media.filename.rsplit(".", 1)[-1] if "." in media.filename else "bin"
    return KitFile(media.storage_key, f"{_safe_stem(item)}.{extension[:8]}", media.mime)


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
    track = db.session.scalar(
        select(SubtitleTrack).where(SubtitleTrack.item_id == item.id, SubtitleTrack.lang == lang).limit(1)
    )
    if track is None:
        return None
    cues = subtitle_operations.cues_of(track)
    text = subtitle_formats.to_srt(cues) if fmt == "srt" else subtitle_formats.to_vtt(cues)
    return text, f"{_safe_stem(item)}.{lang}.{fmt}"
