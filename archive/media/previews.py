"""Film previews made with ffmpeg: poster frame (and its small size), web proxy, subtitles, and the steps they share with the storyboard.

Each function takes the original's path and an output directory, writes its files there (under a
temporary name first, so a failure leaves nothing half-written), and returns what it made.
Every ffmpeg process has a timeout scaled to the film's length. Input is read with the demuxer
that probing found, never one ffmpeg guesses, so a disguised playlist cannot make it open other files.

The storyboard (sprite sheets + WebVTT track) is made in ``archive.media.storyboard`` from the shared
steps here: ``ready``, ``film_input``, ``fit``, ``frame_filters``, ``grab_frame`` and ``report``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from typing import Any, NamedTuple

import ffmpeg as ffmpeg_python
from PIL import Image, ImageStat

from archive.jobs.reasons import failure as failed
from archive.media.detect import FILM_CONTAINERS
from archive.media.errors import MediaError
from archive.media.ffmpeg import Tools, collect_out_time, command, default_tools, encode, last_error_line, run, timeout_for
from archive.media.probe import probe

Progress = Callable[[float], None]

POSTER_CANDIDATES = (0.10, 0.25, 0.50, 0.75, 0.05)
# A frame whose luminance varies less than this (standard deviation, 0..255) is black, white or blank.
BLANK_STDDEV = 10.0
PROXY_MAX_HEIGHT = 720
# The small poster, for grid cards and phones: wide enough for a phone-wide player at 1x, a tenth the bytes.
SMALL_POSTER_WIDTH = 400
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
        raise failed(MediaError, "not_film_container", container=container)
    if not info["video_streams"]:
        raise failed(MediaError, "no_video_stream")
    if not info["duration"]:
        info["duration"] = _measure_duration(os.path.abspath(path), container, tools)
    return info


def ready(info: dict[str, Any] | None, path, tools: Tools) -> dict[str, Any]:
    """The caller's probe (when it has a duration) or a fresh ``film_info``."""
    return info if info and info.get("duration") and info.get("video_streams") else film_info(path, tools=tools)


def _measure_duration(path: str, demuxer: str, tools: Tools) -> float:
    # Files written to a pipe (streamed MKV, some TS) carry no duration: read the packets, decode nothing.
    out_times: list[float] = []
    stream = ffmpeg_python.input(path, f=demuxer).video.output("-", f="null", c="copy")
    run(command(stream, tools, "-progress", "pipe:1", "-nostats"), MEASURE_TIMEOUT,
        failure="duration_failed", on_stdout_line=lambda line: collect_out_time(line, out_times))
    if not out_times or out_times[-1] <= 0:
        raise failed(MediaError, "no_pictures_for_length")
    return out_times[-1]




def film_input(path: str, info: dict[str, Any], **options: Any):
    """The film as ffmpeg input, read with the demuxer probing found (never one ffmpeg guesses)."""
    return ffmpeg_python.input(path, f=(info["container"] or "").split(",")[0], **options)


def _display_size(info: dict[str, Any]) -> tuple[float, float]:
    """Width and height as a viewer sees the picture: square pixels, upright."""
    width, height, sar = info["width"] or 0, info["height"] or 0, info["sample_aspect_ratio"] or 1.0
    if info["rotation"] in (90, 270):
        height *= sar
    else:
        width *= sar
    if not width or not height:
        raise failed(MediaError, "picture_size")
    return width, height


def fit(info: dict[str, Any], *, max_height: int | None = None, width: int | None = None) -> tuple[int, int]:
    """Even output dimensions keeping the aspect ratio: by a maximum height (never enlarging) or a fixed width."""
    display_w, display_h = _display_size(info)
    if width:
        return _even(width), max(2, _even(width * display_h / display_w))
    target_h = max(2, _even(min(max_height or display_h, display_h), down=True))
    return max(2, _even(display_w * target_h / display_h)), target_h


