"""Technical metadata of a film: container, duration, codecs, picture size, frame rate, sound, subtitles.

ffprobe's JSON is used when ffprobe is installed. The pip-installed fallback (imageio-ffmpeg) ships
ffmpeg alone, so without ffprobe the same facts are read from the stream summary that ``ffmpeg -i``
prints; both paths return the same dictionary.
"""

from __future__ import annotations

import json
import os
import re
from fractions import Fraction
from typing import Any

from archive.jobs.reasons import failure
from archive.media.errors import MediaError
from archive.media.ffmpeg import Tools, default_tools, last_error_line, run

PROBE_TIMEOUT = 60.0
UNREADABLE = "unreadable_video"  # the message key of a film ffmpeg cannot read (jobs.reasons)

# Subtitle codecs that are text (can become .srt/.vtt) as opposed to pictures of text (DVD, Blu-ray, DVB).
TEXT_SUBTITLE_CODECS = frozenset(
    {"mov_text", "subrip", "srt", "ass", "ssa", "webvtt", "text", "microdvd", "subviewer", "subviewer1",
     "sami", "realtext", "jacosub", "mpl2", "pjs", "stl", "vplayer", "eia_608"}
)
BITMAP_SUBTITLE_CODECS = frozenset({"dvd_subtitle", "dvb_subtitle", "hdmv_pgs_subtitle", "xsub", "dvb_teletext"})

# Channel layouts as ffmpeg names them, for the `ffmpeg -i` path that prints names instead of counts.
_LAYOUT_CHANNELS = {
    "mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "3.0(back)": 3, "4.0": 4, "quad": 4, "quad(side)": 4,
    "3.1": 4, "5.0": 5, "5.0(side)": 5, "4.1": 5, "5.1": 6, "5.1(side)": 6, "6.0": 6, "6.0(front)": 6,
    "hexagonal": 6, "6.1": 7, "6.1(back)": 7, "6.1(front)": 7, "7.0": 7, "7.0(front)": 7, "7.1": 8,
    "7.1(wide)": 8, "7.1(wide-side)": 8, "octagonal": 8, "downmix": 2, "22.2": 24,
}


def probe(path: str | os.PathLike, *, tools: Tools | None = None, timeout: float = PROBE_TIMEOUT) -> dict[str, Any]:
    """Technical metadata of the film at ``path`` as a JSON-ready dict; MediaError when it cannot be read."""
    tools = tools or default_tools()
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise failure(MediaError, "no_file", name=os.path.basename(path))
    if os.path.getsize(path) == 0:
        raise failure(MediaError, "empty_file", name=os.path.basename(path))
    info = _probe_with_ffprobe(path, tools, timeout) if tools.ffprobe else _probe_with_ffmpeg(path, tools, timeout)
    return _finish(info)


def _probe_with_ffprobe(path: str, tools: Tools, timeout: float) -> dict[str, Any]:
    lines: list[str] = []
    args = [tools.ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path]
    run(args, timeout, failure=UNREADABLE, on_stdout_line=lines.append)
    try:
        data = json.loads("\n".join(lines) or "{}")
    except ValueError as exc:
        raise failure(MediaError, UNREADABLE, detail=f"ffprobe: {exc}") from exc
    fmt = data.get("format") or {}
    if not fmt:
        raise failure(MediaError, "no_container")
    info = _empty(fmt.get("format_name"), _number(fmt.get("duration")), _integer(fmt.get("bit_rate")))
    for stream in data.get("streams") or []:
        kind = stream.get("codec_type")
        tags = stream.get("tags") or {}
        if kind == "video" and not (stream.get("disposition") or {}).get("attached_pic"):
            info["video_streams"] += 1
            if info["video_codec"] is None:
                rotation = tags.get("rotate")
                for side in stream.get("side_data_list") or []:
                    if "rotation" in side:
                        rotation = side["rotation"]
                info.update(
                    video_codec=stream.get("codec_name"),
                    width=stream.get("width"),
                    height=stream.get("height"),
                    frame_rate=_rate(stream.get("avg_frame_rate")) or _rate(stream.get("r_frame_rate")),
                    pixel_format=stream.get("pix_fmt"),
                    interlaced=stream.get("field_order") in ("tt", "bb", "tb", "bt"),
                    sample_aspect_ratio=_sar(stream.get("sample_aspect_ratio")),
                    rotation=_rotation(rotation),
                    video_duration=_number(stream.get("duration")),
                )
        elif kind == "audio":
            info["audio_streams"] += 1
            if info["audio_codec"] is None:
                info.update(
                    audio_codec=stream.get("codec_name"),
                    audio_channels=stream.get("channels"),
                    audio_sample_rate=_integer(stream.get("sample_rate")),
                )
        elif kind == "subtitle":
            info["subtitles"].append(_subtitle(stream.get("index"), stream.get("codec_name"), tags.get("language"),
                                               tags.get("title")))
    return info


