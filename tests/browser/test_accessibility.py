"""axe-core finds no serious or critical violation on the public pages, a venue's booking form and the
sign-in page, in English and Armenian; the film page works by keyboard with a visible focus ring; on a
phone the home and film pages stay within the page-weight budget and the film's poster shows at once.

One test per language visits every page in one browser (a small demo-like archive built once per
test), so the checks add little time.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from archive.extensions import db
from archive.screenings import times
from archive.screenings.operations import decisions, venues
from archive.timeutil import utcnow
from tests.browser.accessibility import assert_accessible, axe_violations, tab_to
from tests.browser.weight import BUDGET_BYTES, PHONE, page_weight, poster_without_the_film
from tests.conftest import PASSWORD
from tests.factories import book, make_collection, make_film, make_licence, make_photo, make_venue
from tests.pictures import give_photo_sizes, give_poster
from tests.search.helpers import srt

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "hy": "hy-AM"}
LINES = {
    "hy": ["Մենք լողալով անցնում էինք գետը։", "Գետը չգիտի, թե որտեղով է անցնում սահմանը։"],
    "az": ["Biz çayı üzüb keçərdik.", "Çay sərhədin haradan keçdiyini bilmir."],
    "ru": ["Мы переплывали реку.", "Река не знает, где проходит граница."],
    "en": ["We used to swim across the river.", "The river does not know where the border is."],
}


@pytest.fixture
def archive(app, users):
    """A film with its poster and subtitles in four languages, an exhibition of photographs, a venue with
    a coming screening (and its account), as the demo has them."""
    film = make_film("Two Banks of One River", languages=["hy", "az", "ru"], year=2021, duration=60.0,
                     tracks={lang: srt((2.0, 6.0, lines[0]), (20.0, 25.0, lines[1])) for lang, lines in LINES.items()})
    film.title = {"en": "Two Banks of One River", "hy": "Մեկ գետի երկու ափ"}
    db.session.commit()
    give_poster(film, small=True)
    photos = []
    for title in ("The old bridge", "Market day", "Apricot trees"):
        photos.append(make_photo(title, year=2019))
        give_photo_sizes(photos[-1])
    exhibition = make_collection("Across the river", kind="exhibition", items=photos)
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    starts = times.to_local(utcnow() + timedelta(days=3), times.zone(venue.timezone))
    decisions.approve(book(users["venue"], film, venue, starts.strftime("%Y-%m-%dT19:00")), users["archivist"])
    return {"film": film, "photo": photos[0], "exhibition": exhibition, "month": starts.strftime("%Y-%m")}


def _every_page_is_accessible(page, archive, users, language: str) -> None:
    film = archive["film"]
    for name, path in (("home", "/"), ("catalogue", "/items"), ("search results", "/search?q=river"),
                       ("photo page", f"/items/{archive['photo'].id}"), ("screenings list", "/screenings"),
                       ("screenings month", f"/screenings?view=month&month={archive['month']}"),
                       ("sign-in", "/login")):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page, name)

    page.goto(f"/items/{film.id}?sub=hy")
    expect(page.locator("#transcript ol.cues li")).to_have_count(2)
    assert_accessible(page, "film page with its transcript")
    page.locator("#moment-link").click()
    expect(page.locator("#moment-panel .moment-column")).to_have_count(4)
    assert_accessible(page, "film page with every language at one moment")

    page.goto(f"/collections/{archive['exhibition'].id}")
    page.locator("#gallery a.gallery-link").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page, "exhibition with its lightbox open")

    page.goto("/login")
    page.locator("input[name=email]").fill(users["venue"].email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header.site form.inline button")).to_be_visible()  # signed in
    page.goto(f"/items/{film.id}")
    page.locator(".film-booking a.button").click()  # Request a screening, the film chosen
    expect(page.locator("select[name=item_id]")).to_have_value(str(film.id))
    assert_accessible(page, "booking form")


def test_the_pages_are_accessible_in_english_work_by_keyboard_and_stay_light_on_a_phone(open_page, archive, users):
    page = open_page(locale=LOCALES["en"])
    _every_page_is_accessible(page, archive, users, "en")

    # The checker sees what it should: a button without a name is reported.
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    found = " ".join(axe_violations(page))
    assert "button-name" in found, found

    # The film page by keyboard: every stop shows its focus; a transcript line seeks; every language opens and closes.
    film = archive["film"]
    page = open_page(locale=LOCALES["en"])
    page.goto(f"/items/{film.id}?sub=en")
    tab_to(page, "#moment-link")
    page.keyboard.press("Enter")
    expect(page.locator("#moment-panel-title")).to_be_focused()
    expect(page.locator("#moment-panel .moment-text[lang=en]")).to_have_text(LINES["en"][0])
    tab_to(page, "#moment-panel button")
    page.keyboard.press("Enter")
    expect(page.locator("#moment-panel")).to_be_hidden()
    expect(page.locator("#moment-link")).to_be_focused()
    tab_to(page, "#transcript li[data-start='20.000'] a.cue-time")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#t=20\.000$"))
    assert page.evaluate("document.querySelector('.player video').currentTime") == pytest.approx(20.0, abs=0.1)

    # On a phone, a first visit to the home and film pages stays within the budget, and the film's poster
    # is painted even when the film itself cannot be fetched.
    for path in ("/", f"/items/{film.id}"):
        weight = page_weight(open_page(viewport=PHONE).context, path)
        assert weight.by_kind.get("HTML") and weight.by_kind.get("CSS") and weight.by_kind.get("fonts"), weight.line()
        assert weight.total < BUDGET_BYTES, weight.line() + "".join(f"\n  {file}" for file in weight.files)
    painted = poster_without_the_film(open_page(viewport=PHONE).context, f"/items/{film.id}")
    assert painted and painted["element"] == "video" and painted["url"] == painted["poster"], painted


def test_the_pages_are_accessible_in_armenian(open_page, archive, users):
    page = open_page(locale=LOCALES["hy"])
    _every_page_is_accessible(page, archive, users, "hy")

