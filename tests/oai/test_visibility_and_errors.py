"""Only public records ever; withdrawn ones reported as deleted, never-public ones never named; every OAI error."""

from __future__ import annotations

from datetime import datetime, timedelta

from lxml import etree

from archive.catalogue import operations as catalogue
from archive.extensions import db
from archive.oai import records
from archive.oai.models import OaiRecord
from archive.timeutil import utcnow
from tests.factories import make_collection, make_film, make_photo
from tests.oai.conftest import NS, error_code, identifiers, oai


def oai_id(item_or_id) -> str:
    return f"oai:localhost:item/{getattr(item_or_id, 'id', item_or_id)}"


def everything(client) -> bytes:
    """Every list the repository gives, as raw bytes, to search for what must not be there."""
    parts = [client.get("/oai", query_string={"verb": verb, "metadataPrefix": "oai_dc"}).data
             for verb in ("ListRecords", "ListIdentifiers")]
    parts.append(client.get("/oai", query_string={"verb": "ListSets"}).data)
    return b"".join(parts)


def test_a_mixed_catalogue_shows_public_records_only_and_withdrawn_ones_as_deleted(client):
    future = (utcnow() + timedelta(days=30)).date().isoformat()
    public = make_film("Public film")
    partners = make_film("Partners secret", "partners")
    restricted = make_photo("Restricted secret", "restricted")
    embargoed = make_photo("Embargoed secret", embargo_until=future)
    to_delete = make_film("Deleted later")
    to_restrict = make_photo("Restricted later")
    to_embargo = make_photo("Embargoed later")
    to_partners = make_photo("Partners later")
    never_public_deleted = make_photo("Never public", "restricted")

    first = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    shown = [public, to_delete, to_restrict, to_embargo, to_partners]
    assert identifiers(first) == [oai_id(item) for item in shown]
    assert first.find(".//o:header[@status]", NS) is None

    deleted_id = to_delete.id
    catalogue.delete_item(to_delete)
    catalogue.delete_item(never_public_deleted)
    catalogue.update_item(to_restrict, {"visibility": "restricted"})
    catalogue.update_item(to_embargo, {"embargo_until": future})
    catalogue.update_item(to_partners, {"visibility": "partners"})

    second = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert identifiers(second) == [oai_id(public), oai_id(deleted_id), oai_id(to_restrict), oai_id(to_embargo),
                                   oai_id(to_partners)]
    states = {r.findtext("o:header/o:identifier", namespaces=NS): (r.find("o:header", NS).get("status"),
                                                                     r.find("o:metadata", NS))
              for r in second.iterfind(".//o:record", NS)}
    assert states[oai_id(public)][0] is None and states[oai_id(public)][1] is not None
    for withdrawn in (deleted_id, to_restrict.id, to_embargo.id, to_partners.id):
        assert states[oai_id(withdrawn)] == ("deleted", None)  # a header only, no metadata at all
        got = oai(client, verb="GetRecord", identifier=oai_id(withdrawn), metadataPrefix="oai_dc")
        assert got.find(".//o:header", NS).get("status") == "deleted" and got.find(".//o:metadata", NS) is None
    deleted_headers = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").iterfind(".//o:header", NS)
    assert sum(h.get("status") == "deleted" for h in deleted_headers) == 4

    raw = everything(client)
    for secret in (b"secret", b"later", b"Never public", b"Deleted"):
        assert secret not in raw
    never = (partners, restricted, embargoed, never_public_deleted.id)
    for hidden in never:
        assert oai_id(hidden).encode() not in raw
        unknown = oai(client, verb="GetRecord", identifier=oai_id(hidden), metadataPrefix="oai_dc")
        assert error_code(unknown) == "idDoesNotExist"
        formats = oai(client, verb="ListMetadataFormats", identifier=oai_id(hidden))
        assert error_code(formats) == "idDoesNotExist"
    # Nothing was recorded about an item that was never public.
    assert db.session.get(OaiRecord, restricted.id) is None and db.session.get(OaiRecord, never_public_deleted.id) is None


