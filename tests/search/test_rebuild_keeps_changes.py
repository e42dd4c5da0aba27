"""Changes committed while ``flask search reindex`` builds a new index are in the index it swaps in.

The rebuild reads the database once, over seconds or minutes; a track uploaded meanwhile is not in
what it read. Index runs during the rebuild leave their rows in the outbox (without waiting for the
writer's lock), and the rebuild applies the rows to the new index before the swap, whether the run
came from this process, another process of this machine or (with replication, on PostgreSQL)
another machine with its own index folder.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain
from archive.search import indexer, outbox, store
from archive.search.analysis import ANALYSES
from archive.search.models import IndexChange
from tests.factories import make_film
from tests.search.helpers import srt


def _holds(word: str, track_id: int) -> bool:
    """Whether the writer's own index folder holds the track's document with ``word`` among its terms."""
    with store.open_index().searcher() as searcher:
        return (searcher.document_number(doc_id=f"t{track_id}") is not None
                and searcher.reader().doc_frequency("text_en", ANALYSES["en"].term(word)) == 1)


def _pending() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(IndexChange.id)))


def _during_the_read(monkeypatch, action) -> None:
    """Call ``action`` once the rebuild has read the tracks and is streaming their cues."""
    stream = indexer._cue_texts_by_track

    def streamed():
        for number, track in enumerate(stream()):
            if number == 0:
                action()
            yield track

    monkeypatch.setattr(indexer, "_cue_texts_by_track", streamed)


def _upload(client, headers, item_id: int, text: str) -> int:
    response = client.post(f"/api/v1/items/{item_id}/subtitles?lang=en&filename=late.srt", headers=headers,
                           data=srt((1.0, 2.0, text)))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_track_uploaded_and_run_during_a_rebuild_is_in_the_index_it_swaps_in(app, client, token_for, monkeypatch):
    film = make_film("Orchard", "public", tracks={"en": srt((1.0, 2.0, "apricots in the orchard"))})
    late_film = make_film("Vineyard", "public")
    drain()
    headers = token_for("archivist")
    seen: dict = {}

    def upload_and_run():
        seen["track"] = _upload(client, headers, late_film.id, "grapes harvested duringrebuild")
        started = time.monotonic()
        seen["run"] = outbox.drain()  # the index run the upload queued, as a worker would take it now
        seen["run_seconds"] = time.monotonic() - started
        seen["pending"] = _pending()

    _during_the_read(monkeypatch, upload_and_run)
    counts = indexer.rebuild()
    # The run neither waited for the rebuild's lock nor took the row: it left it to the rebuild.
    assert seen["run"]["deferred"] and seen["run"]["changes"] == 0
    assert seen["run_seconds"] < 10
    assert seen["pending"] >= 1
    # The rebuild read the database before the upload, and still swapped in an index holding it.
    assert counts["changes"] >= 1
    assert _holds("duringrebuild", seen["track"]) and _holds("apricots", _first_track(film.id))
    assert _pending() == 0
    # The runs queued meanwhile find nothing to take away: the track stays searchable.
    drain()
    assert client.get("/api/v1/search?q=duringrebuild").get_json()["total"] == 1
    assert client.get("/api/v1/search?q=apricots").get_json()["total"] == 1
    failed = db.session.scalars(select(Job).where(Job.kind == outbox.RUN_JOB, Job.status == "failed")).all()
    assert failed == []


def _first_track(item_id: int) -> int:
    from archive.subtitles.models import SubtitleTrack

    return db.session.scalar(select(SubtitleTrack.id).where(SubtitleTrack.item_id == item_id).order_by(SubtitleTrack.id))
