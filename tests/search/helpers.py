"""Subtitle files for search tests (films themselves come from ``tests.factories.make_film``)."""

from __future__ import annotations


def srt(*cues: tuple[float, float, str]) -> bytes:
    """An SRT file (UTF-8) with the given (start, end, text) cues."""
    blocks = []
    for number, (start, end, text) in enumerate(cues, start=1):
        blocks.append(f"{number}\n{_t(start)} --> {_t(end)}\n{text}\n")
    return "\n".join(blocks).encode("utf-8")


def _t(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"
