"""Error answers keep what the HTTP error carried: Allow on 405, Content-Range on 416."""

from __future__ import annotations

import urllib.error
import urllib.request

from werkzeug.exceptions import RequestedRangeNotSatisfiable

from tests.factories import attach_video, make_film
from tests.fixtures.links import fetch

PROXY = b"\x00\x00\x00\x18ftypmp42 twenty-six bytes."


def test_a_405_names_the_methods_allowed(client):
    for path in ("/api/v1/me", "/search"):
        answer = client.delete(path)
        assert answer.status_code == 405, path
        assert "GET" in answer.headers.get("Allow", ""), path
    assert client.delete("/api/v1/me").get_json()["error"]["code"] == "method_not_allowed"


def test_a_416_says_how_long_the_file_is(app, client):
    film = make_film()
    attach_video(film, proxy=PROXY)
    link = client.get(f"/api/v1/items/{film.id}").get_json()["media"][0]["derivatives"]["proxy"]
    answer = fetch_error(client, link, {"Range": f"bytes={len(PROXY) + 10}-"})
    assert answer[0] == 416
    if link.startswith("/"):  # the app's own route (a presigned S3 link is answered by the S3 server)
        assert answer[1].get("Content-Range") == f"bytes */{len(PROXY)}"
    assert fetch(client, link, {"Range": "bytes=0-3"}) == (206, PROXY[:4])
    # The handler itself, on a page and in the API, whichever storage serves the files.
    for path in ("/items/1", "/api/v1/items/1"):
        with app.test_request_context(path):
            response = app.make_response(app.handle_http_exception(RequestedRangeNotSatisfiable(length=26)))
        assert (response.status_code, response.headers.get("Content-Range")) == (416, "bytes */26"), path


def fetch_error(client, url: str, headers: dict) -> tuple[int, dict]:
    """Status and headers of an error answer behind a media link (app route or presigned URL)."""
    if url.startswith("/"):
        answer = client.get(url, headers=headers)
        return answer.status_code, dict(answer.headers)
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)  # noqa: S310
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)
    return 200, {}
