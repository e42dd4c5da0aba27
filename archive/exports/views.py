"""``/exports/...``: a collection or a search as CSV or Dublin Core XML, for staff, streamed as it is written."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, stream_with_context, url_for
from flask_babel import gettext as _

from archive.auth.permissions import STAFF, acting_user, require
from archive.catalogue.models import Collection
from archive.catalogue.visibility import can_see_collection
from archive.exports import dublin_core, records, tables
from archive.extensions import db
from archive.search.parsing import QueryError
from archive.search.views import page_options
from archive.timeutil import utcnow

bp = Blueprint("exports", __name__, url_prefix="/exports")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xml": "application/xml; charset=utf-8"}


def _source() -> str:
    """This export's own address, without the interface language: what the XML says it holds."""
    args = {key: value for key, value in request.args.items() if key != "lang"}
    return url_for(request.endpoint, **request.view_args, **args, _external=True)


def _download(items, fmt: str, name: str) -> Response:
    user = acting_user()
    now = utcnow()
    body = (tables.stream(items, user) if fmt == "csv"
            else dublin_core.stream(items, source=_source(), exported_at=now))
    response = Response(stream_with_context(body), content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{now:%Y-%m-%d}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"  # it may hold restricted records
    return response


@bp.get("/collections/<int:collection_id>.<any(csv, xml):fmt>")
@require(STAFF)
def collection(collection_id: int, fmt: str):
    """A collection's records (those this archivist may see) as CSV or Dublin Core XML."""
    record = db.session.get(Collection, collection_id)
    user = acting_user()
    if record is None or not can_see_collection(user, record):
        abort(404, description=_("There is no collection %(id)s to export.", id=collection_id))
    return _download(records.collection_records(record, user), fmt, f"collection-{record.id}")


@bp.get("/search.<any(csv, xml):fmt>")
@require(STAFF)
def search(fmt: str):
    """What a search finds (the search page's words and filters) as CSV or Dublin Core XML."""
    text = request.args.get("q", "")
    if not text.strip():
        abort(400, description=_("Say what to export: add the search words as ?q=, as on the search page."))
    if "\x00" in text:
        abort(400, description=_("The search words contain a NUL character; type them again."))
    user = acting_user()
    try:
        options = page_options(request.args)
        records.first_search_page(text, options, user)  # refuse a bad query now, with a status, not mid-file
    except QueryError as exc:
        abort(400, description=str(exc))
    # IndexRebuilding (503, Retry-After) goes to the app's page for errors a person can act on.
    return _download(records.search_records(text, options, user), fmt, "search")
