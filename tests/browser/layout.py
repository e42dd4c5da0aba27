"""Layout checks shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import Error, Page

WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.outerHTML.slice(0, 100))"""


def no_sideways_scroll(page: Page) -> None:
    """The page, once loaded and drawn with its own fonts, is no wider than the window.

    Waits up to a few seconds for the layout to settle (web fonts swap in, images get their
    size), so a page that fits is never failed for being measured mid-load; one that stays too
    wide fails, naming the elements that stick out.
    """
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    try:
        page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=5_000)
    except Error:
        raise AssertionError(f"{page.url} scrolls sideways: {page.evaluate(WIDE_ELEMENTS)}") from None
