"""``backup`` and ``restore``: the steps, in the order that keeps a backup consistent and a restore checked.

Both report what they are doing through a ``Progress`` (the CLI draws bars on standard error), so
long steps (hashing objects, verifying a bucket) show how far they have come.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask import current_app

from archive.backup import database
from archive.backup.layout import (
    MANIFEST,
    BackupError,
    Entry,
    prepare_destination,
    read_description,
    read_manifest,
    safe_settings,
    write_description,
    write_manifest,
)
from archive.storage import StorageError, get_storage, records
from archive.storage.base import CHUNK_SIZE
from archive.timeutil import utcnow

T = TypeVar("T")


class Progress(Protocol):
    """Where the steps report: a line per step, and a bar over a long loop."""

    def step(self, message: str) -> None:
        """Say which step starts."""

    def bar(self, items: Iterable[T], length: int, label: str) -> Iterator[T]:
        """Yield ``items``, showing how many of ``length`` are done."""


class Quiet:
    """A progress that shows nothing (for code that calls the operations directly)."""

    def step(self, message: str) -> None:
        """Say nothing."""

    def bar(self, items: Iterable[T], length: int, label: str) -> Iterator[T]:
        """Yield the items."""
        yield from items


@dataclass
class BackupReport:
    """What a backup wrote."""

    objects: int = 0
    bytes: int = 0
    unrecorded_hashes: int = 0  # objects with no SHA-256 recorded at save, hashed now
    missing: list[tuple[str, str]] = field(default_factory=list)  # (key, keeper) of rows whose object is gone


@dataclass
class RestoreReport:
    """What a restore found; ``problems`` is non-zero when the instance differs from the backup."""

    objects: int = 0
    verified: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, str]] = field(default_factory=list)  # (key, what differs)
    extra: int = 0  # objects in storage the manifest does not list (left alone)
    index: dict[str, int] = field(default_factory=dict)
    upgraded_from: str | None = None
    settings_differ: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        """How many objects are missing or differ."""
        return len(self.missing) + len(self.mismatched)


def backup(dest: Path, progress: Progress | None = None) -> BackupReport:
    """Write a consistent backup into the new or empty folder ``dest``; on failure leave nothing behind."""
    progress = progress or Quiet()
    created = prepare_destination(dest)
    try:
        return _write_backup(dest, progress)
    except BaseException:
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _write_backup(dest: Path, progress: Progress) -> BackupReport:
    report = BackupReport()
    storage = get_storage()
    progress.step(f"Dumping the {database.dialect()} database")
    with database.dumped(dest) as dump_file:
        revision = database.revision()
        # Read in the dump's snapshot: every key a dumped row points at.
        recorded = records.recorded_keys()
        progress.step("Listing stored objects")
        try:
            keys = sorted(storage.list(""))
        except StorageError as exc:
            raise BackupError(f"Cannot list the stored objects: {exc}") from None
    stored = set(keys)
    report.missing = sorted((key, keeper) for key, keeper in recorded.items() if key not in stored)

    def entries() -> Iterator[Entry]:
        for key in progress.bar(keys, len(keys), "Recording objects"):
            try:
                size = storage.size(key)
                sha256 = storage.sha256_of(key)
                if sha256 is None:
                    report.unrecorded_hashes += 1
                    sha256 = _hash(key)
            except StorageError as exc:
                raise BackupError(f"Cannot read stored object {key}: {exc}") from None
            yield Entry(key, size, sha256, recorded.get(key))

    manifest = write_manifest(dest / MANIFEST, entries())
    report.objects, report.bytes = manifest["objects"], manifest["bytes"]
    write_description(dest, {
        "created_at": utcnow().isoformat() + "Z",
        "database": {"dialect": database.dialect(), "file": dump_file, "revision": revision},
        "manifest": manifest,
        "storage": {"url": current_app.config.get("STORAGE_URL")},
        "settings": safe_settings(current_app.config),
        "missing_at_backup": [key for key, _ in report.missing],
    })
    return report


def _hash(key: str) -> str:
    digest = hashlib.sha256()
    for chunk in get_storage().read_range(key, chunk_size=CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()


def check(src: Path) -> tuple[dict[str, Any], list[Entry]]:
    """Read and check a backup folder without changing anything."""
    description = read_description(src)
    return description, read_manifest(src, description)


def restore(src: Path, *, overwrite: bool = False, progress: Progress | None = None,
            rebuild_index: Callable[[], dict[str, int]] | None = None) -> RestoreReport:
    """Rebuild this instance from ``src`` and its storage: database, object check, search index."""
    progress = progress or Quiet()
    description, entries = check(src)
    report = RestoreReport(objects=len(entries))
    if not overwrite and not database.is_empty():
        raise BackupError("The database is not empty: restore into an empty database, or pass --overwrite to "
                          "replace everything in it with the backup.")
    current = safe_settings(current_app.config)
    report.settings_differ = sorted(name for name, value in description.get("settings", {}).items()
                                    if current.get(name) != value and name != "ARCHIVE_INSTANCE_PATH")
    progress.step(f"Restoring the {description['database']['dialect']} database")
    database.restore(src, description["database"]["file"], description["database"]["dialect"])
    revision = description["database"].get("revision")
    if revision is not None:
        from flask_migrate import upgrade

        upgrade()
        if database.revision() != revision:
            report.upgraded_from = revision
    _verify(entries, report, progress)
    if rebuild_index is not None:
        progress.step("Rebuilding the search index")
        report.index = rebuild_index()
    return report


def _verify(entries: list[Entry], report: RestoreReport, progress: Progress) -> None:
    """Read every object the manifest lists and compare its size and SHA-256."""
    storage = get_storage()
    for entry in progress.bar(entries, len(entries), "Verifying objects"):
        try:
            if not storage.exists(entry.key):
                report.missing.append(entry.key)
                continue
            size = storage.size(entry.key)
            if size != entry.size:
                report.mismatched.append((entry.key, f"{size} bytes, expected {entry.size}"))
                continue
            found = _hash(entry.key)
        except StorageError as exc:
            report.mismatched.append((entry.key, f"cannot be read: {exc}"))
            continue
        if found != entry.sha256:
            report.mismatched.append((entry.key, f"SHA-256 {found}, expected {entry.sha256}"))
        else:
            report.verified += 1
    try:
        listed = set(storage.list(""))
    except StorageError:
        return
    report.extra = len(listed - {entry.key for entry in entries})
