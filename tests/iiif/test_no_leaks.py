"""A mixed catalogue: nothing but public records reaches a manifest, a collection or an API route the
OpenAPI document describes, for the public and (beyond partners records) for venues."""

from __future__ import annotations

import re

import pytest

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.media.models import MediaFile
from tests.factories import add_subtitles, attach_video, make_collection, make_film

HIDDEN = re.compile(r"HIDDEN-[a-z]+")


def film_with_media(title: str, visibility: str = "public", **fields):
    film = make_film(title, visibility, description={"en": f"About {title}"}, **fields)
    attach_video(film, content=b"\x00\x00\x00\x18ftypmp42 " + title.encode(), proxy=b"proxy " + title.encode(),
                 poster=b"\xff\xd8 " + title.encode())
    add_subtitles(film, "hy")
    return film


@pytest.fixture
def mixed(app, users):
    """A public film; films for partners, staff only, under embargo and deleted; collections around them."""
    deleted = film_with_media("HIDDEN-deleted")
    films = {
        "public": film_with_media("Open film"),
        "partners": film_with_media("HIDDEN-partners", "partners"),
        "restricted": film_with_media("HIDDEN-restricted", "restricted"),
        "embargoed": film_with_media("HIDDEN-embargoed", embargo_until="2999-01-01"),
    }
    everything = make_collection("Open exhibition", kind="exhibition", items=[deleted, *films.values()])
    secret = make_collection("HIDDEN-collection", "restricted", items=[films["public"]])
    ids = {name: film.id for name, film in films.items()}
    ids["deleted"] = deleted.id  # not the newest id, so SQLite gives it to no one else
    media = {name: db.session.query(MediaFile.id).filter_by(item_id=item_id).scalar() for name, item_id in ids.items()}
    catalogue.delete_item(deleted, deleted_by=users["admin"])
    return {"ids": ids, "media": media, "collection": everything.id, "secret": secret.id}


HIDDEN_FOR = {None: ("partners", "restricted", "embargoed", "deleted"), "venue": ("restricted", "embargoed", "deleted")}


def test_manifests_collections_and_media_addresses_show_only_public_records(app, client, mixed):
    ids, media = mixed["ids"], mixed["media"]
    for name in ("partners", "restricted", "embargoed", "deleted"):
        assert client.get(f"/iiif/items/{ids[name]}/manifest").status_code == 404, name
        for kind in ("proxy", "poster"):
            assert client.get(f"/iiif/items/{ids[name]}/media/{media[name]}/{kind}").status_code == 404, name
    # Someone else's media under the public film's address is no way round.
    assert client.get(f"/iiif/items/{ids['public']}/media/{media['restricted']}/proxy").status_code == 404
    collection = client.get(f"/iiif/collections/{mixed['collection']}")
    assert collection.status_code == 200
    assert not HIDDEN.search(collection.get_data(as_text=True))
    assert [ref["id"].rsplit("/iiif/", 1)[1] for ref in collection.get_json(force=True)["items"]] == [
        f"items/{ids['public']}/manifest"]
    manifest = client.get(f"/iiif/items/{ids['public']}/manifest")
    assert manifest.status_code == 200 and not HIDDEN.search(manifest.get_data(as_text=True))
    assert client.get(f"/iiif/collections/{mixed['secret']}").status_code == 404


@pytest.mark.parametrize("role", [None, "venue"], ids=["anonymous", "venue"])
def test_no_route_the_openapi_document_describes_shows_a_hidden_record(app, client, token_for, mixed, role):
    spec = client.get("/api/v1/openapi.json").get_json()
    hidden = HIDDEN_FOR[role]
    banned = re.compile("|".join(f"HIDDEN-{name}" for name in hidden) + "|HIDDEN-collection")
    headers = token_for(role)
    visited = 0
    for path, item in spec["paths"].items():
        if "get" not in item:
            continue
        names = re.findall(r"{(\w+)}", path)
        candidates = [mixed["ids"][name] for name in hidden] if "item_id" in names else [1, 2, 3, 4, 5, 6]
        if "collection_id" in names:
            candidates = [mixed["secret"], mixed["collection"]]
        for candidate in candidates:
            url = re.sub(r"{\w+}", str(candidate), path)
            response = client.get(url, headers=headers, query_string={"q": "HIDDEN"} if url.endswith("search") else {})
            visited += 1
            assert response.status_code in (200, 401, 403, 404), (url, response.status_code)
            assert not banned.search(response.get_data(as_text=True)), url
            if "item_id" in names and "{track_id}" not in path:
                assert response.status_code in (401, 403, 404), url  # a hidden item is not there at all
    assert visited > 20
