"""The film page's transcript: rendered on the server with times, in the chosen language, search hits marked."""

from __future__ import annotations

import re

from archive.extensions import db
from tests.factories import attach_video, make_film
from tests.search.helpers import srt

TRACKS = {
    "en": srt((12.0, 14.0, "My grandmother sold apricots at the bridge."), (15.0, 17.0, "<b>Nobody</b> asked.")),
    "az": srt((12.0, 14.0, "Nənəm körpüdə ərik satardı."), (15.0, 17.0, "Heç kim soruşmazdı.")),
    "ru": srt((12.0, 14.0, "Бабушка продавала абрикосы у моста."), (15.0, 17.0, "Никто не спрашивал.")),
}


def film_with_player(**fields):
    film = make_film("River", tracks=TRACKS, **fields)
    attach_video(film, proxy=b"proxy bytes")
    return film


def cues(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li data-start="([\d.]+)" data-end="[\d.]+"[^>]*>.*?<span class="cue-text">(.*?)</span></li>',
                      html)


def test_transcript_lists_the_chosen_languages_lines_with_times_and_turns_those_subtitles_on(client):
    film = film_with_player()
    html = client.get(f"/items/{film.id}?sub=az").get_data(as_text=True)
    assert '<ol class="cues" lang="az">' in html
    assert cues(html) == [("12.000", "Nənəm körpüdə ərik satardı."), ("15.000", "Heç kim soruşmazdı.")]
    assert f'href="/items/{film.id}?sub=az#t=12.000"><time>0:12</time></a>' in html
    assert re.search(r'<track kind="subtitles" srclang="az" label="Azerbaijani" src="[^"]+" default>', html)
    assert 'srclang="en" label="English" src="/items/' in html and html.count(" default>") == 1
    assert f'href="/items/{film.id}/moment?t=12.000&amp;sub=az"' in html


def test_transcript_follows_the_interface_language_and_shows_text_without_markup(client):
    film = film_with_player()
    html = client.get(f"/items/{film.id}?lang=ru").get_data(as_text=True)
    assert '<ol class="cues" lang="ru">' in html
    assert " default>" not in html  # nobody asked for subtitles: the player starts without
    html = client.get(f"/items/{film.id}?lang=en&sub=xx").get_data(as_text=True)
    assert cues(html)[1] == ("15.000", "Nobody asked.")
    # Other languages are links naming the language, in this page's language.
    assert f'<a href="/items/{film.id}?sub=az#transcript" hreflang="az">Azerbaijani</a>' in html


def test_search_hit_links_to_the_moment_with_its_language_and_the_transcript_marks_the_hits(client):
    film = film_with_player()
    results = client.get("/search?q=ərik").get_data(as_text=True)
    assert f'href="/items/{film.id}?sub=az&amp;q=%C9%99rik#t=12.000"' in results
    html = client.get(f"/items/{film.id}?sub=az&q=ərik").get_data(as_text=True)
    assert '<li data-start="12.000" data-end="14.000" class="hit">' in html
    assert "<mark>ərik</mark>" in html
    assert "1 moment found for «ərik» in this language." in html


def test_tab_title_is_the_plain_title(client):
    film = film_with_player(description={"en": "x"})
    film.title = {"en": "Rivers <script>alert(1)</script>"}
    db.session.commit()
    html = client.get(f"/items/{film.id}").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title == "Rivers &lt;script&gt;alert(1)&lt;/script&gt; · Dialogue Archive"
    assert "<script>alert" not in html
