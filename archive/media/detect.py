"""What a file is, decided by its content: magic bytes first, then probing with ffmpeg or Pillow.

The file name is never trusted. A film must also decode a first frame and read to its end, so a
text file renamed ``.mp4``, a cut-off upload or an audio-only file is refused at once with a reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from archive.jobs.reasons import failure
from archive.media.errors import MediaError
from archive.media.ffmpeg import Tools, default_tools, run
from archive.media.photos import MAX_PIXELS, inspect_image
from archive.media.probe import probe

HEAD_BYTES = 64 * 1024
ACCEPTED = ("Films: MP4, MOV, MKV, WebM, AVI, MXF, MPEG-TS. Photographs: JPEG, PNG, TIFF, WebP.")

# Containers (ffmpeg's demuxer names) accepted for films; anything else ffmpeg can open, such as a
# playlist, a concatenation list or a single picture, is refused: those can make ffmpeg read other files.
FILM_CONTAINERS = {
    "mov": ("video/mp4", "mp4"),
    "matroska": ("video/x-matroska", "mkv"),
    "avi": ("video/x-msvideo", "avi"),
    "mxf": ("application/mxf", "mxf"),
    "mpegts": ("video/mp2t", "ts"),
    "mpeg": ("video/mpeg", "mpg"),
    "flv": ("video/x-flv", "flv"),
    "asf": ("video/x-ms-asf", "wmv"),
    "ogg": ("video/ogg", "ogv"),
    "dv": ("video/x-dv", "dv"),
}
_IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/tiff": "tif", "image/webp": "webp"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_MXF_KEY = b"\x06\x0e\x2b\x34\x02\x05\x01\x01\x0d\x01\x02\x01\x01"


@dataclass(frozen=True)
class Detected:
    """A readable film or photograph: ``kind`` 'video'|'image', MIME type, usual extension (no dot), facts."""

    kind: str
    mime: str
    extension: str
    info: dict[str, Any] = field(default_factory=dict, compare=False)


def sniff(head: bytes) -> tuple[str, str, str] | None:
    """(kind, mime, extension) that the first bytes of a file announce, or None when they say nothing known."""
    if head[:3] == b"\xff\xd8\xff":
        return ("image", "image/jpeg", "jpg")
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return ("image", "image/png", "png")
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return ("image", "image/tiff", "tif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ("image", "image/webp", "webp")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ("video", "video/x-msvideo", "avi")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return ("heif", "image/heif", "heic")
        if brand == b"qt  ":
            return ("video", "video/quicktime", "mov")
        if brand.startswith((b"3gp", b"3g2")):
            return ("video", "video/3gpp", "3gp")
        return ("video", "video/mp4", "mp4")
    if head[4:8] in _QUICKTIME_ATOMS:
        return ("video", "video/quicktime", "mov")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ("video", "video/webm", "webm") if b"webm" in head[:64] else ("video", "video/x-matroska", "mkv")
    if _MXF_KEY in head[:HEAD_BYTES]:  # a run-in of up to 64 KiB may precede the header partition
        return ("video", "application/mxf", "mxf")
    if _transport_stream(head):
        return ("video", "video/mp2t", "ts")
    if head[:4] == b"\x00\x00\x01\xba":
        return ("video", "video/mpeg", "mpg")
    return None


def _transport_stream(head: bytes) -> bool:
    # 188-byte packets starting with 0x47, or 192-byte ones (Blu-ray .m2ts) with a 4-byte prefix.
    for size, offset in ((188, 0), (192, 4)):
        positions = [offset + size * n for n in range(3)]
        if len(head) > positions[-1] and all(head[p] == 0x47 for p in positions):
            return True
    return False


def detect(path: str | os.PathLike, *, tools: Tools | None = None, max_pixels: int = MAX_PIXELS) -> Detected:
    """Decide from its content whether ``path`` is a film or photograph we can read; MediaError saying why not."""
    name = os.path.basename(os.fspath(path))
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise failure(MediaError, "cannot_open", detail=exc.strerror, name=name) from exc
    if not head:
        raise failure(MediaError, "empty_file", name=name)
    sniffed = sniff(head)
    if sniffed and sniffed[0] == "heif":
        raise failure(MediaError, "heif", name=name)
    if sniffed and sniffed[0] == "image":
        info = inspect_image(path, max_pixels=max_pixels)
        return Detected("image", info["mime"], _IMAGE_EXTENSIONS[info["mime"]], info)
    return _detect_film(path, name, sniffed, tools or default_tools())


def _detect_film(path: str | os.PathLike, name: str, sniffed: tuple[str, str, str] | None, tools: Tools) -> Detected:
    try:
        info = probe(path, tools=tools)
    except MediaError as exc:
        if sniffed is None:
            raise failure(MediaError, "not_media", name=name) from exc
        raise failure(MediaError, "film_unreadable", detail=_reason(exc), name=name, format=sniffed[2].upper()) from exc
    container = (info["container"] or "").split(",")[0]
    if not info["video_streams"]:
        raise failure(MediaError, "sound_only" if info["audio_streams"] else "no_pictures", name=name)
    if container not in FILM_CONTAINERS:
        raise failure(MediaError, "unsupported_container", name=name, container=container)
    check_film_decodes(path, info, tools=tools)
    mime, extension = sniffed[1:] if sniffed else FILM_CONTAINERS[container]
    return Detected("video", mime, extension, info)


def _reason(exc: MediaError) -> str:
    """What the probe said, as a detail: ffmpeg's own words when it has them, else its English message."""
    return (exc.reason.params.get("detail") if exc.reason else None) or str(exc) or "it cannot be read"


