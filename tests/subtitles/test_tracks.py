"""Attaching, replacing and deleting subtitle tracks through the API and the archivists' pages."""

from __future__ import annotations

import re

import pytest

from archive.jobs.operations import drain
from archive.search import indexer
from archive.storage import get_storage
from archive.subtitles import operations
from tests.factories import make_film, make_photo
from tests.search.helpers import srt

RUSSIAN_1251 = srt((1.0, 2.5, "Мы жили у границы."), (3.0, 4.0, "Ёлка стояла во дворе.")).decode().encode("cp1251")


@pytest.fixture
def item(app):
    return make_film("Border", "public")


def upload(client, headers, item_id, data, lang="ru", filename="ru.srt"):
    return client.post(f"/api/v1/items/{item_id}/subtitles", query_string={"lang": lang, "filename": filename},
                       data=data, headers=headers)


def test_api_upload_reports_and_lists_the_track(app, client, token_for, item):
    headers = token_for("archivist")
    response = upload(client, headers, item.id, RUSSIAN_1251)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["cues"] == 2 and body["encoding"] == "cp1251" and body["warnings"] == []
    assert body["span"] == "0:01 – 0:04"

    shown = client.get(f"/api/v1/items/{item.id}").get_json()["subtitles"]
    assert [(t["id"], t["lang"], t["cues"]) for t in shown] == [(body["id"], "ru", 2)]
    vtt = client.get(shown[0]["vtt_url"].replace("http://localhost", ""))
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    assert vtt.get_data(as_text=True) == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nМы жили у границы.\n\n"
        "2\n00:00:03.000 --> 00:00:04.000\nЁлка стояла во дворе.\n"
    )
    drain()
    assert indexer.is_indexed(f"t{body['id']}")


def test_same_language_replaces_and_delete_removes(app, client, token_for, item):
    headers = token_for("admin")
    upload(client, headers, item.id, RUSSIAN_1251)
    old_key = operations.tracks_of(item)[0].vtt_key
    second = upload(client, headers, item.id, srt((5.0, 6.0, "Новый текст")), lang="ru").get_json()
    tracks = operations.tracks_of(item)
    assert [t.id for t in tracks] == [second["id"]] and tracks[0].cue_count == 1
    assert not get_storage().exists(old_key)
    drain()
    assert indexer.is_indexed(f"t{second['id']}")  # (SQLite may give the new track the old one's id)
    assert client.get("/api/v1/search?q=границы").get_json()["total"] == 0
    assert client.get("/api/v1/search?q=новый").get_json()["total"] == 1

    assert client.delete(f"/api/v1/items/{item.id}/subtitles/{second['id']}", headers=headers).status_code == 204
    drain()
    assert operations.tracks_of(item) == [] and not get_storage().exists(tracks[0].vtt_key)
    assert client.get("/api/v1/search?q=новый").get_json()["total"] == 0


@pytest.mark.parametrize("query, data, status, field", [
    ({}, b"x", 400, None),
    ({"lang": "not a tag!"}, srt((1, 2, "x")), 422, "lang"),
    ({"lang": "en"}, b"", 422, "file"),
    ({"lang": "en"}, b"\x00\x00\x00\x01ftypmp42", 422, "file"),
    ({"lang": "en"}, b"hello, no cues here", 422, "file"),
])
def test_api_upload_refuses_bad_input_with_a_reason(app, client, token_for, item, query, data, status, field):
    response = client.post(f"/api/v1/items/{item.id}/subtitles", query_string=query, data=data,
                           headers=token_for("archivist"))
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["message"]
    if field:
        assert field in error["fields"]
    assert operations.tracks_of(item) == []


def test_photos_take_no_subtitles(app, client, token_for):
    photo = make_photo("P", "public")
    response = upload(client, token_for("archivist"), photo.id, srt((1, 2, "x")), lang="en")
    assert response.status_code == 422 and "item" in response.get_json()["error"]["fields"]


def test_too_large_a_file_is_refused(app, client, token_for, item, monkeypatch):
    monkeypatch.setattr(operations, "MAX_SUBTITLE_BYTES", 100)
    response = upload(client, token_for("archivist"), item.id, srt(*[(n, n + 0.5, "words " * 5) for n in range(10)]))
    assert response.status_code == 413 and "larger" in response.get_json()["error"]["message"]


