"""Venues request a screening from a film's page; archivists manage an item through tabs and watch processing live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain, enqueue
from archive.screenings.operations import venues
from tests.browser.layout import no_sideways_scroll
from tests.browser.test_catalogue_flow import sign_in
from tests.factories import attach_video, make_film, make_licence, make_photo, make_venue
from tests.fixtures.worker import start_worker, wait_for
from tests.screenings.helpers import local_start

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABS = ["Details", "Media", "Subtitles", "Licences", "Screenings"]


def test_a_venue_requests_a_screening_from_the_film_page(page, open_page, users):
    film = make_film("Bikes by the border")
    make_licence(film, territories=["AM", "GE"], max_screenings=2)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    unlicensed = make_film("Not yet licensed")

    sign_in(page, users["venue"].email)
    page.goto(f"/items/{unlicensed.id}")
    expect(page.get_by_role("heading", level=1, name="Not yet licensed")).to_be_visible()
    expect(page.get_by_role("link", name="Request a screening")).to_have_count(0)

    page.goto(f"/items/{film.id}")
    terms = page.locator(".film-booking")
    expect(terms).to_contain_text("Armenia, Georgia")
    expect(terms).to_contain_text("non-commercial, educational")
    expect(terms).to_contain_text("At most 2 screenings under this licence.")
    page.get_by_role("link", name="Request a screening").click()
    expect(page).to_have_url(re.compile(rf"/venue/screenings/new\?item_id={film.id}$"))
    expect(page.locator("select[name=item_id]")).to_have_value(str(film.id))
    page.locator("select[name=venue_id]").select_option(str(venue.id))
    page.get_by_label("Start (local time at the venue)").fill(local_start(venue, days=12))
    page.get_by_label("Expected audience").fill("40")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".flash.success")).to_contain_text("Request sent")
    expect(page.locator("main")).to_contain_text("Bikes by the border")

    visitor = open_page()
    visitor.goto(f"/items/{film.id}")
    expect(visitor.get_by_role("heading", level=1, name="Bikes by the border")).to_be_visible()
    expect(visitor.get_by_role("link", name="Request a screening")).to_have_count(0)
    expect(visitor.locator(".film-booking")).to_have_count(0)


def test_tabs_lead_through_an_items_pages_from_the_dashboard(page, users):
    film = make_film("Tabs film")
    sign_in(page, users["archivist"].email)
    page.get_by_role("link", name="Manage", exact=True).click()
    page.get_by_role("link", name="Tabs film").click()
    tabs = page.get_by_role("navigation", name="Managing this item")
    for name in TABS:
        tabs.get_by_role("link", name=name, exact=True).click()
        tabs = page.get_by_role("navigation", name="Managing this item")
        expect(tabs.locator("[aria-current=page]")).to_have_text(name)
    expect(page).to_have_url(re.compile(rf"/items/{film.id}/screenings$"))
    tabs.get_by_role("link", name="Licences", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/manage/items/{film.id}/licences$"))

    photo = make_photo("Tabs photo")
    page.goto(f"/manage/items/{photo.id}/edit")
    expect(page.get_by_role("navigation", name="Managing this item").get_by_role("link")).to_have_text(
        ["← Catalogue", "Tabs photo", "Details", "Media"])


def test_staff_reach_the_licences_from_the_film_page(page, users):
    film = make_film("Licensed by staff")
    sign_in(page, users["archivist"].email)
    page.goto(f"/items/{film.id}")
    expect(page.get_by_role("link", name="Request a screening")).to_have_count(0)
    page.get_by_role("link", name="Screening licences").click()
    expect(page).to_have_url(re.compile(rf"/manage/items/{film.id}/licences$"))


def test_an_archivist_watches_a_film_being_processed_without_reloading(app, page, users, samples, tmp_path):
    film = make_film("Long take", "restricted", duration=None)
    sign_in(page, users["archivist"].email)
    page.goto(f"/manage/items/{film.id}/media")
    expect(page.locator("#media-status")).to_contain_text("No files yet")
    page.evaluate("window.notReloaded = true")

    page.locator("#upload-files").set_input_files(str(samples["long_film"]))
    page.get_by_role("button", name="Upload").click()
    row = page.locator("#media-status tr[data-media]")
    expect(row).to_contain_text("long.mp4")  # listed as soon as it is stored, "No files yet" gone
    expect(row).to_contain_text("waiting to be processed")
    expect(page.locator("#media-status")).not_to_contain_text("No files yet")

    job = db.session.scalar(select(Job).where(Job.kind == "derive", Job.item_id == film.id))
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        seen = set()
        expect(row.locator("progress")).to_be_visible(timeout=60_000)
        while row.get_attribute("data-status") != "ready" and len(seen) < 60:
            text = row.locator(".media-state").inner_text()
            percent = re.search(r"(\d+)\s?%", text)
            if percent:
                seen.add(int(percent.group(1)))
            page.wait_for_timeout(250)
            if wait_for_status(job) in {"done", "failed"}:
                break
        assert wait_for(job, {"done", "failed"}, seconds=180) == "done", db.session.get(Job, job.id).error
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    expect(row).to_have_attribute("data-status", "ready")
    expect(row.locator(".media-state")).to_have_text("ready")
    assert len(seen) >= 2, f"the percent shown did not change: {sorted(seen)}"
    expect(page.locator("#upload-list li")).to_contain_text("ready")
    assert page.evaluate("window.notReloaded") is True


def wait_for_status(job: Job) -> str:
    db.session.expire_all()
    return db.session.get(Job, job.id).status


def test_a_failed_file_shows_its_reason_and_retries_in_place(page, users):
    film = make_film("Broken original", "restricted")
    media = attach_video(film, content=b"not a film at all" * 10)
    enqueue("derive", {"media_id": media.id}, item_id=film.id)
    drain()
    sign_in(page, users["archivist"].email)
    page.goto(f"/manage/items/{film.id}/media")
    row = page.locator(f'#media-status tr[data-media="{media.id}"]')
    expect(row).to_have_attribute("data-status", "failed")
    expect(row.locator(".media-state .error")).to_contain_text("failed:")
    page.evaluate("window.notReloaded = true")
    row.get_by_role("button", name="Retry").click()
    expect(row).to_have_attribute("data-status", "queued")
    expect(row.locator(".media-state")).to_have_text("waiting to be processed")
    drain()
    expect(row).to_have_attribute("data-status", "failed")
    expect(row.get_by_role("button", name="Retry")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator(".flash")).to_have_count(0)


def test_staff_pages_do_not_scroll_sideways_on_a_phone(page, users):
    film = make_film("A rather long film title that has to wrap on a small phone screen", "restricted")
    make_licence(film)
    attach_video(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    page.set_viewport_size(PHONE)
    sign_in(page, users["archivist"].email)
    for path in ("/manage/", f"/manage/items/{film.id}/edit", f"/manage/items/{film.id}/media",
                 f"/manage/items/{film.id}/subtitles", f"/manage/items/{film.id}/licences",
                 f"/items/{film.id}/screenings", f"/items/{film.id}"):
        page.goto(path)
        no_sideways_scroll(page)


def test_the_film_page_with_the_request_fits_a_phone(page, users):
    film = make_film("Bikes by the border", visibility="partners")
    make_licence(film, territories=["AM", "GE", "FR", "AZ", "TR", "DE", "US"], max_screenings=1)
    venues.add_member(make_venue(), users["venue"].email)
    page.set_viewport_size(PHONE)
    sign_in(page, users["venue"].email)
    page.goto(f"/items/{film.id}")
    expect(page.get_by_role("link", name="Request a screening")).to_be_visible()
    expect(page.locator(".film-booking")).to_contain_text("At most 1 screening under this licence.")
    no_sideways_scroll(page)
