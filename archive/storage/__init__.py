"""Where media bytes live: a folder on disk by default, any S3-compatible bucket when scaled out."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from archive.signals import storage_failed
from archive.storage import records
from archive.storage.base import (
    DEFAULT_URL_SECONDS,
    InvalidKey,
    MiB,
    ObjectMissing,
    ObjectTooLarge,
    Partial,
    Storage,
    StorageError,
    StoredObject,
)
from archive.storage.filesystem import FilesystemStorage

__all__ = [
    "FilesystemStorage",
    "InvalidKey",
    "ObjectMissing",
    "ObjectTooLarge",
    "Partial",
    "Storage",
    "StorageError",
    "StoredObject",
    "default_checksums",
    "get_storage",
    "init_app",
    "storage_from_url",
]

DEFAULT_STORAGE_URL = "storage"
DEFAULT_PART_SIZE = 8 * MiB
OPTIONS = frozenset({"checksums", "part_size", "url_seconds", "endpoint_url"})

_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def storage_from_url(url: str, *, instance_path: str, options: Mapping[str, Any]) -> Storage:
    """Build the backend named by ``url``: ``s3://bucket[/prefix]``, ``fs:path`` or a plain path."""
    unknown = set(options) - OPTIONS
    if unknown:
        raise ValueError(f"Unknown storage option(s): {', '.join(sorted(unknown))}")
    url_seconds = options.get("url_seconds") or DEFAULT_URL_SECONDS
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not _BUCKET_RE.fullmatch(bucket):
            raise StorageError(
                f"STORAGE_URL {url!r} does not name a valid bucket: bucket names are 3 to 63 "
                "lowercase letters, digits, '.' and '-'."
            )
        # Imported here so that the default, filesystem set-up does not load boto3 at all.
        from archive.storage.s3 import S3Storage

        endpoint_url = options.get("endpoint_url")
        return S3Storage(
            bucket,
            prefix,
            checksums=options.get("checksums") or default_checksums(endpoint_url),
            part_size=options.get("part_size") or DEFAULT_PART_SIZE,
            endpoint_url=endpoint_url,
            url_seconds=url_seconds,
        )
    if url.startswith("fs:"):
        path = url[len("fs:") :]
    elif _SCHEME_RE.match(url):
        raise StorageError(
            f"STORAGE_URL {url!r} is not understood: use s3://BUCKET[/PREFIX], fs:/absolute/path, "
            "fs:relative/path (inside the instance folder) or a plain folder path."
        )
    else:
        path = url
    if not path:
        raise StorageError("STORAGE_URL names no folder: use fs:/absolute/path or a folder name such as 'storage'.")
    # An absolute path wins in os.path.join; a relative one lands inside the instance folder.
    return FilesystemStorage(os.path.join(instance_path, path), url_seconds=url_seconds)


def default_checksums(endpoint_url: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """Pick botocore's checksum mode: "when_required" for custom endpoints, else "when_supported"."""
    # Many S3-compatible services reject the CRC headers and trailers boto3 sends by default;
    # AWS itself accepts them, so keep the extra integrity check there.
    custom = endpoint_url or environ.get("AWS_ENDPOINT_URL") or environ.get("AWS_ENDPOINT_URL_S3")
    return "when_required" if custom else "when_supported"


def init_app(app: Flask) -> None:
    """Build the storage from the app's settings, keep it on the app and register the file route."""
    options = {
        "checksums": app.config.get("S3_CHECKSUMS"),
        "part_size": app.config.get("S3_PART_SIZE") or DEFAULT_PART_SIZE,
        "url_seconds": app.config.get("STORAGE_URL_SECONDS") or DEFAULT_URL_SECONDS,
    }
    url = app.config.get("STORAGE_URL") or DEFAULT_STORAGE_URL
    app.extensions["storage"] = storage = storage_from_url(url, instance_path=app.instance_path, options=options)
    instrument(storage, app)
    records.init_app(app)

    from archive.storage.views import bp

    app.register_blueprint(bp)


# The operations whose failures are counted; ``read_range`` and ``list`` fail while they are iterated.
COUNTED = ("save", "open", "size", "modified_at", "exists", "delete", "check", "sha256_of", "url")
COUNTED_ITERATORS = ("read_range", "list")


def instrument(storage: Storage, app: Flask) -> None:
    """Announce every failure of ``storage`` on the storage's side (not a missing object or a bad key)."""
    backend = "s3" if storage.__class__.__name__ == "S3Storage" else "filesystem"

    def failed(exc: StorageError, operation: str) -> None:
        if exc.status >= 500:
            storage_failed.send(app, backend=backend, operation=operation)

    def counted(operation: str):
        # The class's method looked up at each call, so a method replaced on the class later still runs.
        def call(*args, **kwargs):
            try:
                return getattr(type(storage), operation)(storage, *args, **kwargs)
            except StorageError as exc:
                failed(exc, operation)
                raise
        return functools.wraps(getattr(storage, operation))(call)

    def iterated(operation: str, iterator):
        try:
            yield from iterator
        except StorageError as exc:
            failed(exc, operation)
            raise

    def counted_iterator(operation: str):
        call_now = counted(operation)  # opened (and failed) at the call, as the backends do

        def call(*args, **kwargs):
            return iterated(operation, call_now(*args, **kwargs))
        return functools.wraps(getattr(storage, operation))(call)

    for name in COUNTED:
        setattr(storage, name, counted(name))
    for name in COUNTED_ITERATORS:
        setattr(storage, name, counted_iterator(name))


def get_storage() -> Storage:
    """Return the current app's storage."""
    try:
        return current_app.extensions["storage"]
    except KeyError:
        raise RuntimeError("Storage is not set up: call archive.storage.init_app(app) in create_app().") from None
