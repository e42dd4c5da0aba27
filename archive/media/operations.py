"""Media rules after ingest: making derivatives, serving links, fixity checks.

Each derivative row is written only after its object is stored, and replacing a derivative
deletes the old object only after the new row is committed, so re-running a job is always safe.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from archive.catalogue.models import Item
from archive.catalogue.visibility import audience_may_see
from archive.extensions import db
from archive.jobs.operations import JobFailed, enqueue
from archive.jobs.reasons import failure
from archive.media import detect, photos, previews, storyboard
from archive.media.ffmpeg import find_tools
from archive.media.models import Derivative, MediaFile
from archive.media.workdirs import make_work_folder
from archive.storage import ObjectMissing, StorageError, get_storage
from archive.subtitles.operations import attach_embedded_track
from archive.timeutil import utcnow

Progress = Callable[[float, str], None]
FIXITY_INTERVAL = timedelta(days=30)
LADDER_JOB = "ladder"  # the adaptive streaming versions, made after the web version (media/streaming.py)


def download_original(media: MediaFile, folder: str) -> str:
    """Copy the original from storage into ``folder`` for ffmpeg or Pillow to read."""
    # Named as uploaded (already cleaned of paths), so ffmpeg's messages speak of the person's file.
    path = os.path.join(folder, media.filename or "original")
    try:
        with get_storage().open(media.storage_key) as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
    except ObjectMissing as exc:
        raise failure(JobFailed, "original_missing", detail=media.storage_key) from exc
    except StorageError as exc:
        raise failure(JobFailed, "storage_read", detail=exc) from exc
    return path


def store_derivative(
    media: MediaFile, kind: str, path: str, mime: str, *, index: int = 0, width: int | None = None,
    height: int | None = None,
) -> Derivative:
    """Store a made file and point the (media, kind, index) row at it, replacing any older one."""
    storage = get_storage()
    try:
        with open(path, "rb") as stream:
            stored = storage.save(stream, prefix="derivatives", content_type=mime)
    except StorageError as exc:
        raise failure(JobFailed, "storage_write", detail=exc) from exc
    row = db.session.scalar(
        select(Derivative).where(Derivative.media_id == media.id, Derivative.kind == kind, Derivative.index == index)
    )
    old_key = row.storage_key if row else None
    if row is None:
        row = Derivative(media_id=media.id, kind=kind, index=index)
        db.session.add(row)
    row.storage_key, row.size, row.sha256, row.mime = stored.key, stored.size, stored.sha256, mime
    row.width, row.height, row.created_at = width, height, utcnow()
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.delete(stored.key)
        raise
    if old_key:
        storage.delete(old_key)
    return row


def remove_derivatives(media: MediaFile, kind: str, keep: int) -> None:
    """Drop rows and objects of ``kind`` with index >= ``keep`` (a re-run made fewer sprites)."""
    extra = [d for d in media.derivatives if d.kind == kind and d.index >= keep]
    keys = [d.storage_key for d in extra]
    for row in extra:
        db.session.delete(row)
    db.session.commit()
    for key in keys:
        get_storage().delete(key)


def derive(media_id: int, progress: Progress) -> dict:
    """Probe an original and make all of its derivatives; safe to run again."""
    media = db.session.get(MediaFile, media_id)
    if media is None:
        raise failure(JobFailed, "media_removed")
    work = make_work_folder()  # named after this process, so a sweep can tell when it is abandoned
    try:
        progress(1, "downloading the original")
        original = download_original(media, work)
        if media.kind == "video":
            return _derive_video(media, original, work, progress)
        return _derive_photo(media, original, work, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def media_tools():
    """ffmpeg and ffprobe: the configured paths, else the system's, else the pip-installed ffmpeg."""
    return find_tools(current_app.config["FFMPEG"], current_app.config["FFPROBE"])


