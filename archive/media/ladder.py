"""The HLS ladder of a film: several renditions made by one ffmpeg command from one decode.

The film is decoded once; ``split`` feeds one scaler per rendition, each encoded to H.264 (and the
first sound stream to AAC, muxed into every rendition) and cut into fMP4 segments with a master
playlist. Keyframes are forced at the same instants in every rendition (a fixed interval, no scene
cut keyframes), so segment boundaries line up and a player can switch renditions at any boundary.
Renditions above the film's own height are skipped: nothing is ever enlarged.

Like the other preview makers, the files are written in a temporary folder first and moved into
place only when ffmpeg succeeds, under a timeout scaled to the film's length.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

from archive.media.ffmpeg import GLOBAL_ARGS, Tools, default_tools, encode, timeout_for
from archive.media.previews import Progress, fit, ready, report


@dataclass(frozen=True)
class Rung:
    """One rendition of the ladder: its height and the video bit rate it aims at (kbit/s)."""

    height: int
    video_kbps: int


LADDER = (Rung(240, 400), Rung(360, 800), Rung(720, 2800), Rung(1080, 5000))
AUDIO_KBPS = 128
SEGMENT_SECONDS = 4
MASTER = "master.m3u8"


def rungs_for(info: dict[str, Any], ladder: tuple[Rung, ...] = LADDER) -> list[Rung]:
    """The rungs a film gets: those at or below its height; a film smaller than the lowest gets its own size."""
    _, height = fit(info)
    chosen = [rung for rung in ladder if rung.height <= height]
    if not chosen:
        smallest = ladder[0]
        chosen = [Rung(height, max(100, smallest.video_kbps * height // smallest.height))]
    return chosen


def ladder_command(
    path: str, info: dict[str, Any], out_dir: str, tools: Tools, *,
    rungs: list[Rung] | None = None, segment_seconds: int = SEGMENT_SECONDS, preset: str = "veryfast",
    progress_pipe: bool = True,
) -> list[str]:
    """The one ffmpeg command that writes every rendition's segments and playlist and the master playlist."""
    rungs = rungs or rungs_for(info)
    container = (info["container"] or "").split(",")[0]
    chain = "[0:v:0]"
    if info.get("interlaced"):
        chain += "bwdif=mode=send_frame:deint=interlaced,"
    labels = "".join(f"[s{number}]" for number in range(len(rungs)))
    graph = [f"{chain}split={len(rungs)}{labels}" if len(rungs) > 1 else f"{chain}null[s0]"]
    args = [tools.ffmpeg, *GLOBAL_ARGS]
    if progress_pipe:
        args += ["-progress", "pipe:1", "-nostats"]
    args += ["-f", container, "-i", path]
    maps: list[str] = []
    per_stream: list[str] = []
    has_audio = bool(info.get("has_audio"))
    for number, rung in enumerate(rungs):
        width, height = fit(info, max_height=rung.height)
        graph.append(f"[s{number}]scale={width}:{height},setsar=1,format=yuv420p[v{number}]")
        maps += ["-map", f"[v{number}]"]
        if has_audio:
            maps += ["-map", "0:a:0"]
        kbps = rung.video_kbps
        per_stream += [f"-b:v:{number}", f"{kbps}k", f"-maxrate:v:{number}", f"{kbps * 11 // 10}k",
                       f"-bufsize:v:{number}", f"{kbps * 2}k"]
    fps = info.get("frame_rate") or 25
    gop = max(1, round(fps * segment_seconds))
    args += ["-filter_complex", ";".join(graph), *maps,
             "-c:v", "libx264", "-preset", preset, "-profile:v", "high", *per_stream,
             # The same keyframe instants in every rendition: forced by time, no scene-cut extras.
             "-force_key_frames", f"expr:gte(t,n_forced*{segment_seconds})",
             "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
             "-map_metadata", "-1", "-map_chapters", "-1", "-max_muxing_queue_size", "4096"]
    if has_audio:
        args += ["-c:a", "aac", "-b:a", f"{AUDIO_KBPS}k", "-ac", str(min(2, info.get("audio_channels") or 2))]
    streams = " ".join(f"v:{n},a:{n}" if has_audio else f"v:{n}" for n in range(len(rungs)))
    args += ["-f", "hls", "-hls_time", str(segment_seconds), "-hls_playlist_type", "vod",
             "-hls_segment_type", "fmp4", "-hls_flags", "independent_segments",
             "-hls_fmp4_init_filename", "init.mp4",
             "-hls_segment_filename", os.path.join(out_dir, "v%v-%05d.m4s"),
             "-master_pl_name", MASTER, "-var_stream_map", streams, os.path.join(out_dir, "v%v.m3u8")]
    return args


def uris(playlist_text: str) -> list[str]:
    """The files a playlist names, in order: the init segment (``EXT-X-MAP``) and the media segments."""
    found = []
    for line in playlist_text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-MAP:") and 'URI="' in line:
            found.append(line.split('URI="', 1)[1].split('"', 1)[0])
        elif line and not line.startswith("#"):
            found.append(line)
    return found


def make_ladder(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    tools: Tools | None = None,
    info: dict[str, Any] | None = None,
    rungs: list[Rung] | None = None,
    segment_seconds: int = SEGMENT_SECONDS,
    preset: str = "veryfast",
    progress: Progress | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Write the ladder into ``out_dir/hls``; return the master playlist and each rendition's files, lowest first."""
    tools = tools or default_tools()
    path = os.path.abspath(path)
    info = ready(info, path, tools)
    rungs = rungs or rungs_for(info)
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(os.path.abspath(out_dir), "hls")
    duration = info["duration"]
    work = tempfile.mkdtemp(dir=out_dir, prefix=".hls-")
    try:
        args = ladder_command(path, info, work, tools, rungs=rungs, segment_seconds=segment_seconds, preset=preset)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    # Several encodes at once: allow about twice the web version's time.
    encode(args, work, target, duration=duration, timeout=timeout or timeout_for(duration, 0.12),
           failure="ladder_failed", progress=progress)
    renditions = []
    for number, rung in enumerate(rungs):
        playlist = os.path.join(target, f"v{number}.m3u8")
        with open(playlist, encoding="utf-8") as handle:
            files = uris(handle.read())
        width, height = fit(info, max_height=rung.height)
        renditions.append({"playlist": playlist, "files": [os.path.join(target, name) for name in files],
                           "width": width, "height": height, "video_kbps": rung.video_kbps})
    report(progress, 100)
    return {"master": os.path.join(target, MASTER), "renditions": renditions, "segment_seconds": segment_seconds}
