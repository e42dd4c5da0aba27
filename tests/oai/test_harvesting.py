"""Harvesting the public catalogue over OAI-PMH: a real client, pages, from/until, sets, Dublin Core."""

from __future__ import annotations

import concurrent.futures
from datetime import datetime

import pytest
import requests
from lxml import etree
from sickle import Sickle

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.oai import records
from tests.factories import make_collection, make_film, make_photo
from tests.oai.conftest import NS, error_code, identifiers, oai

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def oai_id(item) -> str:
    return f"oai:localhost:item/{item.id}"


def test_sickle_harvests_the_whole_public_catalogue_page_by_page(app, live_server, monkeypatch):
    monkeypatch.setattr("archive.oai.operations.PAGE_SIZE", 3)
    public = [make_film(f"Film {n}") for n in range(4)] + [make_photo(f"Photo {n}") for n in range(4)]
    make_film("Partners only", "partners")
    make_photo("Restricted", "restricted")
    expected = [f"oai:127.0.0.1:item/{item.id}" for item in public]
    first_page = f"{live_server}/items/{public[0].id}"
    db.session.remove()  # the server thread reads what was committed

    sickle = Sickle(f"{live_server}/oai", max_retries=0)
    harvested = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert [r.header.identifier for r in harvested] == expected
    assert [r.metadata["title"] for r in harvested] == [[f"Film {n}"] for n in range(4)] + [
        [f"Photo {n}"] for n in range(4)]
    assert {r.metadata["type"][0] for r in harvested} == {"MovingImage", "StillImage"}

    headers = sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False)
    assert len([h.identifier for h in headers]) == 8
    assert headers.resumption_token.complete_list_size == "8"  # the last page's empty token
    assert headers.resumption_token.cursor == "6" and not headers.resumption_token.token

    record = sickle.GetRecord(identifier=harvested[0].header.identifier, metadataPrefix="oai_dc")
    assert record.metadata["identifier"] == [first_page]
    assert sickle.Identify().deletedRecord == "persistent"


def test_pages_carry_cursor_and_size_and_tokens_resume_where_they_stopped(client, small_pages):
    items = [make_photo(f"P{n}") for n in range(5)]
    seen, cursors, token = [], [], None
    while True:
        root = oai(client, verb="ListIdentifiers", **({"resumptionToken": token} if token else
                                                       {"metadataPrefix": "oai_dc"}))
        seen += identifiers(root)
        element = root.find(".//o:resumptionToken", NS)
        cursors.append(element.get("cursor"))
        assert element.get("completeListSize") == "5"
        token = element.text
        if not token:
            break
    assert seen == [oai_id(item) for item in items]
    assert cursors == ["0", "2", "4"]


def test_a_token_keeps_the_original_arguments(client, small_pages):
    inside = [make_photo(f"In {n}") for n in range(3)]
    make_photo("Outside")
    collection = make_collection("Set", items=inside)
    first = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set=f"collection-{collection.id}")
    token = first.find(".//o:resumptionToken", NS).text
    second = oai(client, verb="ListRecords", resumptionToken=token)
    assert identifiers(first) + identifiers(second) == [oai_id(item) for item in inside]
    assert second.find("o:request", NS).attrib == {"verb": "ListRecords", "resumptionToken": token}


