"""``flask media import --to URL``: files into another archive over its JSON API, resuming cut uploads.

Each file becomes an item (described as a local import would describe it) and its bytes go up with
tus (tuspy) in chunks. A state file beside the files' owner (``--state``) remembers, per file, the
item made for it and the upload's address, so running the same import again after a cut
connection or a stopped laptop goes on from the offset the remote archive holds: no item is made
twice and no byte that arrived is sent again. Nothing here touches the local database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import requests
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from archive.media.detect import HEAD_BYTES
from archive.media.importer import Outcome, find_files, item_data, read_metadata
from archive.media.ingest import IngestError, sniff

CHUNK_BYTES = 32 * 1024 * 1024
TIMEOUT_SECONDS = 60


class RemoteArchive:
    """The remote archive's JSON API, with a bearer token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def create_item(self, data: dict) -> int:
        response = self.session.post(f"{self.url}/api/v1/items", json=data, timeout=TIMEOUT_SECONDS)
        if response.status_code != 201:
            raise IngestError(_explain(response))
        return response.json()["id"]

    def upload_state(self, location: str) -> dict | None:
        response = self.session.get(location, timeout=TIMEOUT_SECONDS)
        return response.json() if response.status_code == 200 else None

    def uploader(self, path: Path, item_id: int, location: str | None):
        client = tus_client.TusClient(f"{self.url}/api/v1/uploads", headers=dict(self.session.headers))
        return client.uploader(file_path=str(path), chunk_size=CHUNK_BYTES, url=location,
                               metadata={"item_id": str(item_id), "filename": path.name})


def _explain(response) -> str:
    try:
        return f"HTTP {response.status_code}: {response.json()['error']['message']}"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"


def _key(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def _load(state_path: Path) -> dict:
    try:
        return json.loads(state_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _save(state_path: Path, state: dict) -> None:
    temp = state_path.with_suffix(".tmp")
    temp.write_text(json.dumps(state, indent=1), encoding="utf-8")
    os.replace(temp, state_path)


def import_file(remote: RemoteArchive, path: Path, row: dict | None, state: dict, save) -> Outcome:
    """Send one file: a new item and a tus upload, or the rest of the upload a previous run began."""
    entry = state.get(_key(path))
    if entry and entry.get("done"):
        return Outcome(path, "skipped", f"already sent as item {entry['item_id']}", entry["item_id"])
    try:
        location = None
        if entry and entry.get("url") and remote.upload_state(entry["url"]) is not None:
            item_id, location = entry["item_id"], entry["url"]
        else:
            with open(path, "rb") as handle:
                kind = sniff(handle.read(HEAD_BYTES)).kind
            item_id = entry["item_id"] if entry else remote.create_item(item_data(path, kind, row))
            state[_key(path)] = {"item_id": item_id}
            save()
        uploader = remote.uploader(path, item_id, location)
        if location is None:
            uploader.set_url(uploader.create_url())
            uploader.offset = 0
            state[_key(path)]["url"] = uploader.url
            save()
        resumed_from = uploader.offset
        uploader.upload()
    except IngestError as exc:
        return Outcome(path, "failed", str(exc))
    except TusCommunicationError as exc:
        if exc.status_code == 409 and b'"duplicate"' in (exc.response_content or b""):
            state[_key(path)] = {"item_id": item_id, "done": True}
            save()
            return Outcome(path, "skipped", "already in the remote archive", item_id)
        detail = exc.response_content.decode("utf-8", "replace")[:300] if exc.response_content else str(exc)
        return Outcome(path, "failed", f"HTTP {exc.status_code}: {detail} (run the import again to go on)",
                       state.get(_key(path), {}).get("item_id"))
    except requests.RequestException as exc:
        return Outcome(path, "failed", f"{exc} (run the import again to go on where it stopped)",
                       state.get(_key(path), {}).get("item_id"))
    state[_key(path)] = {"item_id": item_id, "done": True}
    save()
    note = f"item {item_id}" + (f", resumed at byte {resumed_from}" if resumed_from else "")
    return Outcome(path, "imported", note, item_id)


def run_remote_import(paths: list[str], url: str, token: str, state_file: str, metadata: str | None = None
                      ) -> Iterator[Outcome]:
    """Send every file under ``paths`` to the archive at ``url``; one outcome per file."""
    rows = read_metadata(metadata) if metadata else {}
    remote = RemoteArchive(url, token)
    state_path = Path(state_file)
    state = _load(state_path)
    for path in find_files(paths):
        yield import_file(remote, path, rows.get(path.name) or rows.get(str(path)), state,
                          lambda: _save(state_path, state))
