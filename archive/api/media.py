"""API routes for uploading media and following the jobs that process it."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy import select

from archive.api import bp
from archive.api.catalogue import page_json
from archive.auth.permissions import STAFF, acting_user, require
from archive.catalogue.models import Item
from archive.errors import error_body
from archive.extensions import db
from archive.jobs.models import STATUSES, Job
from archive.jobs.operations import job_json, retry
from archive.media.ingest import ingest
from archive.media.presenting import latest_derive_jobs
from archive.media.request_body import body_stream, refuse_oversized_request
from archive.pagination import page_number, paginate
from archive.validation import record_id


@bp.post("/items/<int:item_id>/media")
@require(STAFF)
def upload_media(item_id: int):
    """Stream the raw request body into storage as an original of this item (staff)."""
    item = db.session.get(Item, item_id)
    if item is None:
        abort(404, description=_("No item %(id)s.", id=item_id))
    filename = request.args.get("filename", "")
    if not filename.strip():
        abort(400, description=_("Name the file: POST /api/v1/items/ID/media?filename=NAME with the file as the body."))
    refuse_oversized_request()
    media = ingest(item, body_stream(), filename, uploaded_by=acting_user())  # errors: archive.errors handlers
    job = latest_derive_jobs(item).get(media.id)
    return {
        "id": media.id, "item_id": item.id, "kind": media.kind, "mime": media.mime, "filename": media.filename,
        "size": media.size, "sha256": media.sha256, "job": job_json(job) if job else None,
    }, 201


@bp.get("/jobs")
@require(STAFF)
def list_jobs():
    """Jobs, newest first; ``item`` and ``status`` filter (staff)."""
    query = select(Job).order_by(Job.id.desc())
    item = request.args.get("item")
    if item is not None:
        try:
            query = query.where(Job.item_id == record_id(item))
        except ValueError as exc:
            abort(400, description=_("The item parameter: %(problem)s", problem=exc))
    status = request.args.get("status")
    if status is not None:
        if status not in STATUSES:
            abort(400, description=_("status must be one of: %(choices)s.", choices=", ".join(STATUSES)))
        query = query.where(Job.status == status)
    return page_json(paginate(query, page_number()), job_json)


@bp.post("/jobs/<int:job_id>/retry")
@require(STAFF)
def retry_job(job_id: int):
    """Queue a failed job again (staff)."""
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404, description=_("No job %(id)s.", id=job_id))
    try:
        retry(job)
    except ValueError:
        return error_body("running", _("This job is running now; wait for it to finish.")), 409
    return job_json(job)
