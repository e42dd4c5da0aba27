"""A film upload cut mid-way in the browser goes on where it stopped, after the tab is closed and reopened too."""

from __future__ import annotations

import hashlib
import socket
import threading
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from archive.extensions import db
from archive.media.models import MediaFile, Upload
from tests.browser.test_catalogue_flow import sign_in
from tests.factories import make_film

# Media reaches the browser from the storage's own origin in the scaled configuration: both run.
pytestmark = [pytest.mark.browser, pytest.mark.every_profile]
MiB = 1024 * 1024
CUT_AFTER = 5 * MiB
# Records every value the progress bars show, so the test can tell where a resumed bar started.
WATCH_PROGRESS = """
window.__progress = [];
new MutationObserver((changes) => changes.forEach((change) => {
  if (change.target.tagName === "PROGRESS") { window.__progress.push(Number(change.target.value)); }
})).observe(document, {subtree: true, attributes: true, attributeFilter: ["value"]});
"""


class Network:
    """Between the browser and the app: counts the chunk bytes the app reads; can cut and stay down."""

    def __init__(self, app) -> None:
        self.inner = app.wsgi_app
        self.received: list[int] = []  # bytes read, one entry per PATCH
        self.offsets: list[int] = []
        self.down = False
        self.cut_done = threading.Event()

    def __call__(self, environ, start_response):
        is_chunk = environ["REQUEST_METHOD"] == "PATCH" and environ["PATH_INFO"].startswith("/manage/uploads/")
        if is_chunk and self.down:
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return [b""]
        if is_chunk:
            self.offsets.append(int(environ.get("HTTP_UPLOAD_OFFSET", "-1")))
            self.received.append(0)
            environ["wsgi.input"] = _Counting(self, environ, first=len(self.received) == 1)
        return self.inner(environ, start_response)


class _Counting:
    def __init__(self, network: Network, environ, first: bool) -> None:
        self.network, self.stream, self.socket, self.first = network, environ["wsgi.input"], environ["werkzeug.socket"], first

    def read(self, size=-1):
        if self.first and self.network.received[-1] >= CUT_AFTER:
            # The line goes down mid-request, and stays down until the test brings it back.
            self.network.down = True
            self.socket.shutdown(socket.SHUT_RDWR)
            self.network.cut_done.set()
            raise ConnectionResetError("the connection was cut")
        if self.first:
            size = min(size if size >= 0 else CUT_AFTER, CUT_AFTER - self.network.received[-1])
        data = self.stream.read(size)
        self.network.received[-1] += len(data)
        return data


def test_a_cut_upload_goes_on_from_where_it_stopped_after_reopening_the_tab(app, page, users, samples, tmp_path):
    film = make_film("Crossing", "restricted")
    path = tmp_path / "crossing.mp4"
    data = samples["film"].read_bytes()
    data += hashlib.sha256(data).digest() * ((12 * MiB - len(data)) // 32)
    path.write_bytes(data)
    network = Network(app)
    app.wsgi_app = network

    sign_in(page, users["archivist"].email)
    page.goto(f"/manage/items/{film.id}/media")
    page.locator("#upload-files").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    assert network.cut_done.wait(60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the server keeps what arrived before the cut
        db.session.expire_all()
        row = db.session.scalar(select(Upload))
        if row is not None and row.offset == CUT_AFTER and row.lease is None:
            break
        time.sleep(0.2)
    assert row.offset == CUT_AFTER
    context = page.context
    page.close()  # the archivist gives up for now and closes the tab

    network.down = False
    console: list[str] = []
    again = context.new_page()
    again.on("console", lambda message: console.append(message.text))
    again.add_init_script(WATCH_PROGRESS)
    again.goto(f"/manage/items/{film.id}/media")
    again.locator("#upload-files").set_input_files(str(path))
    again.get_by_role("button", name="Upload").click()
    expect(again.locator("#upload-list li")).to_contain_text("uploaded; processing", timeout=60_000)

    resumed = network.offsets.index(CUT_AFTER)
    assert sum(network.received[resumed:]) == len(data) - CUT_AFTER  # the first part was not sent again
    assert sum(network.received) == len(data)
    shown = [value for value in again.evaluate("window.__progress") if value > 0]
    assert shown and shown[0] >= 100 * CUT_AFTER // len(data) - 1, shown  # the bar picked up where it stopped
    db.session.expire_all()
    media = db.session.scalar(select(MediaFile))
    assert media.item_id == film.id and media.sha256 == hashlib.sha256(data).hexdigest()
    assert not [line for line in console if "Content Security Policy" in line]
