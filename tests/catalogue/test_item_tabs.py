"""An item's staff pages are tabs of one page: each marks its own tab and links the others."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_film, make_photo

PAGES = {
    "details": "/manage/items/{id}/edit",
    "media": "/manage/items/{id}/media",
    "subtitles": "/manage/items/{id}/subtitles",
    "licences": "/manage/items/{id}/licences",
    "screenings": "/items/{id}/screenings",
}


def tab_links(html: str) -> list[tuple[str, bool]]:
    """(href, is current) of each tab in the page's item tabs."""
    nav = re.search(r'<nav class="item-tabs".*?</nav>', html, re.S)
    assert nav, "no item tabs"
    return [(href, bool(current)) for href, current in
            re.findall(r'<li><a href="([^"]+)"( aria-current="page")?>', nav.group(0))]


@pytest.mark.parametrize("tab", list(PAGES))
def test_each_page_of_a_film_marks_its_tab_and_links_the_others(client_as, app, tab):
    film = make_film()
    html = client_as("archivist").get(PAGES[tab].format(id=film.id)).get_data(as_text=True)
    links = tab_links(html)
    assert [href for href, _ in links] == [path.format(id=film.id) for path in PAGES.values()]
    assert [href for href, current in links if current] == [PAGES[tab].format(id=film.id)]


def test_a_photo_has_only_details_and_media(client_as, app):
    photo = make_photo()
    links = tab_links(client_as("archivist").get(f"/manage/items/{photo.id}/edit").get_data(as_text=True))
    assert [href for href, _ in links] == [f"/manage/items/{photo.id}/edit", f"/manage/items/{photo.id}/media"]


def test_a_restricted_film_has_no_screenings_tab(client_as, app):
    film = make_film(visibility="restricted")
    links = tab_links(client_as("archivist").get(f"/manage/items/{film.id}/edit").get_data(as_text=True))
    assert f"/items/{film.id}/screenings" not in [href for href, _ in links]
    assert len(links) == 4


def test_the_public_screenings_page_shows_tabs_to_staff_only(client_as, app):
    film = make_film()
    assert 'class="item-tabs"' not in client_as(None).get(f"/items/{film.id}/screenings").get_data(as_text=True)
    assert 'class="item-tabs"' not in client_as("venue").get(f"/items/{film.id}/screenings").get_data(as_text=True)
    assert 'class="item-tabs"' in client_as("admin").get(f"/items/{film.id}/screenings").get_data(as_text=True)


def test_the_dashboard_links_each_films_pages(client_as, app):
    film = make_film()
    html = client_as("archivist").get("/manage/").get_data(as_text=True)
    for path in PAGES.values():
        assert f'href="{path.format(id=film.id)}"' in html


def test_tabs_in_armenian(client_as, app):
    film = make_film()
    html = client_as("archivist").get(f"/manage/items/{film.id}/licences?lang=hy").get_data(as_text=True)
    nav = re.search(r'<nav class="item-tabs".*?</nav>', html, re.S).group(0)
    assert "Licences" not in nav and "Subtitles" not in nav
