"""Copies for projection: whether an original already is one, and the 1080p master (or open captions) made otherwise.

A cinema projects from a file of high quality: the original itself when it is H.264 or H.265 in
MP4 at a bit rate that holds up on a big screen; otherwise a master made here: at most 1080 lines
(never enlarged), H.264 at a high quality (CRF 17, capped at 25 Mbit/s), the first sound track
copied untouched. An "open captions" version burns one language's subtitles into that picture,
for projectors that cannot show a subtitle file; its letters come from the app's Noto Sans fonts,
which cover Armenian, Cyrillic and Latin.
"""

from __future__ import annotations

import os
from typing import Any

from archive.media.ffmpeg import GLOBAL_ARGS, Tools, default_tools, encode, timeout_for
from archive.media.previews import Progress, fit, ready, report

MASTER_MAX_HEIGHT = 1080
PROJECTION_CODECS = ("h264", "hevc")
# Bits per pixel per frame below which a picture breaks up on a big screen (1080p at 25 fps: 2.6 Mbit/s).
MIN_BITS_PER_PIXEL = 0.05
# Sound MP4 can hold when copied; anything else (PCM, for one) goes into a QuickTime (.mov) file.
MP4_AUDIO = ("aac", "mp3", "ac3", "eac3", "alac", "opus", "flac", "mp2")
FONTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "static", "fonts")


def projection_ready(info: dict[str, Any], mime: str | None) -> bool:
    """Whether the original can go to a cinema as it is: H.264/H.265 in MP4 at a sensible bit rate."""
    if (info.get("video_codec") or "") not in PROJECTION_CODECS or mime != "video/mp4":
        return False
    width, height, fps, bit_rate = info.get("width"), info.get("height"), info.get("frame_rate"), info.get("bit_rate")
    if not (width and height and fps and bit_rate):
        return False
    return bit_rate / (width * height * fps) >= MIN_BITS_PER_PIXEL


def master_container(info: dict[str, Any]) -> tuple[str, str, str]:
    """(ffmpeg format, file extension, MIME type) that hold the copied sound."""
    if not info.get("has_audio") or (info.get("audio_codec") or "") in MP4_AUDIO:
        return "mp4", "mp4", "video/mp4"
    return "mov", "mov", "video/quicktime"


def _filter_path(path: str) -> str:
    """A path as a filter option value: the filtergraph's special characters escaped."""
    return path.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'").replace(",", "\\,")


def master_command(
    path: str, info: dict[str, Any], target: str, tools: Tools, *, subtitles: str | None = None,
    preset: str = "medium", crf: int = 17, progress_pipe: bool = True,
) -> list[str]:
    """The master encode: ≤ 1080 lines H.264 high quality, the first sound track copied, captions burned in if given."""
    width, height = fit(info, max_height=MASTER_MAX_HEIGHT)
    chain = "bwdif=mode=send_frame:deint=interlaced," if info.get("interlaced") else ""
    chain += f"scale={width}:{height},setsar=1,format=yuv420p"
    if subtitles:
        size = max(16, round(height / 18))  # the captions' height follows the picture's
        chain += (f",subtitles=filename={_filter_path(subtitles)}:charenc=UTF-8:fontsdir={_filter_path(FONTS_DIR)}"
                  f":force_style='FontName=Noto Sans,FontSize={size},Outline=2,MarginV={size}'"
                  f":original_size={width}x{height}")
    fmt, _, _ = master_container(info)
    args = [tools.ffmpeg, *GLOBAL_ARGS]
    if progress_pipe:
        args += ["-progress", "pipe:1", "-nostats"]
    args += ["-f", (info["container"] or "").split(",")[0], "-i", path, "-map", "0:v:0", "-vf", chain,
             "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-maxrate", "25M", "-bufsize", "50M",
             "-profile:v", "high", "-map_metadata", "-1", "-map_chapters", "-1", "-max_muxing_queue_size", "4096"]
    if info.get("has_audio"):
        args += ["-map", "0:a:0", "-c:a", "copy"]
    if fmt == "mp4":
        args += ["-movflags", "+faststart"]
    return [*args, "-f", fmt, target]


def make_master(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    subtitles: str | None = None,
    tools: Tools | None = None,
    info: dict[str, Any] | None = None,
    preset: str = "medium",
    progress: Progress | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Write ``master.mp4`` (or ``.mov``), captions burned in when a subtitle file is given; return what was made."""
    tools = tools or default_tools()
    path = os.path.abspath(path)
    info = ready(info, path, tools)
    os.makedirs(out_dir, exist_ok=True)
    _, extension, mime = master_container(info)
    target = os.path.join(os.path.abspath(out_dir), f"master.{extension}")
    partial = os.path.join(os.path.abspath(out_dir), f".master.partial.{extension}")
    duration = info["duration"]
    args = master_command(path, info, partial, tools, subtitles=subtitles, preset=preset)
    # A high-quality encode: allow the film's length once plus the usual minute.
    encode(args, partial, target, duration=duration, timeout=timeout or timeout_for(duration, 0.05),
           failure="screening_copy_failed", progress=progress)
    width, height = fit(info, max_height=MASTER_MAX_HEIGHT)
    report(progress, 100)
    return {"path": target, "width": width, "height": height, "mime": mime, "extension": extension,
            "size": os.path.getsize(target)}
