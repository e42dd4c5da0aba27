"""The public pages and a venue's booking in Armenian, Azerbaijani, Russian and English, in Chromium.

Each language is asked for the way a visitor does: the browser's own language (Playwright's
``locale`` sets ``Accept-Language``) or the header's switcher. On every page the ``lang``
attribute is right, no label of the page's frame is left in English (compared with the English
rendering of the same page), and every character is drawn with the fonts the archive serves
(Noto Sans, Noto Sans Armenian): Chromium reports which fonts painted each element, and a
system fallback there would be where a box could appear on a visitor's machine.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from archive.extensions import db
from archive.i18n import catalogs
from archive.screenings import times
from archive.screenings.operations import decisions, venues
from archive.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.factories import book, make_film, make_licence, make_venue

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "hy", "az", "ru")
TITLES = {"en": "Two Banks of One River", "hy": "Մեկ գետի երկու ափ", "az": "Bir çayın iki sahili", "ru": "Два берега одной реки"}
SERVED_FONTS = {"Noto Sans", "Noto Sans Armenian", "Noto Sans Math"}
# The frame of a page: what the interface writes, not what the records say.
FRAME = "header a, header button, nav a, footer, main h1, main h2, label, legend, th, button, .empty, .hint, .pager"
FRAME_TEXTS = """
(selector) => Array.from(document.querySelectorAll(selector))
  .filter((el) => !el.closest('[lang]:not(html)') && el.offsetParent !== null)
  .map((el) => el.innerText.trim()).filter((text) => /[A-Za-z]{3,}/.test(text))
"""


@pytest.fixture
def catalogue(app, users):
    """A public film with a title in each language, subtitles, a licence and an approved screening."""
    film = make_film(TITLES["en"], languages=["hy"], tracks={"hy": "1\n00:00:01,000 --> 00:00:04,000\nԽաղաղություն\n".encode()})
    film.title = dict(TITLES)
    db.session.commit()
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    start = times.to_local(utcnow() + timedelta(days=3), times.zone(venue.timezone)).strftime("%Y-%m-%dT19:00")
    screening = book(users["venue"], film, venue, start)
    decisions.approve(screening, users["archivist"])
    return {"film": film, "venue": venue}


def _pages(film_id: int) -> dict[str, str]:
    return {
        "home": "/",
        "catalogue": "/items",
        "film": f"/items/{film_id}",
        "search": "/search?q=%D5%AD%D5%A1%D5%B2%D5%A1%D5%B2%D5%B8%D6%82%D5%A9%D5%B5%D5%B8%D6%82%D5%B6",
        "calendar": "/screenings",
        "sign-in": "/login",
    }


def _translations(language: str) -> set[str]:
    found = set()
    for message in catalogs.read(language):
        found.update(message.string if isinstance(message.string, tuple) else (message.string,))
    return found


def _frame(page: Page) -> set[str]:
    return set(page.evaluate(FRAME_TEXTS, FRAME))


def _fonts_that_painted(page: Page, selector: str) -> set[str]:
    """The fonts Chromium used to draw the text of each element matching ``selector``."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    used = set()
    for node in session.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        for font in session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            if font.get("isCustomFont"):
                used.add(font["familyName"])
            else:
                html = session.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
                used.add(f"system:{font['familyName']} in {html[:300]}")
    session.detach()
    return used


LOCALES = {"en": "en-GB", "hy": "hy-AM", "az": "az-AZ", "ru": "ru-RU"}


def _visit(open_page, language: str) -> Page:
    """A new visitor whose browser asks for ``language`` (CSP violations and page errors fail the test)."""
    return open_page(locale=LOCALES[language])


def test_the_public_pages_speak_each_language_with_the_archives_fonts(open_page, catalogue):
    film = catalogue["film"]
    english = {}
    page = _visit(open_page, "en")
    for name, path in _pages(film.id).items():
        page.goto(path)
        english[name] = _frame(page)
    written = {language: _translations(language) for language in ("hy", "az", "ru")}
    for language in ("hy", "az", "ru"):
        page = _visit(open_page, language)
        for name, path in _pages(film.id).items():
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            # Left in English, unless the language writes it the same way (Azerbaijani "Film").
            left = _frame(page) & english[name] - {"English"} - written[language]
            assert not left, f"{language} {name}: still in English: {sorted(left)}"
            page.evaluate("document.fonts.ready")
            painted = _fonts_that_painted(page, "body, header a, main h1, main p, footer")
            assert painted and painted <= SERVED_FONTS, f"{language} {name}: drawn with {painted}"
        page.goto(f"/items/{film.id}")
        heading = page.locator("main h1").first
        expect(heading).to_contain_text(TITLES[language])
        expect(page.locator(f'main [lang="{language}"]', has_text=TITLES[language]).first).to_be_visible()


def test_the_switcher_changes_the_language_and_keeps_it_across_pages(open_page, catalogue):
    page = _visit(open_page, "en")
    page.goto(f"/items/{catalogue['film'].id}")
    for language, name in (("hy", "Հայերեն"), ("az", "Azərbaycanca"), ("ru", "Русский"), ("en", "English")):
        page.locator("form.languages").get_by_role("button", name=name).click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert re.search(rf"/items/{catalogue['film'].id}$", page.url), page.url
        expect(page.locator("main h1").first).to_contain_text(TITLES[language])
        page.locator("header.site nav a").first.click()  # on to the catalogue: the choice stays
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.go_back()
    page.goto("/screenings?lang=ru")  # a link carrying the language, as a venue shares it
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.goto("/items")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_venue_books_a_screening_in_its_language(open_page, catalogue, users, language):
    venue, film = catalogue["venue"], catalogue["film"]
    days = 10 + LANGUAGES.index(language)  # one evening each, so the bookings never clash
    start = times.to_local(utcnow() + timedelta(days=days), times.zone(venue.timezone)).strftime("%Y-%m-%dT18:00")
    page = _visit(open_page, language)
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", language)
    english_login = {"en": "Sign in"}.get(language)
    page.locator("input[name=email]").fill(users["venue"].email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)  # the choice survives sign-in
    page.goto("/venue/screenings/new")
    page.locator("select[name=venue_id]").select_option(str(venue.id))
    page.locator("select[name=item_id]").select_option(str(film.id))
    page.locator("input[name=starts_at]").fill(start)
    page.locator("select[name=format]").select_option("community")
    page.locator("input[name=expected_audience]").fill("40")
    page.locator("main form button[type=submit]").last.click()
    flash = page.locator(".flash.success")
    expect(flash).to_be_visible()
    if english_login is None:
        assert not re.search(r"\bRequest sent\b", flash.inner_text())
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert re.search(r"/screenings/\d+$", page.url), page.url
