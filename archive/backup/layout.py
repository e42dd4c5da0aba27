"""What a backup folder holds and how it is checked before anything is restored from it.

A backup is a folder: the database dump, ``manifest.jsonl`` (one stored object a line: key, size,
SHA-256) and ``backup.json``, written last, which names the format version, the dump, the
manifest's object count and SHA-256, and the settings that are not secrets. A folder without
``backup.json`` is a backup that never finished.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from archive.config import SETTINGS

FORMAT = "dialogue-archive-backup"
VERSION = 1
DESCRIPTION = "backup.json"
MANIFEST = "manifest.jsonl"

# Settings that are secrets, or hold them; never written. URLs elsewhere lose their password.
SECRET_SETTINGS = frozenset({"SECRET_KEY"})
URL_SETTINGS = frozenset({"DATABASE_URL", "QUEUE_URL", "RATELIMIT_STORAGE_URL", "SMTP_URL"})
# Not ARCHIVE_* settings, but what a restored instance needs to find the same bucket; never the keys.
ENVIRONMENT = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION", "AWS_REGION")


class BackupError(RuntimeError):
    """A backup cannot be written or read; the message says what to fix."""


@dataclass(frozen=True)
class Entry:
    """One stored object of the manifest."""

    key: str
    size: int
    sha256: str
    recorded: str | None  # the feature whose row points at it, None for an object no row names


def prepare_destination(dest: Path) -> bool:
    """Make sure ``dest`` is an empty folder we may write to; return whether it was created here."""
    if dest.exists() and not dest.is_dir():
        raise BackupError(f"{dest} is a file, not a folder: name a new or empty folder for the backup.")
    if dest.is_dir() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: name a new or empty folder, so no older backup is mixed in or overwritten.")
    created = not dest.exists()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        probe = dest / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BackupError(f"Cannot write to {dest}: {exc.strerror or exc}. Choose a folder this user may write to.") from None
    return created


def safe_settings(config: dict[str, Any], environ: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, str]:
    """The settings worth keeping with a backup, as text: no secret key, no passwords, no access keys."""
    kept: dict[str, str] = {}
    for key in sorted(SETTINGS):
        value = config.get(key)
        if key in SECRET_SETTINGS or value is None:
            continue
        if key in URL_SETTINGS:
            value = without_password(str(value))
        elif isinstance(value, tuple | list):
            value = ",".join(str(part) for part in value)
        kept["ARCHIVE_" + key] = str(value)
    for name in ENVIRONMENT:
        if environ.get(name):
            kept[name] = environ[name]
    return kept


def without_password(url: str) -> str:
    """``url`` with any password taken out of its user part (``scheme://user@host...``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.netloc.rpartition("@")[0].partition(":")[0]
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def write_manifest(path: Path, entries: Iterator[Entry]) -> dict[str, Any]:
    """Write the manifest, one JSON object a line; return its count, total bytes and SHA-256."""
    digest, count, total = hashlib.sha256(), 0, 0
    with open(path, "wb") as handle:
        for entry in entries:
            line = (json.dumps({"key": entry.key, "size": entry.size, "sha256": entry.sha256,
                                "recorded": entry.recorded}, sort_keys=True) + "\n").encode()
            handle.write(line)
            digest.update(line)
            count, total = count + 1, total + entry.size
        handle.flush()
        os.fsync(handle.fileno())
    return {"file": MANIFEST, "objects": count, "bytes": total, "sha256": digest.hexdigest()}


def write_description(dest: Path, description: dict[str, Any]) -> None:
    """Write ``backup.json`` last and atomically: its presence marks a complete backup."""
    temporary = dest / (DESCRIPTION + ".tmp")
    with open(temporary, "w") as handle:
        json.dump({"format": FORMAT, "version": VERSION, **description}, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, dest / DESCRIPTION)


def read_description(src: Path) -> dict[str, Any]:
    """Read and check ``backup.json``: the format, its version, and that the files it names are there."""
    if not src.is_dir():
        raise BackupError(f"{src} is not a folder: name the folder `flask backup` wrote.")
    path = src / DESCRIPTION
    if not path.is_file():
        raise BackupError(f"{src} holds no {DESCRIPTION}: it is not a backup, or its backup never finished. "
                          "Name a complete backup folder.")
    try:
        description = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is damaged ({exc}); restore from another copy of the backup.") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise BackupError(f"{path} does not describe a Dialogue Archive backup.")
    version = description.get("version")
    if version != VERSION:
        raise BackupError(f"{path} is in backup format version {version!r}; this version of the archive reads "
                          f"version {VERSION} only. Restore with the archive version that made it.")
    for part in ("database", "manifest"):
        if not isinstance(description.get(part), dict) or not description[part].get("file"):
            raise BackupError(f"{path} names no {part} file; the backup is damaged.")
        if not (src / description[part]["file"]).is_file():
            raise BackupError(f"The backup's {part} file {src / description[part]['file']} is missing; "
                              "restore from a complete copy of the backup.")
    return description


def read_manifest(src: Path, description: dict[str, Any]) -> list[Entry]:
    """Read every manifest entry, refusing a manifest that is truncated, altered or malformed."""
    expected = description["manifest"]
    path = src / expected["file"]
    data = path.read_bytes()
    entries: list[Entry] = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            row = json.loads(line)
            entries.append(Entry(str(row["key"]), int(row["size"]), str(row["sha256"]), row.get("recorded")))
        except (ValueError, KeyError, TypeError):
            raise BackupError(f"{path} line {number} is not a manifest entry: the manifest is damaged or truncated. "
                              "Restore from another copy of the backup.") from None
    if len(entries) != expected.get("objects") or hashlib.sha256(data).hexdigest() != expected.get("sha256"):
        raise BackupError(f"{path} holds {len(entries)} object(s) where the backup recorded {expected.get('objects')}, "
                          "or its checksum differs: the manifest is truncated or altered. "
                          "Restore from another copy of the backup.")
    return entries
