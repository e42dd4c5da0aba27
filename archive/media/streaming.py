"""Adaptive streaming (HLS): keeping a film's ladder in storage and serving its playlists with fresh links.

Every file of the ladder is a derivative row like any other (so the audit knows it and deleting the
item purges it): ``hls_master``, one ``hls_playlist`` per rendition (index = rendition, lowest
first, with its size), and ``hls_segment`` for each init and media segment (index = its place in
the whole ladder). Objects are stored under generated keys, so the stored playlists name their
files by placeholders (``segment:12``, ``rendition:1``); the app serves the playlists and puts in
each placeholder's place, at request time, a short-lived link for the visitor's audience: the
visibility check runs on every playlist fetch, and a link never outlives its few minutes.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Callable

from flask import current_app, url_for
from sqlalchemy import select

from archive.extensions import db
from archive.jobs.operations import JobFailed
from archive.jobs.reasons import carried, failure
from archive.media import ladder
from archive.media.errors import MediaError
from archive.media.models import Derivative, MediaFile
from archive.media.operations import derivative_url, download_original, media_tools
from archive.media.workdirs import make_work_folder
from archive.storage import get_storage
from archive.timeutil import utcnow

Progress = Callable[[float, str], None]
HLS_KINDS = ("hls_master", "hls_playlist", "hls_segment")
PLAYLIST_MIME = "application/vnd.apple.mpegurl"
SEGMENT_MIME = "video/mp4"
_SEGMENT_RE = re.compile(r"segment:(\d+)")
_RENDITION_RE = re.compile(r"rendition:(\d+)")


def make_streaming_ladder(media_id: int, progress: Progress) -> dict:
    """Make the HLS ladder of a film from its original and store it; safe to run again."""
    media = db.session.get(MediaFile, media_id)
    if media is None:
        raise failure(JobFailed, "media_removed_ladder")
    if media.kind != "video":
        raise failure(JobFailed, "ladder_films_only")
    work = make_work_folder()
    try:
        progress(1, "downloading the original")
        original = download_original(media, work)
        tools = media_tools()
        info = media.technical if media.technical and media.technical.get("duration") else None
        try:
            made = ladder.make_ladder(
                original, os.path.join(work, "ladder"), tools=tools, info=info,
                segment_seconds=current_app.config["HLS_SEGMENT_SECONDS"],
                progress=lambda percent: progress(3 + percent * 0.87, "making the streaming versions"),
            )
        except MediaError as exc:
            raise carried(JobFailed, exc) from exc
        progress(92, "storing the streaming versions")
        store_ladder(media, made)
        return {"renditions": [f"{r['width']}x{r['height']}" for r in made["renditions"]],
                "segments": sum(len(r["files"]) for r in made["renditions"])}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def store_ladder(media: MediaFile, made: dict) -> None:
    """Store every file of a made ladder, then point the rows at them in one commit (old objects go after)."""
    storage = get_storage()
    storage.allow_script_reads()  # players fetch segments from scripts: S3 needs CORS for that
    stored_keys: list[str] = []
    wanted: dict[tuple[str, int], tuple] = {}  # (kind, index) -> (StoredObject, mime, width, height)

    def save(path: str, mime: str, data: bytes | None = None):
        if data is not None:
            stored = storage.save(io.BytesIO(data), prefix="derivatives", content_type=mime)
        else:
            with open(path, "rb") as stream:
                stored = storage.save(stream, prefix="derivatives", content_type=mime)
        stored_keys.append(stored.key)
        return stored

    try:
        segment = 0
        for number, rendition in enumerate(made["renditions"]):
            names: dict[str, str] = {}
            for file_path in rendition["files"]:
                wanted[("hls_segment", segment)] = (save(file_path, SEGMENT_MIME), SEGMENT_MIME, None, None)
                names[os.path.basename(file_path)] = f"segment:{segment}"
                segment += 1
            with open(rendition["playlist"], encoding="utf-8") as handle:
                text = _replace_names(handle.read(), names)
            wanted[("hls_playlist", number)] = (save("", PLAYLIST_MIME, text.encode()), PLAYLIST_MIME,
                                                rendition["width"], rendition["height"])
        with open(made["master"], encoding="utf-8") as handle:
            master = _replace_names(handle.read(), {os.path.basename(r["playlist"]): f"rendition:{n}"
                                                   for n, r in enumerate(made["renditions"])})
        top = made["renditions"][-1]
        wanted[("hls_master", 0)] = (save("", PLAYLIST_MIME, master.encode()), PLAYLIST_MIME,
                                     top["width"], top["height"])
        old_keys = _point_rows(media, wanted)
    except BaseException:
        db.session.rollback()
        for key in stored_keys:
            storage.delete(key)
        raise
    for key in old_keys:
        storage.delete(key)


def _replace_names(text: str, names: dict[str, str]) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#EXT-X-MAP:") and 'URI="' in stripped:
            uri = stripped.split('URI="', 1)[1].split('"', 1)[0]
            line = line.replace(f'URI="{uri}"', f'URI="{names[os.path.basename(uri)]}"')
        elif stripped and not stripped.startswith("#"):
            line = names[os.path.basename(stripped)]
        lines.append(line)
    return "\n".join(lines) + "\n"


def _point_rows(media: MediaFile, wanted: dict[tuple[str, int], tuple]) -> list[str]:
    """Update or add a row for each wanted file, drop the rows of a former, longer ladder; commit once."""
    rows = {(d.kind, d.index): d for d in db.session.scalars(
        select(Derivative).where(Derivative.media_id == media.id, Derivative.kind.in_(HLS_KINDS)))}
    old_keys = []
    now = utcnow()
    for (kind, index), (stored, mime, width, height) in wanted.items():
        row = rows.pop((kind, index), None)
        if row is None:
            row = Derivative(media_id=media.id, kind=kind, index=index)
            db.session.add(row)
        else:
            old_keys.append(row.storage_key)
        row.storage_key, row.size, row.sha256, row.mime = stored.key, stored.size, stored.sha256, mime
        row.width, row.height, row.created_at = width, height, now
    for row in rows.values():
        old_keys.append(row.storage_key)
        db.session.delete(row)
    db.session.commit()
    return old_keys


def master_playlist(media: MediaFile) -> str | None:
    """The master playlist with each rendition's address on this app; None before the ladder is made."""
    master = media.derivative("hls_master")
    if master is None:
        return None
    text = _read(master)
    return _RENDITION_RE.sub(
        lambda m: url_for("media.hls_rendition", item_id=media.item_id, media_id=media.id, rendition=int(m[1])),
        text)


def rendition_playlist(media: MediaFile, rendition: int, audience: str) -> str | None:
    """A rendition's playlist with each segment named by a fresh short-lived link for ``audience``."""
    playlist = media.derivative("hls_playlist", rendition)
    if playlist is None:
        return None
    text = _read(playlist)
    segments = {d.index: d for d in media.derivatives if d.kind == "hls_segment"}

    def link(match: re.Match) -> str:
        segment = segments.get(int(match[1]))
        if segment is None:  # a ladder being replaced right now: the player retries the playlist
            raise LookupError(f"segment {match[1]} is missing")
        return derivative_url(segment, audience)

    try:
        return _SEGMENT_RE.sub(link, text)
    except LookupError:
        return None


def _read(derivative: Derivative) -> str:
    with get_storage().open(derivative.storage_key) as handle:
        return handle.read().decode("utf-8")
