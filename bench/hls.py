"""Benchmark: the HLS ladder job against one bare ffmpeg command writing the same renditions, and against the proxy.

Uses the 10-minute 720p film of bench/previews.py (generated once into the cache), then times:
- the ladder job (``archive.media.ladder.make_ladder``: 240p, 360p, 720p, one decode) ÷ one bare ffmpeg
  command writing the same renditions with ``-filter_complex split`` and ``-f hls`` (target ≤ 1.3);
- the ladder job ÷ the web proxy job (one 720p encode) (target ≤ 3).

    .venv/bin/python bench/hls.py [--minutes 10] [--cache DIR] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.media.ffmpeg import default_tools  # noqa: E402
from archive.media.ladder import AUDIO_KBPS, SEGMENT_SECONDS, make_ladder, rungs_for  # noqa: E402
from archive.media.previews import film_info, fit, make_proxy  # noqa: E402
from bench.previews import FPS, best, make_film  # noqa: E402


def bare_ladder(film: Path, info: dict, out: Path) -> None:
    """The same renditions written by one hand-typed ffmpeg command: one decode, split, one encoder each."""
    rungs = rungs_for(info)
    out.mkdir(parents=True, exist_ok=True)
    labels = "".join(f"[s{n}]" for n in range(len(rungs)))
    graph = [f"[0:v:0]split={len(rungs)}{labels}"]
    maps, rates = [], []
    for n, rung in enumerate(rungs):
        width, height = fit(info, max_height=rung.height)
        graph.append(f"[s{n}]scale={width}:{height},setsar=1,format=yuv420p[v{n}]")
        maps += ["-map", f"[v{n}]", "-map", "0:a:0"]
        rates += [f"-b:v:{n}", f"{rung.video_kbps}k", f"-maxrate:v:{n}", f"{rung.video_kbps * 11 // 10}k",
                  f"-bufsize:v:{n}", f"{rung.video_kbps * 2}k"]
    gop = str(FPS * SEGMENT_SECONDS)
    bare = [default_tools().ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(film),
            "-filter_complex", ";".join(graph), *maps, "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
            *rates, "-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-c:a", "aac", "-b:a", f"{AUDIO_KBPS}k",
            "-ac", "2", "-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod",
            "-hls_segment_type", "fmp4", "-hls_segment_filename", str(out / "v%v-%05d.m4s"),
            "-master_pl_name", "master.m3u8",
            "-var_stream_map", " ".join(f"v:{n},a:{n}" for n in range(len(rungs))), str(out / "v%v.m3u8")]
    subprocess.run(bare, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="length of the generated film")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "dialogue-archive-bench", help="where the generated film is kept between runs")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each timing (the best counts)")
    options = parser.parse_args()
    film = make_film(options.cache, options.minutes)
    info = film_info(film)
    heights = [f"{r.height}p" for r in rungs_for(info)]
    print(f"film: {film} ({info['duration']:.0f} s, {info['width']}x{info['height']}); ladder {', '.join(heights)}")
    with tempfile.TemporaryDirectory() as work:
        out = Path(work)
        ladder = best("ladder job (make_ladder)", lambda: make_ladder(film, out / "job", info=info,
                                                                       progress=lambda _: None), options.repeat)
        bare = best("bare ffmpeg, one command, same renditions", lambda: bare_ladder(film, info, out / "bare"),
                    options.repeat)
        proxy = best("proxy job (make_proxy, 720p)", lambda: make_proxy(film, out / "proxy", info=info,
                                                                       progress=lambda _: None), options.repeat)
    print()
    print(f"ladder ÷ bare single command: {ladder[0] / bare[0]:.2f}× wall, {ladder[1] / bare[1]:.2f}× cpu "
          "(target ≤ 1.3)")
    print(f"ladder ÷ proxy:               {ladder[0] / proxy[0]:.2f}× wall, {ladder[1] / proxy[1]:.2f}× cpu "
          "(target ≤ 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