def check_film_decodes(path: str | os.PathLike, info: dict[str, Any], *, tools: Tools | None = None) -> None:
    """Decode the first picture and compare the declared and real sizes: a missing codec or cut-off file shows now."""
    tools = tools or default_tools()
    path = os.path.abspath(path)
    name = os.path.basename(path)
    frames: list[str] = []
    errors: list[str] = []
    codec = info.get("video_codec") or "unknown"
    result = run(
        [tools.ffmpeg, "-nostdin", "-v", "error", "-progress", "pipe:1", "-i", path, "-map", "0:v:0",
         "-frames:v", "1", "-f", "null", "-"],
        60.0, failure="decode_failed", failure_values={"name": name}, check=False,
        on_stdout_line=lambda line: frames.append(line) if line.startswith("frame=") else None,
        on_stderr_line=errors.append,
    )
    decoded = frames and frames[-1] != "frame=0"
    if result.returncode != 0 or not decoded:
        detail = errors[-1].strip() if errors else "no picture could be decoded"
        raise failure(MediaError, "codec", detail=detail, name=name, codec=codec)
    declared = declared_end(path)
    if declared is not None and declared > os.path.getsize(path):
        raise failure(MediaError, "cut_off", name=name, size=os.path.getsize(path), declared=declared)


def declared_end(path: str | os.PathLike) -> int | None:
    """Where the container's own size fields say the file ends (MP4/MOV, Matroska, RIFF); None if it cannot tell.

    Comparing this with the real size finds a cut-off file without reading it all.
    """
    with open(path, "rb") as handle:
        head = handle.read(16)
        if head[:4] == b"RIFF":
            return 8 + int.from_bytes(head[4:8], "little")
        if head[:4] == b"\x1a\x45\xdf\xa3":
            return _matroska_end(handle)
        if head[4:8] == b"ftyp" or head[4:8] in _QUICKTIME_ATOMS:
            return _quicktime_end(handle, os.fstat(handle.fileno()).st_size)
    return None


def _quicktime_end(handle, size: int) -> int | None:
    # Walk the top-level boxes: each starts with its own length, so a cut-off last box shows.
    offset = 0
    for _ in range(100_000):
        if offset + 8 > size:
            return max(offset, size) if offset > size else None
        handle.seek(offset)
        header = handle.read(16)
        length = int.from_bytes(header[:4], "big")
        if length == 1 and len(header) == 16:
            length = int.from_bytes(header[8:16], "big")
        elif length == 0:
            return None  # "to the end of the file": nothing to compare
        if length < 8:
            return None  # not a box structure we understand
        offset += length
        if offset > size:
            return offset
    return None


def _vint(handle, keep_marker: bool) -> tuple[int, int] | None:
    first = handle.read(1)
    if not first:
        return None
    length = 9 - first[0].bit_length()
    if not 1 <= length <= 8:
        return None
    rest = handle.read(length - 1)
    value = first[0] if keep_marker else first[0] & (0xFF >> length)
    for byte in rest:
        value = (value << 8) | byte
    return value, length


def _matroska_end(handle) -> int | None:
    # EBML header, then the Segment element whose size covers the rest (unless written as "unknown").
    handle.seek(4)
    header_size = _vint(handle, keep_marker=False)
    if header_size is None:
        return None
    handle.seek(handle.tell() + header_size[0])
    element = _vint(handle, keep_marker=True)
    size = _vint(handle, keep_marker=False)
    if element is None or size is None or element[0] != 0x18538067:
        return None
    if size[0] == (1 << (7 * size[1])) - 1:
        return None  # unknown size: a file written to a pipe
    return handle.tell() + size[0]
