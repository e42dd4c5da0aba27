"""Copies for projection, made on request: the 1080p master and each language's open-captions version.

An original that already suits projection (``projection.projection_ready``) is offered as it is and
needs no job. Otherwise a ``screening_copy`` job makes the master (derivative ``screening_copy``),
or, with a subtitle track, the open-captions version (derivative ``open_captions``, index = the
track's id). When a track is replaced or deleted, its burned-in version is dropped: it would show
old words.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from archive import signals
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import JobFailed, enqueue
from archive.jobs.reasons import carried, failure
from archive.media import projection
from archive.media.errors import MediaError
from archive.media.models import Derivative, MediaFile
from archive.media.operations import download_original, media_tools, store_derivative
from archive.media.workdirs import make_work_folder
from archive.storage import get_storage
from archive.subtitles import formats as subtitle_formats
from archive.subtitles import operations as subtitle_operations
from archive.subtitles.models import SubtitleTrack

Progress = Callable[[float, str], None]
COPY_JOB = "screening_copy"
PENDING = ("queued", "running")


def original_is_projection_ready(media: MediaFile) -> bool:
    """Whether the original itself is the screening copy (no master needs making)."""
    return projection.projection_ready(media.technical or {}, media.mime)


def made_copy(media: MediaFile, track_id: int | None = None) -> Derivative | None:
    """The made master (no track) or open-captions version of ``track_id``."""
    return media.derivative("open_captions", track_id) if track_id else media.derivative("screening_copy")


def latest_job(media: MediaFile, track_id: int | None = None) -> Job | None:
    """The newest job making this copy, if any."""
    jobs = db.session.scalars(
        select(Job).where(Job.item_id == media.item_id, Job.kind == COPY_JOB).order_by(Job.id.desc())).all()
    return next((job for job in jobs if job.payload.get("media_id") == media.id
                 and job.payload.get("track_id") == track_id), None)


def request_copy(media: MediaFile, track_id: int | None = None) -> Job | None:
    """Queue the making of a copy unless it exists or is on its way; return the job that makes it."""
    if made_copy(media, track_id) is not None or (track_id is None and original_is_projection_ready(media)):
        return None
    job = latest_job(media, track_id)
    if job is not None and job.status in PENDING:
        return job
    return enqueue(COPY_JOB, {"media_id": media.id, "track_id": track_id}, item_id=media.item_id)


def make_copy(media_id: int, track_id: int | None, progress: Progress) -> dict:
    """Make the master, or the open-captions version of a track, from the original; safe to run again."""
    media = db.session.get(MediaFile, media_id)
    if media is None or media.kind != "video":
        raise failure(JobFailed, "film_removed_copy")
    track = db.session.get(SubtitleTrack, track_id) if track_id else None
    if track_id and (track is None or track.item_id != media.item_id):
        raise failure(JobFailed, "track_removed_copy")
    work = make_work_folder()
    try:
        progress(1, "downloading the original")
        original = download_original(media, work)
        captions = None
        if track is not None:
            captions = os.path.join(work, "captions.srt")
            with open(captions, "w", encoding="utf-8") as handle:
                handle.write(subtitle_formats.to_srt(subtitle_operations.cues_of(track)))
        info = media.technical if media.technical and media.technical.get("duration") else None
        try:
            made = projection.make_master(
                original, os.path.join(work, "master"), subtitles=captions, tools=media_tools(), info=info,
                progress=lambda percent: progress(3 + percent * 0.9, "making the screening copy"))
        except MediaError as exc:
            raise carried(JobFailed, exc) from exc
        progress(95, "storing the screening copy")
        kind, index = ("open_captions", track.id) if track is not None else ("screening_copy", 0)
        row = store_derivative(media, kind, made["path"], made["mime"], index=index, width=made["width"],
                               height=made["height"])
        return {"size": row.size, "sha256": row.sha256, "width": row.width, "height": row.height}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _drop_open_captions(sender, *, track_id: int, item_id: int, replaces: int | None = None) -> None:
    """A replaced or deleted track's burned-in words are out of date: remove that version."""
    gone = [d for d in db.session.scalars(select(Derivative).join(MediaFile).where(
        MediaFile.item_id == item_id, Derivative.kind == "open_captions",
        Derivative.index.in_([i for i in (track_id, replaces) if i])))]
    if not gone:
        return
    keys = [row.storage_key for row in gone]
    for row in gone:
        db.session.delete(row)
    db.session.commit()
    for key in keys:
        get_storage().delete(key)


def _on_track_deleted(sender, *, track_id: int, item_id: int) -> None:
    _drop_open_captions(sender, track_id=track_id, item_id=item_id)


def init_app(app: Flask) -> None:
    """Keep open-captions versions in step with their subtitle tracks."""
    signals.track_saved.connect(_drop_open_captions)
    signals.track_deleted.connect(_on_track_deleted)
