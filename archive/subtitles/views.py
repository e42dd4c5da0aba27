"""Subtitle pages: the archivists' upload (report first, then save), deleting, and WebVTT files."""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import pairwise

from flask import Blueprint, Flask, Response, abort, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from archive.auth.permissions import STAFF, acting_user, require
from archive.catalogue import item_page
from archive.catalogue.models import Item
from archive.catalogue.views import visible_item_or_404
from archive.catalogue.visibility import audience_may_see
from archive.errors import ValidationError
from archive.extensions import db
from archive.i18n.formats import number
from archive.i18n.languages import current as current_language
from archive.i18n.names import language_name
from archive.subtitles import operations, previews
from archive.subtitles.decoding import encoding_choices, encoding_name
from archive.subtitles.messages import warning_text
from archive.subtitles.models import Cue, SubtitleTrack
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
    item = visible_item_or_404(item_id)
    track = _track_or_404(item, track_id)
    response = Response(operations.vtt_bytes(track), mimetype="text/vtt")
    response.charset = "utf-8"
    response.cache_control.private = True
    if audience_may_see("public", item):
        # A public film's subtitles are read by IIIF viewers on other sites (a <track> of a
        # cross-origin <video> needs CORS); a partners-only or hidden film's never are.
        response.headers["Access-Control-Allow-Origin"] = "*"
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


# The moment view answers for any second of a film up to this (a day); later or malformed is refused.
MAX_MOMENT_SECONDS = 24 * 3600
# When no cue of a language is on screen at the moment, the nearest one this close (seconds) is shown.
MOMENT_SLACK = 3.0
# The moment view's columns: the archive's languages in this order, then any other by its tag.
MOMENT_ORDER = ("hy", "az", "ru", "en")


def _in_moment_order(tracks: list[SubtitleTrack]) -> list[SubtitleTrack]:
    return sorted(tracks, key=lambda track: (
        MOMENT_ORDER.index(track.lang) if track.lang in MOMENT_ORDER else len(MOMENT_ORDER), track.lang))


def _cues_of(track: SubtitleTrack) -> list[Cue]:
    return list(db.session.scalars(select(Cue).where(Cue.track_id == track.id).order_by(Cue.position)))


def transcript(item: Item, user) -> dict | None:
    """The item page's transcript: every cue of the chosen subtitle language (``?sub=``, else the
    interface language, else the first) and the other languages; the search feature marks the cues
    "search inside" finds for ``?q=`` (its ``inside_hits`` part, keyed by track and cue position)."""
    tracks = operations.tracks_of(item)
    if not tracks or item.kind != "film":
        return None
    by_lang = {track.lang: track for track in tracks}
    asked = request.args.get("sub", "") if has_request_context() else ""
    query = (request.args.get("q", "") if has_request_context() else "").strip()[:500]
    chosen = by_lang.get(asked) or by_lang.get(current_language()) or tracks[0]
    return {
        "track_id": chosen.id,
        "lang": chosen.lang,
        "asked": asked in by_lang,
        "languages": [track.lang for track in _in_moment_order(tracks)],
        "cues": [{"start": cue.start, "end": cue.end, "text": cue.plain, "position": cue.position}
                 for cue in _cues_of(chosen)],
        "query": query,
    }


def moment_seconds(raw: str | None) -> float:
    """``t`` of the moment view as seconds; 400 for anything that is not a plain time of day-long film."""
    if raw is None or not raw.strip():
        abort(400, description=_("Say which moment: add ?t= and a number of seconds."))
    if len(raw) > 20 or "\x00" in raw:
        abort(400, description=_("The moment must be a number of seconds."))
    try:
        seconds = float(raw)
    except ValueError:
        abort(400, description=_("The moment must be a number of seconds."))
    if not math.isfinite(seconds):
        abort(400, description=_("The moment must be a number of seconds."))
    if seconds < 0:
        abort(400, description=_("The moment cannot be before the start of the film."))
    return seconds


def cue_at(cues: list[Cue], seconds: float) -> Cue | None:
    """The cue on screen at ``seconds``, else the nearest one within ``MOMENT_SLACK``."""
    index = bisect_right([cue.start for cue in cues], seconds) - 1
    candidates = [cues[i] for i in (index, index + 1) if 0 <= i < len(cues)]
    for cue in candidates:
        if cue.start <= seconds < cue.end:
            return cue
    def distance(cue: Cue) -> float:
        return cue.start - seconds if cue.start > seconds else seconds - cue.end
    near = [cue for cue in candidates if distance(cue) <= MOMENT_SLACK]
    return min(near, key=distance) if near else None


@bp.get("/items/<int:item_id>/moment")
def moment(item_id: int):
    """What is said at one moment of a film in every subtitle language, side by side."""
    item = visible_item_or_404(item_id)
    seconds = moment_seconds(request.args.get("t"))
    tracks = _in_moment_order(operations.tracks_of(item))
    if item.kind != "film" or not tracks:
        abort(404)
    length = max([item.duration_seconds or 0] + [track.last_end or 0 for track in tracks])
    if seconds > min(length, MAX_MOMENT_SECONDS):
        abort(404, description=_("The film is shorter than that."))
    columns, starts, changes = [], set(), {0.0}
    for track in tracks:
        cues = _cues_of(track)
        starts.update(cue.start for cue in cues)
        changes.update(moment_edges(cues))
        columns.append({"lang": track.lang, "cue": cue_at(cues, seconds)})
    ordered = sorted(starts)
    at = bisect_right(ordered, seconds)
    # "Previous" goes to the line before the one on screen, not back to the start of the same line.
    anchor = min([column["cue"].start for column in columns if column["cue"] and column["cue"].start <= seconds]
                 + [seconds])
    before = [s for s in ordered[:at] if s < anchor - 0.001]
    previous = before[-1] if before else None
    following = next((s for s in ordered[at:] if s > seconds + 0.001), None)
    # While the film plays, the page that shows this moment fetches it again only once it leaves this span.
    edges = sorted(changes)
    span = (edges[bisect_right(edges, seconds) - 1], next((edge for edge in edges if edge > seconds), None))
    return render_template("subtitles/moment.html", item=item, seconds=seconds, columns=columns,
                           previous=previous, following=following, span=span, sub=request.args.get("sub", ""))


def moment_edges(cues: list[Cue]) -> set[float]:
    """The times at which ``cue_at`` may change its choice among ``cues`` (in time order): around each cue,
    and halfway between a cue's end and the next one's start, where the nearer one changes (never before 0)."""
    edges = {edge for cue in cues for edge in (cue.start - MOMENT_SLACK, cue.start, cue.end, cue.end + MOMENT_SLACK)}
    edges.update((before.end + after.start) / 2 for before, after in pairwise(cues) if before.end < after.start)
    return {max(0.0, edge) for edge in edges}


def init_app(app: Flask) -> None:
    """Give the item page's player the item's subtitle tracks; let pages write tracks' facts the local way."""
    item_page.add_part("subtitle_tracks", lambda item, user: operations.player_tracks(item))
    item_page.add_part("transcript", transcript)
    app.jinja_env.filters.update(track_source=track_source, timecode=timecode, encoding_name=encoding_name,
                                 warning_text=warning_text)
