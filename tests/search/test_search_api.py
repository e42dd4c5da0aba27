"""Searching through the JSON API: hits with times, highlighting, query syntax, facets, paging."""

from __future__ import annotations

import pytest

from archive.jobs.operations import drain
from archive.search import indexer
from tests.factories import make_film
from tests.search.helpers import srt

BORDER_EN = srt(
    (1.0, 3.5, "We lived by the border for twenty years."),
    (4.0, 6.0, "<i>The river</i> was the border."),
    (65.25, 68.0, "Nobody crossed the bridge after the war."),
)
BORDER_RU = srt(
    (2.0, 4.0, "Мы жили у границы двадцать лет."),
    (10.0, 12.0, "Ёлка стояла во дворе."),
)
BORDER_AZ = srt(
    (3.0, 5.0, "İnsanlar sərhəddə yaşayırdılar."),
    (7.0, 9.0, "Şahin xəbər gətirdi."),
)
BORDER_HY = srt((5.0, 7.0, "Մենք ապրում էինք սահմանին։"))


@pytest.fixture
def catalogue(app):
    return {
        "border": make_film("Life at the border", tracks={"en": BORDER_EN, "ru": BORDER_RU, "az": BORDER_AZ, "hy": BORDER_HY},
                       year=2019, languages=["hy", "az"], themes=["memory"]),
        "river": make_film("River songs", tracks={"en": srt((30.0, 32.0, "Songs of the river and the mountains."))},
                      year=2021, languages=["ru"], themes=["music"]),
        "photo": _photo(),
    }


def _photo():
    from archive.catalogue import operations as catalogue

    item = catalogue.create_item({"kind": "photo", "title": {"en": "Bridge at dawn"}, "visibility": "public",
                                  "description": {"en": "The old bridge over the river, photographed at dawn."}})
    drain()
    return item


def search(client, **params):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_hits_carry_time_language_and_highlighted_snippet(client, catalogue):
    body = search(client, q="border")
    assert body["total"] == 1
    result = body["items"][0]
    assert result["id"] == catalogue["border"].id and result["title"] == "Life at the border"
    hits = result["hits"]
    assert {(h["start"], h["end"], h["lang"]) for h in hits} >= {(1.0, 3.5, "en"), (4.0, 6.0, "en")}
    first = next(h for h in hits if h["start"] == 1.0)
    assert first["snippet"] == "We lived by the <mark>border</mark> for twenty years."
    second = next(h for h in hits if h["start"] == 4.0)
    assert second["snippet"] == "The river was the <mark>border</mark>."  # <i> stripped from search text


def test_metadata_is_searched_too(client, catalogue):
    body = search(client, q="dawn")
    assert [item["id"] for item in body["items"]] == [catalogue["photo"].id]
    assert body["items"][0]["hits"] == []


def test_folding_and_stemming_per_language(client, catalogue):
    border = catalogue["border"].id
    for query, lang, expected_start in [
        ("Sahin", "az", 7.0), ("xeber", "az", 7.0), ("insanlar", "az", 3.0), ("елка", "ru", 10.0),
        ("граница", "ru", 2.0), ("borders", "en", 1.0), ("սահման", "hy", 5.0),
    ]:
        body = search(client, q=query)
        assert [item["id"] for item in body["items"]] == [border], query
        assert (expected_start, lang) in {(h["start"], h["lang"]) for h in body["items"][0]["hits"]}, query


def test_phrases_boolean_and_prefix(client, catalogue):
    border, river = catalogue["border"].id, catalogue["river"].id
    ids = lambda body: sorted(item["id"] for item in body["items"])  # noqa: E731
    assert ids(search(client, q='"crossed the bridge"')) == [border]
    assert ids(search(client, q='"bridge crossed"')) == []
    assert ids(search(client, q="river AND mountains")) == [river]
    assert ids(search(client, q="mountains OR twenty")) == sorted([border, river])
    assert ids(search(client, q="twenty NOT mountains")) == [border]
    assert ids(search(client, q="mountains NOT river")) == []
    assert ids(search(client, q="mount*")) == [river]
    phrase = search(client, q='"crossed the bridge"')["items"][0]["hits"]
    assert [(h["start"], h["snippet"]) for h in phrase] == [
        (65.25, "Nobody <mark>crossed</mark> <mark>the</mark> <mark>bridge</mark> after <mark>the</mark> war.")
    ]


