"""A hit in a film with subtitles in several languages links to that moment in every language."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.factories import make_film
from tests.search.helpers import srt


def test_a_hit_links_to_the_moment_in_every_language_of_the_film(app, client):
    film = make_film("Two banks", "public", tracks={
        "en": srt((1.0, 3.0, "Intro"), (12.5, 15.0, "The ferry waits at the other bank")),
        "ru": srt((12.0, 15.0, "Паром ждёт у другого берега")),
    })
    single = make_film("One bank", "public", tracks={"en": srt((4.0, 6.0, "A ferry without passengers"))})
    body = client.get("/api/v1/search?q=ferry").get_json()
    hits = {found["id"]: found["hits"] for found in body["items"]}
    moment_url = hits[film.id][0]["moment_url"]
    assert hits[single.id][0]["moment_url"] is None  # nothing to read side by side
    link = urlsplit(moment_url)
    assert link.path == f"/items/{film.id}/moment" and "t=12.500" in link.query
    page = client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The ferry waits at the other bank" in text and "Паром ждёт у другого берега" in text

    html = client.get("/search?q=ferry").get_data(as_text=True)
    assert f'href="/items/{film.id}/moment?t=12.500&amp;sub=en"' in html
    assert f"/items/{single.id}/moment" not in html
    assert "Every language at this moment" in html
    russian = client.get("/search?q=ferry&lang=ru").get_data(as_text=True)
    assert "Все языки в этот момент" in russian and "Every language at this moment" not in russian
