"""Which stored objects screening rows point at: attendance-report photos."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from sqlalchemy import select

from archive.deletions.operations import HeldObject, add_holder
from archive.extensions import db
from archive.screenings.models import ReportPhoto, Screening, ScreeningReport
from archive.storage.records import Keeper, add_keeper


def objects_of_item(item_id: int) -> Iterator[HeldObject]:
    """Report photos of the item's screenings: the database removes the screenings with the item."""
    query = (
        select(ReportPhoto)
        .join(ScreeningReport, ReportPhoto.report_id == ScreeningReport.id)
        .join(Screening, ScreeningReport.screening_id == Screening.id)
        .where(Screening.item_id == item_id)
        .order_by(ReportPhoto.id)
    )
    for photo in db.session.scalars(query):
        yield HeldObject("report_photo", photo.storage_key, photo.sha256, photo.size)


def recorded_keys() -> Iterator[str]:
    """Every key a report photo row points at."""
    yield from db.session.scalars(select(ReportPhoto.storage_key))


def holds(key: str) -> bool:
    """Whether a report photo row points at ``key``."""
    return db.session.scalar(select(ReportPhoto.id).where(ReportPhoto.storage_key == key).limit(1)) is not None


def init_app(app: Flask) -> None:
    """Tell storage and deletions which objects are screenings'."""
    add_keeper(app, Keeper("screenings", recorded_keys, holds))
    add_holder("screenings", objects_of_item)
