"""OAI-PMH test helpers: requests through the test client, answers parsed and checked against the protocol.

Every answer is validated against the OAI-PMH 2.0 and oai_dc XML schemas. They cannot be fetched
while the suite runs, so they are written out from the specification in ``tests/fixtures/oai/``
(``harvest.xsd`` imports both, so the strict wildcard of ``<metadata>`` checks the Dublin Core
record as well). ``check`` adds what the schemas cannot say: the ``request`` element of a
``badVerb``/``badArgument`` answer has no attributes, a deleted record has no metadata, every
datestamp is at seconds granularity.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent.parent / "fixtures" / "oai" / "harvest.xsd")))

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "dc": "http://purl.org/dc/elements/1.1/"}
DC_ELEMENTS = {"title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format",
               "identifier", "source", "language", "relation", "coverage", "rights"}
VERBS = {"Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords", "GetRecord"}
STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
ERROR_CODES = {"badArgument", "badResumptionToken", "badVerb", "cannotDisseminateFormat", "idDoesNotExist",
               "noRecordsMatch", "noMetadataFormats", "noSetHierarchy"}


def local(element) -> str:
    return etree.QName(element).localname


def check(root) -> None:
    """Assert the answer is valid OAI-PMH 2.0 with oai_dc records, and what the schema cannot say."""
    SCHEMA.assertValid(root)
    assert etree.QName(root).namespace == NS["o"] and local(root) == "OAI-PMH"
    children = list(root)
    assert [local(c) for c in children[:2]] == ["responseDate", "request"]
    assert STAMP.fullmatch(children[0].text)
    rest = children[2:]
    errors = [c for c in rest if local(c) == "error"]
    if errors:
        assert len(errors) == len(rest) and all(e.get("code") in ERROR_CODES and e.text for e in errors)
        if any(e.get("code") in ("badVerb", "badArgument") for e in errors):
            assert dict(children[1].attrib) == {}  # the protocol: only the base URL
        return
    assert len(rest) == 1 and local(rest[0]) == children[1].get("verb") in VERBS
    for header in root.iter(f"{{{NS['o']}}}header"):
        parts = [local(c) for c in header]
        assert parts[:2] == ["identifier", "datestamp"] and set(parts[2:]) <= {"setSpec"}
        assert STAMP.fullmatch(header[1].text)
        assert header.get("status") in (None, "deleted")
    for record in root.iter(f"{{{NS['o']}}}record"):
        parts = [local(c) for c in record]
        deleted = record[0].get("status") == "deleted"
        assert parts == (["header"] if deleted else ["header", "metadata"])
        if not deleted:
            (dc,) = record[1]
            assert etree.QName(dc).text == f"{{{NS['oai_dc']}}}dc"
            assert all(etree.QName(e).namespace == NS["dc"] and local(e) in DC_ELEMENTS for e in dc)
    token = root.find(".//o:resumptionToken", NS)
    if token is not None:
        assert token.getparent()[-1] is token


def oai(client, method: str = "GET", base_url: str | None = None, **args):
    """One OAI-PMH request; the parsed answer, checked (answers are always 200 XML)."""
    extra = {"base_url": base_url} if base_url else {}
    if method == "POST":
        response = client.post("/oai", data=args, **extra)
    else:
        response = client.get("/oai", query_string=args, **extra)
    assert response.status_code == 200
    assert response.content_type.startswith("text/xml")
    root = etree.fromstring(response.data)
    check(root)
    return root


def error_code(root) -> str | None:
    found = root.find("o:error", NS)
    return None if found is None else found.get("code")


def identifiers(root) -> list[str]:
    return [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 records, so a few records make several pages."""
    monkeypatch.setattr("archive.oai.operations.PAGE_SIZE", 2)
    return 2


