"""Film previews made with ffmpeg: poster frame, storyboard (sprite sheets + WebVTT track), web proxy, subtitles.

Each function takes the original's path and an output directory, writes its files there (under a
temporary name first, so a failure leaves nothing half-written), and returns what it made.
Every ffmpeg process has a timeout scaled to the film's length. Input is read with the demuxer
that probing found, never one ffmpeg guesses, so a disguised playlist cannot make it open other files.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from typing import Any, NamedTuple

import ffmpeg as ffmpeg_python
from PIL import Image, ImageStat

from archive.media.detect import FILM_CONTAINERS
from archive.media.errors import MediaError
from archive.media.ffmpeg import Tools, command, default_tools, last_error_line, run, timeout_for
from archive.media.probe import probe

Progress = Callable[[float], None]

POSTER_CANDIDATES = (0.10, 0.25, 0.50, 0.75, 0.05)
# A frame whose luminance varies less than this (standard deviation, 0..255) is black, white or blank.
BLANK_STDDEV = 10.0
STORYBOARD_COLUMNS = 10
STORYBOARD_ROWS = 10
THUMB_WIDTH = 160
PROXY_MAX_HEIGHT = 720
# Codecs where every frame is a keyframe: seeking to each thumbnail is cheap, and "keyframes only" is every frame.
INTRA_ONLY = {"mjpeg", "prores", "dvvideo", "dnxhd", "jpeg2000", "ffv1", "huffyuv", "rawvideo", "v210", "png",
              "utvideo", "qtrle", "cfhd", "ffvhuff"}
# How far back the last-resort frame grab looks for a picture when seeking finds none.
LOOKBACK_SECONDS = 10.0
# Reading every packet (no decoding) of even a very long film is quick; beyond this something hangs.
MEASURE_TIMEOUT = 600.0


class ExtractedSubtitle(NamedTuple):
    """A text subtitle stream written out as SubRip: its stream index, language tag (or None), and file."""

    index: int
    language: str | None
    path: str


# ---------------------------------------------------------------- shared steps


def film_info(path: str | os.PathLike, *, tools: Tools | None = None) -> dict[str, Any]:
    """Probe a film for preview making: an accepted container, a video stream, and a known duration."""
    tools = tools or default_tools()
    info = probe(path, tools=tools)
    container = (info["container"] or "").split(",")[0]
    if container not in FILM_CONTAINERS:
        raise MediaError(f"the file is not a video ffmpeg can read: it is “{container}”, not a film container.")
    if not info["video_streams"]:
        raise MediaError("the file has no video stream: it is a sound recording or holds no pictures.")
    if not info["duration"]:
        info["duration"] = _measure_duration(os.path.abspath(path), container, tools)
    return info


def _ready(info: dict[str, Any] | None, path, tools: Tools) -> dict[str, Any]:
    """The caller's probe (when it has a duration) or a fresh ``film_info``."""
    return info if info and info.get("duration") and info.get("video_streams") else film_info(path, tools=tools)


def _measure_duration(path: str, demuxer: str, tools: Tools) -> float:
    # Files written to a pipe (streamed MKV, some TS) carry no duration: read the packets, decode nothing.
    out_times: list[float] = []
    stream = ffmpeg_python.input(path, f=demuxer).video.output("-", f="null", c="copy")
    run(command(stream, tools, "-progress", "pipe:1", "-nostats"), MEASURE_TIMEOUT,
        failure="the film's length cannot be measured", on_stdout_line=lambda line: _collect_out_time(line, out_times))
    if not out_times or out_times[-1] <= 0:
        raise MediaError("the film's length cannot be measured: the file holds no readable pictures.")
    return out_times[-1]


def _collect_out_time(line: str, into: list[float]) -> None:
    if line.startswith("out_time_us=") and line[12:].strip().lstrip("-").isdigit():
        into.append(max(0, int(line[12:])) / 1e6)


def _input(path: str, info: dict[str, Any], **options: Any):
    return ffmpeg_python.input(path, f=(info["container"] or "").split(",")[0], **options)


