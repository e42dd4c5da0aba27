"""The search pages in the interface language: facet names, language names, titles in the reader's language."""

from __future__ import annotations

import re

from archive.catalogue import operations as catalogue
from archive.jobs.operations import drain
from tests.factories import make_film
from tests.search.helpers import srt


def _film():
    film = make_film("Life at the border", tracks={"az": srt((3.0, 5.0, "Sərhəddə border yaşayırdılar."))},
                     year=2019, languages=["az"])
    catalogue.update_item(film, {"title": {"en": "Life at the border", "ru": "Жизнь на границе"}})
    drain()
    return film


def test_facets_name_languages_and_kinds_in_russian(client, app):
    _film()
    page = client.get("/search?q=border", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    facet = page[page.index('data-facet="lang"'):page.index('data-facet="subtitle_lang"')]
    assert "Язык фильма" in facet and "Азербайджанский</a> (1)" in facet
    assert ">az<" not in facet and "az (1)" not in page
    assert "Фильм</a> (1)" in page[page.index('data-facet="kind"'):]
    assert "Найден 1 материал" in page
    assert re.search(r'<a href="/items/\d+" lang="ru">Жизнь на границе</a>', page)


def test_hits_name_their_subtitle_language(client, app):
    film = _film()
    page = client.get(f"/items/{film.id}/search?q=border&lang=hy").get_data(as_text=True)
    assert '<span class="tag" title="Ենթագրեր">Ադրբեջաներեն</span>' in page
    assert "1 պահ" in page


def test_film_language_filter_does_not_change_the_interface_language(client, app):
    film = _film()
    make_film("Border songs", tracks={"en": srt((1.0, 2.0, "A border song."))}, languages=["ru"])
    page = client.get("/search?q=border&lang=ru").get_data(as_text=True)
    assert "film_lang=az" in page  # the facet link filters by the film's language ...
    filtered = client.get("/search?q=border&film_lang=az")
    assert filtered.headers["Content-Language"] == "ru"  # ... and keeps the reader's language
    text = filtered.get_data(as_text=True)
    assert "Найден 1 материал" in text and f'data-item="{film.id}"' in text


def test_collection_facet_is_titled_in_the_reader_language(client, app):
    film = make_film("Night film", tracks={"en": srt((1.0, 2.0, "A lullaby."))})
    catalogue.create_collection({"kind": "series", "title": {"en": "Night series", "hy": "Գիշերային շարք"},
                                 "visibility": "public", "items": [film.id]})
    drain()
    facets = client.get("/api/v1/search?q=lullaby", headers={"Accept-Language": "hy"}).get_json()["facets"]
    assert [(f["label"], f["label_lang"]) for f in facets["collection"]] == [("Գիշերային շարք", "hy")]
    page = client.get("/search?q=lullaby&lang=hy").get_data(as_text=True)
    assert 'lang="hy">Գիշերային շարք</a> (1)' in page


def test_query_error_in_the_interface_language(client, app):
    response = client.get("/api/v1/search?q=*", headers={"Accept-Language": "az"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_query" and "Axtarmaq üçün ən azı bir söz yazın" in error["message"]
