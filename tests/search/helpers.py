"""Building searchable films for search tests: items, subtitle tracks, and running the queue."""

from __future__ import annotations

from archive.catalogue import operations as catalogue
from archive.jobs.operations import drain
from archive.subtitles import operations as subtitles


def srt(*cues: tuple[float, float, str]) -> bytes:
    """An SRT file (UTF-8) with the given (start, end, text) cues."""
    blocks = []
    for number, (start, end, text) in enumerate(cues, start=1):
        blocks.append(f"{number}\n{_t(start)} --> {_t(end)}\n{text}\n")
    return "\n".join(blocks).encode("utf-8")


def _t(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"


def film(title: str, visibility: str = "public", *, tracks: dict[str, bytes] | None = None, **fields):
    """A film with subtitle tracks ({lang: file bytes}); the index jobs are run before returning."""
    item = catalogue.create_item({"kind": "film", "title": {"en": title}, "visibility": visibility, **fields})
    for lang, data in (tracks or {}).items():
        subtitles.create_track(item, lang, data, f"{lang}.srt")
    drain()
    return item