def test_dublin_core_carries_languages_credits_themes_year_type_rights_and_a_link_back(client):
    film = make_film("The Border", description={"en": "Two villages.", "hy": "Երկու գյուղ."}, year=2019,
                     credits=[{"name": "Ani Petrosyan", "role": "Director"}, {"name": "Leyla", "role": "interviewee"}],
                     themes=["memory", "displacement"], rights_note="Screenings by licence only.",
                     languages=["hy", "az"], countries=["AM"])
    catalogue.update_item(film, {"title": {"en": "The Border", "hy": "Սահման"}})
    photo = make_photo("Portrait", year=2001)
    root = oai(client, verb="GetRecord", identifier=oai_id(film), metadataPrefix="oai_dc")
    dc = root.find(".//oai_dc:dc", NS)

    def values(name):
        return [(e.text, e.get(XML_LANG)) for e in dc.iterfind(f"dc:{name}", NS)]

    assert values("title") == [("The Border", "en"), ("Սահման", "hy")]
    assert values("description") == [("Two villages.", "en"), ("Երկու գյուղ.", "hy")]
    assert values("creator") == [("Ani Petrosyan", None)]
    assert values("contributor") == [("Leyla", None)]
    assert values("subject") == [("displacement", None), ("memory", None)]
    assert values("date") == [("2019", None)]
    assert values("type") == [("MovingImage", None)]
    assert values("rights") == [("Screenings by licence only.", None)]
    assert values("identifier") == [(f"http://localhost/items/{film.id}", None)]
    assert values("language") == [("hy", None), ("az", None)]
    assert values("coverage") == [("AM", None)]

    photo_dc = oai(client, verb="GetRecord", identifier=oai_id(photo), metadataPrefix="oai_dc").find(".//oai_dc:dc", NS)
    assert [e.text for e in photo_dc.iterfind("dc:type", NS)] == ["StillImage"]
    assert photo_dc.find("dc:rights", NS) is None  # no rights note, no element


def test_links_and_identifiers_follow_the_public_address(app_config, profile):
    from tests.conftest import running_app

    for application in running_app({**app_config, "PUBLIC_URL": "https://archive.example.org"}, profile):
        film = make_film("Abroad")
        client = application.test_client()
        root = oai(client, base_url="https://archive.example.org", verb="ListRecords", metadataPrefix="oai_dc")
        assert identifiers(root) == [f"oai:archive.example.org:item/{film.id}"]
        assert root.find("o:request", NS).text == "https://archive.example.org/oai"
        assert root.find(".//dc:identifier", NS).text == f"https://archive.example.org/items/{film.id}"


def stamp_all(moment: str) -> None:
    """Let the repository see the catalogue at ``moment`` (records first seen get it as datestamp)."""
    records.sync(datetime.fromisoformat(moment))


def test_from_and_until_select_by_datestamp_at_day_and_second_granularity(client):
    early = make_photo("Early")
    stamp_all("2030-01-01T10:00:00")
    late = make_photo("Late")
    stamp_all("2030-01-02T12:30:05.400000")

    def harvest(**bounds):
        root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **bounds)
        return error_code(root) or identifiers(root)

    assert harvest() == [oai_id(early), oai_id(late)]
    assert harvest(**{"from": "2030-01-02"}) == [oai_id(late)]
    assert harvest(until="2030-01-01") == [oai_id(early)]
    assert harvest(**{"from": "2030-01-01", "until": "2030-01-01"}) == [oai_id(early)]
    assert harvest(**{"from": "2030-01-02T12:30:05Z"}) == [oai_id(late)]  # shown as 12:30:05, so included
    assert harvest(until="2030-01-02T12:30:05Z") == [oai_id(early), oai_id(late)]
    assert harvest(until="2030-01-02T12:30:04Z") == [oai_id(early)]
    assert harvest(**{"from": "2030-01-02T12:30:06Z"}) == "noRecordsMatch"
    assert harvest(until="2029-12-31") == "noRecordsMatch"
    root = oai(client, verb="GetRecord", identifier=oai_id(late), metadataPrefix="oai_dc")
    assert root.find(".//o:datestamp", NS).text == "2030-01-02T12:30:05Z"


def test_an_edit_gives_the_record_a_new_datestamp(client):
    photo = make_photo("Before")
    photo.updated_at = datetime(2020, 1, 1)  # an item last edited long ago
    db.session.commit()
    stamp_all("2020-01-01T00:00:00")
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2025-01-01"})) == \
        "noRecordsMatch"
    catalogue.update_item(photo, {"title": {"en": "After"}})
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2025-01-01"})
    assert identifiers(root) == [oai_id(photo)]
    assert root.find(".//dc:title", NS).text == "After"