def test_field_filters_and_facets(client, catalogue):
    body = search(client, q="river")
    facets = body["facets"]
    assert {f["value"]: f["count"] for f in facets["kind"]} == {"film": 2, "photo": 1}
    assert {f["value"]: f["count"] for f in facets["year"]} == {2019: 1, 2021: 1}
    assert {f["value"]: f["count"] for f in facets["subtitle_lang"]} == {"en": 2}
    assert {f["value"]: f["count"] for f in facets["theme"]} == {"memory": 1, "music": 1}
    assert [i["id"] for i in search(client, q="river", kind="photo")["items"]] == [catalogue["photo"].id]
    assert [i["id"] for i in search(client, q="river", lang="ru")["items"]] == [catalogue["river"].id]
    assert [i["id"] for i in search(client, q="river kind:photo")["items"]] == [catalogue["photo"].id]
    assert [i["id"] for i in search(client, q="river year:2021")["items"]] == [catalogue["river"].id]
    assert [i["id"] for i in search(client, q="border", subtitle_lang="ru")["items"]] == []
    assert [i["id"] for i in search(client, q="границы", subtitle_lang="ru")["items"]] == [catalogue["border"].id]


def test_pagination(client, app):
    for number in range(5):
        make_film(f"Film {number}", tracks={"en": srt((1.0, 2.0, f"harvest song number {number}"))})
    first = search(client, q="harvest", per_page=2)
    assert first["total"] == 5 and first["pages"] == 3 and len(first["items"]) == 2
    seen = {i["id"] for page in (1, 2, 3) for i in search(client, q="harvest", per_page=2, page=page)["items"]}
    assert len(seen) == 5


def test_cue_markup_is_escaped_never_html(client, app):
    make_film("Escapes", tracks={"en": srt((1.0, 2.0, 'alert <script>alert(1)</script> & <img src=x onerror="boom()">'))})
    hit = search(client, q="alert")["items"][0]["hits"][0]
    assert "<script>" not in hit["snippet"] and "<img" not in hit["snippet"]
    assert "&lt;script&gt;" in hit["snippet"] and "&lt;img src=x onerror=" in hit["snippet"]
    assert hit["snippet"].startswith("<mark>alert</mark> &lt;script&gt;<mark>alert</mark>(1)")


@pytest.mark.parametrize("query", [
    '"unbalanced quote', "(open bracket", "closed)", "AND", "OR NOT", "*", "b*", "?", "x" * 10_000,
    "border\x00\x07\x1b", "title:", "kind:", ":::", "[2000 TO", "year:[x TO y]", "visibility:restricted",
    "\u202e\u200b", "NOT border", "border^5", "%s'; DROP TABLE items; --",
])
def test_malformed_queries_never_fail(client, catalogue, query):
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    body = response.get_json()
    if response.status_code == 400:
        assert body["error"]["code"] == "bad_query" and len(body["error"]["message"]) > 20
    else:
        assert "items" in body and "facets" in body


def test_bad_filter_values_are_explained(client, catalogue):
    for params in ({"q": "border", "kind": "poster"}, {"q": "border", "year": "soon"}, {"q": "x", "page": "0"}):
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 400
        assert response.get_json()["error"]["message"]


def test_rebuild_gives_the_same_results(client, catalogue):
    queries = ["border", "river", "Sahin", '"crossed the bridge"', "mount*", "dawn"]
    before = [search(client, q=q) for q in queries]
    counts = indexer.rebuild()
    assert counts["cues"] == 3 + 2 + 2 + 1 + 1
    after = [search(client, q=q) for q in queries]
    assert after == before


def test_flask_search_reindex_command(app, catalogue):
    import shutil

    from archive.search import store

    shutil.rmtree(store.index_path())
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "9 cues" in result.output
    assert indexer.is_indexed(f"i{catalogue['border'].id}")