def _display_size(info: dict[str, Any]) -> tuple[float, float]:
    """Width and height as a viewer sees the picture: square pixels, upright."""
    width, height, sar = info["width"] or 0, info["height"] or 0, info["sample_aspect_ratio"] or 1.0
    if info["rotation"] in (90, 270):
        height *= sar
    else:
        width *= sar
    if not width or not height:
        raise MediaError("the film's picture size cannot be read: the video stream may be damaged.")
    return width, height


def _fit(info: dict[str, Any], *, max_height: int | None = None, width: int | None = None) -> tuple[int, int]:
    """Even output dimensions keeping the aspect ratio: by a maximum height (never enlarging) or a fixed width."""
    display_w, display_h = _display_size(info)
    if width:
        return _even(width), max(2, _even(width * display_h / display_w))
    target_h = max(2, _even(min(max_height or display_h, display_h), down=True))
    return max(2, _even(display_w * target_h / display_h)), target_h


def _even(value: float, down: bool = False) -> int:
    return int(value // 2 * 2) if down else int(round(value / 2) * 2)


def _report(progress: Progress | None, percent: float) -> None:
    if progress:
        progress(max(0.0, min(100.0, percent)))


def _frame_filters(stream, size: tuple[int, int]):
    return stream.filter("scale", size[0], size[1]).filter("setsar", 1)


def grab_frame(
    path: str | os.PathLike,
    seconds: float,
    target: str,
    size: tuple[int, int],
    info: dict[str, Any],
    *,
    tools: Tools | None = None,
    timeout: float | None = None,
) -> str | None:
    """Write the frame at ``seconds`` to ``target`` (JPEG); return how it was found, or None if no frame exists.

    Fast input seeking first; some files (seen with MKV, and where the picture ends before the sound)
    return no frame that way, so then the last picture in the ``LOOKBACK_SECONDS`` before is taken.
    """
    tools = tools or default_tools()
    path = os.path.abspath(path)
    timeout = timeout or timeout_for(LOOKBACK_SECONDS, 1)
    attempts = (
        ("seek", _input(path, info, ss=f"{seconds:.3f}")["v:0"], {"frames:v": 1}),
        ("nearest-earlier",
         _input(path, info, ss=f"{max(0.0, seconds - LOOKBACK_SECONDS):.3f}",
                t=f"{min(seconds, LOOKBACK_SECONDS) + 0.05:.3f}")["v:0"],
         {"update": 1}),
    )
    failure = "a frame cannot be taken from the film"
    for method, stream, options in attempts:
        if os.path.exists(target):
            os.remove(target)
        out = _frame_filters(stream, size).output(target, f="image2", **{"q:v": 3, "fps_mode": "passthrough"},
                                                   **options)
        result = run(command(out, tools), timeout, failure=failure, check=False)
        if result.returncode == 0 and os.path.exists(target) and os.path.getsize(target) > 0:
            return method
    if result.returncode != 0:  # even the last resort failed outright: say why
        raise MediaError(f"{failure}: {last_error_line(result.stderr_tail, [path, target])}")
    return None


# ---------------------------------------------------------------- poster


def make_poster(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    max_height: int = PROXY_MAX_HEIGHT,
    tools: Tools | None = None,
    info: dict[str, Any] | None = None,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Write ``poster.jpg``: the first candidate frame (10%, 25%, 50%… of the film) that is not black or blank."""
    tools = tools or default_tools()
    info = _ready(info, path, tools)
    os.makedirs(out_dir, exist_ok=True)
    size = _fit(info, max_height=max_height)
    duration = info["duration"]
    notes: list[str] = []
    best: tuple[float, str, float, str] | None = None  # (stddev, file, seconds, method)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".poster-") as work:
        for number, share in enumerate(POSTER_CANDIDATES):
            seconds = duration * share
            candidate = os.path.join(work, f"candidate-{number}.jpg")
            method = grab_frame(path, seconds, candidate, size, info, tools=tools, timeout=timeout)
            _report(progress, (number + 1) * 100 / len(POSTER_CANDIDATES))
            if method is None:
                continue
            with Image.open(candidate) as frame:
                spread = ImageStat.Stat(frame.convert("L")).stddev[0]
            if best is None or spread > best[0]:
                best = (spread, candidate, seconds, method)
            if spread >= BLANK_STDDEV:
                break
        if best is None:
            raise MediaError("no poster frame could be taken: ffmpeg found no pictures at any point of the film.")
        if best[0] < BLANK_STDDEV:
            notes.append("Every candidate frame is nearly blank; the least blank one was used.")
        target = os.path.join(out_dir, "poster.jpg")
        os.replace(best[1], target)
    _report(progress, 100)
    return {"path": target, "width": size[0], "height": size[1], "time": round(best[2], 3), "method": best[3],
            "stddev": round(best[0], 2), "mime": "image/jpeg", "notes": notes}


# ---------------------------------------------------------------- storyboard


def storyboard_interval(duration: float) -> float:
    """Seconds between storyboard thumbnails: every 10 s, or a hundredth of the film if that is longer."""
    return max(10.0, duration / 100)


def storyboard_command(
    path: str, info: dict[str, Any], pattern: str, interval: float, size: tuple[int, int],
    columns: int, rows: int, tools: Tools,
) -> list[str]:
    """The keyframes-only pass: decode keyframes alone, keep the first in each interval, tile them into sheets."""
    select = f"isnan(prev_selected_t)+gt(floor(t/{interval:g}),floor(prev_selected_t/{interval:g}))"
    stream = _input(path, info, skip_frame="nokey")["v:0"].filter("select", select).filter("showinfo")
    stream = _frame_filters(stream, size).filter("tile", f"{columns}x{rows}")
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
    info = _ready(info, path, tools)
    os.makedirs(out_dir, exist_ok=True)
    duration = info["duration"]
    interval = float(interval or storyboard_interval(duration))
    size = _fit(info, width=thumb_width)
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
            raise MediaError("no storyboard could be made: ffmpeg found no pictures in the film.")
        sheets = _publish_sheets(work, out_dir, len(times), size, columns, rows)
    tiles = _tiles(times, duration, size, columns, rows)
    vtt_path = os.path.join(out_dir, "storyboard.vtt")
    _write_atomic(vtt_path, thumbnails_vtt(tiles, [os.path.basename(sheet["path"]) for sheet in sheets]))
    _report(progress, 100)
    return {"sheets": sheets, "vtt": vtt_path, "tiles": tiles, "interval": interval, "thumb_width": size[0],
            "thumb_height": size[1], "columns": columns, "rows": rows, "method": method, "notes": notes}


def _keyframe_pass(path, info, work, interval, size, columns, rows, tools, expected, progress, timeout) -> list[float]:
    times: list[float] = []

    def on_stderr(line: str) -> None:
        if match := _SHOWINFO.search(line):
            times.append(float(match.group(2)))
            _report(progress, len(times) * 95 / expected)

    pattern = os.path.join(work.replace("%", "%%"), "sheet-%03d.jpg")
    args = storyboard_command(path, info, pattern, interval, size, columns, rows, tools)
    result = run(args, timeout or timeout_for(info["duration"], 2), failure="the storyboard cannot be made",
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
        _report(progress, (number + 1) * 95 / expected)
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


# ---------------------------------------------------------------- proxy


def proxy_command(
    path: str, info: dict[str, Any], target: str, tools: Tools, *,
    max_height: int = PROXY_MAX_HEIGHT, crf: int = 23, preset: str = "veryfast", audio_bitrate: str = "128k",
    progress_pipe: bool = True,
) -> list[str]:
    """The proxy encode: first video (and first sound) stream to H.264/AAC MP4, no metadata, moov first."""
    source = _input(path, info)
    video = source["v:0"]
    if info.get("interlaced"):
        video = video.filter("bwdif", mode="send_frame", deint="interlaced")
    width, height = _fit(info, max_height=max_height)
    video = video.filter("scale", width, height).filter("setsar", 1).filter("format", "yuv420p")
    streams = [video]
    options: dict[str, Any] = {
        "c:v": "libx264", "preset": preset, "crf": crf, "profile:v": "high", "level:v": "4.1",
        "movflags": "+faststart", "map_metadata": -1, "map_chapters": -1, "f": "mp4",
        "max_muxing_queue_size": 4096,
    }
    if info["has_audio"]:
        streams.append(source["a:0"])
        options.update({"c:a": "aac", "b:a": audio_bitrate, "ac": min(2, info["audio_channels"] or 2)})
    extra = ("-progress", "pipe:1", "-nostats") if progress_pipe else ()
    return command(ffmpeg_python.output(*streams, target, **options), tools, *extra)


def make_proxy(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    max_height: int = PROXY_MAX_HEIGHT,
    crf: int = 23,
    preset: str = "veryfast",
    tools: Tools | None = None,
    info: dict[str, Any] | None = None,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Write ``proxy.mp4``: H.264/AAC (video only when the film is silent), ≤ ``max_height``, plays in browsers."""
    tools = tools or default_tools()
    path = os.path.abspath(path)
    info = _ready(info, path, tools)
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(os.path.abspath(out_dir), "proxy.mp4")
    partial = os.path.join(os.path.abspath(out_dir), ".proxy.partial.mp4")
    duration = info["duration"]

    def on_stdout(line: str) -> None:
        if line.startswith("out_time_us=") and duration:
            times: list[float] = []
            _collect_out_time(line, times)
            if times:
                _report(progress, times[0] * 100 / duration)

    args = proxy_command(path, info, partial, tools, max_height=max_height, crf=crf, preset=preset)
    try:
        run(args, timeout or timeout_for(duration, 0.25), failure="the web proxy cannot be made",
            on_stdout_line=on_stdout if progress else None)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    width, height = _fit(info, max_height=max_height)
    _report(progress, 100)
    return {"path": target, "width": width, "height": height, "duration": duration, "has_audio": info["has_audio"],
            "size": os.path.getsize(target), "mime": "video/mp4"}


# ---------------------------------------------------------------- subtitles


def extract_subtitles(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    tools: Tools | None = None,
    info: dict[str, Any] | None = None,
    timeout: float | None = None,
    notes: list[str] | None = None,
) -> list[ExtractedSubtitle]:
    """Write each text subtitle stream as ``subtitles-<index>-<lang>.srt``; pictures of text are skipped (noted)."""
    tools = tools or default_tools()
    path = os.path.abspath(path)
    info = _ready(info, path, tools)
    notes = notes if notes is not None else []
    os.makedirs(out_dir, exist_ok=True)
    wanted = []
    for sub in info["subtitles"]:
        if sub["kind"] == "text":
            wanted.append(sub)
        else:
            notes.append(f"Subtitle stream {sub['index']} ({sub['codec']}) is pictures of text, not text: "
                         "it was not extracted. Attach a text subtitle file for it instead.")
    if not wanted:
        return []
    source = _input(path, info)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".subtitles-") as work:
        outputs = [source[str(sub["index"])].output(os.path.join(work, f"{sub['index']}.srt"), f="srt",
                                                    **{"c:s": "srt"})
                   for sub in wanted]
        run(command(ffmpeg_python.merge_outputs(*outputs), tools), timeout or timeout_for(info["duration"], 5),
            failure="the subtitles cannot be extracted")
        extracted = []
        for sub in wanted:
            written = os.path.join(work, f"{sub['index']}.srt")
            if not os.path.exists(written) or os.path.getsize(written) == 0:
                notes.append(f"Subtitle stream {sub['index']} holds no cues; it was skipped.")
                continue
            tag = re.sub(r"[^A-Za-z0-9-]", "", sub["language"] or "") or "und"
            target = os.path.join(out_dir, f"subtitles-{sub['index']}-{tag}.srt")
            shutil.move(written, target)
            extracted.append(ExtractedSubtitle(sub["index"], sub["language"], target))
    return extracted
