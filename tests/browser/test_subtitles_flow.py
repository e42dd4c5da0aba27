"""An archivist uploads Czech subtitles the detector reads wrong, sees the warning, picks the encoding, saves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from archive.subtitles import operations
from tests.browser.test_catalogue_flow import sign_in
from tests.factories import make_film

pytestmark = pytest.mark.browser

CZECH = "Děti čekaly u řeky, když přišla zpráva o míru.\nČeřovský řekl, že se vrátí na podzim."


def test_wrong_letters_are_flagged_and_reading_again_in_the_chosen_encoding_fixes_them(page, users, tmp_path):
    film = make_film("Letters from the river", "public")
    source = tmp_path / "cs.srt"
    source.write_bytes("".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},900\n{line}\n\n"
                               for n, line in enumerate(CZECH.split("\n"), 1)).encode("cp1250"))
    sign_in(page, users["archivist"].email)
    page.goto(f"/manage/items/{film.id}/subtitles")
    page.get_by_label("Subtitle file").set_input_files(str(source))
    page.get_by_role("textbox", name="Language").fill("cs")  # not the header's language switcher
    page.get_by_role("button", name="Check the file").click()

    expect(page.locator("#report-warnings")).to_contain_text("does not look like cs")
    expect(page.locator("#report-encoding")).to_have_text("Windows-1252")
    page.get_by_label("Letters look wrong?").select_option("cp1250")
    page.get_by_role("button", name="Read again").click()
    expect(page.locator("#report-encoding")).to_have_text("Windows-1250")
    expect(page.locator("#report-warnings")).to_have_text("No problems found.")
    expect(page.locator("ol.sample")).to_contain_text("Děti čekaly u řeky")
    page.get_by_role("button", name="Save track").click()
    expect(page.locator("tr[data-lang=cs]")).to_contain_text("Windows-1250")  # the encoding by its name
    [track] = operations.tracks_of(film)
    assert operations.cues_of(track)[1].plain == CZECH.split("\n")[1]
