"""The index follows what the catalogue and subtitles announce, and only what was committed."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain
from archive.search import store
from tests.factories import make_film
from tests.search.helpers import srt


def _found(client, query: str, **filters) -> set[str]:
    params = "&".join([f"q={query}", *(f"{k}={v}" for k, v in filters.items())])
    body = client.get(f"/api/v1/search?{params}").get_json()
    return {hit["title"] for hit in body["items"]}


def test_members_removed_from_a_collection_leave_its_filter_and_added_ones_join(app, client):
    river = make_film("Bridge over the river", "public")
    mountain = make_film("Bridge in the mountains", "public")
    series = catalogue.create_collection({"kind": "series", "title": {"en": "Crossings"}, "visibility": "public",
                                          "items": [river.id]})
    drain()
    assert _found(client, "bridge", collection=series.id) == {"Bridge over the river"}

    catalogue.update_collection(series, {"items": [mountain.id]})
    drain()
    # The item that left no longer answers to the collection; the one that joined does.
    assert _found(client, "bridge", collection=series.id) == {"Bridge in the mountains"}
    # A public collection lends its title to its members' documents, and takes it back from those who left.
    assert _found(client, "crossings") == {"Bridge in the mountains"}


def test_a_collection_created_through_the_api_with_items_reindexes_them(app, client, token_for):
    item = make_film("Letters from Gyumri", "public")
    response = client.post("/api/v1/collections", headers=token_for("archivist"),
                           json={"kind": "exhibition", "title": {"en": "Postbox"}, "visibility": "public",
                                 "items": [item.id]})
    assert response.status_code == 201, response.get_json()
    drain()
    assert _found(client, "letters", collection=response.get_json()["id"]) == {"Letters from Gyumri"}
    assert _found(client, "postbox") == {"Letters from Gyumri"}


def test_a_rolled_back_change_never_reaches_the_index(app, client):
    make_film("Orchard at dawn", "public")
    jobs_before = db.session.scalar(select(db.func.count(Job.id)))
    catalogue.create_item({"kind": "film", "title": {"en": "Never saved"}, "visibility": "public"}, commit=False)
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Job.id))) == jobs_before
    drain()
    assert _found(client, "saved") == set()
    assert _found(client, "orchard") == {"Orchard at dawn"}


def test_a_deleted_index_says_it_is_being_rebuilt_and_queues_the_rebuild(app, client):
    make_film("Quiet film", "public", tracks={"en": srt((1.0, 2.0, "lullaby for the night"))})
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 1
    shutil.rmtree(store.index_path())
    for _ in range(2):  # asked twice, queued once
        answer = client.get("/api/v1/search?q=lullaby")
        assert (answer.status_code, answer.headers.get("Retry-After")) == (503, "30")
        assert answer.get_json()["error"]["code"] == "index_rebuilding"
        assert "being rebuilt" in answer.get_json()["error"]["message"]
    page = client.get("/search?q=lullaby")
    assert page.status_code == 503 and "being rebuilt" in page.get_data(as_text=True)
    assert db.session.query(Job).filter_by(kind="rebuild_index", status="queued").count() == 1
    drain()
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 1


def test_an_empty_archive_answers_no_results_without_a_rebuild(app, client):
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 0
    assert db.session.query(Job).filter_by(kind="rebuild_index").count() == 0
