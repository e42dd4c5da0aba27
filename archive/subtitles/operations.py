"""Subtitle rules: check a file, save it as a track (cues in the database, WebVTT in storage),
replace or delete tracks, and describe them for pages and the API.

A track is written completely or not at all: the WebVTT object is stored first, the rows are
committed after, and the object is removed again if the commit fails.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from archive import signals
from archive.catalogue.models import Item
from archive.errors import ActionableError, ValidationError
from archive.extensions import db
from archive.i18n.formats import file_size
from archive.i18n.names import language_name
from archive.signals import announce
from archive.storage import get_storage
from archive.subtitles.formats import to_vtt
from archive.subtitles.languages import mismatch_warning
from archive.subtitles.messages import place, warning_text
from archive.subtitles.models import Cue, SubtitleTrack
from archive.subtitles.parsing import ENCODING_CHOICES, ParsedSubtitles, encoding_name, parse, timecode
from archive.validation import language_tag, raise_if_any, text

log = logging.getLogger(__name__)


class UploadInProgress(ActionableError):
    """Another save of the same item's subtitles held the item too long; trying again works."""

    status = 409
    code = "upload_in_progress"

MAX_SUBTITLE_BYTES = 8 * 1024 * 1024
MAX_LABEL = 100
VTT_TYPE = "text/vtt; charset=utf-8"


@dataclass
class Upload:
    """A checked subtitle file, ready to be saved: its language, name and what was read from it."""

    lang: str
    filename: str
    parsed: ParsedSubtitles


def check_upload(item: Item, lang, data: bytes, filename: str | None, *, encoding: str | None = None,
                 replaced_ok: bool = False) -> Upload:
    """Validate the language and read the file; raise ValidationError saying what to fix.

    ``encoding`` overrides the guess. A file some of whose bytes fit no encoding it might be in is
    refused unless the caller chose its encoding or ``replaced_ok`` (the preview page, which shows
    the replaced bytes and lets the archivist choose): nothing is saved damaged without a word.
    """
    errors = {}
    if item.kind != "film":
        errors["item"] = _("Subtitles belong to films; this item is a photograph.")
    try:
        lang = language_tag(lang)
    except ValueError as exc:
        errors["lang"] = str(exc)
    if len(data) > MAX_SUBTITLE_BYTES:
        errors["file"] = _("The file is %(size)s; subtitle files are far smaller (limit %(limit)s). Check that it "
                           "is an .srt or .vtt file.", size=file_size(len(data)), limit=file_size(MAX_SUBTITLE_BYTES))
    if errors:
        raise ValidationError(errors)
    encoding = (encoding.strip() or None) if isinstance(encoding, str) else None
    parsed = parse(data, duration=item.duration_seconds, encoding=encoding)
    if not parsed.decoded_cleanly and encoding is None and not replaced_ok:
        raise ValidationError({"encoding": _undecodable_message(parsed)})
    mismatch = mismatch_warning(lang, [cue.plain for cue in parsed.cues])
    if mismatch is not None:
        parsed.warnings.append(mismatch)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()[:255]  # a display name: no controls
    return Upload(lang, name, parsed)


def clean_label(label) -> str:
    """A track's label as one line of text of at most MAX_LABEL characters; ValidationError otherwise."""
    errors: dict[str, str] = {}
    cleaned = text(label, "label", errors, limit=MAX_LABEL)
    raise_if_any(errors)
    return cleaned


def _undecodable_message(parsed: ParsedSubtitles) -> str:
    found = next((w for w in parsed.warnings if w["code"] == "undecodable"), {"count": 0, "where": []})
    where = ", ".join(place(spot) for spot in found["where"]) + (" …" if found["count"] > len(found["where"]) else "")
    return _("Some bytes of this file fit no encoding it might be in: read as %(encoding)s, they would turn into "
             "\ufffd on %(where)s. Say which encoding the file is in with ?encoding= (one of %(choices)s), or save "
             "it again as UTF-8.", encoding=encoding_name(parsed.encoding), where=where,
             choices=", ".join(ENCODING_CHOICES))


