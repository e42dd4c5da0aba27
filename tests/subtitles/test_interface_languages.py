"""Subtitle pages and the player's track menu speak the interface language: names, not language codes."""

from __future__ import annotations

import html
import io
import re

import pytest
from babel import Locale
from flask import render_template
from flask_babel import refresh

from archive.subtitles import operations
from tests.factories import make_film
from tests.search.helpers import srt


def cldr_name(tag: str, language: str) -> str:
    """A language's name as CLDR writes it in ``language``, capitalised as a menu shows it."""
    name = Locale.parse(tag, sep="-").get_display_name(Locale(language))
    return name[:1].upper() + name[1:]


@pytest.fixture
def film(app):
    return make_film("Border", "public")


def test_item_page_in_russian_names_the_subtitle_tracks_by_language(app, client, film):
    operations.create_track(film, "hy", srt((1, 2, "Բարեւ")), "hy.srt")
    operations.create_track(film, "az", srt((1, 2, "Salam")), "az.srt")
    operations.create_track(film, "en", srt((1, 2, "Hello")), "en.srt", label="English (SDH)")
    page = client.get(f"/items/{film.id}?lang=ru").get_data(as_text=True)
    # The page shows the tracks in the player only once a web version exists; the menu is built the same way.
    with app.test_request_context(f"/items/{film.id}", headers={"Accept-Language": "ru"}):
        refresh()
        tracks = operations.player_tracks(film)
    labels = {track["lang"]: track["label"] for track in tracks}
    assert labels == {"hy": cldr_name("hy", "ru"), "az": cldr_name("az", "ru"), "en": "English (SDH)"}
    assert labels["hy"] != "hy" and re.search("[а-я]", labels["hy"])
    # The list of tracks under the player uses the same names.
    assert f">{html.escape(cldr_name('hy', 'ru'))}</a>" in page
    assert f">{html.escape(cldr_name('az', 'ru'))}</a>" in page


def test_player_track_menu_carries_names_in_label_and_the_tag_in_srclang(app, film):
    operations.create_track(film, "hy", srt((1, 2, "Բարեւ")), "hy.srt")
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        refresh()
        media = [{"id": 1, "kind": "video", "status": "ready", "job": None, "duration": 90.0, "technical": {},
                  "derivatives": {"proxy": "/p.mp4"}}]
        page = render_template("media/_item_media.html", media=media, item=film, staff=False,
                               subtitle_tracks=operations.player_tracks(film))
    expected = html.escape(cldr_name("hy", "ru"), quote=True)
    assert f'srclang="hy" label="{expected}"' in page
    assert 'label="hy"' not in page


def test_subtitles_page_in_armenian(app, client_as, film):
    track, _ = operations.create_track(film, "ru", srt((1.0, 3.0, "Мы жили у границы."), (2.0, 4.0, "Ёлка.")), "ru.srt")
    assert [w["code"] for w in track.warnings] == ["overlap"]
    assert "overlap" in track.warnings[0]["message"]  # kept as read, in English (no request asked for another)
    browser = client_as("archivist")
    page = browser.get(f"/manage/items/{film.id}/subtitles", headers={"Accept-Language": "hy"}).get_data(as_text=True)
    assert '<html lang="hy">' in page
    assert "Ավելացնել կամ փոխարինել ենթագրերի ֆայլը" in page  # "Add or replace a track"
    assert "Ենթագրեր դեռ չկան" not in page
    assert cldr_name("ru", "hy") in page  # the track's language by name, with its tag beside it
    # The warning kept with the track is written again in Armenian, places included.
    assert "Ենթագրերը համընկնում են նախորդի հետ (1՝ ենթագիր 2, 0:02)" in page
    assert "Cues overlap" not in page
    assert "Add or replace a track" not in page


def test_preview_page_in_russian_reports_and_refuses_in_russian(app, client_as, film):
    browser = client_as("archivist")
    browser.get(f"/manage/items/{film.id}/subtitles?lang=ru")
    data = srt((1.0, 2.0, "Мы жили у границы."), (1.5, 3.0, "Ёлка."))
    preview = browser.post(f"/manage/items/{film.id}/subtitles/preview",
                           data={"lang": "ru", "file": (io.BytesIO(data), "ru.srt")}, content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Проверьте субтитры перед сохранением" in page and "Титры накладываются на предыдущие" in page
    assert f"<strong>{cldr_name('ru', 'ru')}</strong>" in page
    bad = browser.post(f"/manage/items/{film.id}/subtitles/preview",
                       data={"lang": "ru", "file": (io.BytesIO(b"no cues"), "x.srt")}, content_type="multipart/form-data")
    assert bad.status_code == 422
    bad_page = bad.get_data(as_text=True)
    assert "Из файла не удалось прочитать ни одного титра" in bad_page
    assert "<strong>Файл субтитров</strong>" in bad_page  # the error summary names the field as the form does


def test_api_answers_warnings_and_refusals_in_the_requested_language_with_the_same_codes(app, client, token_for, film):
    headers = {**token_for("archivist"), "Accept-Language": "az"}
    data = srt((1.0, 2.0, "Salam"), (1.5, 3.0, "Sülh"))
    saved = client.post(f"/api/v1/items/{film.id}/subtitles", query_string={"lang": "az"}, data=data, headers=headers)
    assert saved.status_code == 201
    [warning] = saved.get_json()["warnings"]
    assert warning["code"] == "overlap" and warning["where"] == ["cue 2 at 0:01"]
    assert warning["message"] == "Subtitrlər əvvəlkinin üstünə düşür (1: subtitr 2, 0:01)"
    assert saved.get_json()["track"]["label"] == cldr_name("az", "az")
    empty = client.post(f"/api/v1/items/{film.id}/subtitles", query_string={"lang": "az"}, data=b"  ", headers=headers)
    assert empty.status_code == 422
    error = empty.get_json()["error"]
    assert error["fields"]["file"] == "Fayl boşdur. Subtitrləri olan .srt və ya .vtt faylı yükləyin."
    english = client.post(f"/api/v1/items/{film.id}/subtitles", query_string={"lang": "az"}, data=b"  ",
                          headers=token_for("archivist")).get_json()["error"]
    assert english["code"] == error["code"] and english["fields"]["file"].startswith("The file is empty.")
    listed = client.get(f"/api/v1/items/{film.id}/subtitles", headers={"Accept-Language": "ru"}).get_json()
    assert listed["items"][0]["warnings"][0]["message"] == "Титры накладываются на предыдущие (1: титр 2 в 0:01)"
