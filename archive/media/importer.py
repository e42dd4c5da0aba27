"""Bulk import from folders: one item per file, described by an optional metadata CSV.

A file whose SHA-256 is already in the archive is skipped, and each file's item and media row are
committed together after its object is stored, so an interrupted import can simply be run again.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from archive.catalogue import operations as catalogue
from archive.catalogue.models import Collection
from archive.errors import ValidationError
from archive.extensions import db
from archive.jobs.operations import enqueue
from archive.media.ingest import HEAD_BYTES, IngestError, find_duplicate, record_original, sniff, store_original

TEXT_COLUMNS = ("title", "description")
LIST_COLUMNS = ("countries", "languages", "themes")
PLAIN_COLUMNS = ("year", "visibility", "rights_note", "embargo_until")


@dataclass
class Outcome:
    """What happened to one file."""

    path: Path
    status: str  # "imported", "skipped" or "failed"
    message: str
    item_id: int | None = None


def find_files(paths: list[str]) -> list[Path]:
    """Every file under ``paths`` (folders are walked), hidden files left out, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [Path(root) / name for name in sorted(names) if not name.startswith(".")]
        elif path.is_file():
            found.append(path)
        else:
            raise ValidationError({"path": f"{raw} does not exist."})
    return found


def read_metadata(csv_path: str) -> dict[str, dict]:
    """Rows of a metadata CSV keyed by file name; ``title_hy``-style columns give languages."""
    rows: dict[str, dict] = {}
    with open(csv_path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        if "file" not in columns:
            raise ValidationError({"metadata": f"{csv_path} needs a 'file' column naming each file."})
        allowed = {"file", "credits", *LIST_COLUMNS, *PLAIN_COLUMNS}
        for column in columns:
            base = column.split("_")[0] if column.startswith(TEXT_COLUMNS) else column
            if base not in allowed and base not in TEXT_COLUMNS:
                raise ValidationError({"metadata": f"Unknown column {column!r} in {csv_path}; use file, "
                                       "title_<lang>, description_<lang>, year, visibility, countries, "
                                       "languages, themes, credits, rights_note, embargo_until."})
        for line, row in enumerate(reader, start=2):
            name = (row.get("file") or "").strip()
            if not name:
                raise ValidationError({"metadata": f"Line {line} of {csv_path} has no file name."})
            rows[name] = row
    return rows


def item_data(path: Path, kind: str, row: dict | None) -> dict:
    """The catalogue fields for a file: from its metadata row, else its name, restricted by default."""
    data: dict = {"kind": "film" if kind == "video" else "photo", "visibility": "restricted"}
    titles, descriptions = {}, {}
    for column, value in (row or {}).items():
        value = (value or "").strip()
        if not value or column == "file":
            continue
        if column.startswith("title"):
            titles[column.partition("_")[2] or "en"] = value
        elif column.startswith("description"):
            descriptions[column.partition("_")[2] or "en"] = value
        elif column in LIST_COLUMNS:
            data[column] = [part.strip() for part in value.split(",") if part.strip()]
        elif column == "credits":
            data["credits"] = [
                {"name": name.strip(), "role": role.strip()}
                for name, _, role in (entry.partition("|") for entry in value.split(";"))
                if name.strip()
            ]
        else:
            data[column] = value
    data["title"] = titles or {"en": path.stem[:300] or path.name}
    if descriptions:
        data["description"] = descriptions
    return data


def sha256_of_file(path: Path) -> str:
    """The SHA-256 of a local file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def collection_named(name: str) -> Collection:
    """The collection with this (English or any-language) title, created restricted when new."""
    for collection in db.session.scalars(select(Collection)):
        if name in collection.title.values():
            return collection
    return catalogue.create_collection({"kind": "series", "title": {"en": name}})


def import_file(path: Path, row: dict | None, collection: Collection | None, by=None) -> Outcome:
    """Import one file as a new item, unless its bytes are already in the archive."""
    existing = find_duplicate(sha256_of_file(path))
    if existing is not None:
        return Outcome(path, "skipped", f"already in the archive as item {existing.item_id}", existing.item_id)
    try:
        with open(path, "rb") as handle:
            kind = sniff(handle.read(HEAD_BYTES)).kind
            data = item_data(path, kind, row)
            if collection is not None:
                data["collections"] = [collection.id]
            catalogue.create_item(data, created_by=by, commit=False)  # validate before storing anything
            db.session.rollback()
            handle.seek(0)
            stored, sniffed = store_original(handle, path.name)
        item = catalogue.create_item(data, created_by=by, commit=False)
        media = record_original(item, stored, sniffed, path.name, by)
    except (IngestError, ValidationError) as exc:
        db.session.rollback()
        return Outcome(path, "failed", str(exc))
    enqueue("derive", {"media_id": media.id}, item_id=item.id)
    return Outcome(path, "imported", f"item {item.id}", item.id)


def run_import(paths: list[str], metadata: str | None, collection_name: str | None, by=None) -> Iterator[Outcome]:
    """Import every file under ``paths``; yields one outcome per file."""
    rows = read_metadata(metadata) if metadata else {}
    collection = collection_named(collection_name) if collection_name else None
    for path in find_files(paths):
        yield import_file(path, rows.get(path.name) or rows.get(str(path)), collection, by)