def _derive_video(media: MediaFile, original: str, work: str, progress: Progress) -> dict:
    tools = media_tools()
    progress(3, "reading technical metadata")
    detected = detect.detect(original, tools=tools)
    if detected.kind != "video":
        raise failure(JobFailed, "photo_not_film")
    info = previews.film_info(original, tools=tools)
    media.technical = info
    media.duration_seconds = info.get("duration")
    media.width, media.height = info.get("width"), info.get("height")
    media.mime = detected.mime
    item = db.session.get(Item, media.item_id)
    if item is not None and media.duration_seconds:
        item.duration_seconds = media.duration_seconds
    db.session.commit()

    progress(8, "making the poster")
    poster = previews.make_poster(original, os.path.join(work, "poster"), tools=tools, info=info)
    store_derivative(media, "poster", poster["path"], "image/jpeg", width=poster["width"], height=poster["height"])
    if poster["small"]:
        small = poster["small"]
        store_derivative(media, "poster_small", small["path"], "image/jpeg", width=small["width"], height=small["height"])
    else:  # a narrow film: the poster is small already (a re-run drops an older small size)
        remove_derivatives(media, "poster_small", keep=0)

    progress(12, "making the storyboard")
    board = storyboard.make_storyboard(
        original, os.path.join(work, "storyboard"), tools=tools, info=info,
        progress=lambda percent: progress(12 + percent * 0.13, "making the storyboard"),
    )
    for index, sheet in enumerate(board["sheets"]):
        store_derivative(media, "storyboard", sheet["path"], "image/jpeg", index=index,
                         width=sheet["width"], height=sheet["height"])
    remove_derivatives(media, "storyboard", keep=len(board["sheets"]))
    store_derivative(media, "storyboard_vtt", board["vtt"], "text/vtt")

    progress(25, "making the web version")
    proxy = previews.make_proxy(
        original, os.path.join(work, "proxy"), tools=tools, info=info,
        max_height=current_app.config["PROXY_MAX_HEIGHT"],
        progress=lambda percent: progress(25 + percent * 0.7, "making the web version"),
    )
    store_derivative(media, "proxy", proxy["path"], "video/mp4", width=proxy["width"], height=proxy["height"])

    progress(96, "extracting subtitle tracks")
    notes = list(info.get("notes", [])) + poster.get("notes", []) + board.get("notes", [])
    tracks = previews.extract_subtitles(original, os.path.join(work, "subtitles"), tools=tools, info=info,
                                        notes=notes)
    attached = _attach_embedded_subtitles(media, tracks)
    # The streaming ladder takes longer than the web version: a job of its own, so the film plays meanwhile.
    if current_app.config["HLS_LADDER"]:
        enqueue(LADDER_JOB, {"media_id": media.id}, item_id=media.item_id)
    return {"duration": media.duration_seconds, "subtitle_tracks": attached, "notes": notes}


def _attach_embedded_subtitles(media: MediaFile, tracks: list) -> int:
    """Hand subtitle streams extracted from the film to the subtitles feature."""
    item = db.session.get(Item, media.item_id)
    count = 0
    for track in tracks:
        with open(track.path, "rb") as handle:
            if attach_embedded_track(item, track.language, handle.read(), os.path.basename(track.path)):
                count += 1
    return count


def _derive_photo(media: MediaFile, original: str, work: str, progress: Progress) -> dict:
    progress(5, "checking the picture")
    if detect.detect(original).kind != "image":
        raise failure(JobFailed, "film_not_photo")
    progress(10, "making display and thumbnail sizes")
    made = photos.make_photo_derivatives(original, os.path.join(work, "sizes"))
    derivatives = made.pop("derivatives")
    media.technical = made  # format, size, date taken, camera; location tags are never copied
    media.width, media.height = made.get("width"), made.get("height")
    db.session.commit()
    for kind, size in derivatives.items():
        store_derivative(media, kind, size["path"], size["mime"], width=size["width"], height=size["height"])
    return {"width": media.width, "height": media.height, "notes": made.get("notes", [])}


def link_seconds(media: MediaFile | None = None) -> int:
    """How long a media link stays valid: long enough to watch the whole film while seeking.

    Links through the app (the filesystem backend) are checked again on every use, so they may
    outlive a visibility change: 300 s plus twice the film's length. A presigned S3 link cannot
    be recalled once handed out, so it gets the film's length once: playable start to end, and
    gone soon after an item turns hidden.
    """
    base = current_app.config["STORAGE_URL_SECONDS"]
    if media is None or not media.duration_seconds:
        return base
    factor = 2 if get_storage().checks_links_on_use else 1
    return int(base + media.duration_seconds * factor)


