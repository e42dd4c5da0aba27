"""Published index generations in the storage: their table of contents, fetching one, collecting old ones.

With replication on, the index writer publishes every committed generation under ``search-index/``:

- ``search-index/files/..``: the Whoosh files (segments and Whoosh's own ``.toc``), each under a
  generated key. Segment files never change once written, so a file already published is named
  again by the next generation instead of being uploaded twice.
- ``search-index/generations/<number>/..``: one table of contents (TOC) per generation, a small
  JSON document naming each file with its key, size and SHA-256. It is written last, after every
  file it names, so a TOC that can be listed is complete; a writer that dies part-way leaves only
  unnamed files, and the previous generation stays the latest one.

The number in the TOC's key orders generations (as OpenSearch orders its segment metadata files by
name); nothing compares clocks. Readers list the TOCs and take the highest one they can fetch whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime

from archive.storage import ObjectMissing, Storage, StorageError

log = logging.getLogger(__name__)

PREFIX = "search-index"
FILES_PREFIX = f"{PREFIX}/files"
GENERATIONS_PREFIX = f"{PREFIX}/generations"
FORMAT = 1
MANIFEST = "generation.json"  # the TOC, kept beside the files of a local copy
TOC_MAX_BYTES = 4 * 1024 * 1024
_TOC_KEY_RE = re.compile(rf"^{GENERATIONS_PREFIX}/(\d{{12}})/")
_FILE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024


class GenerationError(Exception):
    """A published generation cannot be used (incomplete, corrupt or unreadable); the message says which file."""


@dataclass(frozen=True)
class FileEntry:
    """One Whoosh file of a generation, where it is stored, and what it must hash to."""

    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Generation:
    """A published generation: its number, the key of its TOC, and its files by Whoosh file name."""

    number: int
    toc_key: str
    files: dict[str, FileEntry]
    published_at: datetime | None = None
    documents: int = 0

    def to_json(self) -> bytes:
        """The TOC document."""
        return json.dumps({
            "format": FORMAT,
            "generation": self.number,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "documents": self.documents,
            "files": {name: {"key": e.key, "size": e.size, "sha256": e.sha256} for name, e in sorted(self.files.items())},
        }, indent=1).encode()


def toc_prefix(number: int) -> str:
    """Where the TOC of generation ``number`` is saved."""
    return f"{GENERATIONS_PREFIX}/{number:012d}"


def published(storage: Storage) -> list[tuple[int, str]]:
    """Every published TOC as (generation, key), newest first."""
    found = []
    for key in storage.list(GENERATIONS_PREFIX + "/"):
        match = _TOC_KEY_RE.match(key)
        if match:
            found.append((int(match.group(1)), key))
    return sorted(found, key=lambda pair: (-pair[0], pair[1]))


def read_toc(storage: Storage, number: int, key: str) -> Generation:
    """Fetch and check one TOC; GenerationError if it is not one this application wrote."""
    try:
        raw = b"".join(storage.read_range(key, 0, TOC_MAX_BYTES))
    except ObjectMissing as exc:
        raise GenerationError(f"the table of contents {key} of generation {number} is gone") from exc
    return parse_toc(raw, number, key)


def parse_toc(raw: bytes, number: int, key: str) -> Generation:
    """The generation a TOC document describes, every field checked."""
    try:
        document = json.loads(raw)
        if document.get("format") != FORMAT or document.get("generation") != number:
            raise ValueError(f"format {document.get('format')!r}, generation {document.get('generation')!r}")
        files = {}
        for name, entry in document["files"].items():
            if not _FILE_NAME_RE.match(name) or name == MANIFEST:
                raise ValueError(f"file name {name!r}")
            if not str(entry["key"]).startswith(FILES_PREFIX + "/") or not _SHA256_RE.match(entry["sha256"]):
                raise ValueError(f"entry for {name!r}")
            if not isinstance(entry["size"], int) or entry["size"] < 0:
                raise ValueError(f"size of {name!r}")
            files[name] = FileEntry(entry["key"], entry["size"], entry["sha256"])
        if not any(name.endswith(".toc") for name in files):
            raise ValueError("no Whoosh table of contents among the files")
        stamp = document.get("published_at")
        published_at = datetime.fromisoformat(stamp).astimezone(UTC).replace(tzinfo=None) if stamp else None
        documents = int(document.get("documents") or 0)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise GenerationError(f"the table of contents {key} of generation {number} is malformed: {exc}") from exc
    return Generation(number, key, files, published_at, documents)


def read_manifest(folder: str) -> Generation | None:
    """The generation a local copy holds (its TOC kept beside the files), or None if it has none."""
    path = os.path.join(folder, MANIFEST)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        document = json.loads(raw)
        return parse_toc(raw, int(document["generation"]), str(document.get("toc_key", "")))
    except (OSError, ValueError, KeyError, TypeError, GenerationError):
        return None


def write_manifest(folder: str, generation: Generation) -> None:
    """Record which generation a local copy holds (written to a temporary file, then renamed)."""
    document = json.loads(generation.to_json())
    document["toc_key"] = generation.toc_key
    temporary = os.path.join(folder, f".{MANIFEST}.tmp")
    with open(temporary, "w") as handle:
        json.dump(document, handle)
    os.replace(temporary, os.path.join(folder, MANIFEST))


def fetch_files(storage: Storage, generation: Generation, dest: str, reuse: list[str]) -> int:
    """Put every file of ``generation`` into the empty folder ``dest``; returns the bytes downloaded.

    A file that a local copy in ``reuse`` already holds with the same size and SHA-256 is hard-linked
    from it (files never change, so sharing them is safe); any other file is downloaded, and its size
    and SHA-256 checked before it counts. GenerationError names the first file missing or corrupt.
    """
    local: dict[tuple[str, str], str] = {}
    for folder in reuse:
        held = read_manifest(folder)
        if held is not None:
            for name, entry in held.files.items():
                local.setdefault((name, entry.sha256), os.path.join(folder, name))
    downloaded = 0
    for name, entry in generation.files.items():
        target = os.path.join(dest, name)
        source = local.get((name, entry.sha256))
        if source is not None and _link_or_copy(source, target, entry.size):
            continue
        downloaded += _download(storage, entry, target, generation.number, name)
    return downloaded


def _link_or_copy(source: str, target: str, size: int) -> bool:
    try:
        if os.path.getsize(source) != size:
            return False
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    except OSError:
        return False
    return True


def _download(storage: Storage, entry: FileEntry, target: str, number: int, name: str) -> int:
    digest = hashlib.sha256()
    size = 0
    try:
        with open(target, "wb") as handle:
            for chunk in storage.read_range(entry.key, 0, None, CHUNK):
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    except ObjectMissing as exc:
        raise GenerationError(f"generation {number} names {name} ({entry.key}), which is not in the storage") from exc
    if size != entry.size or digest.hexdigest() != entry.sha256:
        raise GenerationError(
            f"generation {number}: {name} ({entry.key}) arrived as {size} bytes with SHA-256 {digest.hexdigest()[:12]}…, "
            f"not the {entry.size} bytes and {entry.sha256[:12]}… published"
        )
    return size


def collect(storage: Storage, *, oldest_in_use: int | None, keep: int = 2, grace_seconds: int = 300) -> dict:
    """Delete the TOCs no node needs any more, then the files no remaining TOC names.

    Kept: the newest ``keep`` generations and every one from ``oldest_in_use`` (the oldest a live
    node serves) up. TOCs go first, so no remaining TOC ever names a deleted file. A file named by
    no TOC is deleted only once it is ``grace_seconds`` older than the newest TOC (both times from
    the storage's own clock), which spares the files of a publish still under way elsewhere.
    """
    tocs = published(storage)
    if not tocs:
        return {"generations": 0, "files": 0}
    latest = tocs[0][0]
    keep_from = latest - keep + 1
    if oldest_in_use is not None:
        keep_from = min(keep_from, oldest_in_use)
    kept, dropped = [], 0
    for number, key in tocs:
        if number >= keep_from:
            kept.append((number, key))
        else:
            storage.delete(key)
            dropped += 1
    named: set[str] = set()
    for number, key in kept:
        try:
            named.update(entry.key for entry in read_toc(storage, number, key).files.values())
        except GenerationError as exc:
            log.warning("Search index: keeping every file, since a kept generation cannot be read: %s", exc)
            return {"generations": dropped, "files": 0}
    newest_at = storage.modified_at(tocs[0][1])
    removed = 0
    for key in list(storage.list(FILES_PREFIX + "/")):
        if key in named:
            continue
        try:
            if (newest_at - storage.modified_at(key)).total_seconds() < grace_seconds:
                continue
        except ObjectMissing:
            continue
        storage.delete(key)
        removed += 1
    return {"generations": dropped, "files": removed}


def named_keys(storage: Storage) -> set[str]:
    """Every key the published generations use: their TOCs and the files they name."""
    keys: set[str] = set()
    for number, key in published(storage):
        keys.add(key)
        try:
            keys.update(entry.key for entry in read_toc(storage, number, key).files.values())
        except GenerationError:
            continue
    return keys


__all__ = ["FileEntry", "Generation", "GenerationError", "StorageError", "collect", "fetch_files", "named_keys",
           "parse_toc", "published", "read_manifest", "read_toc", "toc_prefix", "write_manifest"]
