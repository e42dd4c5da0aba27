"""Media links ask again, each time they are used, whether the item is still visible to whom they were issued."""

from __future__ import annotations

import io

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.media import views as media_views
from archive.media.models import Derivative
from archive.media.operations import link_seconds
from archive.storage import get_storage
from tests.factories import FILM_SECONDS, add_subtitles, attach_video, make_film
from tests.fixtures.links import fetch

PROXY = b"\x00\x00\x00\x18ftypmp42 the web version"


def test_a_link_stops_serving_once_its_item_turns_hidden(app, client, token_for):
    film = make_film("Once public", "public")
    media = attach_video(film, proxy=PROXY)
    public_link = client.get(f"/api/v1/items/{film.id}").get_json()["media"][0]["derivatives"]["proxy"]
    assert fetch(client, public_link) == (200, PROXY)

    catalogue.update_item(film, {"visibility": "restricted"})
    staff_link = client.get(f"/api/v1/items/{film.id}", headers=token_for("archivist")).get_json()["media"][0]
    assert fetch(client, staff_link["derivatives"]["proxy"]) == (200, PROXY)  # staff still watch it
    if get_storage().checks_links_on_use:
        status, body = fetch(client, public_link)
        assert status == 404 and PROXY not in body
        assert b"no longer available" in body
    else:
        # A presigned S3 link cannot be recalled: it lives the film's length once, not twice.
        assert link_seconds(media) == app.config["STORAGE_URL_SECONDS"] + FILM_SECONDS

    # An embargo hides it the same way from an audience that saw it before.
    catalogue.update_item(film, {"visibility": "partners"})
    partners_link = client.get(f"/api/v1/items/{film.id}", headers=token_for("venue")).get_json()["media"][0]
    assert fetch(client, partners_link["derivatives"]["proxy"]) == (200, PROXY)
    catalogue.update_item(film, {"embargo_until": "2999-01-01"})
    if get_storage().checks_links_on_use:
        assert fetch(client, partners_link["derivatives"]["proxy"])[0] == 404


def _storyboard(film):
    """A film with a stored storyboard track and one sprite sheet, as the derive job leaves them."""
    media = attach_video(film)
    storage = get_storage()
    track = b"WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nstoryboard-001.jpg#xywh=0,0,160,90\n"
    for kind, body, mime in (("storyboard_vtt", track, "text/vtt"), ("storyboard", b"\xff\xd8\xff sprite", "image/jpeg")):
        obj = storage.save(io.BytesIO(body), prefix=f"media/{kind}", content_type=mime)
        db.session.add(Derivative(media_id=media.id, kind=kind, storage_key=obj.key, size=obj.size, sha256=obj.sha256,
                                  mime=mime))
    db.session.commit()
    return media


def test_webvtt_and_storyboard_tracks_answer_304_to_their_etag(app, client, monkeypatch):
    monkeypatch.setattr(media_views, "cache_window", lambda: 7)  # no minute turns during the test
    film = make_film("Tracks", "public")
    add_subtitles(film)
    media = _storyboard(film)
    subtitle = client.get(f"/api/v1/items/{film.id}/subtitles").get_json()
    track_id = (subtitle.get("items") or subtitle.get("tracks") or subtitle)[0]["id"]
    for path in (f"/items/{film.id}/subtitles/{track_id}.vtt", f"/items/{film.id}/media/{media.id}/storyboard.vtt"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers.get("ETag"), path
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert (again.status_code, again.data) == (304, b""), path
        assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
    # The storyboard's tag follows its sprites: a new sheet is a new tag.
    before = client.get(f"/items/{film.id}/media/{media.id}/storyboard.vtt").headers["ETag"]
    sheet = next(d for d in media.derivatives if d.kind == "storyboard")
    sheet.sha256 = "f" * 64
    db.session.commit()
    assert client.get(f"/items/{film.id}/media/{media.id}/storyboard.vtt").headers["ETag"] != before
    # ... and so is the next minute, so a cached copy never holds links older than that.
    monkeypatch.setattr(media_views, "cache_window", lambda: 8)
    assert client.get(f"/items/{film.id}/media/{media.id}/storyboard.vtt",
                      headers={"If-None-Match": before}).status_code == 200