def test_embedded_tracks_never_replace_an_upload(app, item):
    uploaded, _ = operations.create_track(item, "en", srt((1, 2, "uploaded")), "en.srt")
    assert operations.attach_embedded_track(item, "en", srt((1, 2, "embedded")), "film.srt") is None
    embedded = operations.attach_embedded_track(item, "hy", srt((1, 2, "Բարեւ")), "film.srt")
    assert embedded.source == "embedded" and embedded.lang == "hy"
    again = operations.attach_embedded_track(item, "hy", srt((1, 2, "Բարեւ ձեզ")), "film.srt")
    assert [t.id for t in operations.tracks_of(item)] == sorted([uploaded.id, again.id])
    unknown = operations.attach_embedded_track(item, None, srt((1, 2, "?")), "film.srt")
    assert unknown.lang == "und"


def test_upload_page_shows_the_report_before_saving(app, client_as, item):
    browser = client_as("archivist")
    data = srt((1.0, 2.0, "first"), (1.5, 3.0, "overlapping")).decode().encode("utf-16")
    preview = browser.post(f"/manage/items/{item.id}/subtitles/preview",
                           data={"lang": "en", "label": "English", "file": (__import__("io").BytesIO(data), "en.srt")},
                           content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'id="report-cues">2<' in page and "UTF-16LE" in page and "overlap" in page
    assert operations.tracks_of(item) == []  # nothing saved yet
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    saved = browser.post(f"/manage/items/{item.id}/subtitles/confirm", data={"token": token, "action": "save"})
    assert saved.status_code == 302
    tracks = operations.tracks_of(item)
    assert [(t.lang, t.label, t.cue_count, t.encoding) for t in tracks] == [("en", "English", 2, "utf-16-le")]
    assert list(get_storage().list("subtitles/pending")) == []
    again = browser.post(f"/manage/items/{item.id}/subtitles/confirm", data={"token": token, "action": "save"})
    assert again.status_code == 302  # the preview was used up: a message, not a second track
    assert len(operations.tracks_of(item)) == 1
    manage = browser.get(f"/manage/items/{item.id}/subtitles").get_data(as_text=True)
    assert "English" in manage and "utf-16-le" in manage
    deleted = browser.post(f"/manage/items/{item.id}/subtitles/{tracks[0].id}/delete")
    assert deleted.status_code == 302 and operations.tracks_of(item) == []


def test_upload_page_explains_a_bad_file_and_cancel_keeps_nothing(app, client_as, item):
    import io

    browser = client_as("archivist")
    bad = browser.post(f"/manage/items/{item.id}/subtitles/preview",
                       data={"lang": "en", "file": (io.BytesIO(b"no cues"), "x.srt")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "No cues could be read" in bad.get_data(as_text=True)
    ok = browser.post(f"/manage/items/{item.id}/subtitles/preview",
                      data={"lang": "en", "file": (io.BytesIO(srt((1, 2, "x"))), "x.srt")},
                      content_type="multipart/form-data")
    token = re.search(r'name="token" value="([^"]+)"', ok.get_data(as_text=True)).group(1)
    assert browser.post(f"/manage/items/{item.id}/subtitles/confirm",
                        data={"token": token, "action": "cancel"}).status_code == 302
    assert operations.tracks_of(item) == [] and list(get_storage().list("subtitles/pending")) == []
    forged = browser.post(f"/manage/items/{item.id}/subtitles/confirm", data={"token": token + "x"})
    assert forged.status_code == 400


def test_item_page_offers_tracks_and_search_inside(app, client, item):
    operations.create_track(item, "en", srt((61.0, 62.0, "the <b>river</b> again")), "en.srt")
    drain()
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "Search inside this film" in page and f"/items/{item.id}/subtitles/" in page
    inside = client.get(f"/items/{item.id}/search?q=river").get_data(as_text=True)
    assert f'href="/items/{item.id}?sub=en&amp;q=river#t=61.000"' in inside and "<mark>river</mark>" in inside
    assert "1 moment" in inside
    bad = client.get(f"/items/{item.id}/search?q=*")
    assert bad.status_code == 200 and "Type at least one word" in bad.get_data(as_text=True)
