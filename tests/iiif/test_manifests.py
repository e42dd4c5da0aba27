"""IIIF Presentation 3 manifests and collections: what they hold, and that iiif-prezi3's models accept them."""

from __future__ import annotations

import io

from iiif_prezi3 import Collection, Manifest

from archive.catalogue import item_page
from archive.extensions import db
from archive.iiif.views import CONTENT_TYPE
from archive.media.models import Derivative, MediaFile
from archive.storage import get_storage
from tests.factories import add_subtitles, attach_video, make_collection, make_film, make_photo
from tests.fixtures.links import fetch


def attach_image(item, sizes=(("display", 1600, 1067), ("thumbnail", 320, 213)), content: bytes | None = None) -> MediaFile:
    """A stored photograph with its derivative sizes, as the media pipeline would leave it (``content``: each
    size's bytes, when a test needs a picture a browser can draw)."""
    storage = get_storage()
    stored = storage.save(io.BytesIO(b"\xff\xd8\xff original " + bytes([item.id])), prefix="media/originals",
                          content_type="image/jpeg")
    media = MediaFile(item_id=item.id, kind="image", storage_key=stored.key, filename="portrait.jpg",
                      size=stored.size, sha256=stored.sha256, mime="image/jpeg", technical={}, width=4000,
                      height=2667)
    db.session.add(media)
    db.session.flush()
    for kind, width, height in sizes:
        body = content if content is not None else b"\xff\xd8\xff " + kind.encode()
        obj = storage.save(io.BytesIO(body), prefix=f"media/{kind}", content_type="image/jpeg")
        db.session.add(Derivative(media_id=media.id, kind=kind, storage_key=obj.key, size=obj.size, sha256=obj.sha256,
                                  mime="image/jpeg", width=width, height=height))
    db.session.commit()
    return media


def subtitled_film(title="Border Stories", visibility="public", **fields):
    film = make_film(title, visibility, **fields)
    attach_video(film, content=b"\x00\x00\x00\x18ftypmp42 " + title.encode(), proxy=b"web version of " + title.encode(),
                 poster=b"\xff\xd8poster")
    add_subtitles(film, "hy")
    add_subtitles(film, "ru")
    return film


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.content_type == CONTENT_TYPE
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json(force=True)


