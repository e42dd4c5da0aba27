"""The storage audit: objects no row points at, and rows whose object is gone.

Objects with no row are what a crash, an outage or an old bug left behind; ``purge_unrecorded``
deletes them. Never deleted: objects a keeper spares (subtitle previews waiting less than a day
to be saved) and objects younger than ``GRACE``, which may be an upload whose row is about to be
written. Rows with no object are only reported: that is lost data, for fixity and backups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from archive.storage import StorageError, get_storage, records
from archive.timeutil import utcnow

# Longer than any upload or derivative takes between storing its object and committing its row.
GRACE = timedelta(hours=1)


class NoKeepers(StorageError):
    """No feature told storage which keys it holds: an audit would take every object for an orphan."""


@dataclass
class AuditReport:
    """What the audit found."""

    objects: int = 0
    rows: int = 0
    unrecorded: list[str] = field(default_factory=list)  # objects with no row: safe to purge
    spared: list[str] = field(default_factory=list)  # objects with no row that are left alone for now
    missing: list[tuple[str, str]] = field(default_factory=list)  # (key, keeper) of rows with no object


def _young(key: str, now: datetime) -> bool:
    try:
        return get_storage().modified_at(key) > now - GRACE
    except StorageError:  # cannot tell: leave it alone
        return True


def audit(now: datetime | None = None) -> AuditReport:
    """Compare every stored object with every row that points at one."""
    if not records.keepers():
        raise NoKeepers("No feature has registered its stored objects; the audit cannot tell orphans from records.")
    now = now or utcnow()
    recorded = records.recorded_keys()
    stored = set(get_storage().list(""))
    report = AuditReport(objects=len(stored), rows=len(recorded))
    for key in sorted(stored - recorded.keys()):
        if records.is_spared(key, now) or _young(key, now):
            report.spared.append(key)
        else:
            report.unrecorded.append(key)
    report.missing = sorted((key, keeper) for key, keeper in recorded.items() if key not in stored)
    return report


def purge_unrecorded(report: AuditReport) -> tuple[list[str], list[tuple[str, str]]]:
    """Delete the objects the audit found with no row; returns those deleted and (key, reason) of failures."""
    storage = get_storage()
    deleted, failed = [], []
    for key in report.unrecorded:
        if records.is_recorded(key):  # a row appeared since the audit looked
            continue
        try:
            storage.delete(key)
        except StorageError as exc:
            failed.append((key, str(exc)))
        else:
            deleted.append(key)
    return deleted, failed