def test_a_withdrawn_record_made_public_again_comes_back_with_its_metadata(client):
    photo = make_photo("Back again")
    oai(client, verb="Identify")  # the repository sees it public
    catalogue.update_item(photo, {"visibility": "restricted"})
    assert oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").find(".//o:header", NS).get("status") == \
        "deleted"
    catalogue.update_item(photo, {"visibility": "public"})
    root = oai(client, verb="GetRecord", identifier=oai_id(photo), metadataPrefix="oai_dc")
    assert root.find(".//o:header", NS).get("status") is None
    assert root.find(".//dc:title", NS).text == "Back again"


def test_an_embargo_that_ends_exposes_the_record_then(client):
    future = (utcnow() + timedelta(days=3)).date().isoformat()
    photo = make_photo("Later", embargo_until=future)
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == "noRecordsMatch"
    catalogue.update_item(photo, {"embargo_until": None})
    assert identifiers(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == [oai_id(photo)]


def test_a_signed_in_archivist_harvests_only_public_records_too(client_as):
    public = make_photo("Out")
    make_photo("Staff only", "restricted")
    root = oai(client_as("archivist"), verb="ListRecords", metadataPrefix="oai_dc")
    assert identifiers(root) == [oai_id(public)]


def test_every_error_condition(client, small_pages):
    photos = [make_photo(f"P{n}") for n in range(3)]

    def code(method="GET", **args):
        return error_code(oai(client, method, **args))

    assert code() == "badVerb"
    assert code(verb="Harvest") == "badVerb"
    assert error_code(oai_raw(client, "verb=Identify&verb=Identify")) == "badVerb"
    assert code(verb="Identify", extra="1") == "badArgument"
    assert code(verb="ListRecords") == "badArgument"
    assert code(verb="GetRecord", identifier=oai_id(photos[0])) == "badArgument"
    assert error_code(oai_raw(client, "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")) == \
        "badArgument"
    assert code(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "yesterday"}) == "badArgument"
    assert code(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2026-01-01T10:00Z"}) == "badArgument"
    assert code(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "२०२६-01-01"}) == "badArgument"
    assert code(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2026-01-01", "until": "2026-01-02T00:00:00Z"}) \
        == "badArgument"
    assert code(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2026-02-01", "until": "2026-01-01"}) == \
        "badArgument"
    assert code(verb="ListRecords", metadataPrefix="marc 21") == "badArgument"
    assert code(verb="ListRecords", metadataPrefix="oai_dc", set="a b") == "badArgument"
    assert code(verb="ListRecords", metadataPrefix="oai_dc", set="") == "badArgument"
    assert code(verb="ListRecords", metadataPrefix="marc21") == "cannotDisseminateFormat"
    assert code(verb="GetRecord", identifier=oai_id(photos[0]), metadataPrefix="mods") == "cannotDisseminateFormat"
    for unknown in (oai_id(999999), "oai:elsewhere.org:item/1", "oai:localhost:item/x", oai_id(2**40), "1"):
        assert code(verb="GetRecord", identifier=unknown, metadataPrefix="oai_dc") == "idDoesNotExist"
    assert code(verb="ListRecords", metadataPrefix="oai_dc", until="1990-01-01") == "noRecordsMatch"
    assert code(verb="ListSets") == "noSetHierarchy"

    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//o:resumptionToken", NS).text
    assert code(verb="ListIdentifiers", resumptionToken=token, metadataPrefix="oai_dc") == "badArgument"
    assert code(verb="ListRecords", resumptionToken=token) == "badResumptionToken"  # given for another verb
    assert code(verb="ListIdentifiers", resumptionToken="nonsense") == "badResumptionToken"
    assert code(verb="ListIdentifiers", resumptionToken=token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) == \
        "badResumptionToken"
    assert code(verb="ListSets", resumptionToken=token) == "badResumptionToken"
    assert code("POST", verb="Nope") == "badVerb"
    for unreadable in ("\x00", "\x1b[2J", "a\x7f"):  # never echoed into the XML, never a 500
        assert code(verb="GetRecord", identifier=unreadable, metadataPrefix="oai_dc") == "badArgument"
        assert code(verb="Identify", **{f"x{unreadable}": "1"}) == "badArgument"
        assert code(verb=unreadable) == "badArgument"
    assert error_code(oai_raw(client, "verb=GetRecord&metadataPrefix=oai_dc&identifier=%ED%A0%80%FF")) == "idDoesNotExist"
    assert code("POST", verb="ListIdentifiers", resumptionToken="nonsense") == "badResumptionToken"
    # Errors say what to send instead, and a badVerb/badArgument answer echoes no argument.
    answer = oai(client, verb="ListRecords", metadataPrefix="marc21")
    assert "metadataPrefix=oai_dc" in answer.findtext("o:error", namespaces=NS)
    assert oai(client, verb="Harvest").find("o:request", NS).attrib == {}


def test_empty_catalogue(client):
    assert error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")) == "noRecordsMatch"
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == "noRecordsMatch"
    assert oai(client, verb="Identify").findtext(".//o:earliestDatestamp", namespaces=NS)


def oai_raw(client, query: str):
    response = client.get(f"/oai?{query}")
    assert response.status_code == 200
    return etree.fromstring(response.data)


def test_an_identifier_reported_deleted_never_names_another_item(client):
    """SQLite gives the id of the newest item, once deleted, to the next one: that one is another work."""
    keep = make_photo("Kept")
    gone = make_photo("Gone")
    gone_id = gone.id
    oai(client, verb="Identify")  # both seen public
    catalogue.delete_item(gone)
    newcomer = make_photo("Newcomer")
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    states = {r.findtext("o:header/o:identifier", namespaces=NS): r.find("o:header", NS).get("status")
              for r in root.iterfind(".//o:record", NS)}
    assert states[oai_id(gone_id)] == "deleted"
    assert states[oai_id(keep)] is None
    if newcomer.id == gone_id:  # SQLite: the newcomer stays out rather than take over the identifier
        assert b"Newcomer" not in everything(client)
    else:  # PostgreSQL never reuses an id: the newcomer has its own record
        assert states[oai_id(newcomer)] is None


def test_a_harvest_by_set_learns_that_a_record_of_the_set_was_withdrawn(client):
    stays, goes, deleted = make_photo("Stays"), make_photo("Goes"), make_photo("Deleted")
    elsewhere = make_photo("Elsewhere")
    collection = make_collection("Exhibition", items=[stays, goes, deleted])
    spec = f"collection-{collection.id}"
    assert identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)) == [
        oai_id(stays), oai_id(goes), oai_id(deleted)]
    deleted_id = deleted.id
    catalogue.update_item(goes, {"visibility": "restricted"})
    catalogue.delete_item(deleted)

    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
    headers = {h.findtext("o:identifier", namespaces=NS): (h.get("status"), [e.text for e in h.iterfind("o:setSpec", NS)])
               for h in root.iterfind(".//o:header", NS)}
    assert headers == {oai_id(stays): (None, [spec]), oai_id(goes): ("deleted", [spec]),
                       oai_id(deleted_id): ("deleted", [spec])}
    assert oai_id(elsewhere) not in headers

    # Made hidden, the collection is no set any more, for live and withdrawn records alike.
    catalogue.update_collection(collection, {"visibility": "restricted"})
    assert error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)) == "noSetHierarchy"
    assert spec.encode() not in everything(client)


def test_joining_or_leaving_a_set_gives_the_record_a_new_datestamp(client):
    photo = make_photo("Mover")
    photo.updated_at = datetime(2020, 1, 1)
    db.session.commit()
    records.sync(datetime(2020, 1, 1, 12))
    recent = {"from": "2025-01-01"}
    assert error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **recent)) == "noRecordsMatch"
    collection = make_collection("New home", items=[photo])
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **recent)
    assert identifiers(root) == [oai_id(photo)]
    assert root.findtext(".//o:setSpec", namespaces=NS) == f"collection-{collection.id}"
