"""Which stored objects media rows point at: for the audit, for links, and for purging a deleted item."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from sqlalchemy import select

from archive.deletions.operations import HeldObject, add_holder
from archive.extensions import db
from archive.media.models import Derivative, MediaFile
from archive.storage.records import Keeper, add_keeper


def objects_of_item(item_id: int) -> Iterator[HeldObject]:
    """Every original and derivative (storyboard sheets included) of an item's media."""
    for media in db.session.scalars(select(MediaFile).where(MediaFile.item_id == item_id).order_by(MediaFile.id)):
        yield HeldObject("original", media.storage_key, media.sha256, media.size)
        for derivative in media.derivatives:
            yield HeldObject(derivative.kind, derivative.storage_key, derivative.sha256, derivative.size)


def recorded_keys() -> Iterator[str]:
    """Every key a media or derivative row points at."""
    yield from db.session.scalars(select(MediaFile.storage_key))
    yield from db.session.scalars(select(Derivative.storage_key))


def holds(key: str) -> bool:
    """Whether a media or derivative row points at ``key``."""
    return (
        db.session.scalar(select(MediaFile.id).where(MediaFile.storage_key == key).limit(1)) is not None
        or db.session.scalar(select(Derivative.id).where(Derivative.storage_key == key).limit(1)) is not None
    )


def init_app(app: Flask) -> None:
    """Tell storage and deletions which objects are media's."""
    add_keeper(app, Keeper("media", recorded_keys, holds))
    add_holder("media", objects_of_item)
