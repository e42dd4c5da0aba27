"""Twenty archivists upload subtitles in one language to one film at once: 201 or 409, never 500."""

from __future__ import annotations

import io
import re
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from archive.extensions import db
from archive.storage import get_storage
from archive.subtitles import operations
from archive.subtitles.models import Cue, SubtitleTrack
from tests.factories import make_film
from tests.search.helpers import srt

PARALLEL = 20


def test_parallel_uploads_of_one_language_answer_201_or_409_and_leave_no_orphan(app, token_for):
    item_id = make_film("Border", "public").id
    headers = token_for("archivist")
    answers, errors = [], []
    start = threading.Barrier(PARALLEL)

    def upload(n: int) -> None:
        try:
            client = app.test_client()
            start.wait()
            response = client.post(f"/api/v1/items/{item_id}/subtitles?lang=en&filename=f{n}.srt", headers=headers,
                                   data=srt(*[(s, s + 0.5, f"take {n} line {s}") for s in range(1, 1 + n % 5 + 1)]))
            answers.append((response.status_code, response.get_json()))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    statuses = sorted(status for status, _ in answers)
    assert len(statuses) == PARALLEL and set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    for status, body in answers:
        if status == 409:
            assert body["error"]["code"] == "upload_in_progress" and "try again" in body["error"]["message"]

    db.session.expire_all()
    [track] = db.session.scalars(select(SubtitleTrack).where(SubtitleTrack.item_id == item_id)).all()
    assert db.session.scalar(select(func.count()).select_from(Cue).where(Cue.track_id == track.id)) == track.cue_count
    assert db.session.scalar(select(func.count()).select_from(Cue)) == track.cue_count  # no cues of lost tracks
    stored = [key for key in get_storage().list("subtitles/") if not key.startswith("subtitles/pending/")]
    assert stored == [track.vtt_key]  # every replaced or refused upload's WebVTT file is gone
    assert operations.vtt_bytes(track).startswith(b"WEBVTT")


def _refuse_turn(message: str):
    def refuse(item_id: int) -> None:
        raise OperationalError("SELECT ... FOR UPDATE", {}, Exception(message))
    return refuse


def test_an_upload_that_cannot_get_its_turn_answers_409_and_stores_nothing(app, client, token_for, monkeypatch):
    item_id = make_film("Border", "public").id
    monkeypatch.setattr(operations, "_take_turn", _refuse_turn("database is locked"))
    response = client.post(f"/api/v1/items/{item_id}/subtitles?lang=hy", data=srt((1, 2, "Բարեւ")),
                           headers=token_for("archivist"))
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "upload_in_progress",
        "message": "Another upload of hy subtitles for this item is being saved at this moment; try again."}
    assert list(get_storage().list("subtitles/")) == []


def test_an_outage_is_not_mistaken_for_a_parallel_upload(app, monkeypatch):
    item = make_film("Border", "public")
    monkeypatch.setattr(operations, "_take_turn", _refuse_turn("connection refused"))
    with pytest.raises(OperationalError):
        operations.create_track(item, "hy", srt((1, 2, "Բարեւ")), "hy.srt")
    assert list(get_storage().list("subtitles/")) == []


def test_the_upload_page_explains_a_save_that_could_not_get_its_turn(app, client_as, monkeypatch):
    item = make_film("Border", "public")
    browser = client_as("archivist")
    preview = browser.post(f"/manage/items/{item.id}/subtitles/preview",
                           data={"lang": "en", "file": (io.BytesIO(srt((1, 2, "x"))), "en.srt")},
                           content_type="multipart/form-data")
    token = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    monkeypatch.setattr(operations, "_take_turn", _refuse_turn("database is locked"))
    saved = browser.post(f"/manage/items/{item.id}/subtitles/confirm", data={"token": token, "action": "save"},
                         follow_redirects=True)
    assert saved.status_code == 200 and "being saved at this moment; try again" in saved.get_data(as_text=True)
    assert operations.tracks_of(item) == [] and list(get_storage().list("subtitles/")) == []
