"""Deleting means gone: record an item's stored objects as it is deleted, then purge them for sure.

Features that store objects for an item (media, subtitles, screening reports) add a *holder* at
start-up: ``holder(item_id)`` lists the objects its rows point at. When the catalogue announces
``item_deleting`` (inside the deleting transaction, before the rows go) the deletion record and a
``purge_objects`` job are written in that same transaction, so either the item is deleted and its
objects are certain to be purged, or nothing happened at all.

The purge deletes each object and asks storage whether it is really gone. An object storage could
not delete keeps its error and fails the job with the reason; the periodic ``resume_purges`` job
queues it again until storage confirms every object gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from archive import signals
from archive.deletions.models import DeletedObject, Deletion
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import JobFailed, enqueue_with, retry
from archive.storage import StorageError, get_storage
from archive.timeutil import utcnow

log = logging.getLogger(__name__)

PURGE_JOB = "purge_objects"
RESUME_JOB = "resume_purges"


@dataclass(frozen=True)
class HeldObject:
    """A stored object a row points at: what it is, its key, and its checksum and size when known."""

    role: str
    key: str
    sha256: str | None = None
    size: int | None = None


Holder = Callable[[int], Iterable[HeldObject]]
_HOLDERS: dict[str, Holder] = {}


def add_holder(name: str, holder: Holder) -> None:
    """Have ``holder(item_id)`` list the objects of ``name`` to purge when an item is deleted."""
    _HOLDERS[name] = holder


def record_deletion(item_id: int, item_kind: str, deleted_by=None) -> Deletion:
    """Write the deletion record with every object held for the item, and queue their purge.

    Runs inside the caller's transaction: nothing is committed here.
    """
    deletion = Deletion(
        item_id=item_id, item_kind=item_kind, deleted_by_id=getattr(deleted_by, "id", None),
        deleted_by_email=getattr(deleted_by, "email", "") or "", deleted_at=utcnow(),
    )
    for holder in _HOLDERS.values():
        for held in holder(item_id):
            deletion.objects.append(
                DeletedObject(role=held.role, storage_key=held.key, sha256=held.sha256, size=held.size)
            )
    if not deletion.objects:
        deletion.status, deletion.purged_at = "purged", deletion.deleted_at
    db.session.add(deletion)
    db.session.flush()
    if deletion.objects:
        enqueue_with(db.session, PURGE_JOB, {"deletion_id": deletion.id})
    return deletion


def _on_item_deleting(sender, *, item_id: int, item_kind: str, deleted_by=None, **extra) -> None:
    record_deletion(item_id, item_kind, deleted_by)


def purge(deletion_id: int, progress: Callable[[float, str], None] | None = None) -> dict:
    """Delete every object of a deletion not yet confirmed gone; fail with the reason if any remains."""
    deletion = db.session.get(Deletion, deletion_id)
    if deletion is None:
        raise JobFailed(_("Deletion record %(id)s does not exist; nothing to purge.", id=deletion_id))
    storage = get_storage()
    pending = [obj for obj in deletion.objects if obj.purged_at is None]
    failed: list[DeletedObject] = []
    for number, obj in enumerate(pending):
        try:
            storage.delete(obj.storage_key)
            # Trust only what storage says afterwards: a delete that "worked" but left the object fails.
            if storage.exists(obj.storage_key):
                raise StorageError(_("'%(key)s' is still stored after it was deleted.", key=obj.storage_key))
        except StorageError as exc:
            obj.error = str(exc)[:2000]
            failed.append(obj)
        else:
            obj.purged_at, obj.error = utcnow(), ""
        db.session.commit()  # each confirmed object stays confirmed, whatever happens to the rest
        if progress:
            progress(100 * (number + 1) / len(pending),
                     _("deleted %(done)s of %(all)s", done=number + 1 - len(failed), all=len(pending)))
    if failed:
        raise JobFailed(
            _("%(failed)s of %(all)s stored objects of deleted item %(item)s could not be deleted: %(reason)s "
              "They are tried again automatically every few minutes; once storage is back, "
              "`flask jobs retry --failed` tries at once.",
              failed=len(failed), all=len(deletion.objects), item=deletion.item_id, reason=failed[0].error)
        )
    deletion.status, deletion.purged_at = "purged", utcnow()
    db.session.commit()
    return {"deletion_id": deletion.id, "purged": len(pending), "objects": len(deletion.objects)}


def resume_purges() -> int:
    """Queue again every purge that failed (storage was down); returns how many were queued."""
    failed = db.session.scalars(select(Job).where(Job.kind == PURGE_JOB, Job.status == "failed")).all()
    for job in failed:
        retry(job)
    return len(failed)


def deletions(limit: int = 50) -> list[Deletion]:
    """The newest deletion records."""
    return list(db.session.scalars(select(Deletion).order_by(Deletion.id.desc()).limit(limit)))


def deletion_json(deletion: Deletion) -> dict:
    """A deletion record as staff read it: who, when, which item, each object's checksum, size and fate."""
    return {
        "id": deletion.id,
        "item_id": deletion.item_id,
        "item_kind": deletion.item_kind,
        "deleted_by": deletion.deleted_by_email or None,
        "deleted_at": deletion.deleted_at.isoformat() + "Z",
        "status": deletion.status,
        "purged_at": deletion.purged_at.isoformat() + "Z" if deletion.purged_at else None,
        "objects": [
            {"role": obj.role, "sha256": obj.sha256, "size": obj.size,
             "purged": obj.purged_at is not None, "error": obj.error or None}
            for obj in deletion.objects
        ],
    }


def init_app(app: Flask) -> None:
    """Record every item deletion as it happens."""
    signals.item_deleting.connect(_on_item_deleting)