def test_a_film_is_a_time_based_canvas_painted_with_its_web_version_and_subtitled(app, client):
    film = subtitled_film(description={"en": "Two villages", "hy": "Երկու գյուղ"}, year=2019, rights_note="CC BY-NC")
    data = get_json(client, f"/iiif/items/{film.id}/manifest")
    manifest = Manifest.model_validate(data)  # iiif-prezi3's models accept it
    assert data["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert data["id"].endswith(f"/iiif/items/{film.id}/manifest")
    assert data["label"] == {"en": ["Border Stories"]}
    assert data["summary"] == {"en": ["Two villages"], "hy": ["Երկու գյուղ"]}
    assert {"label": {"en": ["Year"]}, "value": {"none": ["2019"]}} in data["metadata"]
    assert data["requiredStatement"]["value"] == {"none": ["CC BY-NC"]}
    assert data["homepage"][0]["id"].endswith(f"/items/{film.id}")
    (canvas,) = manifest.items
    assert canvas.duration == 90 * 60
    (painting,) = data["items"][0]["items"][0]["items"]
    assert painting["motivation"] == "painting"
    assert painting["body"]["type"] == "Video" and painting["body"]["format"] == "video/mp4"
    assert painting["target"] == data["items"][0]["id"]
    captions = data["items"][0]["annotations"][0]["items"]
    assert {a["motivation"] for a in captions} == {"supplementing"}
    assert sorted(a["body"]["language"] for a in captions) == ["hy", "ru"]
    assert all(a["body"]["format"] == "text/vtt" and a["body"]["type"] == "Text" for a in captions)
    vtt = client.get(captions[0]["body"]["id"])
    assert vtt.status_code == 200 and vtt.data.startswith(b"WEBVTT")
    assert data["items"][0]["thumbnail"][0]["id"].endswith("/poster")


def test_the_web_version_is_reached_through_a_stable_address_that_asks_each_time(app, client):
    film = subtitled_film()
    data = get_json(client, f"/iiif/items/{film.id}/manifest")
    address = data["items"][0]["items"][0]["items"][0]["body"]["id"]
    response = client.get(address)
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
    assert fetch(client, response.headers["Location"]) == (200, b"web version of Border Stories")
    film.visibility = "restricted"
    db.session.commit()
    assert client.get(address).status_code == 404
    assert client.get(f"/iiif/items/{film.id}/manifest").status_code == 404


def test_a_photo_is_an_image_canvas_with_its_derivative_sizes(app, client):
    photo = make_photo("Portrait")
    attach_image(photo)
    data = get_json(client, f"/iiif/items/{photo.id}/manifest")
    Manifest.model_validate(data)
    (canvas,) = data["items"]
    assert (canvas["width"], canvas["height"]) == (1600, 1067)
    assert "duration" not in canvas
    body = canvas["items"][0]["items"][0]["body"]
    assert (body["type"], body["width"], body["height"]) == ("Image", 1600, 1067)
    assert [(t["width"], t["height"]) for t in canvas["thumbnail"]] == [(320, 213)]
    assert client.get(body["id"]).status_code == 302


def test_an_exhibition_is_a_collection_of_its_public_members_manifests(app, client):
    film, photo = subtitled_film(), make_photo("Portrait")
    attach_image(photo)
    unprocessed = make_film("Not processed yet")
    exhibition = make_collection("Crossings", kind="exhibition", items=[film, photo, unprocessed])
    data = get_json(client, f"/iiif/collections/{exhibition.id}")
    Collection.model_validate(data)
    assert data["type"] == "Collection" and data["label"] == {"en": ["Crossings"]}
    assert [ref["id"].rsplit("/iiif/", 1)[1] for ref in data["items"]] == [
        f"items/{film.id}/manifest", f"items/{photo.id}/manifest"]
    assert all(ref["type"] == "Manifest" and ref["label"] for ref in data["items"])
    manifest = get_json(client, f"/iiif/items/{film.id}/manifest")
    assert [part["id"] for part in manifest["partOf"]] == [data["id"]]


def test_an_item_with_nothing_to_show_yet_has_no_manifest(app, client):
    film = make_film("Not processed yet")
    assert client.get(f"/iiif/items/{film.id}/manifest").status_code == 404
    assert client.get(f"/api/v1/items/{film.id}").get_json()["iiif_manifest"] is None


def test_the_api_links_the_manifest_and_the_collection(app, client, token_for):
    film = subtitled_film()
    exhibition = make_collection(items=[film])
    shown = client.get(f"/api/v1/items/{film.id}").get_json()
    assert shown["iiif_manifest"].endswith(f"/iiif/items/{film.id}/manifest")
    assert client.get(f"/api/v1/collections/{exhibition.id}").get_json()["iiif_collection"].endswith(
        f"/iiif/collections/{exhibition.id}")
    partners = subtitled_film("For partners", "partners")
    seen_by_staff = app.test_client().get(f"/api/v1/items/{partners.id}", headers=token_for("admin")).get_json()
    assert seen_by_staff["iiif_manifest"] is None  # manifests are public; staff see the item, not a manifest


def test_the_item_page_is_given_its_manifest_address(app):
    film, hidden = subtitled_film(), subtitled_film("For partners", "partners")
    with app.test_request_context():
        assert item_page.parts(film, None)["iiif_manifest"].endswith(f"/iiif/items/{film.id}/manifest")
        assert item_page.parts(hidden, None)["iiif_manifest"] is None


def test_the_item_page_links_its_manifest_only_when_public(client, client_as):
    film, hidden = subtitled_film(), subtitled_film("For partners", "partners")
    page = client.get(f"/items/{film.id}").get_data(as_text=True)
    assert f'/iiif/items/{film.id}/manifest" type="application/ld+json">IIIF manifest</a>' in page
    assert "/manifest" not in client_as("venue").get(f"/items/{hidden.id}").get_data(as_text=True)
