"""Exports of a collection or a search as CSV and Dublin Core XML: who may export, what they hold, safe cells."""

from __future__ import annotations

import csv
import io

import pytest
from lxml import etree

from archive.catalogue import operations as catalogue
from archive.catalogue.dublin_core import DC, XML
from archive.exports import records
from archive.extensions import db
from archive.jobs.operations import drain
from tests.factories import add_subtitles, make_collection, make_film, make_photo

LEVELS = ("public", "partners", "restricted", "embargoed")


@pytest.fixture
def mixed(app):
    """A collection with a public, a partners, a restricted and an embargoed film, all with subtitles (searchable)."""
    films = {}
    for level in LEVELS:
        visibility, extra = (("public", {"embargo_until": "2999-01-01"}) if level == "embargoed" else (level, {}))
        films[level] = make_film(f"Film {level}", visibility, languages=["hy", "ru"], countries=["AM", "AZ"], year=2001,
                                 **extra)
        add_subtitles(films[level])
    drain()  # index them once
    collection = make_collection("Crossings", "partners", items=films.values())
    return {"films": films, "collection": collection}


def read_csv(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the byte-order mark
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_archivist_exports_a_collection_with_its_restricted_records_as_csv_and_dublin_core(app, client_as, mixed):
    browser = client_as("archivist")
    response = browser.get(f"/exports/collections/{mixed['collection'].id}.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="collection-{mixed["collection"].id}-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert [row["title_en"] for row in rows] == [f"Film {level}" for level in LEVELS]
    first = rows[0]
    assert first["id"] == str(mixed["films"]["public"].id) and first["kind"] == "film"
    assert first["url"] == f"http://localhost/items/{first['id']}"
    assert (first["languages"], first["language_names"]) == ("hy, ru", "Armenian, Russian")
    assert (first["countries"], first["country_names"]) == ("AM, AZ", "Armenia, Azerbaijan")
    assert first["collections"] == f"{mixed['collection'].id}|Crossings"
    assert [row["visibility"] for row in rows] == ["public", "partners", "restricted", "public"]
    assert rows[3]["embargo_until"] == "2999-01-01"
    # Names in the reader's language.
    assert read_csv(browser.get(f"/exports/collections/{mixed['collection'].id}.csv?lang=ru"))[0]["country_names"] \
        == "Армения, Азербайджан"

    # The same records as Dublin Core, through the mapping the OAI-PMH repository uses.
    films = mixed["films"]
    films["public"].title = {"en": "Film public", "hy": "Հանրային ֆիլմ"}
    films["public"].description = {"ru": "Описание"}
    catalogue.update_item(films["public"], {"credits": [{"name": "Ani", "role": "director"}]})
    response = browser.get(f"/exports/collections/{mixed['collection'].id}.xml?lang=en")
    assert response.status_code == 200 and response.content_type == "application/xml; charset=utf-8"
    root = etree.fromstring(response.get_data())
    assert root.tag == "records" and root.get("source") == f"http://localhost/exports/collections/{mixed['collection'].id}.xml"
    dcs = root.findall("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc")
    assert len(dcs) == 4
    titles = {(t.get(f"{{{XML}}}lang"), t.text) for t in dcs[0].findall(f"{{{DC}}}title")}
    assert titles == {("en", "Film public"), ("hy", "Հանրային ֆիլմ")}
    assert [(d.get(f"{{{XML}}}lang"), d.text) for d in dcs[0].findall(f"{{{DC}}}description")] == [("ru", "Описание")]
    assert dcs[0].findtext(f"{{{DC}}}creator") == "Ani"
    assert dcs[0].findtext(f"{{{DC}}}identifier") == f"http://localhost/items/{films['public'].id}"
    assert dcs[0].findtext(f"{{{DC}}}type") == "MovingImage"


def test_only_staff_may_export_and_see_the_links(app, client_as, mixed):
    for role, status in ((None, 302), ("venue", 403)):
        browser = client_as(role)
        for url in (f"/exports/collections/{mixed['collection'].id}.csv", "/exports/search.xml?q=border"):
            response = browser.get(url)
            assert response.status_code == status
            assert b"Film restricted" not in response.get_data() and b"Film public" not in response.get_data()
    page = f"/collections/{mixed['collection'].id}"
    assert "export-csv" in client_as("archivist").get(page).get_data(as_text=True)
    assert "export-csv" not in client_as("venue").get(page).get_data(as_text=True)
    results = client_as("archivist").get("/search?q=border&kind=film").get_data(as_text=True)
    assert "/exports/search.csv?q=border&amp;kind=film" in results
    assert "search-exports" not in client_as("venue").get("/search?q=border").get_data(as_text=True)


def test_search_export_holds_what_the_search_page_finds(app, client_as, mixed, monkeypatch):
    make_photo("A border photograph")
    browser = client_as("archivist")
    rows = read_csv(browser.get("/exports/search.csv?q=border&kind=film"))
    assert sorted(row["title_en"] for row in rows) == sorted(f"Film {level}" for level in LEVELS)
    assert read_csv(browser.get("/exports/search.csv?q=border&film_lang=de")) == []
    xml = etree.fromstring(browser.get("/exports/search.xml?q=border").get_data())
    assert len(xml) == 4  # the photo is not indexed yet (no job run), so the same four

    # Long exports are read a batch at a time: every record once.
    monkeypatch.setattr(records, "BATCH", 3)
    members = [item.id for item in mixed["films"].values()] + [make_photo(f"Extra {n}").id for n in range(5)]
    catalogue.update_collection(mixed["collection"], {"items": members})
    rows = read_csv(client_as("archivist").get(f"/exports/collections/{mixed['collection'].id}.csv"))
    assert len(rows) == 9 and len({row["id"] for row in rows}) == 9
    searched = read_csv(client_as("archivist").get("/exports/search.csv?q=film"))
    assert len(searched) == 4 and len({row["id"] for row in searched}) == 4


def test_cells_that_would_run_as_formulas_are_written_as_text(app, client_as):
    film = make_film("=HYPERLINK(\"http://evil.example\",\"click\")",
                     credits=[{"name": "=cmd|' /C calc'!A0", "role": "director"}], rights_note="-")
    # Stored as is (the forms trim text; an import or an older version may not have).
    film.description = {"en": "+1+2", "hy": "-3", "ru": "@SUM(A1)", "az": "\tindented", "de": "\rnote"}
    db.session.commit()
    collection = make_collection("Safe", items=[film])
    [row] = read_csv(client_as("archivist").get(f"/exports/collections/{collection.id}.csv"))
    assert row["title_en"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert (row["description_en"], row["description_hy"], row["description_ru"]) == ("'+1+2", "'-3", "'@SUM(A1)")
    assert row["description_az"] == "'\tindented"
    assert row["other_descriptions"] == "de: \rnote"  # inside the cell, not at its start
    assert row["credits"] == "'=cmd|' /C calc'!A0|director"
    assert row["rights_note"] == "'-"
    assert row["year"] == "" and row["id"] == str(film.id)  # numbers stay numbers


BAD = [
    ("/exports/collections/999999.csv", 404, "There is no collection 999999"),
    ("/exports/collections/99999999999999.xml", 404, ""),
    ("/exports/collections/1.pdf", 404, ""),
    ("/exports/search.csv", 400, "Say what to export"),
    ("/exports/search.csv?q=%20%20", 400, "Say what to export"),
    ("/exports/search.csv?q=border%00x", 400, "NUL"),
    ("/exports/search.csv?q=border&kind=sculpture", 400, "is not a kind"),
    ("/exports/search.xml?q=border&year=MMXX", 400, "is not a number"),
    ("/exports/search.xml?q=border&collection=99999999999", 400, "is not a number"),
    ("/exports/search.xml?q=" + "x" * 3000, 400, "characters long"),
]


def test_bad_requests_are_refused_clearly(app, client_as):
    browser = client_as("archivist")
    for url, status, says in BAD:
        response = browser.get(url)
        assert response.status_code == status, url
        assert says in response.get_data(as_text=True), url
