"""The vendored schemas catch what they must, so a valid answer means something; the contact address."""

from __future__ import annotations

import pytest
from lxml import etree

from archive.oai.operations import admin_email
from tests.oai.conftest import SCHEMA

ENVELOPE = """<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-12-01T10:00:00Z</responseDate>
<request verb="GetRecord">http://localhost/oai</request>{body}</OAI-PMH>"""
RECORD = """<GetRecord><record><header{status}><identifier>oai:localhost:item/1</identifier>
<datestamp>2026-12-01T10:00:00Z</datestamp></header>{metadata}</record></GetRecord>"""
DC = """<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title xml:lang="{lang}">A</dc:title>{extra}</oai_dc:dc></metadata>"""


def document(status="", lang="en", extra="", metadata=True, body=None) -> etree._Element:
    if body is None:
        body = RECORD.format(status=status, metadata=DC.format(lang=lang, extra=extra) if metadata else "")
    return etree.fromstring(ENVELOPE.format(body=body))


def test_the_schemas_accept_a_good_record_and_a_deleted_header():
    assert SCHEMA.validate(document())
    assert SCHEMA.validate(document(status=' status="deleted"', metadata=False))


@pytest.mark.parametrize("broken", [
    {"status": ' status="gone"'},
    {"lang": "not a language tag"},
    {"extra": "<dc:colour>red</dc:colour>"},
    {"body": '<error code="tooBad">no</error>'},
    {"body": "<Identify><repositoryName>x</repositoryName></Identify>"},
    {"body": "<ListRecords></ListRecords>"},
])
def test_the_schemas_refuse_what_the_protocol_forbids(broken):
    assert not SCHEMA.validate(document(**broken))


@pytest.mark.parametrize(("mail_from", "expected"), [
    ("Dialogue Archive <archive@localhost>", "archive@localhost.invalid"),
    ("Dialogue Archive <archive@example.org>", "archive@example.org"),
    ("archive@mail.example.org", "archive@mail.example.org"),
    ("", "archive@localhost.invalid"),
])
def test_the_contact_address_is_always_one_the_schema_accepts(mail_from, expected):
    assert admin_email(mail_from) == expected
    body = (f"<Identify><repositoryName>x</repositoryName><baseURL>http://localhost/oai</baseURL>"
            f"<protocolVersion>2.0</protocolVersion><adminEmail>{expected}</adminEmail>"
            f"<earliestDatestamp>2026-12-01T10:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
            f"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>")
    assert SCHEMA.validate(document(body=body))