# `ffmpeg -i` summary lines, e.g. "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':",
# "  Duration: 00:00:04.00, start: 0.000000, bitrate: 138 kb/s",
# "  Stream #0:1[0x2](hye): Subtitle: mov_text (tx3g / 0x67337874), 0 kb/s (default)".
_INPUT = re.compile(r"^Input #0, (?P<format>.+?), from '")
_DURATION = re.compile(r"^\s+Duration: (?P<duration>[\d:.]+|N/A)(?:, start: [-\d.]+)?(?:, bitrate: (?P<rate>\d+) kb/s)?")
_STREAM = re.compile(
    r"^\s+Stream #0:(?P<index>\d+)(?:\[\w+\])?(?:\((?P<lang>[^)]*)\))?: (?P<kind>Video|Audio|Subtitle|Data|Attachment): "
    r"(?P<rest>.*)$"
)
_SIZE = re.compile(r"(?<![\w.])(\d{1,5})x(\d{1,5})(?:\s+\[SAR (\d+):(\d+)|[,\s]|$)")
_FPS = re.compile(r"([\d.]+)(k?) (?:fps|tbr)")
_HZ = re.compile(r"(\d+) Hz, ([^,]+)")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees", re.IGNORECASE)
_TITLE = re.compile(r"^\s+title\s+: (.*)$")


def _probe_with_ffmpeg(path: str, tools: Tools, timeout: float) -> dict[str, Any]:
    # Without an output file ffmpeg prints the summary and exits non-zero: that exit is expected.
    lines: list[str] = []
    run([tools.ffmpeg, "-nostdin", "-hide_banner", "-i", path], timeout, failure=UNREADABLE, check=False,
        on_stderr_line=lines.append)
    if not any(_INPUT.match(line) for line in lines):
        raise failure(MediaError, UNREADABLE, detail=last_error_line(lines, [path]))
    info = _empty(None, None, None)
    current: dict[str, Any] | None = None
    for line in lines:
        if match := _INPUT.match(line):
            info["container"] = match["format"]
        elif match := _DURATION.match(line):
            if match["duration"] != "N/A":
                h, m, s = match["duration"].split(":")
                info["duration"] = int(h) * 3600 + int(m) * 60 + float(s)
            info["bit_rate"] = int(match["rate"]) * 1000 if match["rate"] else None
        elif match := _STREAM.match(line):
            current = None
            kind, rest = match["kind"], match["rest"]
            codec = rest.split(" ", 1)[0].rstrip(",")
            if kind == "Video" and "(attached pic)" not in rest:
                info["video_streams"] += 1
                if info["video_codec"] is None:
                    size = _SIZE.search(rest)
                    fps = _FPS.search(rest)
                    info.update(
                        video_codec=codec,
                        width=int(size.group(1)) if size else None,
                        height=int(size.group(2)) if size else None,
                        frame_rate=(float(fps.group(1)) * (1000 if fps.group(2) else 1)) if fps else None,
                        pixel_format=_pixel_format(rest),
                        interlaced=bool(re.search(r"\b(top|bottom) (coded )?first\b", rest)),
                        sample_aspect_ratio=_sar(f"{size.group(3)}:{size.group(4)}") if size and size.group(3) else 1.0,
                    )
            elif kind == "Audio":
                info["audio_streams"] += 1
                if info["audio_codec"] is None:
                    hz = _HZ.search(rest)
                    layout = hz.group(2).strip() if hz else ""
                    channels = _LAYOUT_CHANNELS.get(layout)
                    if channels is None and (count := re.match(r"(\d+) channels", layout)):
                        channels = int(count.group(1))
                    info.update(audio_codec=codec, audio_channels=channels,
                                audio_sample_rate=int(hz.group(1)) if hz else None)
            elif kind == "Subtitle":
                current = _subtitle(int(match["index"]), codec, match["lang"], None)
                info["subtitles"].append(current)
        elif (rotation := _ROTATION.search(line)) and info["video_codec"] and not info["rotation"]:
            info["rotation"] = _rotation(rotation.group(1))
        elif current is not None and (title := _TITLE.match(line)):
            current["title"] = title.group(1).strip()
    return info