def report(parsed: ParsedSubtitles) -> dict:
    """What an archivist sees before saving: cues, time span, encoding, format, warnings."""
    return {
        "cues": len(parsed.cues),
        "first_start": parsed.first_start,
        "last_end": parsed.last_end,
        "span": f"{timecode(parsed.first_start)} – {timecode(parsed.last_end)}",
        "encoding": parsed.encoding,
        "encoding_name": encoding_name(parsed.encoding),
        "format": parsed.source_format,
        "warnings": parsed.warnings,
    }


def save_track(item: Item, upload: Upload, *, source: str = "upload", label: str = "", created_by=None) -> SubtitleTrack:
    """Store a checked upload as the item's track for its language, replacing any earlier one.

    Uploads to one item take turns (a lock on the item row; SQLite's write lock), so parallel
    uploads of one language each replace the one before; one that cannot get its turn raises
    UploadInProgress (409), and its WebVTT object is removed again.
    """
    label = clean_label(label)
    parsed = upload.parsed
    stored = get_storage().save(
        io.BytesIO(to_vtt(parsed.cues).encode("utf-8")), prefix="subtitles", content_type=VTT_TYPE
    )
    try:
        _take_turn(item.id)
        previous = db.session.scalar(
            select(SubtitleTrack).where(SubtitleTrack.item_id == item.id, SubtitleTrack.lang == upload.lang)
            .execution_options(populate_existing=True)
        )
        replaced = (previous.id, previous.vtt_key) if previous is not None else None
        if previous is not None:
            db.session.delete(previous)
            db.session.flush()
        track = SubtitleTrack(
            item_id=item.id, lang=upload.lang, label=label, source=source,
            filename=upload.filename, source_format=parsed.source_format, encoding=parsed.encoding,
            vtt_key=stored.key, cue_count=len(parsed.cues), first_start=parsed.first_start,
            last_end=parsed.last_end, warnings=parsed.warnings, created_by_id=getattr(created_by, "id", None),
        )
        db.session.add(track)
        db.session.flush()
        db.session.execute(
            insert(Cue),
            [
                {"track_id": track.id, "position": n, "start": c.start, "end": c.end, "text": c.text, "plain": c.plain}
                for n, c in enumerate(parsed.cues)
            ],
        )
        announce(db.session, signals.track_saved, track_id=track.id, item_id=item.id,
                 replaces=replaced[0] if replaced else None)
        # The caller reports the track as saved even if a parallel upload replaces it the moment the
        # lock is released: detached, it keeps what was written instead of reloading a deleted row.
        db.session.expunge(track)
        db.session.commit()
    except (IntegrityError, StaleDataError, ObjectDeletedError, OperationalError) as exc:
        db.session.rollback()
        get_storage().delete(stored.key)
        if isinstance(exc, OperationalError) and not _is_lock_conflict(exc):
            raise
        raise UploadInProgress(_("Another upload of %(lang)s subtitles for this item is being saved at this "
                                 "moment; try again.", lang=upload.lang)) from None
    except Exception:
        db.session.rollback()
        get_storage().delete(stored.key)
        raise
    if replaced is not None:
        _forget_object(replaced[1])
    return track


