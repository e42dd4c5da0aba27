"""The film page in a real browser: a search hit opens the player at its second with its subtitles on,
the transcript follows playback and seeks on a click, every language at one moment, photographs and an
exhibition's lightbox by keyboard, and no sideways scrolling on a phone."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from archive.catalogue import operations as catalogue
from archive.jobs.operations import drain
from archive.media.ingest import ingest
from archive.subtitles import operations as subtitles
from tests.browser.layout import no_sideways_scroll
from tests.search.helpers import srt

# Media reaches the browser from the storage's own origin in the scaled configuration: both run.
pytestmark = [pytest.mark.browser, pytest.mark.every_profile]

PHONE = {"width": 390, "height": 844}
LINES = {
    "hy": ["Մենք լողում էինք գետով։", "Տատս ծիրան էր վաճառում կամրջի մոտ։", "Գարնանը ջուրը պղտոր էր։",
           "Ոչ ոք չէր հարցնում, թե որ ափից ես։", "Կամուրջը փակեցին։"],
    "az": ["Biz çayı üzüb keçərdik.", "Nənəm körpünün yanında ərik satardı.", "Yazda su bulanıq olardı.",
           "Heç kim hansı sahildən gəldiyini soruşmazdı.", "Körpünü bağladılar."],
    "ru": ["Мы переплывали реку.", "Бабушка продавала абрикосы у моста.", "Весной вода была мутной.",
           "Никто не спрашивал, с какого ты берега.", "Мост закрыли."],
    "en": ["We swam across the river.", "Grandmother sold apricots at the bridge.", "In spring the water was brown.",
           "Nobody asked which bank you came from.", "They closed the bridge."],
}
STARTS = [2.0, 12.0, 16.0, 20.0, 30.0]


@pytest.fixture
def film(app, samples):
    """A public 40-second film with its web version, storyboard and four subtitle languages."""
    item = catalogue.create_item({"kind": "film", "title": {"en": "Two banks", "hy": "Երկու ափ"}, "visibility": "public",
                                  "year": 2021})
    with open(samples["long_film"], "rb") as handle:
        ingest(item, handle, "long.mp4")
    for lang, lines in LINES.items():
        subtitles.create_track(item, lang, srt(*[(start, start + 3.5, text) for start, text in zip(STARTS, lines, strict=True)]),
                               f"{lang}.srt")
    drain()
    return item


def current_time(page) -> float:
    return page.evaluate("document.querySelector('.player video').currentTime")


def test_search_hit_opens_the_player_at_its_second_with_its_subtitles_and_the_transcript_follows(page, film):
    page.goto("/search?q=ərik")
    hit = page.locator("article.result a.moment").first
    expect(hit).to_have_attribute("href", re.compile(rf"/items/{film.id}\?sub=az&q=%C9%99rik#t=12\.000$"))
    hit.click()
    expect(page).to_have_url(re.compile(rf"/items/{film.id}\?sub=az&q=%C9%99rik#t=12\.000$"))
    assert page.title() == "Two banks · Dialogue Archive"
    note = page.locator("#moment-note")
    expect(note).to_have_text(re.compile(r"^(Playing from 0:12\.|The film is ready at 0:12: press play\.)$"))
    page.wait_for_function("document.querySelector('.player video').currentTime >= 11.9")
    modes = page.evaluate("Array.from(document.querySelector('.player video').textTracks).map(t => t.language + ':' + t.mode)")
    assert "az:showing" in modes and not [m for m in modes if m.endswith(":showing") and not m.startswith("az")]

    transcript = page.locator("#transcript")
    expect(transcript.locator("ol.cues")).to_have_attribute("lang", "az")
    expect(transcript.locator("li.hit mark")).to_have_text("ərik")
    expect(transcript.locator("li.current")).to_have_attribute("data-start", "12.000")

    # Playing on: the transcript moves to the next line by itself.
    page.evaluate("(() => { const v = document.querySelector('.player video'); v.muted = true;"
                  " v.currentTime = 15.5; return v.play(); })()")
    expect(transcript.locator("li.current")).to_have_attribute("data-start", "16.000", timeout=20_000)

    # A click on a line seeks there.
    transcript.locator("li", has_text="Körpünü bağladılar.").locator("a.cue-time").click()
    expect(transcript.locator("li.current")).to_have_attribute("data-start", "30.000")
    assert 29.9 <= current_time(page) < 33
    expect(page).to_have_url(re.compile(r"#t=30\.000$"))

    # Every language at this moment, side by side, on its own page.
    page.evaluate("(() => { const v = document.querySelector('.player video'); v.pause(); v.currentTime = 21; })()")
    page.wait_for_function("Math.abs(document.querySelector('.player video').currentTime - 21) < 0.5")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/moment?" in request.url else None)
    page.get_by_role("link", name="Every language at this moment").click()
    panel = page.get_by_role("region", name="Every language at 0:21")
    expect(panel.locator(".moment-column")).to_have_count(4)
    expect(panel.locator('.moment-text[lang="az"]')).to_have_text(LINES["az"][3])
    expect(panel.locator("h2").first).to_be_focused()

    # The panel follows playback: past 0:30 (pausing soon after) it shows the next line in every language,
    # fetched when the span the page holds for is left (on the seek and at 0:30), not on each of the
    # player's time updates (four a second); the reader's place in the page is kept.
    opened, moving = len(fetched), page.locator("#moment-panel")
    page.evaluate("""(() => { const v = document.querySelector('.player video');
        v.addEventListener('timeupdate', function stop() {
          if (v.currentTime >= 30.3) { v.pause(); v.removeEventListener('timeupdate', stop); } });
        v.currentTime = 29.6; return v.play(); })()""")
    page.wait_for_function("() => { const v = document.querySelector('.player video');"
                           " return v.paused && v.currentTime >= 30.3; }", timeout=30_000)
    expect(moving.locator('.moment-text[lang="ru"]')).to_have_text(LINES["ru"][4])
    expect(moving.locator('.moment-text[lang="hy"]')).to_have_text(LINES["hy"][4])
    expect(moving.locator("h2").first).to_contain_text("0:30")
    expect(moving.locator("h2").first).to_be_focused()
    assert 1 <= len(fetched) - opened <= 3, fetched[opened:]
    page.evaluate("document.querySelector('.player video').currentTime = 21")  # back: it follows a seek too
    expect(panel.locator('.moment-text[lang="az"]')).to_have_text(LINES["az"][3])
    panel.get_by_role("link", name="Open this moment on its own page").click()
    expect(page).to_have_url(re.compile(rf"/items/{film.id}/moment\?t=21\.\d+&sub=az$"))
    columns = page.locator(".moment-column")
    expect(columns).to_have_count(4)
    assert [columns.nth(n).locator(".moment-text").get_attribute("lang") for n in range(4)] == ["hy", "az", "ru", "en"]
    expect(columns.nth(0).locator(".moment-text")).to_have_text(LINES["hy"][3])
    expect(columns.nth(3).locator(".moment-text")).to_have_text(LINES["en"][3])
    page.get_by_role("link", name=re.compile("Next line")).click()
    expect(columns.nth(2).locator(".moment-text")).to_have_text(LINES["ru"][4])
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)


def _poster_from_the_srcset(page, size: str) -> None:
    """The player's poster is the srcset's ``small`` or ``large`` one, and the other one is never fetched."""
    page.wait_for_function("() => document.querySelector('.player video').poster !== ''")
    choice = page.locator(".player img.poster-choice")
    expect(choice).to_be_hidden()
    srcset = choice.get_attribute("srcset")
    assert re.fullmatch(r"\S+ 400w, \S+ 640w", srcset), srcset  # the pipeline made both sizes
    small, large = (page.evaluate("(u) => new URL(u, location.href).href", part.split()[0]) for part in srcset.split(", "))
    wanted, unwanted = (small, large) if size == "small" else (large, small)
    assert page.evaluate("document.querySelector('.player video').poster") == wanted, srcset
    fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert wanted in fetched and unwanted not in fetched, fetched


def test_storyboard_thumbnail_while_hovering_the_timeline(page, film):
    page.goto(f"/items/{film.id}")
    _poster_from_the_srcset(page, "large")  # a wide screen: the large poster
    video = page.locator(".player video")
    page.wait_for_function("document.querySelector('.player video').duration > 0")
    box = video.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20)
    preview = page.locator(".storyboard-preview")
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] - 20)
    expect(preview).to_be_visible()
    expect(preview.locator(".storyboard-time")).to_have_text(re.compile(r"^0:(19|2\d)$"))
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] - 40)
    expect(preview).to_be_hidden()


def test_film_page_on_a_phone_takes_the_small_poster_and_stacks_the_transcript_under_the_player(open_page, film):
    page = open_page(viewport=PHONE)
    page.goto(f"/items/{film.id}?sub=hy#t=16")
    _poster_from_the_srcset(page, "small")  # a phone: the small poster, never the large one
    expect(page.locator("#transcript li.current")).to_have_attribute("data-start", "16.000")
    player, transcript = page.locator(".player").bounding_box(), page.locator("#transcript").bounding_box()
    assert transcript["y"] >= player["y"] + player["height"]
    no_sideways_scroll(page)


@pytest.fixture
def exhibition(app):
    """A public exhibition of three photographs (one titled in Armenian too)."""
    photos = []
    titles = ({"en": "The old bridge", "hy": "Հին կամուրջը"}, {"en": "Market day"}, {"en": "Apricot trees"})
    for number, title in enumerate(titles):
        item = catalogue.create_item({"kind": "photo", "title": title, "visibility": "public", "year": 2019,
                                      "credits": [{"name": "Ani Petrosyan", "role": "photographer"}]})
        picture = io.BytesIO()
        Image.new("RGB", (640, 480), (60 * number, 110, 160)).save(picture, "JPEG", quality=90)
        picture.seek(0)
        ingest(item, picture, f"photo-{number}.jpg")
        photos.append(item)
    drain()
    collection = catalogue.create_collection({"kind": "exhibition", "title": {"en": "Across the river"},
                                              "visibility": "public", "items": [p.id for p in photos]})
    return collection, photos


def test_photo_page_shows_sizes_caption_and_credits(open_page, exhibition):
    _, photos = exhibition
    page = open_page()
    page.goto(f"/items/{photos[0].id}?lang=hy")
    img = page.locator("figure.photo-figure img")
    expect(img).to_have_attribute("srcset", re.compile(r" 400w, .* 640w$"))
    expect(img).to_have_attribute("alt", "Հին կամուրջը")
    expect(img).to_have_attribute("width", "640")
    expect(page.locator("figure.photo-figure figcaption")).to_contain_text("Հին կամուրջը")
    expect(page.locator("figure.photo-figure figcaption")).to_contain_text("Ani Petrosyan")
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)


def test_exhibition_lightbox_by_keyboard(page, exhibition):
    collection, photos = exhibition
    page.goto(f"/collections/{collection.id}")
    links = page.locator("#gallery a.gallery-link")
    expect(links).to_have_count(3)
    expect(links.first).to_have_attribute("href", f"/items/{photos[0].id}")  # a plain link without JS
    links.first.focus()
    page.keyboard.press("Enter")
    box = page.get_by_role("dialog", name="Picture viewer")
    expect(box).to_be_visible()
    expect(page.get_by_role("button", name="Close")).to_be_focused()
    caption = box.locator("figcaption")
    expect(caption).to_contain_text("The old bridge")
    expect(caption.locator('[lang="hy"]')).to_have_text("Հին կամուրջը")
    expect(caption).to_contain_text("Picture 1 of 3")
    page.keyboard.press("ArrowRight")
    expect(caption).to_contain_text("Market day")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(caption).to_contain_text("The old bridge")
    page.keyboard.press("ArrowLeft")
    expect(caption).to_contain_text("Apricot trees")
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(links.nth(2)).to_be_focused()
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    links.nth(1).click()
    expect(box).to_be_visible()
    no_sideways_scroll(page)
