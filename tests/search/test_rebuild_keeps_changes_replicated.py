"""With replication: an index writer on another machine (or process) runs during a rebuild, and its
change is in the generation the rebuild publishes (``test_rebuild_keeps_changes.py`` for one node)."""

from __future__ import annotations

import pytest

from archive import create_app
from archive.extensions import db
from archive.jobs.operations import drain
from archive.search import generations, indexer, outbox, publishing, store
from archive.storage import get_storage
from tests.conftest import FreshContextClient
from tests.factories import make_film
from tests.search.helpers import srt
from tests.search.test_rebuild_keeps_changes import _during_the_read, _holds, _pending, _upload


@pytest.fixture
def app_config(app_config, profile):
    """Index replication on: the rebuild's node and another index writer share the storage and database."""
    return {**app_config, "SEARCH_REPLICATION": True, "SEARCH_INDEX": "node-a-index"}


@pytest.fixture
def other_writer(app, app_config, profile):
    """Another worker's app: on PostgreSQL a machine with its own index folder, on SQLite (one machine) the same folder."""
    folder = "node-c-index" if profile == "scaled" else "node-a-index"
    other = create_app({**app_config, "SEARCH_INDEX": folder})
    other.test_client_class = FreshContextClient
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_run_of_another_writer_during_a_rebuild_is_not_lost_at_the_swap(app, client, token_for, monkeypatch,
                                                                           other_writer):
    make_film("Orchard", "public", tracks={"en": srt((1.0, 2.0, "apricots in the orchard"))})
    late_film = make_film("Vineyard", "public")
    drain()
    headers = token_for("archivist")
    seen: dict = {}

    def upload_and_run_elsewhere():
        seen["track"] = _upload(client, headers, late_film.id, "grapes harvested elsewhere")
        with other_writer.app_context():
            seen["run"] = outbox.drain()

    _during_the_read(monkeypatch, upload_and_run_elsewhere)
    indexer.rebuild()
    # The other writer published nothing the rebuild's generation could drop: it left the row.
    assert seen["run"]["deferred"]
    assert _holds("elsewhere", seen["track"]) and _pending() == 0
    # What the other writer serves after taking up the latest generation holds the track too.
    latest = generations.published(get_storage())[0][0]
    with other_writer.app_context():
        publishing.catch_up(store.index_path())
        assert generations.read_manifest(store.index_path()).number == latest
        assert _holds("elsewhere", seen["track"])
