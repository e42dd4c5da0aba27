"""Media links ask again, each time they are used, whether the item is still visible to whom they were issued."""

from __future__ import annotations

from archive.catalogue import operations as catalogue
from archive.media.operations import link_seconds
from archive.storage import get_storage
from tests.factories import FILM_SECONDS, attach_video, make_film
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
