"""Benchmark: page weight of the home page and a film page on a phone (390 × 844), against 400 KB.

Counts the bytes (as sent: encoded bodies) of HTML, CSS, JS, images, fonts and other fetches that a
first visit makes before any scrolling, in headless Chromium started as the browser tests start it;
the film's own bytes (the player reads its metadata) are shown but not counted. Then it says whether
the film page's largest painted picture is the player's poster with every request for the film refused,
i.e. whether the poster shows without waiting for the video.

By default it builds a fresh archive with `flask demo load` (and `flask jobs drain`) in a temporary
folder and serves it with `flask run`; `--base-url` measures a running archive instead.

    .venv/bin/python bench/pages.py [--base-url http://127.0.0.1:5000] [--film /items/1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.browser.weight import BUDGET_BYTES, PHONE, page_weight, poster_without_the_film  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", str(ROOT / "wsgi.py")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """The demo archive in ``folder`` (built once: reused when already there), served on a free port."""
    env = {**os.environ, "ARCHIVE_INSTANCE_PATH": str(folder / "instance")}
    if not (folder / "instance").exists():
        print(f"building the demo archive in {folder} (flask demo load, flask jobs drain) …", flush=True)
        for command in (["db", "upgrade"], ["demo", "load"], ["jobs", "drain"]):
            subprocess.run([*FLASK, *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    server = subprocess.Popen([*FLASK, "run", "--port", str(port)], env=env, cwd=ROOT,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 (our own loopback server)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the demo archive did not start on {base}")


def measure(base: str, film: str | None) -> bool:
    """Print the figures; True when both pages are within the budget and the poster shows first."""
    ok = True
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             headless=True, args=CHROMIUM_ARGS)
        try:
            if film is None:
                context = browser.new_context(base_url=base, viewport=PHONE)
                page = context.new_page()
                page.goto("/")
                film = page.locator("section[aria-labelledby=films-title] .item-grid a[href*='/items/']").first \
                    .get_attribute("href")
                context.close()
            print(f"phone {PHONE['width']}×{PHONE['height']}, first visit, before scrolling; budget "
                  f"{BUDGET_BYTES / 1000:.0f} KB")
            for path in ("/", film):
                context = browser.new_context(base_url=base, viewport=PHONE)
                weight = page_weight(context, path)
                context.close()
                within = weight.total < BUDGET_BYTES
                ok &= within
                print(f"  {weight.line()}  {'OK' if within else 'OVER BUDGET'}")
                for kind, url, size in sorted(weight.files, key=lambda file: -file[2])[:6]:
                    print(f"      {size / 1000:7.1f} KB  {kind:6}  {url.split('?')[0][-70:]}")
                if weight.largest_paint:
                    print(f"      largest paint: <{weight.largest_paint['element']}> at {weight.largest_paint['time']} ms"
                          + (f", {weight.largest_paint['url'].split('?')[0][-50:]}" if weight.largest_paint["url"] else ""))
            context = browser.new_context(base_url=base, viewport=PHONE)
            seen = poster_without_the_film(context, film)
            context.close()
            first = bool(seen and seen["poster"] and seen["element"] == "video" and seen["url"] == seen["poster"])
            ok &= first
            print(f"  film page with the film's requests refused: largest paint "
                  f"{'<' + seen['element'] + '>' if seen else 'none'}"
                  f"{' at ' + str(seen['time']) + ' ms' if seen else ''}: "
                  f"{'the poster is visible without waiting for the video' if first else 'NOT the poster'}")
        finally:
            browser.close()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="measure this running archive instead of a fresh demo one")
    parser.add_argument("--film", help="the film page to measure (default: the newest film on the home page)")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the demo archive in this folder and keep it")
    args = parser.parse_args()
    if args.base_url:
        sys.exit(0 if measure(args.base_url.rstrip("/"), args.film) else 1)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pages-bench-"))
    server, base = demo_server(folder)
    try:
        ok = measure(base, args.film)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
