"""An archivist catalogues items in a real browser; anonymous visitors see only what is public."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ARMENIAN_TITLE = "Երկխոսություն սահմանին"
CREDIT = "Ani Petrosyan | director"


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out ({email})")).to_be_visible()


def title_input(page: Page, lang: str):
    """The title field in the form row for language ``lang``."""
    row = page.locator(".text-row").filter(has=page.locator(f'input[name="lang"][value="{lang}"]'))
    return row.locator('input[name="title"]')


def create_item(page: Page, english: str, visibility: str) -> int:
    """Fill the new-item form as an archivist would; returns the new item's id."""
    page.goto("/manage/items/new")
    title_input(page, "en").fill(english)
    title_input(page, "hy").fill(ARMENIAN_TITLE)
    page.locator('select[name="visibility"]').select_option(visibility)
    page.locator('input[name="year"]').fill("2019")
    page.locator('textarea[name="credits"]').fill(CREDIT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text(f"Saved “{english}”")
    match = re.search(r"/manage/items/(\d+)/edit$", page.url)
    assert match, page.url
    return int(match.group(1))


def test_archivist_publishes_item_and_anonymous_visitor_sees_only_public(page, open_page, users, tmp_path):
    email = users["archivist"].email
    sign_in(page, email)

    # The session cookie really is Secure and HttpOnly, and the browser kept it on http://127.0.0.1.
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert session_cookie["secure"] and session_cookie["httpOnly"]

    public_id = create_item(page, "Dialogue at the border", "public")
    restricted_id = create_item(page, "Unreleased interviews", "restricted")

    visitor = open_page()  # a new browser context: no cookies, not signed in
    response = visitor.goto(f"/items/{public_id}")
    assert response is not None and response.status == 200
    expect(visitor.get_by_role("link", name="Sign in")).to_be_visible()
    expect(visitor.locator('section[lang="hy"] h2')).to_contain_text(ARMENIAN_TITLE)
    expect(visitor.locator("dl.credits")).to_contain_text("director")
    expect(visitor.locator("dl.credits dd")).to_have_text("Ani Petrosyan")

    screenshot = tmp_path / "public-item.png"
    visitor.screenshot(path=screenshot, full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert screenshot.stat().st_size > 1000

    response = visitor.goto(f"/items/{restricted_id}")
    assert response is not None and response.status == 404
    expect(visitor.locator("main")).to_contain_text("There is nothing at this address")
    expect(visitor.locator("body")).not_to_contain_text("Unreleased interviews")
