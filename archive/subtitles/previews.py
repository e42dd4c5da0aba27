"""Subtitle previews: an uploaded file waits in storage, under a signed token, until the archivist saves it.

The archivist first sees what was read from the file (cues, encoding, warnings), then saves or
discards it. The waiting file lives under ``subtitles/pending/<UTC hour>/`` so that a periodic job
can sweep the previews nobody confirmed, without a database row for each.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from archive.catalogue.models import Item
from archive.errors import ActionableError, ValidationError
from archive.storage import ObjectMissing, StorageError, get_storage
from archive.subtitles.models import SubtitleTrack
from archive.subtitles.operations import Upload, check_upload, clean_label, create_track
from archive.timeutil import utcnow

log = logging.getLogger(__name__)

PREFIX = "subtitles/pending"
TOKEN_SECONDS = 3600  # how long the preview page's Save button works
KEEP = timedelta(days=1)  # unconfirmed previews older than this are swept
_HOUR_FORMAT = "%Y%m%d%H"


class PreviewRefused(ActionableError):
    """A save request whose token was altered or belongs to someone else's upload."""

    status = 400
    code = "bad_preview"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="subtitle-upload")


def stage(item: Item, lang, data: bytes, filename: str | None, label: str, user,
          encoding: str | None = None) -> tuple[Upload, str]:
    """Check the file and keep it until it is confirmed; returns what was read and the token that saves it.

    ``encoding`` overrides the guess; bytes that fit no encoding are shown replaced, for the archivist to judge.
    """
    checked = check_upload(item, lang, data, filename, encoding=encoding, replaced_ok=True)
    label = clean_label(label)
    prefix = f"{PREFIX}/{utcnow().strftime(_HOUR_FORMAT)}"
    stored = get_storage().save(io.BytesIO(data), prefix=prefix, content_type="application/octet-stream")
    return checked, _token(stored.key, item, checked, label, user, encoding)


def _token(key: str, item: Item, checked: Upload, label: str, user, encoding: str | None) -> str:
    return _signer().dumps({"key": key, "item": item.id, "lang": checked.lang, "label": label[:100],
                            "filename": checked.filename, "user": user.id, "encoding": encoding or None})


def _pending(item: Item, token: str, user) -> dict:
    try:
        pending = _signer().loads(token or "", max_age=TOKEN_SECONDS)
    except SignatureExpired:
        raise ValidationError({"token": _("That preview is more than an hour old; upload the file again.")}) from None
    except BadSignature:
        raise PreviewRefused(_("The upload form was altered or is incomplete; upload the file again.")) from None
    if pending.get("item") != item.id or pending.get("user") != user.id:
        raise PreviewRefused(_("This preview belongs to another upload; upload the file again."))
    return pending


def reread(item: Item, token: str, user, encoding: str | None) -> tuple[Upload, str, str]:
    """Read the waiting file again in the encoding the archivist chose; returns what was read, a new token, the label."""
    pending = _pending(item, token, user)
    try:
        with get_storage().open(pending["key"]) as handle:
            data = handle.read()
    except ObjectMissing:
        raise ValidationError({"token": _("That preview was already saved or discarded.")}) from None
    checked = check_upload(item, pending["lang"], data, pending["filename"], encoding=encoding, replaced_ok=True)
    return checked, _token(pending["key"], item, checked, pending["label"], user, encoding), pending["label"]


def confirm(item: Item, token: str, user, *, save: bool) -> tuple[SubtitleTrack, dict] | None:
    """Save the previewed file as a track (None when ``save`` is false: it is discarded).

    An expired or already used preview raises ValidationError; an altered token, PreviewRefused.
    The waiting file is removed either way.
    """
    pending = _pending(item, token, user)
    storage = get_storage()
    try:
        if not save:
            return None
        with storage.open(pending["key"]) as handle:
            data = handle.read()
        return create_track(item, pending["lang"], data, pending["filename"], label=pending["label"],
                            created_by=user, encoding=pending.get("encoding"), replaced_ok=True)
    except ObjectMissing:
        raise ValidationError({"token": _("That preview was already saved or discarded.")}) from None
    finally:
        storage.delete(pending["key"])


def sweep(now: datetime | None = None) -> int:
    """Delete previews older than ``KEEP`` that nobody saved or discarded; returns how many went."""
    cutoff = (now or utcnow()) - KEEP
    storage = get_storage()
    removed = 0
    for key in list(storage.list(PREFIX + "/")):
        if staged_at(key) >= cutoff:
            continue
        try:
            storage.delete(key)
            removed += 1
        except StorageError:  # tried again at the next sweep
            log.warning("Could not delete the stale subtitle preview %s", key)
    return removed


def staged_at(key: str) -> datetime:
    """The hour a preview was staged, from its key; keys of an older layout count as old."""
    stamp = key[len(PREFIX) + 1:].split("/", 1)[0]
    try:
        # The hour folder is the start of the hour: count the preview as made at its end.
        return datetime.strptime(stamp, _HOUR_FORMAT) + timedelta(hours=1)
    except ValueError:
        return datetime.min
