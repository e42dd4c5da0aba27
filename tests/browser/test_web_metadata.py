"""A film page's schema.org block in a real browser: read as data, never run, and no CSP violation."""

from __future__ import annotations

import pytest

from archive.catalogue import operations as catalogue

pytestmark = pytest.mark.browser


def test_json_ld_is_a_data_block_the_policy_allows(app, page):
    trap = "</script><script>window.hijacked = true</script>"
    film = catalogue.create_item({"kind": "film", "visibility": "public", "title": {"en": "Two banks " + trap},
                                  "description": {"en": "Across the river & back"}})
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.goto(f"/items/{film.id}")
    blocks = page.locator('script[type="application/ld+json"]')
    assert blocks.count() == 1
    data = page.evaluate('JSON.parse(document.querySelector(\'script[type="application/ld+json"]\').textContent)')
    assert data["@type"] == "VideoObject" and data["name"] == "Two banks " + trap
    assert data["description"] == "Across the river & back"
    assert page.evaluate("window.hijacked === undefined") and dialogs == []
    assert page.locator('meta[property="og:title"]').get_attribute("content") == "Two banks " + trap
    # The page fixture fails the test at teardown on any Content-Security-Policy violation or page error.
