"""Adaptive playback in Chromium (no native HLS, so through hls.js): the ladder plays, the player drops to a
lower rendition when the connection is throttled (DevTools network emulation), a throttled phone plays the
low rendition, and subtitles and storyboard work over it."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from playwright.sync_api import expect

from archive.catalogue import operations as catalogue
from archive.jobs.operations import drain
from archive.media.ingest import ingest
from archive.subtitles import operations as subtitles
from tests.search.helpers import srt

# Media reaches the browser from the storage's own origin in the scaled configuration: both run.
pytestmark = [pytest.mark.browser, pytest.mark.every_profile]

PHONE = {"width": 390, "height": 844}
VIDEO = ".player video"


@pytest.fixture(scope="module")
def ladder_film_file(tmp_path_factory):
    """24 seconds at 640×360 and 10 frames a second: two rungs (240p, 360p), twelve 2-second segments each."""
    path = tmp_path_factory.mktemp("adaptive") / "river.mp4"
    subprocess.run([shutil.which("ffmpeg"), "-nostdin", "-v", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=10:duration=24",
                    "-f", "lavfi", "-i", "sine=frequency=330:duration=24",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(path)],
                   check=True, timeout=120)
    return path


@pytest.fixture
def film(app, ladder_film_file):
    app.config.update(HLS_LADDER=True, HLS_SEGMENT_SECONDS=2)
    item = catalogue.create_item({"kind": "film", "title": {"en": "River"}, "visibility": "public"})
    with open(ladder_film_file, "rb") as handle:
        ingest(item, handle, "river.mp4")
    subtitles.create_track(item, "hy", srt((0.5, 15.0, "Գետը լայն էր։")), "hy.srt")
    drain()
    return item


def throttle(page, kbit_per_second: int | None, latency_ms: int = 0) -> None:
    """Chromium's own network emulation (as DevTools' throttling) for everything this page fetches."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # segments fetched before come over the slow link too
    rate = -1 if kbit_per_second is None else kbit_per_second * 1000 // 8
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                                                  "downloadThroughput": rate, "uploadThroughput": rate})


def wait_until(page, expression: str, seconds: float = 30) -> None:
    """Poll ``expression`` in the page until it is true (evaluated over DevTools, so the page's CSP allows it)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(200)


def play(page) -> None:
    page.evaluate(f"(() => {{ const v = document.querySelector('{VIDEO}'); v.muted = true; return v.play(); }})()")


def test_hls_js_plays_the_ladder_switches_down_when_throttled_and_a_slow_phone_plays_the_low_rendition(open_page, film):
    page = open_page()
    page.goto(f"/items/{film.id}?sub=hy")
    video = page.locator(VIDEO)
    expect(video).to_have_attribute("data-playback", "hls.js")
    play(page)
    # Fast (unthrottled) localhost: the player climbs to the 360p rendition.
    expect(video).to_have_attribute("data-fetching", "360")
    wait_until(page, f"document.querySelector('{VIDEO}').videoHeight === 360")
    # The subtitles (a <track> of the same element) show over the stream.
    wait_until(page, f"Array.from(document.querySelector('{VIDEO}').textTracks).some("
                     "t => t.language === 'hy' && t.mode === 'showing' && t.activeCues && t.activeCues.length > 0)")
    assert page.evaluate(f"document.querySelector('{VIDEO}').currentSrc").startswith("blob:")
    # The connection slows, and the film jumps to what is no longer buffered: the player must fetch on the slow link.
    page.evaluate(f"document.querySelector('{VIDEO}').pause()")
    throttle(page, 100, latency_ms=100)  # far below either rendition: a fragment at 360p takes longer than the buffer lasts
    # (What a fast link already buffered is dropped first, however far a busy machine let it run ahead.)
    page.evaluate(f"""(() => {{ const v = document.querySelector('{VIDEO}');
        v.hlsPlayer.trigger(window.Hls.Events.BUFFER_FLUSHING, {{startOffset: 0, endOffset: Infinity, type: null}});
        v.currentTime = 8; return v.play(); }})()""")
    expect(video).to_have_attribute("data-fetching", "240", timeout=30_000)
    page.close()

    phone = open_page()
    phone.set_viewport_size(PHONE)
    phone.goto(f"/items/{film.id}")
    throttle(phone, 400, latency_ms=150)
    play(phone)
    wait_until(phone, f"document.querySelector('{VIDEO}').videoHeight === 240 && "
                      f"document.querySelector('{VIDEO}').currentTime > 0.5")
    assert phone.locator(VIDEO).get_attribute("data-rendition") == "240"
    # The storyboard thumbnails come from their own track, whatever plays the film.
    phone.evaluate(f"document.querySelector('{VIDEO}').pause()")
    box = phone.locator(VIDEO).bounding_box()
    phone.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20)
    expect(phone.locator(".storyboard-preview")).to_be_visible()
