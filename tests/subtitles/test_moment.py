"""Every language at one moment (/items/<id>/moment?t=) and the film page's transcript."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_film, make_photo
from tests.search.helpers import srt

TRACKS = {
    "en": srt((2.0, 4.0, "We swam across the river."), (6.0, 8.0, "Grandmother sold apricots.")),
    "ru": srt((2.1, 4.0, "Мы переплывали реку."), (6.0, 8.0, "Бабушка продавала абрикосы.")),
    "hy": srt((2.0, 3.9, "Մենք լողում էինք գետով։"), (6.2, 8.0, "Տատս ծիրան էր վաճառում։")),
    "az": srt((2.0, 4.0, "Biz çayı üzüb keçərdik."), (6.0, 8.0, "Nənəm ərik satardı.")),
}


def columns(html: str) -> list[tuple[str, str]]:
    """(language, text) of each column of a moment page, in order."""
    return re.findall(r'<p class="moment-text" lang="([a-z-]+)">([^<]*)</p>', html)


def test_moment_shows_every_language_side_by_side_in_order(client):
    film = make_film("River", tracks=TRACKS)
    response = client.get(f"/items/{film.id}/moment?t=6.5")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert columns(html) == [("hy", "Տատս ծիրան էր վաճառում։"), ("az", "Nənəm ərik satardı."),
                             ("ru", "Бабушка продавала абрикосы."), ("en", "Grandmother sold apricots.")]
    assert f'href="/items/{film.id}/moment?t=2.100"' in html  # the line before
    assert f'href="/items/{film.id}#t=6.500"' in html  # watch from here


def test_moment_between_lines_shows_the_nearest_within_a_few_seconds(client):
    film = make_film("River", tracks=TRACKS)
    html = client.get(f"/items/{film.id}/moment?t=5").get_data(as_text=True)
    assert [lang for lang, _ in columns(html)] == ["hy", "az", "ru", "en"]
    html = client.get(f"/items/{film.id}/moment?t=0").get_data(as_text=True)
    assert ("en", "We swam across the river.") in columns(html)


def span(html: str) -> tuple[float, float | None]:
    """The span of the film a moment page holds for (data-from, data-until)."""
    found = re.search(r'class="moment-columns" data-from="([\d.]+)"(?: data-until="([\d.]+)")?', html)
    return float(found[1]), float(found[2]) if found[2] else None


def test_moment_says_for_which_span_it_holds_and_nothing_changes_inside_it(client):
    film = make_film("River", tracks=TRACKS)
    assert span(client.get(f"/items/{film.id}/moment?t=6.5").get_data(as_text=True)) == (6.2, 6.9)
    assert span(client.get(f"/items/{film.id}/moment?t=11.5").get_data(as_text=True)) == (11.0, None)
    for tenth in range(0, 120, 3):  # every 0.3 s: the page within a span shows what its start shows
        html = client.get(f"/items/{film.id}/moment?t={tenth / 10}").get_data(as_text=True)
        start, until = span(html)
        assert start <= tenth / 10 and (until is None or tenth / 10 < until)
        # Just after the start: exactly at an edge, a line ending there may still count as on screen.
        at_start = client.get(f"/items/{film.id}/moment?t={start + 0.001:.3f}").get_data(as_text=True)
        assert columns(html) == columns(at_start) and span(at_start) == (start, until), tenth / 10


def test_moment_in_russian_names_the_languages(client):
    film = make_film("River", tracks=TRACKS)
    html = client.get(f"/items/{film.id}/moment?t=3&lang=ru").get_data(as_text=True)
    assert ">Армянский</h2>" in html and ">Азербайджанский</h2>" in html


@pytest.mark.parametrize("t", ["-1", "-0.5", "nan", "NaN", "inf", "-inf", "abc", "1e", "%00", "1%002", "", "1" * 40,
                               "0x10", "1,5"])
def test_moment_refuses_a_malformed_time_with_400(client, t):
    film = make_film("River", tracks=TRACKS)
    response = client.get(f"/items/{film.id}/moment?t={t}")
    assert response.status_code == 400
    assert "seconds" in response.get_data(as_text=True) or "start of the film" in response.get_data(as_text=True)


def test_moment_without_t_is_400(client):
    film = make_film("River", tracks=TRACKS)
    assert client.get(f"/items/{film.id}/moment").status_code == 400


@pytest.mark.parametrize("t", ["1e9", "1e308", "99999999", "601"])
def test_moment_after_the_end_of_the_film_is_404(client, t):
    film = make_film("River", tracks=TRACKS, duration=600)
    response = client.get(f"/items/{film.id}/moment?t={t}")
    assert response.status_code == 404


def test_moment_of_a_film_without_subtitles_or_a_photo_is_404(client):
    film = make_film("Silent")
    photo = make_photo("Bridge")
    assert client.get(f"/items/{film.id}/moment?t=1").status_code == 404
    assert client.get(f"/items/{photo.id}/moment?t=1").status_code == 404
    assert client.get("/items/999999/moment?t=1").status_code == 404


def test_moment_of_a_restricted_film_is_hidden_from_the_public_and_venues(client, client_as):
    film = make_film("Closed", "restricted", tracks=TRACKS)
    url = f"/items/{film.id}/moment?t=2.5"
    assert client.get(url).status_code == 404
    assert client.get(url + "x").status_code == 404  # hidden before the time is read: nothing to probe
    assert client_as("venue").get(url).status_code == 404
    assert client_as("archivist").get(url).status_code == 200


def test_moment_of_a_partners_film_only_for_signed_in_partners(client, client_as):
    film = make_film("Partners only", "partners", tracks=TRACKS)
    url = f"/items/{film.id}/moment?t=2.5"
    assert client.get(url).status_code == 404
    assert client_as("venue").get(url).status_code == 200
    assert client_as("admin").get(url).status_code == 200


def test_the_note_for_a_film_not_playable_yet_speaks_the_interface_language(client):
    film = make_film("River", tracks=TRACKS)  # no media: moment.js says where the moment is instead of playing
    html = client.get(f"/items/{film.id}?lang=hy").get_data(as_text=True)
    assert 'data-note-unplayable="Ձեր ընտրած պահը՝ {time} (ֆիլմն այստեղ դեռ հնարավոր չէ դիտել)։"' in html
