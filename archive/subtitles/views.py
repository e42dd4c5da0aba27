"""Subtitle pages: the archivists' upload (report first, then save), deleting, and WebVTT files."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from archive.auth.permissions import STAFF, acting_user, require
from archive.catalogue import item_page
from archive.catalogue.models import Item
from archive.catalogue.views import visible_item_or_404
from archive.errors import ValidationError
from archive.extensions import db
from archive.i18n.formats import number
from archive.i18n.names import language_name
from archive.subtitles import operations, previews
from archive.subtitles.decoding import encoding_choices, encoding_name
from archive.subtitles.messages import warning_text
from archive.subtitles.models import SubtitleTrack
from archive.subtitles.parsing import timecode

bp = Blueprint("subtitles", __name__)
SOURCE_LABELS = {
    # Translators: where a subtitle track came from: an archivist uploaded it (a table cell under "Source").
    "upload": _l("uploaded"),
    "embedded": _l("from the film file"),
}


def track_source(source: str) -> str:
    """Where a track came from (``upload``, ``embedded``) in the interface language."""
    label = SOURCE_LABELS.get(source)
    return str(label) if label is not None else source


def _track_or_404(item: Item, track_id: int) -> SubtitleTrack:
    track = db.session.get(SubtitleTrack, track_id)
    if track is None or track.item_id != item.id:
        abort(404)
    return track


@bp.get("/items/<int:item_id>/subtitles/<int:track_id>.vtt")
def vtt(item_id: int, track_id: int) -> Response:
    """A track's normalised WebVTT file, for players (same visibility as the item)."""
    track = _track_or_404(visible_item_or_404(item_id), track_id)
    response = Response(operations.vtt_bytes(track), mimetype="text/vtt")
    response.charset = "utf-8"
    response.cache_control.private = True
    response.add_etag()  # the file follows the cues: the same bytes, the same tag
    return response.make_conditional(request)


@bp.get("/manage/items/<int:item_id>/subtitles")
@require(STAFF)
def manage(item_id: int):
    """The item's tracks and the upload form."""
    return _manage_page(db.get_or_404(Item, item_id), {})


@bp.post("/manage/items/<int:item_id>/subtitles/preview")
@require(STAFF)
def preview(item_id: int):
    """Read the uploaded file and show the report; the file waits in storage until confirmed."""
    item = db.get_or_404(Item, item_id)
    upload = request.files.get("file")
    data = upload.read(operations.MAX_SUBTITLE_BYTES + 1) if upload else b""
    lang, label = request.form.get("lang", ""), request.form.get("label", "")
    try:
        if upload is None or not upload.filename:
            raise ValidationError({"file": _("Choose an .srt or .vtt file to upload.")})
        checked, token = previews.stage(item, lang, data, upload.filename, label, acting_user(),
                                        encoding=request.form.get("encoding") or None)
    except ValidationError as exc:
        return _manage_page(item, exc.errors, request.form), 422
    return _preview_page(item, checked, token, label)


def _manage_page(item: Item, errors: dict, form=None) -> str:
    return render_template("subtitles/manage.html", item=item, tracks=operations.tracks_of(item), errors=errors,
                           form=form, encodings=encoding_choices())


def _preview_page(item: Item, checked: operations.Upload, token: str, label: str) -> str:
    replaces = next((t for t in operations.tracks_of(item) if t.lang == checked.lang), None)
    return render_template("subtitles/preview.html", item=item, report=operations.report(checked.parsed),
                           upload=checked, token=token, replaces=replaces, label=label,
                           sample=checked.parsed.cues[:5], encodings=encoding_choices())


@bp.post("/manage/items/<int:item_id>/subtitles/confirm")
@require(STAFF)
def confirm(item_id: int):
    """Save the previewed file as a track, read it again in a chosen encoding, or discard it (cancel)."""
    item = db.get_or_404(Item, item_id)
    action = request.form.get("action")
    token = request.form.get("token", "")
    try:
        if action == "reread":
            checked, token, label = previews.reread(item, token, acting_user(), request.form.get("encoding") or None)
            return _preview_page(item, checked, token, label)
        saved = previews.confirm(item, token, acting_user(), save=action != "cancel")
    except previews.PreviewRefused as exc:
        abort(400, description=str(exc))
    except (ValidationError, operations.UploadInProgress) as exc:
        flash("; ".join(exc.errors.values()) if isinstance(exc, ValidationError) else str(exc), "error")
        return redirect(url_for("subtitles.manage", item_id=item.id))
    if saved is None:
        flash(_("The file was not saved."), "success")
    else:
        track, report = saved
        flash(ngettext("Saved the %(language)s subtitles: %(count)s cue. They will be searchable in a moment.",
                       "Saved the %(language)s subtitles: %(count)s cues. They will be searchable in a moment.",
                       report["cues"], language=language_name(track.lang, capitalise=False), count=number(report["cues"])),
              "success")
    return redirect(url_for("subtitles.manage", item_id=item.id))


@bp.post("/manage/items/<int:item_id>/subtitles/<int:track_id>/delete")
@require(STAFF)
def delete(item_id: int, track_id: int):
    """Delete a track."""
    item = db.get_or_404(Item, item_id)
    track = _track_or_404(item, track_id)
    lang = track.lang
    operations.delete_track(track)
    flash(_("Deleted the %(language)s subtitles.", language=language_name(lang, capitalise=False)), "success")
    return redirect(url_for("subtitles.manage", item_id=item.id))



def init_app(app: Flask) -> None:
    """Give the item page's player the item's subtitle tracks; let pages write tracks' facts the local way."""
    item_page.add_part("subtitle_tracks", lambda item, user: operations.player_tracks(item))
    app.jinja_env.filters.update(track_source=track_source, timecode=timecode, encoding_name=encoding_name,
                                 warning_text=warning_text)
