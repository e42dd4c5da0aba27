"""Which stored objects subtitle rows point at, and which waiting previews must be left alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from archive.deletions.operations import HeldObject, add_holder
from archive.extensions import db
from archive.storage import StorageError, get_storage
from archive.storage.records import Keeper, add_keeper
from archive.subtitles import previews
from archive.subtitles.models import SubtitleTrack


def objects_of_item(item_id: int) -> Iterator[HeldObject]:
    """The WebVTT file of each of an item's tracks, with its checksum and size as storage knows them."""
    storage = get_storage()
    for key in db.session.scalars(select(SubtitleTrack.vtt_key).where(SubtitleTrack.item_id == item_id)):
        try:
            sha256, size = storage.sha256_of(key), storage.size(key)
        except StorageError:  # gone already, or storage is down: the purge still deletes the key
            sha256, size = None, None
        yield HeldObject("subtitles", key, sha256, size)


def recorded_keys() -> Iterator[str]:
    """Every key a track row points at."""
    yield from db.session.scalars(select(SubtitleTrack.vtt_key))


def holds(key: str) -> bool:
    """Whether a track row points at ``key``."""
    return db.session.scalar(select(SubtitleTrack.id).where(SubtitleTrack.vtt_key == key).limit(1)) is not None


def spares(key: str, now: datetime) -> bool:
    """A preview waiting to be saved has no row yet; it is the preview sweep's until a day has passed."""
    return key.startswith(previews.PREFIX + "/") and previews.staged_at(key) >= now - previews.KEEP


def init_app(app: Flask) -> None:
    """Tell storage and deletions which objects are subtitles'."""
    add_keeper(app, Keeper("subtitles", recorded_keys, holds, spares))
    add_holder("subtitles", objects_of_item)
