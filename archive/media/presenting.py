"""How media looks to a reader: links, status and technical facts, for pages and the API alike.

Callers decide visibility first; this module never widens it: originals only for staff.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from archive.auth.permissions import acting_user, audience_of
from archive.catalogue import item_page
from archive.catalogue.models import Item
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import job_json
from archive.media import cards, labels
from archive.media.models import MediaFile
from archive.media.operations import LADDER_JOB, derivative_url, link_still_allowed, original_url
from archive.storage.views import add_link_check

# What a photograph's EXIF says about who took it, when and where: it can identify a person at risk.
STAFF_ONLY_TECHNICAL = ("taken_at", "camera_make", "camera_model", "had_location")
# Parts of the streaming ladder (served through its playlists) and the copies made for venues' kits.
NOT_LISTED = ("hls_master", "hls_playlist", "hls_segment", "screening_copy", "open_captions")
# Derivatives made in several widths, listed (narrowest first) with a ``srcset``: a photo's sizes, a film's posters.
SIZED = {"display": "sizes", "thumbnail": "sizes", "poster": "posters", "poster_small": "posters"}
FAILED_FOR_PUBLIC = _l("This file could not be processed; the archive's staff can see why and retry it.")


def latest_derive_jobs(item: Item, kind: str = "derive") -> dict[int, Job]:
    """The newest job of ``kind`` (the derivation, by default) of each of the item's media files."""
    jobs = db.session.scalars(
        select(Job).where(Job.item_id == item.id, Job.kind == kind).order_by(Job.id)
    ).all()
    return {job.payload.get("media_id"): job for job in jobs}


def media_status(media: MediaFile, job: Job | None) -> str:
    """``ready`` once derivatives exist and no job is pending, else the job's status."""
    if job is None:
        return "ready" if media.derivatives else "queued"
    return "ready" if job.status == "done" else job.status


def present_media(item: Item, user) -> list[dict]:
    """Every media file of an item with links to what this user may fetch."""
    audience = audience_of(user)
    staff = audience == "staff"
    jobs = latest_derive_jobs(item)
    ladders = latest_derive_jobs(item, LADDER_JOB) if staff else {}
    result = []
    files = db.session.scalars(select(MediaFile).where(MediaFile.item_id == item.id).order_by(MediaFile.id)).all()
    for media in files:
        job = jobs.get(media.id)
        entry = {
            "id": media.id,
            "kind": media.kind,
            "status": media_status(media, job),
            "job": _job_for(job, staff) if job else None,
            "duration": media.duration_seconds,
            "width": media.width,
            "height": media.height,
            "technical": media.technical if staff else _public_technical(media.technical),
            "derivatives": {},
        }
        for derivative in media.derivatives:
            if derivative.kind in NOT_LISTED:
                if derivative.kind == "hls_master":
                    entry["derivatives"]["hls"] = url_for("media.hls_master", item_id=item.id, media_id=media.id)
                    entry["renditions"] = [{"width": d.width, "height": d.height}
                                           for d in media.derivatives if d.kind == "hls_playlist"]
                continue
            if derivative.kind == "storyboard_vtt":
                entry["derivatives"]["storyboard_vtt"] = url_for(
                    "media.storyboard_track", item_id=item.id, media_id=media.id
                )
            elif derivative.kind == "storyboard":
                entry["derivatives"].setdefault("storyboard", []).append(derivative_url(derivative, audience))
            else:
                entry["derivatives"][derivative.kind] = derivative_url(derivative, audience)
                group = SIZED.get(derivative.kind)
                if group and derivative.width:
                    entry.setdefault(group, []).append({"kind": derivative.kind, "width": derivative.width,
                                                        "height": derivative.height,
                                                        "url": entry["derivatives"][derivative.kind]})
        for group, srcset in (("sizes", "srcset"), ("posters", "poster_srcset")):
            if entry.get(group):
                entry[group].sort(key=lambda size: size["width"])
                entry[srcset] = ", ".join(f"{size['url']} {size['width']}w" for size in entry[group])
        if staff:
            entry.update(filename=media.filename, size=media.size, sha256=media.sha256, mime=media.mime,
                         original=original_url(media), fixity_ok=media.fixity_ok)
            # The streaming ladder is a job of its own, after the web version: its state (and why it
            # failed, with the job to retry) shows beside the file's, for staff only.
            ladder = ladders.get(media.id)
            entry["streaming"] = job_json(ladder) if ladder else None
        result.append(entry)
    return result


def gallery_pictures(items: list[Item], user=None) -> dict[int, dict]:
    """For an exhibition's gallery: each item's first photograph (or film poster) as this user may fetch it.

    ``items`` are already the ones this user may see; the picture's sizes come with ``srcset``.
    """
    audience = audience_of(user if user is not None else acting_user())
    ids = [item.id for item in items]
    if not ids:
        return {}
    files = db.session.scalars(select(MediaFile).where(MediaFile.item_id.in_(ids)).order_by(MediaFile.id)).all()
    pictures: dict[int, dict] = {}
    for media in files:
        if media.item_id in pictures:
            continue
        sizes = sorted(
            ({"kind": d.kind, "width": d.width, "height": d.height, "url": derivative_url(d, audience)}
             for d in media.derivatives if d.width and d.kind in ("display", "thumbnail", "poster", "poster_small")),
            key=lambda size: size["width"],
        )
        if sizes:
            pictures[media.item_id] = {"kind": media.kind, "sizes": sizes, "small": sizes[0], "large": sizes[-1],
                                       "srcset": ", ".join(f"{s['url']} {s['width']}w" for s in sizes)}
    return pictures


def _public_technical(technical: dict | None) -> dict:
    """Technical facts without the camera, date taken and location flag."""
    return {key: value for key, value in (technical or {}).items() if key not in STAFF_ONLY_TECHNICAL}


def _job_for(job: Job, staff: bool) -> dict:
    """A job as this reader may see it: the failure's reason (it may name the original file) for staff only."""
    shown = job_json(job)
    if not staff and shown["error"]:
        shown["error"] = str(FAILED_FOR_PUBLIC)
    return shown


def init_app(app: Flask) -> None:
    """Show an item's media (player, photo sizes, processing status) on its page; recheck its links on use."""
    item_page.add_part("media", present_media)
    app.jinja_env.globals["gallery_pictures"] = gallery_pictures
    labels.init_app(app)
    cards.init_app(app)
    add_link_check(app, link_still_allowed)
