"""API routes for subtitle tracks: upload (raw body), list, delete."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _

from archive.api import bp
from archive.api.catalogue import _item_or_404
from archive.auth.permissions import STAFF, acting_user, require
from archive.extensions import db
from archive.i18n.formats import file_size
from archive.subtitles import operations
from archive.subtitles.models import SubtitleTrack


def read_body(limit: int) -> bytes:
    """The raw request body, refused with a clear message past ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        abort(413, description=_("The file is larger than %(limit)s; subtitle files are far smaller. Check that "
                                 "you are sending an .srt or .vtt file.", limit=file_size(limit)))
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        abort(413, description=_("The file is larger than %(limit)s.", limit=file_size(limit)))
    return data


@bp.post("/items/<int:item_id>/subtitles")
@require(STAFF)
def upload_subtitles(item_id: int):
    """Attach a subtitle file (the raw body) as the track for ``lang``, replacing any earlier one.

    ``?encoding=`` (one of the encodings the upload page offers) overrides the guess; a file some of
    whose bytes fit no encoding it might be in is refused (422, field ``encoding``) until one is given.
    Another upload for the same item holding it too long answers 409: try again.
    """
    item = _item_or_404(item_id)
    if not request.args.get("lang"):
        abort(400, description=_("Say which language the subtitles are in: ?lang=hy (any BCP-47 tag)."))
    data = read_body(operations.MAX_SUBTITLE_BYTES)
    track, report = operations.create_track(
        item, request.args["lang"], data, request.args.get("filename"),
        label=request.args.get("label", ""), created_by=acting_user(), encoding=request.args.get("encoding"),
    )
    body = {"id": track.id, "lang": track.lang, **report, "track": operations.track_json(track)}
    return body, 201, {"Location": url_for("api.list_subtitles", item_id=item.id)}


@bp.get("/items/<int:item_id>/subtitles")
def list_subtitles(item_id: int):
    """The item's subtitle tracks with their WebVTT links."""
    return {"items": operations.tracks_json(_item_or_404(item_id))}


@bp.delete("/items/<int:item_id>/subtitles/<int:track_id>")
@require(STAFF)
def delete_subtitles(item_id: int, track_id: int):
    """Delete one subtitle track."""
    item = _item_or_404(item_id)
    track = db.session.get(SubtitleTrack, track_id)
    if track is None or track.item_id != item.id:
        abort(404, description=_("Item %(item)s has no subtitle track %(track)s.", item=item_id, track=track_id))
    operations.delete_track(track)
    return "", 204