def _even(value: float, down: bool = False) -> int:
    return int(value // 2 * 2) if down else int(round(value / 2) * 2)


def report(progress: Progress | None, percent: float) -> None:
    """Pass ``percent``, kept within 0..100, to the progress callback if there is one."""
    if progress:
        progress(max(0.0, min(100.0, percent)))


def frame_filters(stream, size: tuple[int, int]):
    """Scale a video stream to ``size`` with square pixels, as every still (poster, thumbnail) is made."""
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
        ("seek", film_input(path, info, ss=f"{seconds:.3f}")["v:0"], {"frames:v": 1}),
        ("nearest-earlier",
         film_input(path, info, ss=f"{max(0.0, seconds - LOOKBACK_SECONDS):.3f}",
                    t=f"{min(seconds, LOOKBACK_SECONDS) + 0.05:.3f}")["v:0"],
         {"update": 1}),
    )
    failure = "frame_failed"
    for method, stream, options in attempts:
        if os.path.exists(target):
            os.remove(target)
        out = frame_filters(stream, size).output(target, f="image2", **{"q:v": 3, "fps_mode": "passthrough"},
                                                  **options)
        result = run(command(out, tools), timeout, failure=failure, check=False)
        if result.returncode == 0 and os.path.exists(target) and os.path.getsize(target) > 0:
            return method
    if result.returncode != 0:  # even the last resort failed outright: say why
        raise failed(MediaError, failure, detail=last_error_line(result.stderr_tail, [path, target]))
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
    """Write ``poster.jpg``: the first candidate frame (10%, 25%, 50%… of the film) that is not black or blank,
    and ``poster-small.jpg`` (``SMALL_POSTER_WIDTH`` wide) beside it when the poster is wider (else ``small`` is None)."""
    tools = tools or default_tools()
    info = ready(info, path, tools)
    os.makedirs(out_dir, exist_ok=True)
    size = fit(info, max_height=max_height)
    duration = info["duration"]
    notes: list[str] = []
    best: tuple[float, str, float, str] | None = None  # (stddev, file, seconds, method)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".poster-") as work:
        for number, share in enumerate(POSTER_CANDIDATES):
            seconds = duration * share
            candidate = os.path.join(work, f"candidate-{number}.jpg")
            method = grab_frame(path, seconds, candidate, size, info, tools=tools, timeout=timeout)
            report(progress, (number + 1) * 100 / len(POSTER_CANDIDATES))
            if method is None:
                continue
            with Image.open(candidate) as frame:
                spread = ImageStat.Stat(frame.convert("L")).stddev[0]
            if best is None or spread > best[0]:
                best = (spread, candidate, seconds, method)
            if spread >= BLANK_STDDEV:
                break
        if best is None:
            raise failed(MediaError, "no_poster_frame")
        if best[0] < BLANK_STDDEV:
            notes.append("Every candidate frame is nearly blank; the least blank one was used.")
        target = os.path.join(out_dir, "poster.jpg")
        os.replace(best[1], target)
    small = make_small_poster(target, out_dir)
    report(progress, 100)
    return {"path": target, "width": size[0], "height": size[1], "time": round(best[2], 3), "method": best[3],
            "stddev": round(best[0], 2), "mime": "image/jpeg", "notes": notes, "small": small}


def make_small_poster(poster: str | os.PathLike, out_dir: str | os.PathLike, *,
                      width: int = SMALL_POSTER_WIDTH) -> dict[str, Any] | None:
    """Write ``poster-small.jpg``, the poster scaled down to ``width``; None when the poster is no wider."""
    with Image.open(poster) as picture:
        if picture.width <= width:
            return None
        height = max(2, _even(width * picture.height / picture.width))
        small = picture.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    target = os.path.join(out_dir, "poster-small.jpg")
    partial = os.path.join(out_dir, ".poster-small.partial.jpg")
    try:
        small.save(partial, "JPEG", quality=82, optimize=True, progressive=True)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return {"path": target, "width": width, "height": height, "mime": "image/jpeg"}


# ---------------------------------------------------------------- proxy


def proxy_command(
    path: str, info: dict[str, Any], target: str, tools: Tools, *,
    max_height: int = PROXY_MAX_HEIGHT, crf: int = 23, preset: str = "veryfast", audio_bitrate: str = "128k",
    progress_pipe: bool = True,
) -> list[str]:
    """The proxy encode: first video (and first sound) stream to H.264/AAC MP4, no metadata, moov first."""
    source = film_input(path, info)
    video = source["v:0"]
    if info.get("interlaced"):
        video = video.filter("bwdif", mode="send_frame", deint="interlaced")
    width, height = fit(info, max_height=max_height)
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
    info = ready(info, path, tools)
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(os.path.abspath(out_dir), "proxy.mp4")
    partial = os.path.join(os.path.abspath(out_dir), ".proxy.partial.mp4")
    duration = info["duration"]
    args = proxy_command(path, info, partial, tools, max_height=max_height, crf=crf, preset=preset)
    encode(args, partial, target, duration=duration, timeout=timeout or timeout_for(duration, 0.25),
           failure="proxy_failed", progress=progress)
    width, height = fit(info, max_height=max_height)
    report(progress, 100)
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
    info = ready(info, path, tools)
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
    source = film_input(path, info)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".subtitles-") as work:
        outputs = [source[str(sub["index"])].output(os.path.join(work, f"{sub['index']}.srt"), f="srt",
                                                    **{"c:s": "srt"})
                   for sub in wanted]
        run(command(ffmpeg_python.merge_outputs(*outputs), tools), timeout or timeout_for(info["duration"], 5),
            failure="subtitles_failed")
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
