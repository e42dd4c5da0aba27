"""Search results show each item's picture and each moment's storyboard frame, never a hidden film's."""

from __future__ import annotations

import re

from tests.factories import make_film
from tests.pictures import give_poster
from tests.search.helpers import srt


def test_each_moment_links_its_frame_with_its_size(client, app):
    film = make_film("Voices", tracks={"hy": srt((25.0, 27.0, "Գետը հիշում է ամեն ինչ։"))})
    give_poster(film)
    page = client.get("/search?q=գետը").get_data(as_text=True)
    frame = re.search(r'<img class="hit-frame" src="([^"]+)" width="(\d+)" height="(\d+)" alt="([^"]+)"', page)
    assert frame is not None, page
    assert frame.group(1) == f"/items/{film.id}/frame.jpg?t=25.0"
    assert (frame.group(2), frame.group(3)) == ("160", "90")
    assert frame.group(4) == "The film at 0:25"
    assert "Armenian" in page and "<mark>" in page
    assert client.get(frame.group(1)).status_code == 200


def test_a_film_without_a_storyboard_shows_its_moments_without_frames(client, app):
    make_film("Unprocessed", tracks={"en": srt((5.0, 6.0, "The river remembers."))})
    page = client.get("/search?q=remembers").get_data(as_text=True)
    assert "<mark>remembers</mark>" in page and "hit-frame" not in page


def test_hidden_films_moments_and_frames_stay_hidden(client, app):
    hidden = make_film("Closed", "restricted", tracks={"en": srt((5.0, 6.0, "The river remembers."))})
    give_poster(hidden)
    page = client.get("/search?q=remembers").get_data(as_text=True)
    assert "Closed" not in page and "frame.jpg" not in page
