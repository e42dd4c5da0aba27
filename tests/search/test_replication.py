"""The replicated index: a writer publishes generations to the storage; another node with its own
folder fetches them, checks them and switches; bad generations and a storage outage leave it serving
the last good one. (The same through real processes: ``test_two_nodes.py``.)"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil

import pytest

from archive import create_app
from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.jobs.operations import drain
from archive.search import generations, publishing, store
from archive.search.models import IndexNode
from archive.search.replica import get_replica
from archive.storage import get_storage
from tests.conftest import FreshContextClient
from tests.factories import make_film


@pytest.fixture
def app_config(app_config):
    """Node B, the search node under test, replicating through the storage."""
    return {**app_config, "SEARCH_REPLICATION": True, "SEARCH_POLL_SECONDS": 1, "SEARCH_INDEX": "node-b-index"}


@pytest.fixture
def writer(app, app_config):
    """Node A, on the same database and storage with an index folder of its own: the queue runs the
    jobs the test drains in the app made last, so this node writes and publishes the index."""
    other = create_app({**app_config, "SEARCH_INDEX": "node-a-index"})
    other.test_client_class = FreshContextClient
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def node_b(app, writer):
    """The node under test (the test's own app), once the writer exists."""
    return app


def _titles(client, query: str) -> set[str]:
    response = client.get(f"/api/v1/search?q={query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {hit["title"] for hit in response.get_json()["items"]}


def _replica(node):
    with node.app_context():
        return get_replica(store.index_path())


def _refresh(node):
    with node.app_context():
        return get_replica(store.index_path()).refresh()


def test_a_second_node_serves_what_the_writer_published_fetching_only_new_files(app, writer, node_b):
    make_film("Bridge over the river", "public")
    drain()
    tocs = generations.published(get_storage())
    assert [number for number, _ in tocs] == [1]
    b = node_b.test_client()
    # An empty folder: the first search waits for the first fetch, then answers.
    assert _titles(b, "bridge") == {"Bridge over the river"}
    first = _replica(node_b).current
    assert first.number == 1 and first.folder.startswith(os.path.join(app.instance_path, "node-b-index.replica"))

    make_film("Bridge in the mountains", "public")
    drain()
    second = _refresh(node_b)
    assert second.number == 2
    assert _titles(b, "bridge") == {"Bridge over the river", "Bridge in the mountains"}
    # The segment files of generation 1 were not downloaded again: the new folder links the same files
    # (segment files are named MAIN_<segment>.<part>, whether compound .seg or one file per part).
    shared = [name for name in os.listdir(first.folder)
              if name.startswith("MAIN_") and os.path.exists(os.path.join(second.folder, name))]
    assert shared
    for name in shared:
        assert os.stat(os.path.join(first.folder, name)).st_ino == os.stat(os.path.join(second.folder, name)).st_ino
    # The writer searches its own copy of the published generations too, and each node records what it serves.
    assert _titles(writer.test_client(), "mountains") == {"Bridge in the mountains"}
    assert _replica(writer).root != _replica(node_b).root
    with node_b.app_context():
        rows = {row.node: row.generation for row in db.session.query(IndexNode)}
    assert _replica(node_b).node in rows


def _forge(storage, number: int, change) -> None:
    """Publish a TOC of our own making: the latest real one, altered by ``change``."""
    latest = generations.read_toc(storage, *generations.published(storage)[0])
    forged = dataclasses.replace(latest, number=number, files=change(dict(latest.files)))
    storage.save(_stream(forged.to_json()), prefix=generations.toc_prefix(number))


def _stream(data: bytes):
    import io

    return io.BytesIO(data)


def test_a_generation_naming_a_missing_or_corrupt_file_is_skipped_and_the_next_publish_succeeds(app, node_b):
    make_film("Orchard at dawn", "public")
    drain()
    b = node_b.test_client()
    assert _titles(b, "orchard") == {"Orchard at dawn"}
    storage = get_storage()
    segment = next(name for name in generations.read_toc(storage, *generations.published(storage)[0]).files
                   if name.startswith("MAIN_"))

    def truncated(files):  # as if the download stopped short: the size and hash no longer match
        entry = files[segment]
        files[segment] = dataclasses.replace(entry, size=entry.size + 10)
        return files

    def missing(files):
        files[segment] = dataclasses.replace(files[segment], key=f"{generations.FILES_PREFIX}/00/gone")
        return files

    _forge(storage, 2, truncated)
    _forge(storage, 3, missing)
    copy = _refresh(node_b)
    assert copy.number == 1  # neither forged generation was taken
    assert _titles(b, "orchard") == {"Orchard at dawn"}
    replica_root = _replica(node_b).root
    assert not [name for name in os.listdir(replica_root) if name.startswith(".pull-")]  # nothing half-fetched left

    make_film("Orchard at dusk", "public")
    drain()  # the writer builds on the last generation it can read whole, and publishes 4
    assert _refresh(node_b).number == 4
    assert _titles(b, "orchard") == {"Orchard at dawn", "Orchard at dusk"}


def test_storage_down_during_a_poll_keeps_the_old_generation_and_the_metrics_say_so(app, node_b, profile, request):
    make_film("Letters from Gyumri", "public")
    drain()
    b = node_b.test_client()
    assert _titles(b, "letters") == {"Letters from Gyumri"}
    replica = _replica(node_b)
    if profile == "scaled":
        relayed = request.getfixturevalue("s3_relay")
        from archive.storage import storage_from_url

        replica.storage = storage_from_url(f"s3://{relayed.bucket}/archive", instance_path=app.instance_path,
                                           options={})
        relayed.cut()
    else:
        root = get_storage().root
        os.rename(root, root + ".away")
        open(root, "w").close()  # a file where the folder was: listing fails
    try:
        assert _refresh(node_b).number == 1
        assert replica.failures == 1 and replica.last_error
        assert _titles(b, "letters") == {"Letters from Gyumri"}
        metrics = b.get("/metrics").get_data(as_text=True)
        assert "archive_index_generation 1.0" in metrics
        assert "archive_index_poll_failures_total 1.0" in metrics
    finally:
        if profile == "scaled":
            relayed.relay.restore()
        else:
            os.unlink(root)
            os.rename(root + ".away", root)
    assert _refresh(node_b).number == 1 and replica.last_error is None


def test_a_node_with_nothing_fetched_is_not_ready(app, node_b, app_config):
    make_film("Harvest", "public")
    drain()
    # A node whose storage holds no generation yet serves an empty index (and is ready) ...
    assert node_b.test_client().get("/readyz").status_code == 200
    # ... but one that cannot reach the storage before its first fetch is not.
    broken = create_app({**app_config, "SEARCH_INDEX": "node-c-index", "STORAGE_URL": "fs:/proc/1/nothing-here"})
    try:
        with broken.app_context():
            replica = get_replica(store.index_path())
            replica.storage = _Unreachable()
        response = broken.test_client().get("/readyz")
        assert response.status_code == 503
        assert "index" in response.get_json()["failed"]
        search = broken.test_client().get("/api/v1/search?q=harvest")
        assert search.status_code == 503 and search.get_json()["error"]["code"] == "index_not_ready"
    finally:
        with broken.app_context():
            db.engine.dispose()


class _Unreachable:
    def list(self, prefix=""):
        from archive.storage import StorageError

        raise StorageError("the storage does not answer")


def test_old_generations_are_collected_once_no_live_node_serves_them(app, node_b):
    b = node_b.test_client()
    for number, title in enumerate(("Dawn", "Noon", "Dusk", "Night"), start=1):
        make_film(title, "public")
        drain()
        if number == 1:
            assert _titles(b, "dawn") == {"Dawn"}  # node B serves generation 1 and says so
    storage = get_storage()
    with app.app_context():
        result = publishing.collect(grace_seconds=0)
    # Node B's heartbeat holds generation 1 (and everything after) in place.
    # (Four films make at least four generations; an index run may also publish a merge of its segments.)
    latest = generations.published(storage)[0][0]
    assert latest >= 4 and result["generations"] == 0
    assert [n for n, _ in generations.published(storage)] == list(range(latest, 0, -1))
    assert _refresh(node_b).number == latest
    _replica(node_b)._heartbeat_at = float("-inf")
    _refresh(node_b)  # records the latest generation
    result = publishing.collect(grace_seconds=0)
    assert [n for n, _ in generations.published(storage)] == [latest, latest - 1]
    named = generations.named_keys(storage)
    # Every file left is named by a kept generation, and every file they name is there.
    assert set(storage.list(generations.FILES_PREFIX + "/")) <= named
    assert all(storage.exists(key) for key in named)
    assert _titles(b, "night") == {"Night"}


def test_a_clock_far_ahead_on_the_writer_changes_no_order_and_gives_no_negative_age(app, node_b):
    make_film("Border crossing", "public")
    drain()
    storage = get_storage()
    latest = generations.read_toc(storage, *generations.published(storage)[0])
    ahead = dataclasses.replace(latest, number=2, published_at=latest.published_at.replace(year=2099))
    storage.save(_stream(ahead.to_json()), prefix=generations.toc_prefix(2))
    behind = json.loads(ahead.to_json())
    assert _refresh(node_b).number == 2 and behind["published_at"].startswith("2099")
    metrics = node_b.test_client().get("/metrics").get_data(as_text=True)
    assert "archive_index_age_seconds 0.0" in metrics
    make_film("Border river", "public")
    drain()
    assert _refresh(node_b).number == 3  # numbers order generations, not the writer's clock


def test_a_rebuild_is_published_whole_and_followed(app, writer, node_b):
    make_film("Stone bridge", "public")
    drain()
    b = node_b.test_client()
    assert _titles(b, "stone") == {"Stone bridge"}
    with writer.app_context():
        shutil.rmtree(store.index_path())  # the writer's folder lost
    catalogue.create_item({"kind": "film", "title": {"en": "Stone well"}, "visibility": "public"})
    drain()  # the writer takes up the published generation again before writing
    assert _refresh(node_b).number == 2
    assert _titles(b, "stone") == {"Stone bridge", "Stone well"}
    from archive.search import indexer

    with writer.app_context():
        indexer.rebuild()
    assert _refresh(node_b).number == 3
    assert _titles(b, "stone") == {"Stone bridge", "Stone well"}