def test_sets_are_the_public_collections(client):
    first, second, third = make_photo("One"), make_photo("Two"), make_photo("Three")
    exhibition = make_collection("Exhibition", kind="exhibition", items=[first, second])
    hidden = make_collection("Hidden series", "restricted", items=[third])
    partners = make_collection("Partners series", "partners", items=[first])

    root = oai(client, verb="ListSets")
    assert [(s.findtext("o:setSpec", namespaces=NS), s.findtext("o:setName", namespaces=NS))
            for s in root.iterfind(".//o:set", NS)] == [(f"collection-{exhibition.id}", "Exhibition")]
    in_set = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set=f"collection-{exhibition.id}")
    assert identifiers(in_set) == [oai_id(first), oai_id(second)]
    assert [e.text for e in in_set.iterfind(".//o:setSpec", NS)] == [f"collection-{exhibition.id}"] * 2
    everything = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert b"Hidden" not in oai_bytes(client) and f"collection-{hidden.id}".encode() not in oai_bytes(client)
    specs = {h.findtext("o:identifier", namespaces=NS): [e.text for e in h.iterfind("o:setSpec", NS)]
             for h in everything.iterfind(".//o:header", NS)}
    assert specs[oai_id(third)] == [] and specs[oai_id(first)] == [f"collection-{exhibition.id}"]
    for spec in (f"collection-{hidden.id}", f"collection-{partners.id}", "collection-999999", "collection-x", "x"):
        assert error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)) == "noRecordsMatch"


def oai_bytes(client) -> bytes:
    return client.get("/oai", query_string={"verb": "ListRecords", "metadataPrefix": "oai_dc"}).data


def test_without_public_collections_there_is_no_set_hierarchy(client):
    photo = make_photo("Alone")
    make_collection("Secret", "restricted", items=[photo])
    assert error_code(oai(client, verb="ListSets")) == "noSetHierarchy"
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="collection-1")) == "noSetHierarchy"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_identify_and_formats_by_get_and_post(client, method):
    photo = make_photo("Here")
    identify = oai(client, method, verb="Identify").find("o:Identify", NS)
    assert [local.tag.split("}")[1] for local in identify] == [
        "repositoryName", "baseURL", "protocolVersion", "adminEmail", "earliestDatestamp", "deletedRecord",
        "granularity"]
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:adminEmail", namespaces=NS) == "archive@localhost.invalid"  # ARCHIVE_MAIL_FROM
    for args in ({}, {"identifier": oai_id(photo)}):
        formats = oai(client, method, verb="ListMetadataFormats", **args)
        assert [e.text for e in formats.iterfind(".//o:metadataPrefix", NS)] == ["oai_dc"]
        assert formats.findtext(".//o:metadataNamespace", namespaces=NS) == "http://www.openarchives.org/OAI/2.0/oai_dc/"
    root = oai(client, method, verb="ListRecords", metadataPrefix="oai_dc")
    assert identifiers(root) == [oai_id(photo)]


def test_post_needs_no_csrf_token(app_config, profile):
    from tests.conftest import running_app

    for application in running_app({**app_config, "WTF_CSRF_ENABLED": True}, profile):
        make_photo("Posted")
        root = oai(application.test_client(), "POST", verb="ListIdentifiers", metadataPrefix="oai_dc")
        assert len(identifiers(root)) == 1


def test_harvesters_arriving_together_all_get_the_catalogue(app, live_server):
    """The first answers all record the same exposures at once: none fails, each sees every record."""
    expected = [f"oai:127.0.0.1:item/{make_photo(f'P{n}').id}" for n in range(6)]
    db.session.remove()

    def harvest(_):
        response = requests.get(f"{live_server}/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
                                timeout=30)
        return response.status_code, identifiers(etree.fromstring(response.content))

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(harvest, range(6)))
    assert answers == [(200, expected)] * 6
