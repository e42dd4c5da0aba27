"""A real IIIF viewer (Mirador 4) opens the live app's manifests from another origin.

The viewer is vendored for the tests only (``tests/browser/iiif_viewer/``: Mirador 4.0.0's UMD build
from the npm registry, which bundles React) and served by a tiny HTTP server of its own on another
port, so the manifests, media and subtitles are fetched cross-origin, as a museum's or a portal's
viewer would fetch them. The viewer's page has its own policy (Mirador injects its styles); the
app's strict CSP is untouched, and the app never serves the viewer.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from archive.extensions import db
from tests.factories import add_subtitles, attach_video, make_film, make_photo
from tests.fixtures.s3 import _admin_client
from tests.iiif.test_manifests import attach_image

# Media reaches the browser from the storage's own origin in the scaled configuration: both run.
pytestmark = [pytest.mark.browser, pytest.mark.every_profile]

VIEWER = Path(__file__).parent / "iiif_viewer"
VIEWER_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src * data: blob:; "
                 "media-src * blob:; connect-src *; font-src 'self' data:")


class ViewerHandler(SimpleHTTPRequestHandler):
    """Serves the viewer's folder with the viewer page's own policy; quiet."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", VIEWER_POLICY)
        super().end_headers()

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture
def viewer_site() -> Iterator[str]:
    """The viewer's own site: another origin than the app's (another port); yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(ViewerHandler, directory=str(VIEWER)))
    thread = threading.Thread(target=server.serve_forever, name="iiif-viewer", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def allow_viewers_on_the_bucket(request, profile: str) -> None:
    """Scaled: the bucket answers CORS requests, as a deployment that serves IIIF viewers configures it.

    Media links there are presigned S3 addresses, so the app cannot add the header itself (README:
    "IIIF viewers on other sites"). A CORS rule grants nothing without a valid signed link.
    """
    if profile != "scaled":
        return
    bucket = request.getfixturevalue("s3_bucket")
    _admin_client(request.getfixturevalue("s3_server")).put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"], "AllowedHeaders": ["*"], "MaxAgeSeconds": 600}]})


def test_mirador_plays_a_subtitled_film_and_shows_a_photo_from_another_origin(app, live_server, viewer_site, page,
                                                                              samples, request, profile):
    allow_viewers_on_the_bucket(request, profile)
    film = make_film("Border Stories", duration=3)
    attach_video(film, proxy=samples["film"].read_bytes(), poster=samples["photo"].read_bytes())
    add_subtitles(film, "hy")
    photo = make_photo("Portrait of a crossing")
    picture = samples["photo"].read_bytes()
    attach_image(photo, sizes=(("display", 640, 480), ("thumbnail", 320, 240)), content=picture)
    film_id, photo_id = film.id, photo.id
    db.session.remove()  # the server thread reads what was committed

    answers = []
    page.on("response", lambda response: answers.append((response.url, response.status)))
    page.goto(f"{viewer_site}/viewer.html?manifest={quote(f'{live_server}/iiif/items/{film_id}/manifest', safe='')}")
    expect(page.get_by_role("region", name="Window: Border Stories")).to_be_visible()
    expect(page.get_by_role("heading", name="Border Stories", exact=True)).to_be_visible()
    video = page.locator("video")
    expect(video).to_have_count(1)
    # The web version loads through the manifest's stable address (metadata read: the media arrived).
    wait_until(page, video, "v => v.readyState >= 1")  # metadata read: the web version arrived
    assert video.evaluate("v => v.currentSrc") == f"{live_server}/iiif/items/{film_id}/media/{film_id}/proxy"
    assert video.evaluate("v => v.error") is None
    # The subtitles are a <track> of the video; switched on, its cues load across origins.
    assert video.evaluate("v => Array.from(v.textTracks).map(t => t.language)") == ["hy"]
    video.evaluate("v => { v.textTracks[0].mode = 'showing'; }")
    wait_until(page, video, "v => v.textTracks[0].cues && v.textTracks[0].cues.length === 2")
    assert "Across the border" in video.evaluate("v => v.textTracks[0].cues[1].text")

    page.goto(f"{viewer_site}/viewer.html?manifest={quote(f'{live_server}/iiif/items/{photo_id}/manifest', safe='')}")
    expect(page.get_by_role("region", name="Window: Portrait of a crossing")).to_be_visible()
    # OpenSeadragon fetches the display size through the manifest's stable address and draws it.
    wait_until(page, page.locator(".openseadragon-canvas canvas").first, "c => c.width > 0")
    assert any(status == 200 and "/iiif/" not in url and not url.startswith(viewer_site) and "manifest" not in url
               for url, status in answers), answers  # the picture itself, wherever the stable address sent it
    assert any(f"/iiif/items/{photo_id}/media/" in url and url.endswith("/display") and status == 302
               for url, status in answers), answers


def wait_until(page, locator, condition: str, tries: int = 60) -> None:
    """Poll ``condition`` on the element (the viewer's CSP forbids the eval Playwright's wait_for_function uses)."""
    for _ in range(tries):
        if locator.evaluate(condition):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"never true: {condition}")
