"""The public catalogue in Chromium: the home page, picture grids, search moments with frames, phones."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from archive.screenings.operations.decisions import approve
from archive.timeutil import utcnow
from tests.browser.layout import no_sideways_scroll
from tests.factories import book, make_collection, make_film, make_licence, make_photo, make_venue
from tests.pictures import give_photo_sizes, give_poster
from tests.search.helpers import srt

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _screening(users, film, **venue):
    """An approved screening of ``film`` three days ahead, at 19:00 in the venue's zone."""
    place = make_venue(**venue)
    make_licence(film)
    day = (utcnow() + timedelta(days=3)).date().isoformat()
    screening = book(users["archivist"], film, place, f"{day}T19:00")
    approve(screening, users["archivist"])
    return place


def _natural_width(page, selector: str) -> int:
    locator = page.locator(selector)
    locator.scroll_into_view_if_needed()
    expect(locator).to_have_js_property("complete", True)
    return locator.evaluate("img => img.naturalWidth")


def test_home_shows_what_is_on_soon_and_the_newest_posters(page, users):
    film = make_film("Two Banks of One River")
    give_poster(film)
    photo = make_photo("The old bridge")
    give_photo_sizes(photo)
    make_film("Closed interviews", "restricted")
    _screening(users, film, name="Gyumri Community Cinema", city="Gyumri")

    page.goto("/")
    first = page.locator("main > *").first
    expect(first.get_by_role("searchbox")).to_be_visible()  # the search box comes first
    soon = page.locator("#on-soon")
    expect(soon).to_contain_text("Two Banks of One River")
    expect(soon).to_contain_text("Gyumri Community Cinema, Gyumri (Armenia)")
    expect(soon).to_contain_text("19:00 (UTC+04:00, Yerevan)")  # the venue's local time
    expect(page.locator("main")).not_to_contain_text("Closed interviews")
    poster = page.locator(".item-grid img[alt='Two Banks of One River']")
    expect(poster).to_have_attribute("width", "640")
    assert _natural_width(page, ".item-grid img[alt='Two Banks of One River']") > 0  # srcset scales it to its slot
    assert _natural_width(page, ".item-grid img[alt='The old bridge']") > 0

    page.goto("/?lang=ru")
    expect(page.locator("#on-soon")).to_contain_text("Армения")


def test_home_says_so_when_nothing_is_planned_or_published(page):
    page.goto("/")
    expect(page.locator("#on-soon .empty")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nothing has been published yet.")


def test_catalogue_grid_images_have_sizes_and_load_lazily_below_the_fold(page):
    for number in range(10):
        give_photo_sizes(make_photo(f"Photograph {number:02d}"))
    page.goto("/items")
    images = page.locator(".item-grid img")
    expect(images).to_have_count(10)
    for index in range(10):
        image = images.nth(index)
        expect(image).to_have_attribute("width", "400")
        expect(image).to_have_attribute("height", "267")
        expect(image).to_have_attribute("srcset", re.compile(r" 400w, .* 1200w$"))
        expect(image).to_have_attribute("sizes", re.compile(r"vw"))
        if index < 4:
            expect(image).not_to_have_attribute("loading", "lazy")
        else:
            expect(image).to_have_attribute("loading", "lazy")


def test_a_search_moment_shows_its_storyboard_frame(page):
    film = make_film("Voices from the river", tracks={"en": srt((25.0, 27.0, "The river remembers everything."))})
    give_poster(film, tiles=5)
    page.goto("/search?q=remembers")
    hit = page.locator("ol.hits li").first
    expect(hit.locator("mark")).to_have_text("remembers")
    expect(hit.locator("time")).to_have_text("0:25")
    expect(hit.locator(".tag")).to_have_text("English")
    frame = hit.locator("img.hit-frame")
    expect(frame).to_have_attribute("width", "160")
    expect(frame).to_have_attribute("height", "90")
    assert _natural_width(page, "ol.hits li img.hit-frame") == 160  # one tile, cut from the sprite sheet


def test_phone_pages_never_scroll_sideways(open_page, users):
    film = make_film("A film with a rather long title about the two banks of one river")
    give_poster(film)
    film.languages = ["hy", "az", "ru"]
    photo = make_photo("Photograph")
    give_photo_sizes(photo)
    make_collection("Across the river", kind="exhibition", items=[film, photo])
    make_film("Searchable", tracks={"en": srt((3.0, 5.0, "A long sentence about the river and memory."))})
    venue = _screening(users, film, name="Community Cinema of a Very Long Name", city="Gyumri")
    page = open_page()
    page.set_viewport_size(PHONE)
    for path in ("/", "/items", "/collections", "/search?q=river", f"/venues/{venue.id}",
                 f"/items/{film.id}/screenings", "/screenings", "/?lang=hy", "/items?lang=az"):
        page.goto(path)
        no_sideways_scroll(page)
