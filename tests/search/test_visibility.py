"""No search surface shows the public (or venues) what they may not see."""

from __future__ import annotations

import pytest

from archive.catalogue import operations as catalogue
from archive.jobs.operations import drain
from tests.factories import make_film
from tests.search.helpers import srt

SECRET = "Zanguezur"


@pytest.fixture
def mixed(app):
    """The same word in a public, partners, restricted and embargoed film, each with its own theme and year."""
    collection = catalogue.create_collection({"kind": "series", "title": {"en": "Hidden series"}})
    made = {}
    for year, (name, visibility, extra) in enumerate([
        ("public", "public", {}),
        ("partners", "partners", {}),
        ("restricted", "restricted", {"collections": [collection.id]}),
        ("embargoed", "public", {"embargo_until": "2999-01-01"}),
    ], start=2001):
        made[name] = make_film(f"{name} film about {SECRET}", visibility, year=year, themes=[f"theme-{name}"],
                          languages=[f"x-{name[:3]}"],
                          tracks={"en": srt((1.0, 2.0, f"{SECRET} {name} testimony"))}, **extra)
    return made


EXPECTED = {
    None: {"public"},
    "venue": {"public", "partners"},
    "archivist": {"public", "partners", "restricted", "embargoed"},
    "admin": {"public", "partners", "restricted", "embargoed"},
}


@pytest.mark.parametrize("role", [None, "venue", "archivist", "admin"], ids=lambda r: r or "anonymous")
def test_every_search_surface_respects_visibility(app, mixed, token_for, client_as, role):
    allowed = EXPECTED[role]
    hidden = set(mixed) - allowed
    ids = {name: item.id for name, item in mixed.items()}

    api = app.test_client()
    body = api.get("/api/v1/search", query_string={"q": SECRET}, headers=token_for(role)).get_json()
    assert {item["id"] for item in body["items"]} == {ids[name] for name in allowed}
    assert body["total"] == len(allowed)
    text = str(body)
    for name in hidden:
        assert f"{name} testimony" not in text and f"theme-{name}" not in text and f"x-{name[:3]}" not in text
        assert 2001 + list(mixed).index(name) not in {f["value"] for f in body["facets"]["year"]}
    if "restricted" in hidden:
        assert "Hidden series" not in text and body["facets"]["collection"] == []
    assert sum(f["count"] for f in body["facets"]["kind"]) == len(allowed)

    # Filters and field syntax cannot widen what is seen.
    for query in (f"{SECRET} visibility:restricted", f"{SECRET} theme:theme-restricted", "theme:theme-restricted"):
        found = api.get("/api/v1/search", query_string={"q": query}, headers=token_for(role)).get_json()
        assert not ({item["id"] for item in found.get("items", [])} & {ids[n] for n in hidden})

    browser = client_as(role)
    page = browser.get("/search", query_string={"q": SECRET}).get_data(as_text=True)
    for name in hidden:
        assert f"{name} testimony" not in page and f"theme-{name}" not in page
    for name in allowed:
        assert f"{name} testimony" in page.replace("<mark>", "").replace("</mark>", "")
    for name in hidden:
        assert browser.get(f"/items/{ids[name]}/search", query_string={"q": SECRET}).status_code == 404
        track = api.get(f"/api/v1/items/{ids[name]}/subtitles", headers=token_for(role))
        assert track.status_code == 404


def test_index_follows_a_visibility_change(app, client):
    item = make_film("Quiet film", "public", tracks={"en": srt((1.0, 2.0, "lullaby for the night"))})
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 1
    catalogue.update_item(item, {"visibility": "restricted"})
    # Hidden at once (the database check), before the index job has even run ...
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 0
    drain()
    # ... and out of the index once it has.
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 0
    catalogue.update_item(item, {"visibility": "public"})
    drain()
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 1
    catalogue.delete_item(item)
    drain()
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 0


@pytest.mark.parametrize("role", [None, "venue"], ids=lambda r: r or "anonymous")
def test_a_collection_filter_typed_into_the_query_obeys_the_collections_visibility(app, token_for, role):
    hidden = catalogue.create_collection({"kind": "series", "title": {"en": "Hidden series"}, "visibility": "restricted"})
    shown = catalogue.create_collection({"kind": "series", "title": {"en": "Open series"}, "visibility": "public"})
    inside = make_film("Public film in a hidden series", "public", collections=[hidden.id, shown.id],
                       tracks={"en": srt((1.0, 2.0, "lullaby"))})
    make_film("Public film elsewhere", "public", tracks={"en": srt((1.0, 2.0, "lullaby"))})
    api = app.test_client()

    def found(query):
        body = api.get("/api/v1/search", query_string={"q": query}, headers=token_for(role)).get_json()
        return {item["id"] for item in body["items"]}

    # A hidden collection answers as a missing one does: no member found, and no member left out.
    for query in ("collection:{}", "lullaby collection:{}", "lullaby OR collection:{}", "lullaby NOT collection:{}",
                  "Collection:{}", "collection:[{} TO {}]", "collection:\"{} {}\""):
        assert found(query.format(hidden.id, hidden.id)) == found(query.format(999999, 999999)), query
    assert found(f"collection:{hidden.id}") == set()
    # A collection the reader may see still filters.
    assert found(f"collection:{shown.id}") == {inside.id}
    assert inside.id not in found(f"lullaby NOT collection:{shown.id}")
