"""A venue books a screening, an archivist approves it, the venue downloads its kit and reports: in Chromium."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from archive.extensions import db
from archive.screenings import times
from archive.screenings.models import Screening
from archive.screenings.operations import venues
from archive.timeutil import utcnow
from tests.browser.test_catalogue_flow import sign_in
from tests.factories import attach_video, make_film, make_licence, make_venue

pytestmark = pytest.mark.browser

PROXY = b"screening copy " * 64


def test_venue_books_is_approved_downloads_the_kit_and_reports(page, open_page, users, tmp_path):
    film = make_film("Voices from the border")
    make_licence(film)
    attach_video(film, proxy=PROXY)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    # Thirty hours ahead, so the kit is open as soon as the screening is approved.
    local = times.to_local(utcnow() + timedelta(hours=30), times.zone(venue.timezone)).strftime("%Y-%m-%dT%H:%M")

    sign_in(page, users["venue"].email)
    page.get_by_role("link", name="My screenings").click()
    page.get_by_role("link", name="Request a screening").click()
    page.locator("select[name=venue_id]").select_option(label=f"{venue.name} ({venue.city}, {venue.timezone})")
    page.locator("select[name=item_id]").select_option(label="Voices from the border")
    page.get_by_label("Start (local time at the venue)").fill(local)
    page.locator("select[name=format]").select_option("community")
    page.get_by_label("Expected audience").fill("60")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".flash.success")).to_contain_text("Request sent")
    expect(page.locator("#screening-status")).to_have_text("requested")
    match = re.search(r"/screenings/(\d+)$", page.url)
    assert match, page.url
    screening_id = int(match.group(1))

    archivist = open_page()
    sign_in(archivist, users["archivist"].email)
    archivist.get_by_role("link", name="Requests").click()
    request_card = archivist.locator(f"#request-{screening_id}")
    expect(request_card).to_contain_text("Voices from the border")
    request_card.get_by_role("button", name="Approve").click()
    expect(archivist.locator(".flash.success")).to_contain_text(f"Screening {screening_id} approved")

    page.reload()
    expect(page.locator("#screening-status")).to_have_text("approved")
    with page.expect_download() as download_info:
        page.locator("#kit-film").click()
    saved = tmp_path / "copy.mp4"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == PROXY
    page.goto("/venue/inbox")
    expect(page.locator("main")).to_contain_text("Screening approved: Voices from the border")

    # Time passes: the screening has taken place.
    screening = db.session.get(Screening, screening_id)
    for name in ("starts_at", "ends_at", "blocked_until"):
        setattr(screening, name, getattr(screening, name) - timedelta(hours=33))
    db.session.commit()

    page.goto(f"/screenings/{screening_id}")
    page.get_by_role("link", name="File the attendance report").click()
    page.locator("input[name=total]").fill("64")
    page.locator("input[name=women]").fill("35")
    page.locator("input[name=men]").fill("27")
    page.get_by_label("Another or undisclosed").fill("2")
    page.get_by_label("Under 30").fill("20")
    page.get_by_label("How did the discussion go?").fill("An hour of questions about the border villages.")
    page.get_by_role("button", name="File the report").click()
    expect(page.locator(".flash.success")).to_contain_text("the report is filed")

    archivist.goto("/impact")
    expect(archivist.locator("#impact-summary")).to_contain_text("64 people reached")
