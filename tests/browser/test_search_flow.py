"""Search in a real browser: the nav box, facets, highlighted moments, jumping to the moment."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from archive.catalogue import operations as catalogue
from archive.jobs.operations import drain
from archive.subtitles import operations as subtitles
from tests.factories import make_film
from tests.search.helpers import srt

pytestmark = pytest.mark.browser


def test_visitor_searches_and_opens_the_film_at_the_moment(page, app):
    public = catalogue.create_item({"kind": "film", "title": {"en": "Voices from the bridge"}, "visibility": "public",
                                    "year": 2019, "themes": ["memory"]})
    hidden = make_film("Closed interviews", "restricted")
    subtitles.create_track(public, "az", srt((95.5, 98.0, "Şahin körpüdə <script>alert(1)</script> gözləyirdi.")),
                           "az.srt")
    subtitles.create_track(hidden, "en", srt((5.0, 6.0, "Sahin spoke about the bridge.")), "en.srt")
    drain()

    page.goto("/")
    box = page.get_by_role("searchbox", name="Search")
    box.fill("Sahin")
    box.press("Enter")
    expect(page.locator("#result-count")).to_have_text("1 item found")
    result = page.locator("article.result")
    expect(result.locator("h2")).to_have_text("Voices from the bridge")
    expect(result.locator("mark")).to_have_text("Şahin")
    expect(result.locator(".snippet")).to_contain_text("<script>alert(1)</script>")  # shown as text
    expect(page.locator("body")).not_to_contain_text("Closed interviews")
    expect(page.locator('.facet[data-facet="year"]')).to_contain_text("2019 (1)")
    expect(page.locator('.facet[data-facet="subtitle_lang"]')).to_contain_text("Azerbaijani (1)")

    page.locator('.facet[data-facet="theme"] a', has_text="memory").click()
    expect(page.locator("#result-count")).to_have_text("1 item found")
    expect(page.locator('.facet[data-facet="theme"]')).to_contain_text("remove")

    result.locator("a.moment").first.click()
    expect(page).to_have_url(re.compile(rf"/items/{public.id}\?sub=az&q=Sahin#t=95\.500$"))  # with its subtitles
    expect(page.locator("#moment-note")).to_contain_text("1:35")

    page.get_by_role("searchbox", name="Search inside this film").fill("körpü")
    page.get_by_role("button", name="Find moments").click()
    expect(page.locator("#moment-count")).to_have_text("1 moment")
    expect(page.locator("ol.hits mark")).to_have_text("körpüdə")

    page.goto("/search?q=%22unbalanced")
    expect(page.locator("main")).to_be_visible()
    page.goto("/search?q=*")
    expect(page.get_by_role("alert")).to_contain_text("Type at least one word")
