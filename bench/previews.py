"""Benchmark: film previews against bare ffmpeg doing the same work.

Generates a 10-minute 720p film (keyframe every 10 s) once into a cache directory, then times:
- the storyboard job ÷ a bare keyframes-only ffmpeg pass making the same sprite (target ≤ 1.5);
- the proxy job ÷ bare ffmpeg with the same settings (target ≤ 1.1);
- for reference, a storyboard that decodes every frame ÷ the keyframes-only pass.

    .venv/bin/python bench/previews.py [--minutes 10] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.media.ffmpeg import default_tools  # noqa: E402
from archive.media.previews import film_info, make_proxy  # noqa: E402
from archive.media.storyboard import make_storyboard, storyboard_interval  # noqa: E402

FPS = 25


def make_film(cache: Path, minutes: float) -> Path:
    """The test film: 720p testsrc2 with a tone, a keyframe exactly every 10 s; made once, then reused."""
    film = cache / f"film-{minutes:g}min-720p.mp4"
    if film.exists():
        return film
    cache.mkdir(parents=True, exist_ok=True)
    seconds = minutes * 60
    partial = film.with_suffix(".partial.mp4")
    print(f"generating {film} ({minutes:g} min, 720p, keyframe every 10 s) …", flush=True)
    subprocess.run([
        default_tools().ffmpeg, "-nostdin", "-v", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate={FPS}:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-g", str(10 * FPS), "-keyint_min", str(10 * FPS), "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "128k", str(partial),
    ], check=True)
    partial.rename(film)
    return film


def timed(label: str, action) -> tuple[float, float]:
    """Run ``action`` once; return its wall time and the CPU time of the processes it started.

    CPU time is shown too because the machine is shared: other work slows the wall clock, not the CPU count.
    """
    cpu_before = _children_cpu()
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    print(f"  {label:<46} {elapsed:8.2f} s wall {cpu:8.2f} s cpu", flush=True)
    return elapsed, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best(label: str, action, repeat: int) -> tuple[float, float]:
    """The fastest of ``repeat`` runs (wall and CPU each), which is the least disturbed by other load."""
    runs = [timed(label, action) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def bare(args: list[str]) -> None:
    subprocess.run([default_tools().ffmpeg, "-nostdin", "-v", "error", "-y", *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="length of the generated film")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "dialogue-archive-bench", help="where the generated film is kept between runs")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each storyboard timing (the best counts)")
    parser.add_argument("--proxy-repeat", type=int, default=2, help="runs of each proxy timing (the best counts)")
    options = parser.parse_args()
    film = make_film(options.cache, options.minutes)
    info = film_info(film)
    interval = storyboard_interval(info["duration"])
    select = f"select=isnan(prev_selected_t)+gt(floor(t/{interval:g})\\,floor(prev_selected_t/{interval:g}))"
    sprite = f"{select},scale=160:90,setsar=1,tile=10x10"
    print(f"film: {film} ({info['duration']:.0f} s, {info['width']}x{info['height']}, "
          f"thumbnail every {interval:g} s)")

    with tempfile.TemporaryDirectory() as work:
        out = Path(work)
        print("probe (done once per film by the derivation job, shared by every preview)")
        probe_time = best("film_info (ffprobe)", lambda: film_info(film), options.repeat)
        print("storyboard")
        runs = []
        for _ in range(options.repeat):  # interleaved, so a burst of other load hits both sides alike
            runs.append((timed("storyboard job (make_storyboard)", lambda: make_storyboard(film, out / "job",
                                                                                            info=info)),
                         timed("bare ffmpeg, keyframes only", lambda: bare([
                             "-skip_frame", "nokey", "-i", str(film), "-map", "0:v:0", "-vf", sprite,
                             "-fps_mode", "passthrough", "-q:v", "4", str(out / "bare-%03d.jpg")]))))
        mine = min(r[0][0] for r in runs), min(r[0][1] for r in runs)
        keyframes = min(r[1][0] for r in runs), min(r[1][1] for r in runs)
        every = timed("bare ffmpeg, decoding every frame (reference)", lambda: bare([
            "-i", str(film), "-map", "0:v:0", "-vf", sprite,
            "-fps_mode", "passthrough", "-q:v", "4", str(out / "every-%03d.jpg")]))
        print("proxy")
        channels = str(min(2, info["audio_channels"] or 2))
        runs = []
        for _ in range(options.proxy_repeat):
            runs.append((timed("proxy job (make_proxy)", lambda: make_proxy(film, out / "job", info=info,
                                                                           progress=lambda _: None)),
                         timed("bare ffmpeg, same settings", lambda: bare([
                             "-i", str(film), "-map", "0:v:0", "-map", "0:a:0",
                             "-vf", "scale=1280:720,setsar=1,format=yuv420p",
                             "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high",
                             "-level:v", "4.1", "-c:a", "aac", "-b:a", "128k", "-ac", channels,
                             "-movflags", "+faststart", "-map_metadata", "-1", "-map_chapters", "-1",
                             str(out / "bare.mp4")]))))
        proxy = min(r[0][0] for r in runs), min(r[0][1] for r in runs)
        plain = min(r[1][0] for r in runs), min(r[1][1] for r in runs)
        shutil.rmtree(out / "job")

    with_probe = (mine[0] + probe_time[0]) / keyframes[0]
    print()
    print(f"{'':40} {'wall':>6} {'cpu':>6}")
    print(f"{'storyboard job / keyframes-only ffmpeg':40} {mine[0] / keyframes[0]:6.2f} {mine[1] / keyframes[1]:6.2f}"
          f"  (target <= 1.5; {with_probe:.2f} wall counting a probe of its own)")
    print(f"{'proxy job / bare ffmpeg':40} {proxy[0] / plain[0]:6.2f} {proxy[1] / plain[1]:6.2f}  (target <= 1.1)")
    print(f"{'every-frame storyboard / keyframes-only':40} {every[0] / keyframes[0]:6.1f} "
          f"{every[1] / keyframes[1]:6.1f}  (reference)")
    return 0 if mine[0] / keyframes[0] <= 1.5 and proxy[0] / plain[0] <= 1.1 else 1


if __name__ == "__main__":
    sys.exit(main())