def _pixel_format(rest: str) -> str | None:
    # "h264 (High) (avc1 / 0x31637661), yuv420p(tv, progressive), 320x240 ..." -> "yuv420p"
    parts = _split_top_level(rest)
    return re.split(r"[(\s]", parts[1].strip(), maxsplit=1)[0] if len(parts) > 1 else None


def _split_top_level(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _empty(container: str | None, duration: float | None, bit_rate: int | None) -> dict[str, Any]:
    return {
        "container": container,
        "duration": duration,
        "bit_rate": bit_rate,
        "video_codec": None,
        "width": None,
        "height": None,
        "frame_rate": None,
        "pixel_format": None,
        "interlaced": False,
        "sample_aspect_ratio": 1.0,
        "rotation": 0,
        "video_duration": None,
        "video_streams": 0,
        "audio_codec": None,
        "audio_channels": None,
        "audio_sample_rate": None,
        "audio_streams": 0,
        "subtitles": [],
    }


def _subtitle(index: int | None, codec: str | None, language: str | None, title: str | None) -> dict[str, Any]:
    language = (language or "").strip() or None
    kind = "text" if codec in TEXT_SUBTITLE_CODECS else "bitmap" if codec in BITMAP_SUBTITLE_CODECS else "unknown"
    return {"index": index, "codec": codec, "language": None if language == "und" else language,
            "title": title, "kind": kind}


def _finish(info: dict[str, Any]) -> dict[str, Any]:
    """Fill what one path leaves out, turn the picture upright, and add notes a person should see."""
    notes: list[str] = []
    if info["duration"] is None and info.get("video_duration"):
        info["duration"] = info["video_duration"]
    info.pop("video_duration", None)
    # Width and height as the film is shown: turned when a phone recorded it on its side.
    info["coded_width"], info["coded_height"] = info["width"], info["height"]
    if info["rotation"] in (90, 270) and info["width"] and info["height"]:
        info["width"], info["height"] = info["height"], info["width"]
    if info["frame_rate"] is not None:
        info["frame_rate"] = round(info["frame_rate"], 3)
    info["has_audio"] = info["audio_streams"] > 0
    if info["video_streams"] and not info["has_audio"]:
        notes.append("The film has no sound track.")
    if info["video_streams"] > 1:
        notes.append(f"The file holds {info['video_streams']} video streams; previews use the first.")
    if info["audio_streams"] > 1:
        notes.append(f"The file holds {info['audio_streams']} sound tracks; the proxy keeps the first.")
    for sub in info["subtitles"]:
        if sub["kind"] == "bitmap":
            notes.append(f"Subtitle stream {sub['index']} ({sub['codec']}) is pictures of text and cannot be "
                         "extracted as a text track.")
    info["notes"] = notes
    return info


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None  # NaN and negatives mean "unknown"


def _integer(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _rate(value: str | None) -> float | None:
    try:
        rate = Fraction(value or "")
    except (ValueError, ZeroDivisionError):
        return None
    return float(rate) if rate > 0 else None


def _sar(value: str | None) -> float:
    try:
        ratio = Fraction((value or "1:1").replace(":", "/"))
    except (ValueError, ZeroDivisionError):
        return 1.0
    return float(ratio) if ratio > 0 else 1.0


def _rotation(value: Any) -> int:
    try:
        turn = round(float(value)) % 360
    except (TypeError, ValueError, OverflowError):
        return 0
    return turn if turn in (0, 90, 180, 270) else 0