def derivative_url(derivative: Derivative, audience: str = "public") -> str:
    """A short-lived link to a derivative for ``audience`` (callers check the item's visibility first)."""
    return get_storage().url(derivative.storage_key, expires_in=link_seconds(derivative.media),
                             content_type=derivative.mime, audience=audience)


def original_url(media: MediaFile) -> str:
    """A short-lived download link to an original, named as uploaded (staff only)."""
    return get_storage().url(media.storage_key, expires_in=link_seconds(media), filename=media.filename,
                             content_type=media.mime, audience="staff")


def link_still_allowed(key: str, audience: str | None) -> bool:
    """Whether a link to ``key`` issued to ``audience`` may still be served: its item must still be visible.

    Objects no item owns (report photos, for instance) are not this rule's to judge.
    """
    media = db.session.scalar(select(MediaFile).where(MediaFile.storage_key == key))
    if media is None:
        derivative = db.session.scalar(select(Derivative).where(Derivative.storage_key == key))
        media = derivative.media if derivative is not None else None
    if media is None:
        return True
    item = db.session.get(Item, media.item_id)
    return item is not None and audience_may_see(audience or "public", item)


def storyboard_tag(media: MediaFile, salt: str) -> str:
    """A tag for the storyboard track that changes whenever its sprites (or ``salt``) do."""
    parts = [f"{d.kind}:{d.index}:{d.sha256}" for d in media.derivatives if d.kind in ("storyboard", "storyboard_vtt")]
    return hashlib.sha256("|".join([salt, *sorted(parts)]).encode()).hexdigest()[:32]


def storyboard_vtt(media: MediaFile, audience: str = "public") -> str | None:
    """The storyboard's WebVTT track with each sprite name replaced by a fresh link."""
    track = media.derivative("storyboard_vtt")
    if track is None:
        return None
    with get_storage().open(track.storage_key) as handle:
        text = handle.read().decode("utf-8")
    # The stored track names its sprite sheets storyboard-001.jpg, -002.jpg ... in derivative order.
    for sheet in (d for d in media.derivatives if d.kind == "storyboard"):
        text = text.replace(f"storyboard-{sheet.index + 1:03d}.jpg", derivative_url(sheet, audience))
    return text


def check_fixity(check_all: bool = False, progress: Progress | None = None) -> dict:
    """Re-read originals and compare their SHA-256 with the recorded one; report every problem."""
    query = select(MediaFile).order_by(MediaFile.id)
    if not check_all:
        due = utcnow() - FIXITY_INTERVAL
        query = query.where(or_(MediaFile.fixity_checked_at.is_(None), MediaFile.fixity_checked_at < due))
    files = db.session.scalars(query).all()
    storage = get_storage()
    report = {"checked": 0, "ok": 0, "mismatched": [], "missing": [], "unreadable": [],
              "started_at": utcnow().isoformat() + "Z"}
    for number, media in enumerate(files):
        entry = {"media_id": media.id, "item_id": media.item_id, "key": media.storage_key, "filename": media.filename}
        digest = hashlib.sha256()
        try:
            for chunk in storage.read_range(media.storage_key):
                digest.update(chunk)
        except ObjectMissing:
            report["missing"].append(entry)
            media.fixity_ok = False
        except StorageError as exc:
            report["unreadable"].append({**entry, "error": str(exc)})
            media.fixity_ok = False
        else:
            media.fixity_ok = digest.hexdigest() == media.sha256
            if media.fixity_ok:
                report["ok"] += 1
            else:
                report["mismatched"].append({**entry, "expected": media.sha256, "found": digest.hexdigest()})
        media.fixity_checked_at = utcnow()
        report["checked"] += 1
        db.session.commit()
        if progress:
            progress(100 * (number + 1) / len(files), f"checked {number + 1} of {len(files)}")
    report["finished_at"] = utcnow().isoformat() + "Z"
    return report


def fixity_problems(report: dict) -> int:
    """How many originals failed the check."""
    return len(report["mismatched"]) + len(report["missing"]) + len(report["unreadable"])

