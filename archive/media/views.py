"""Media pages: the archivists' upload page with progress, job status, downloads; fixity for admins."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from archive.auth.permissions import ADMIN, STAFF, acting_user, audience_of, require
from archive.catalogue.models import Item
from archive.catalogue.views import visible_item_or_404
from archive.errors import error_body
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import enqueue, job_json, retry
from archive.media import operations, streaming, tus
from archive.media.ingest import ingest
from archive.media.models import MediaFile
from archive.media.presenting import present_media
from archive.media.request_body import body_stream, refuse_oversized_request

bp = Blueprint("media", __name__)
# The page sends a film in requests of this size: large enough to cost nothing in speed, small enough
# for proxies that cap request bodies (100 MB is common); the server keeps what arrives of a cut one.
PAGE_CHUNK_BYTES = 50 * 1024 * 1024
STORYBOARD_CACHE_SECONDS = 60  # far shorter than any link in the track lives


def cache_window() -> int:
    """Which minute this is: a storyboard's tag, and so a cached copy's links, last no longer."""
    return int(time.time()) // STORYBOARD_CACHE_SECONDS


@bp.get("/manage/items/<int:item_id>/media")
@require(STAFF)
def upload_page(item_id: int):
    """Upload films or photographs to an item and watch them being processed."""
    item = db.get_or_404(Item, item_id)
    return render_template("media/upload.html", item=item, media=present_media(item, acting_user()),
                           chunk_size=PAGE_CHUNK_BYTES)


@bp.post("/manage/items/<int:item_id>/media")
@require(STAFF)
def upload(item_id: int):
    """Receive one file as the raw request body (sent by static/upload.js with a progress bar)."""
    item = db.session.get(Item, item_id)
    if item is None:
        return error_body("not_found", _("No item %(id)s.", id=item_id)), 404
    filename = request.args.get("filename", "")
    refuse_oversized_request()
    media = ingest(item, body_stream(), filename, uploaded_by=acting_user())  # errors: archive.errors handlers
    return {"id": media.id, "filename": media.filename, "size": media.size}, 201


# The upload page's resumable uploads: the same tus routes as /api/v1/uploads, on the browser's
# session (with its CSRF token) rather than a bearer token, which the API never takes from a session.
tus.add_routes(bp, "/manage/uploads", {
    "upload_options": "What the upload page's tus endpoint offers.",
    "create_upload": "Start a resumable upload from the upload page.",
    "upload_state": "The offset of one of the signed-in person's uploads.",
    "upload_chunk": "Append a chunk to one of the signed-in person's uploads.",
    "cancel_upload": "Cancel one of the signed-in person's uploads.",
})


@bp.get("/manage/items/<int:item_id>/status.json")
@require(STAFF)
def status(item_id: int):
    """Processing status of an item's media, polled by the upload page."""
    item = db.get_or_404(Item, item_id)
    media = present_media(item, acting_user())
    # Each file's row as the page writes it (labels in the reader's language, the Retry form), put in place by upload.js.
    rows = {str(m["id"]): render_template("media/_media_row.html", m=m) for m in media}
    return {"media": media, "rows": rows}


@bp.post("/manage/jobs/<int:job_id>/retry")
@require(STAFF)
def retry_job(job_id: int):
    """Queue a failed job again and return to where the button was."""
    job = db.get_or_404(Job, job_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        retry(job)
    except ValueError:
        if wants_json:
            return error_body("job_running", _("This job is running now; wait for it to finish.")), 409
        flash(_("This job is running now; wait for it to finish."), "error")
    else:
        if wants_json:
            return job_json(job)
        flash(_("Queued again."), "success")
    target = url_for("media.upload_page", item_id=job.item_id) if job.item_id else url_for("media.fixity")
    return redirect(target)


@bp.get("/manage/media/<int:media_id>/original")
@require(STAFF)
def original(media_id: int):
    """Download an original as uploaded (staff only), through a short-lived link."""
    media = db.get_or_404(MediaFile, media_id)
    return redirect(operations.original_url(media))


@bp.get("/items/<int:item_id>/media/<int:media_id>/storyboard.vtt")
def storyboard_track(item_id: int, media_id: int):
    """The storyboard thumbnails track of a film the visitor may see, with fresh sprite links."""
    visible_item_or_404(item_id)
    media = db.session.get(MediaFile, media_id)
    if media is None or media.item_id != item_id:
        abort(404)
    audience = audience_of(acting_user())
    text = operations.storyboard_vtt(media, audience)
    if text is None:
        abort(404)
    response = Response(text, mimetype="text/vtt", headers={"Cache-Control": f"private, max-age={STORYBOARD_CACHE_SECONDS}"})
    # Each answer signs fresh sprite links, so the bytes differ; a weak tag says the track is the
    # same and its links still good: it changes with the sprites, the audience and every minute.
    response.set_etag(operations.storyboard_tag(media, f"{audience}:{cache_window()}"), weak=True)
    return response.make_conditional(request)


def _film_of(item_id: int, media_id: int) -> MediaFile:
    """A film of an item the visitor may see, else 404 (hidden items cannot be probed)."""
    visible_item_or_404(item_id)
    media = db.session.get(MediaFile, media_id)
    if media is None or media.item_id != item_id:
        abort(404)
    return media


def _playlist(text: str | None) -> Response:
    if text is None:
        abort(404)
    # Each answer signs fresh segment links: never shared by caches, kept briefly by the player only.
    return Response(text, mimetype=streaming.PLAYLIST_MIME,
                    headers={"Cache-Control": f"private, max-age={STORYBOARD_CACHE_SECONDS}"})


@bp.get("/items/<int:item_id>/media/<int:media_id>/hls/master.m3u8")
def hls_master(item_id: int, media_id: int):
    """The HLS master playlist of a film the visitor may see: its renditions, lowest first."""
    return _playlist(streaming.master_playlist(_film_of(item_id, media_id)))


@bp.get("/items/<int:item_id>/media/<int:media_id>/hls/<int:rendition>.m3u8")
def hls_rendition(item_id: int, media_id: int, rendition: int):
    """One rendition's playlist, each segment a fresh short-lived link for the visitor's audience."""
    media = _film_of(item_id, media_id)
    return _playlist(streaming.rendition_playlist(media, rendition, audience_of(acting_user())))


@bp.route("/admin/fixity", methods=["GET", "POST"])
@require(ADMIN)
def fixity():
    """The last fixity check's result; admins can start a full check."""
    if request.method == "POST":
        enqueue("fixity", {"all": True})
        flash(_("A full fixity check is queued; this page shows its result when it has run."), "success")
        return redirect(url_for("media.fixity"))
    last = db.session.scalar(select(Job).where(Job.kind == "fixity").order_by(Job.id.desc()).limit(1))
    return render_template("media/fixity.html", job=last)
