"""The one set of factories tests build records with: films, photos, collections (and, for screenings, venues).

Each goes through the feature's own operations, so what a test builds passed the same rules as
what a person builds. Films and photos are public unless a test says otherwise.
"""

from __future__ import annotations

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.jobs.operations import drain
from archive.subtitles import operations as subtitles


def make_film(title: str = "Border Stories", visibility: str = "public", *, duration: float | None = None,
              tracks: dict[str, bytes] | None = None, **fields):
    """A film; ``duration`` as its media processing would set it; ``tracks`` are subtitle files by language.

    With ``tracks`` the queued index jobs are run before returning, so the film is searchable.
    """
    item = catalogue.create_item({"kind": "film", "title": {"en": title}, "visibility": visibility, **fields})
    if duration is not None:
        item.duration_seconds = duration
        db.session.commit()
    for lang, data in (tracks or {}).items():
        subtitles.create_track(item, lang, data, f"{lang}.srt")
    if tracks is not None:
        drain()
    return item


def make_photo(title: str = "Portrait", visibility: str = "public", **fields):
    """A photograph item (no image stored: ingest tests upload their own)."""
    return catalogue.create_item({"kind": "photo", "title": {"en": title}, "visibility": visibility, **fields})


def make_collection(title: str = "Crossings", visibility: str = "public", *, kind: str = "series", items=()):
    """An exhibition or series holding ``items``."""
    return catalogue.create_collection({"kind": kind, "title": {"en": title}, "visibility": visibility,
                                        "items": [item.id for item in items]})
