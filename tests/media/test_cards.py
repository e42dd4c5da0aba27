"""Pictures in lists: card pictures with their sizes, and a search moment's storyboard frame."""

from __future__ import annotations

import io
import re

from PIL import Image

from archive.media.cards import Frame, card_images, frame_at, parse_storyboard
from tests.factories import make_film, make_photo
from tests.fixtures.links import fetch
from tests.pictures import TILE_COLOURS, give_photo_sizes, give_poster

TRACK = """WEBVTT

00:00:00.000 --> 00:00:10.000
https://example.org/a/storyboard-001.jpg#xywh=0,0,160,90

00:00:10.000 --> 00:00:20.000
storyboard-001.jpg#xywh=160,0,160,90

00:16:40.000 --> 01:00:00.500
storyboard-002.jpg#xywh=0,90,160,90
"""


def test_the_storyboard_track_is_read_into_frames_in_time_order():
    frames = parse_storyboard(TRACK)
    assert frames[1] == Frame(10.0, 20.0, 0, 160, 0, 160, 90)
    assert frames[2] == Frame(1000.0, 3600.5, 1, 0, 90, 160, 90)  # the second sheet
    assert len(frames) == 3


def test_a_moment_gets_the_frame_showing_it():
    frames = parse_storyboard(TRACK)
    assert frame_at(frames, 0) == frames[0]
    assert frame_at(frames, 9.99) == frames[0]
    assert frame_at(frames, 10.0) == frames[1]
    assert frame_at(frames, 500) == frames[1]  # between cues: the last one started
    assert frame_at(frames, 99999) == frames[2]
    assert frame_at(frames, -3) == frames[0]
    assert frame_at([], 5) is None


def test_a_track_with_other_lines_is_read_safely():
    assert parse_storyboard("WEBVTT\n\nNOTE nothing\n\n00:00.000 --> junk\nstoryboard-001.jpg#xywh=0,0,1,1\n") == []
    assert parse_storyboard("") == []


def test_the_frame_endpoint_cuts_the_tile_of_the_moment(client, app):
    film = make_film("River frames")
    give_poster(film, tiles=5)
    response = client.get(f"/items/{film.id}/frame.jpg?t=25.2")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "private" in response.headers["Cache-Control"]
    with Image.open(io.BytesIO(response.data)) as frame:
        assert frame.size == (160, 90)
        red, green, blue = frame.convert("RGB").getpixel((80, 45))
    expected = TILE_COLOURS[2]  # 25 s is the third tile (20–30 s)
    assert all(abs(got - want) < 40 for got, want in zip((red, green, blue), expected, strict=True))


def test_a_hidden_films_frame_is_not_found(client, app):
    hidden = make_film("Closed", "restricted")
    give_poster(hidden)
    assert client.get(f"/items/{hidden.id}/frame.jpg?t=1").status_code == 404
    public = make_film("No storyboard")
    assert client.get(f"/items/{public.id}/frame.jpg?t=1").status_code == 404
    assert client.get(f"/items/{public.id}/frame.jpg?t=nan").status_code == 404
    assert client.get(f"/items/{public.id}/frame.jpg?t=-1").status_code == 404


def test_card_pictures_offer_every_size_with_its_width(app):
    film, photo, bare = make_film("Poster"), make_photo("Sizes"), make_photo("No picture yet")
    give_poster(film)
    give_photo_sizes(photo)
    with app.test_request_context("/"):
        pictures = card_images([film, photo, bare])
    assert set(pictures) == {film.id, photo.id}
    assert (pictures[film.id]["width"], pictures[film.id]["height"]) == (640, 360)
    assert pictures[film.id]["srcset"].endswith(" 640w")
    sizes = pictures[photo.id]
    assert (sizes["width"], sizes["height"]) == (400, 267)  # the smallest size is the fallback src
    assert sizes["srcset"].count("w, ") == 1 and sizes["srcset"].endswith(" 1200w")
    assert sizes["src"] in sizes["srcset"]


def test_a_films_card_offers_the_small_poster_first_and_older_films_their_poster_alone(client, app):
    new, old = make_film("With both sizes"), make_film("Processed before the small size")
    give_poster(new, small=True)
    give_poster(old)
    with app.test_request_context("/"):
        pictures = card_images([new, old])
    both = pictures[new.id]
    assert (both["width"], both["height"]) == (400, 224)  # the small size is the fallback src
    assert re.fullmatch(r"\S+ 400w, \S+ 640w", both["srcset"]) and both["srcset"].startswith(both["src"] + " ")
    assert re.fullmatch(r"\S+ 640w", pictures[old.id]["srcset"]) and pictures[old.id]["width"] == 640
    for link in (both["src"], *(part.split()[0] for part in both["srcset"].split(", ")), pictures[old.id]["src"]):
        status, body = fetch(client, link)
        assert status == 200 and body[:3] == b"\xff\xd8\xff", link


def test_the_catalogue_shows_posters_but_never_a_hidden_items(client, app):
    public, hidden = make_film("Open river"), make_film("Closed river", "restricted")
    give_poster(public)
    give_poster(hidden)
    page = client.get("/items").get_data(as_text=True)
    assert 'width="640" height="360"' in page and "srcset=" in page
    assert "Closed river" not in page
    assert page.count('class="card-picture"') == 1
