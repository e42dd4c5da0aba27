"""Film storyboards: thumbnails at a regular interval tiled into sprite sheets, and the WebVTT track that maps them.

Thumbnails come from one ffmpeg pass that decodes keyframes only, so the cost grows with their number, not the
film's length; when keyframes are too far apart (or every frame is one) each thumbnail is taken by seeking.
As with the other previews (``archive.media.previews``, whose shared steps this uses), sheets are made in a
temporary directory first, and the film is read with the probed demuxer under a timeout scaled to its length.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from typing import Any

from PIL import Image

from archive.jobs.reasons import failure as failed
from archive.media.errors import MediaError
from archive.media.ffmpeg import Tools, command, default_tools, run, timeout_for
from archive.media.previews import Progress, film_input, fit, frame_filters, grab_frame, ready, report

STORYBOARD_COLUMNS = 10
STORYBOARD_ROWS = 10
THUMB_WIDTH = 160

# Codecs where every frame is a keyframe: seeking to each thumbnail is cheap, and "keyframes only" is every frame.
INTRA_ONLY = {"mjpeg", "prores", "dvvideo", "dnxhd", "jpeg2000", "ffv1", "huffyuv", "rawvideo", "v210", "png",
              "utvideo", "qtrle", "cfhd", "ffvhuff"}


def storyboard_interval(duration: float) -> float:
    """Seconds between storyboard thumbnails: every 10 s, or a hundredth of the film if that is longer."""
    return max(10.0, duration / 100)


def storyboard_command(
    path: str, info: dict[str, Any], pattern: str, interval: float, size: tuple[int, int],
    columns: int, rows: int, tools: Tools,
) -> list[str]:
    """The keyframes-only pass: decode keyframes alone, keep the first in each interval, tile them into sheets."""
    select = f"isnan(prev_selected_t)+gt(floor(t/{interval:g}),floor(prev_selected_t/{interval:g}))"
    stream = film_input(path, info, skip_frame="nokey")["v:0"].filter("select", select).filter("showinfo")
    stream = frame_filters(stream, size).filter("tile", f"{columns}x{rows}")
    return command(stream.output(pattern, f="image2", **{"q:v": 4, "fps_mode": "passthrough"}), tools)


_SHOWINFO = re.compile(r"\bn:\s*(\d+)\s+pts:\s*-?\d+\s+pts_time:(-?[\d.]+)")


def make_storyboard(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    interval: float | None = None,
    columns: int = STORYBOARD_COLUMNS,
    rows: int = STORYBOARD_ROWS,
    thumb_width: int = THUMB_WIDTH,
    tools: Tools | None = None,
    info: dict[str, Any] | None = None,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Write sprite sheets ``storyboard-NNN.jpg`` and ``storyboard.vtt``; cost grows with thumbnails, not length."""
    tools = tools or default_tools()
    path = os.path.abspath(path)
    info = ready(info, path, tools)
    os.makedirs(out_dir, exist_ok=True)
    duration = info["duration"]
    interval = float(interval or storyboard_interval(duration))
    size = fit(info, width=thumb_width)
    expected = max(1, math.ceil(duration / interval))
    notes: list[str] = []
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".storyboard-") as work:
        times: list[float] = []
        method = "keyframes"
        if info["video_codec"] in INTRA_ONLY:
            method = "seek"
        else:
            times = _keyframe_pass(path, info, work, interval, size, columns, rows, tools, expected, progress,
                                   timeout)
            # Too few keyframes (a long gap between them, or none readable): seek to each thumbnail instead.
            if len(times) < max(1, expected // 2):
                notes.append(f"Keyframes are too far apart ({len(times)} found for {expected} thumbnails); "
                             "thumbnails were taken by seeking.")
                method = "seek"
        if method == "seek":
            times = _seek_pass(path, info, work, interval, size, columns, rows, tools, expected, progress, timeout)
        if not times:
            raise failed(MediaError, "no_storyboard_frame")
        sheets = _publish_sheets(work, out_dir, len(times), size, columns, rows)
    tiles = _tiles(times, duration, size, columns, rows)
    vtt_path = os.path.join(out_dir, "storyboard.vtt")
    _write_atomic(vtt_path, thumbnails_vtt(tiles, [os.path.basename(sheet["path"]) for sheet in sheets]))
    report(progress, 100)
    return {"sheets": sheets, "vtt": vtt_path, "tiles": tiles, "interval": interval, "thumb_width": size[0],
            "thumb_height": size[1], "columns": columns, "rows": rows, "method": method, "notes": notes}


def _keyframe_pass(path, info, work, interval, size, columns, rows, tools, expected, progress, timeout) -> list[float]:
    times: list[float] = []

    def on_stderr(line: str) -> None:
        if match := _SHOWINFO.search(line):
            times.append(float(match.group(2)))
            report(progress, len(times) * 95 / expected)

    pattern = os.path.join(work.replace("%", "%%"), "sheet-%03d.jpg")
    args = storyboard_command(path, info, pattern, interval, size, columns, rows, tools)
    result = run(args, timeout or timeout_for(info["duration"], 2), failure="storyboard_failed",
                 on_stderr_line=on_stderr, check=False)
    if result.returncode != 0:
        return []  # a decoder that cannot skip to keyframes: the seek pass takes over
    return times


def _seek_pass(path, info, work, interval, size, columns, rows, tools, expected, progress, timeout) -> list[float]:
    duration = info["duration"]
    frames: list[tuple[float, str]] = []
    for number in range(expected):
        seconds = min(number * interval, max(0.0, duration - 0.1))
        target = os.path.join(work, f"thumb-{number:05d}.jpg")
        if grab_frame(path, seconds, target, size, info, tools=tools, timeout=timeout):
            frames.append((seconds, target))
        report(progress, (number + 1) * 95 / expected)
    per_sheet = columns * rows
    for sheet_number in range(math.ceil(len(frames) / per_sheet)):
        batch = frames[sheet_number * per_sheet:(sheet_number + 1) * per_sheet]
        sheet = Image.new("RGB", (size[0] * columns, size[1] * rows), "black")
        for slot, (_, thumb) in enumerate(batch):
            with Image.open(thumb) as picture:
                sheet.paste(picture.convert("RGB").resize(size), ((slot % columns) * size[0], (slot // columns) * size[1]))
        sheet.save(os.path.join(work, f"sheet-{sheet_number + 1:03d}.jpg"), "JPEG", quality=80)
    return [seconds for seconds, _ in frames]


def _publish_sheets(work: str, out_dir, count: int, size, columns: int, rows: int) -> list[dict[str, Any]]:
    """Move the sheets into place, cropping the last one to the rows it uses."""
    sheets = []
    per_sheet = columns * rows
    for number in range(math.ceil(count / per_sheet)):
        source = os.path.join(work, f"sheet-{number + 1:03d}.jpg")
        if not os.path.exists(source):
            raise MediaError("the storyboard cannot be made: ffmpeg wrote fewer sprite sheets than thumbnails.")
        used = min(per_sheet, count - number * per_sheet)
        used_rows = math.ceil(used / columns)
        target = os.path.join(out_dir, f"storyboard-{number + 1:03d}.jpg")
        with Image.open(source) as sheet:
            width, height = sheet.size
            if used_rows < rows:
                height = used_rows * size[1]
                sheet.crop((0, 0, width, height)).save(source + ".crop.jpg", "JPEG", quality=80)
                source += ".crop.jpg"
        os.replace(source, target)
        sheets.append({"path": target, "width": width, "height": height, "mime": "image/jpeg"})
    return sheets


def _tiles(times: list[float], duration: float, size, columns: int, rows: int) -> list[dict[str, Any]]:
    per_sheet = columns * rows
    tiles = []
    for number, start in enumerate(times):
        end = times[number + 1] if number + 1 < len(times) else max(duration, start + 0.001)
        slot = number % per_sheet
        tiles.append({
            "start": 0.0 if number == 0 else round(start, 3),
            "end": round(end, 3),
            "sheet": number // per_sheet,
            "x": (slot % columns) * size[0],
            "y": (slot // columns) * size[1],
            "w": size[0],
            "h": size[1],
        })
    return tiles


def thumbnails_vtt(tiles: list[dict[str, Any]], sheet_urls: list[str]) -> str:
    """A WebVTT thumbnails track: one cue per tile pointing at ``<sheet url>#xywh=x,y,w,h``."""
    lines = ["WEBVTT", ""]
    for tile in tiles:
        if tile["end"] <= tile["start"]:
            continue
        lines.append(f"{_timestamp(tile['start'])} --> {_timestamp(tile['end'])}")
        lines.append(f"{sheet_urls[tile['sheet']]}#xywh={tile['x']},{tile['y']},{tile['w']},{tile['h']}")
        lines.append("")
    return "\n".join(lines)


def _timestamp(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _write_atomic(target: str, text: str) -> None:
    partial = f"{target}.part"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(partial, target)
