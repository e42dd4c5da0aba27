"""Index changes go through an outbox: recorded with the change, taken by one index run in one commit."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain, sweep
from archive.jobs.queue import current_queue
from archive.search import indexer, outbox, segments, store
from archive.search.models import IndexChange
from archive.subtitles import operations as subtitles
from archive.subtitles.models import SubtitleTrack
from tests.factories import make_film
from tests.fixtures.worker import start_worker
from tests.search.helpers import index_by_doc_id, srt
from tests.search.test_index_speedups import _contents


def _total(client, query: str) -> int:
    return client.get(f"/api/v1/search?q={query}").get_json()["total"]


def _pending() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(IndexChange.id)))


def _generation() -> int:
    return store.open_index().latest_generation()


def _upload(client, headers, item_id: int, text: str, lang: str = "en"):
    response = client.post(f"/api/v1/items/{item_id}/subtitles?lang={lang}&filename={lang}.srt", headers=headers,
                           data=srt((1.0, 2.0, text), (3.0, 4.0, "the river at the border")))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_burst_of_uploads_is_taken_by_one_index_run_in_one_commit(app, client, token_for):
    films = [make_film(f"Film {n}", "public") for n in range(12)]
    drain()
    headers = token_for("archivist")
    generation = _generation()
    for n, film in enumerate(films):
        _upload(client, headers, film.id, f"burstword{n} spoken")
    # Each upload's change is a row; one run waits for all of them.
    assert _pending() == 12
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == outbox.RUN_JOB, Job.status == "queued")) == 1
    drain()
    assert _generation() == generation + 1  # one writer commit for the twelve tracks
    assert _pending() == 0
    assert _total(client, "river") == 12
    for n, film in enumerate(films):
        found = client.get(f"/api/v1/search?q=burstword{n}").get_json()
        assert [item["id"] for item in found["items"]] == [film.id]


def test_the_outbox_writes_what_a_full_rebuild_writes(app, client, token_for):
    headers = token_for("archivist")
    for n in range(3):
        film = make_film(f"Crossing {n}", "public")
        _upload(client, headers, film.id, f"Köçkünlər danışmağa gəldilər {n}", lang="az")
        _upload(client, headers, film.id, f"Беженцы вернулись домой {n}", lang="ru")
    drain()
    by_runs = _contents(store.open_index())
    indexer.rebuild()
    assert by_runs == _contents(store.open_index())


def test_merged_segments_hold_what_a_full_rebuild_writes(app, client, token_for, monkeypatch):
    monkeypatch.setattr(segments, "SEGMENT_LIMIT", 3)
    monkeypatch.setattr(segments, "SEGMENT_TARGET", 1)
    headers = token_for("archivist")
    films = [make_film(f"Valley {n}", "public") for n in range(5)]
    drain()
    tracks = []
    for n, film in enumerate(films):
        tracks.append(_upload(client, headers, film.id, f"Köçkünlər danışmağa gəldilər valley{n}", lang="az"))
        tracks.append(_upload(client, headers, film.id, f"Беженцы вернулись домой {n} раз, беженцы", lang="ru"))
        drain()
    # Changes to documents that merges already copied: a deleted track, and a film made partners-only.
    subtitles.delete_track(db.session.get(SubtitleTrack, tracks[1]))
    catalogue.update_item(db.session.get(type(films[2]), films[2].id), {"visibility": "partners"})
    drain()
    runs = db.session.scalars(select(Job).where(Job.kind == outbox.RUN_JOB, Job.status == "done")).all()
    assert sum(run.result.get("merged_documents", 0) for run in runs) >= 10  # merges copied documents
    ix = store.open_index()
    assert len(ix._segments()) == 1
    by_runs = index_by_doc_id(ix)
    assert f"t{tracks[1]}" not in by_runs["stored"] and len(by_runs["stored"]) == 5 + 9
    indexer.rebuild()
    rebuilt = store.open_index()
    assert by_runs == index_by_doc_id(rebuilt)
    assert _total(client, "valley2") == 0 and _total(client, "valley3") == 1


def test_a_failed_run_leaves_its_changes_for_the_next_and_commits_none_of_them(app, client, token_for, monkeypatch):
    headers = token_for("archivist")
    first, second = make_film("Orchard", "public"), make_film("Vineyard", "public")
    drain()
    _upload(client, headers, first.id, "apricots ripen slowly")
    broken = _upload(client, headers, second.id, "grapes ripen late")
    make_document = indexer.track_document

    def fails_on_one_track(item, track, plains):
        if track.id == broken:
            raise OSError("disk full")
        return make_document(item, track, plains)

    monkeypatch.setattr(indexer, "track_document", fails_on_one_track)
    drain()
    run = db.session.scalars(select(Job).where(Job.kind == outbox.RUN_JOB).order_by(Job.id.desc())).first()
    assert run.status == "failed" and "disk full" in run.error
    assert _pending() == 2
    assert _total(client, "ripen") == 0  # the run's one commit was cancelled: nothing half-applied

    monkeypatch.setattr(indexer, "track_document", make_document)
    # Nothing is queued any more; the sweep's round finds the rows and queues a run for them.
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == outbox.RUN_JOB, Job.status == "queued")) == 0
    sweep()
    drain()
    assert _pending() == 0
    assert _total(client, "ripen") == 2


def test_changes_applied_twice_leave_one_document_each(app, client, token_for):
    film = make_film("Letters", "public")
    track_id = _upload(client, token_for("archivist"), film.id, "letters from gyumri")
    # As if a run committed the index and died before forgetting its rows: the next run applies them again.
    indexer.apply_changes({film.id}, {track_id})
    drain()
    searcher = store.searcher()
    assert len(list(searcher.document_numbers(doc_id=f"t{track_id}"))) == 1
    assert len(list(searcher.document_numbers(doc_id=f"i{film.id}"))) == 1
    assert _total(client, "gyumri") == 1


def test_a_change_whose_run_was_never_queued_is_found_by_the_sweep(app, client, token_for):
    film = make_film("Ferry", "public")
    drain()
    _upload(client, token_for("archivist"), film.id, "ferry across the caspian")
    # The process died after the commit: the run's job and its message are gone, the row is not.
    db.session.execute(Job.__table__.delete().where(Job.kind == outbox.RUN_JOB))
    db.session.commit()
    current_queue().huey.flush()
    assert drain() == 0 and _pending() == 1
    sweep()
    drain()
    assert _total(client, "caspian") == 1 and _pending() == 0


def test_deleting_after_saving_ends_with_nothing_indexed(app, client, token_for):
    headers = token_for("archivist")
    kept, dropped = make_film("Kept film", "public"), make_film("Dropped film", "public")
    track_id = _upload(client, headers, kept.id, "whispered testimony")
    _upload(client, headers, dropped.id, "whispered goodbye")
    # Deleted before any run took the saves: the deletions come after them in the outbox.
    subtitles.delete_track(db.session.get(SubtitleTrack, track_id))
    catalogue.delete_item(db.session.get(type(dropped), dropped.id))
    assert _pending() >= 4
    drain()
    assert _total(client, "whispered") == 0
    assert _total(client, "dropped") == 0
    assert _total(client, "kept") == 1
    assert not indexer.is_indexed(f"t{track_id}")


def test_a_rolled_back_change_records_no_row(app):
    drain()
    before = _pending()
    catalogue.create_item({"kind": "film", "title": {"en": "Never saved"}, "visibility": "public"}, commit=False)
    db.session.rollback()
    assert _pending() == before


def test_runs_keep_the_index_in_few_segments(app, client, token_for, monkeypatch):
    monkeypatch.setattr(segments, "SEGMENT_LIMIT", 3)
    monkeypatch.setattr(segments, "SEGMENT_TARGET", 1)
    headers = token_for("archivist")
    films = [make_film(f"Harbour {n}", "public") for n in range(6)]
    drain()
    for n, film in enumerate(films):
        _upload(client, headers, film.id, f"harbourword{n}")
        drain()
        assert len(store.open_index()._segments()) <= 3
    # Quiet runs fold what is left down to the target once no change waits.
    assert len(store.open_index()._segments()) == 1
    assert _total(client, "border") == 6
    for n in range(6):
        assert _total(client, f"harbourword{n}") == 1


def test_a_single_upload_is_searchable_within_five_seconds_with_a_worker_running(app, client, token_for, tmp_path):
    headers = token_for("archivist")
    warm, film = make_film("Warm-up", "public"), make_film("Bridge", "public")
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        _upload(client, headers, warm.id, "warmupword")
        deadline = time.monotonic() + 180  # the worker process starting up on a busy machine
        while _total(client, "warmupword") == 0:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.1)
        time.sleep(2)  # the worker idle again, as between two archivists' uploads
        _upload(client, headers, film.id, "freshlysavedword")
        saved = time.monotonic()
        while _total(client, "freshlysavedword") == 0:
            assert time.monotonic() - saved < 5, (tmp_path / "worker.log").read_text()
            time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
