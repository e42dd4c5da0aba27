"""An archivist uploads a photograph and a film in the browser and watches them being processed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from archive.jobs.operations import drain
from tests.browser.test_catalogue_flow import sign_in
from tests.factories import make_film, make_photo

# Media reaches the browser from the storage's own origin in the scaled configuration: both run.
pytestmark = [pytest.mark.browser, pytest.mark.every_profile]


def test_upload_with_progress_then_processing_then_public_page(page, open_page, users, samples):
    photo = make_photo("Portrait at the well", "public")
    sign_in(page, users["archivist"].email)
    page.goto(f"/manage/items/{photo.id}/media")
    expect(page.locator("#media-status")).to_contain_text("No files yet")

    page.locator("#upload-files").set_input_files(str(samples["photo"]))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-list li")).to_contain_text("uploaded; processing")
    expect(page.locator("#upload-list progress")).to_have_attribute("value", "100")

    assert drain() >= 1  # the worker's part, run here so the test controls when it happens
    # The page polls the status and puts each file's row in place as processing goes on.
    expect(page.locator("#media-status")).to_contain_text("ready", timeout=15_000)

    visitor = open_page()
    visitor.goto(f"/items/{photo.id}")
    image = visitor.locator("img.photo")
    expect(image).to_be_visible()
    assert visitor.evaluate("document.querySelector('img.photo').naturalWidth") > 0


def test_bad_upload_shows_the_reason_and_keeps_the_page_usable(page, users, samples):
    film = make_film("Notes", "restricted")
    sign_in(page, users["archivist"].email)
    page.goto(f"/manage/items/{film.id}/media")
    page.locator("#upload-files").set_input_files(str(samples["text"]))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-list li.error")).to_contain_text("not a film or photograph")
    page.wait_for_timeout(2500)  # longer than a status poll: the reason must stay on screen
    expect(page.locator("#upload-list li.error")).to_contain_text("not a film or photograph")
    expect(page.locator("#media-status")).to_contain_text("No files yet")