def _take_turn(item_id: int) -> None:
    """Hold the item until the transaction ends, so saves of its tracks never interleave."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        # The driver opens a transaction only on a write; BEGIN IMMEDIATE takes the write lock now.
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        db.session.execute(select(Item.id).where(Item.id == item_id).with_for_update())


def _is_lock_conflict(exc: OperationalError) -> bool:
    """A lock wait that timed out or a deadlock, not an outage."""
    state = getattr(exc.orig, "sqlstate", None)
    return state in {"40P01", "40001", "55P03"} or "database is locked" in str(exc.orig)


def create_track(item: Item, lang, data: bytes, filename: str | None, *, source: str = "upload",
                 label: str = "", created_by=None, encoding: str | None = None,
                 replaced_ok: bool = False) -> tuple[SubtitleTrack, dict]:
    """Check and save a subtitle file in one step; returns the track and its report."""
    upload = check_upload(item, lang, data, filename, encoding=encoding, replaced_ok=replaced_ok)
    track = save_track(item, upload, source=source, label=label, created_by=created_by)
    return track, report(upload.parsed)


def attach_embedded_track(item: Item, lang, data: bytes, filename: str | None = None,
                          label: str = "") -> SubtitleTrack | None:
    """Save a track extracted from the film; an archivist's upload for that language is kept instead (None)."""
    try:
        tag = language_tag(lang or "und")
    except ValueError:
        tag = "und"
    existing = db.session.scalar(
        select(SubtitleTrack).where(SubtitleTrack.item_id == item.id, SubtitleTrack.lang == tag)
    )
    if existing is not None and existing.source == "upload":
        return None
    # No one is there to choose an encoding: bytes that fit none are kept as U+FFFD, with the warning.
    track, _ = create_track(item, tag, data, filename, source="embedded", label=label, replaced_ok=True)
    return track


def delete_track(track: SubtitleTrack) -> None:
    """Delete a track, its cues and its WebVTT file, and take it out of the index."""
    track_id, item_id, key = track.id, track.item_id, track.vtt_key
    db.session.delete(track)
    announce(db.session, signals.track_deleted, track_id=track_id, item_id=item_id)
    db.session.commit()
    _forget_object(key)


def _forget_object(key: str) -> None:
    try:
        get_storage().delete(key)
    except Exception:  # an orphaned file wastes space but harms no one; the row is already gone
        log.exception("Could not delete subtitle file %s", key)


def tracks_of(item: Item) -> list[SubtitleTrack]:
    """An item's subtitle tracks, by language."""
    return list(db.session.scalars(
        select(SubtitleTrack).where(SubtitleTrack.item_id == item.id).order_by(SubtitleTrack.lang)
    ))


def track_label(track: SubtitleTrack) -> str:
    """What a track is called: the archivist's label, else its language's name in the interface language."""
    return track.label or language_name(track.lang)


def shown_warnings(warnings: list[dict] | None) -> list[dict]:
    """Kept warnings with their messages in the reader's language."""
    return [{**warning, "message": warning_text(warning)} for warning in warnings or []]


def track_json(track: SubtitleTrack) -> dict:
    """A track as the API shows it, with the link to its WebVTT file."""
    return {
        "id": track.id,
        "lang": track.lang,
        "label": track_label(track),
        "source": track.source,
        "cues": track.cue_count,
        "first_start": track.first_start,
        "last_end": track.last_end,
        "encoding": track.encoding,
        "format": track.source_format,
        "warnings": shown_warnings(track.warnings),
        "vtt_url": url_for("subtitles.vtt", item_id=track.item_id, track_id=track.id, _external=True),
    }


def tracks_json(item: Item) -> list[dict]:
    """All of an item's tracks for ``GET /api/v1/items/<id>``."""
    return [track_json(track) for track in tracks_of(item)]


def cues_of(track: SubtitleTrack) -> list[Cue]:
    """A track's cues in time order."""
    return list(db.session.scalars(select(Cue).where(Cue.track_id == track.id).order_by(Cue.position)))


def vtt_bytes(track: SubtitleTrack) -> bytes:
    """The stored WebVTT file of a track."""
    with get_storage().open(track.vtt_key) as handle:
        return handle.read()


def player_tracks(item: Item) -> list[dict]:
    """``<track>`` entries for the item page's player: language, label and WebVTT link."""
    return [
        {"lang": track.lang, "label": track_label(track),
         "url": url_for("subtitles.vtt", item_id=item.id, track_id=track.id)}
        for track in tracks_of(item)
    ]
