"""Dublin Core exports: one XML document of ``oai_dc`` records, written as it is read.

Each record is the catalogue's one Dublin Core mapping (``archive/catalogue/dublin_core.py``, the
same the OAI-PMH repository serves), so an export and a harvest describe a record alike. The
records sit in a ``<records>`` element that says what was exported and when.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from flask import url_for
from lxml import etree

from archive.catalogue import dublin_core
from archive.catalogue.models import Item

PUBLISHER = "Dialogue Archive"
FLUSH_RECORDS = 100


def stream(items: Iterable[Item], *, source: str, exported_at: datetime) -> Iterator[bytes]:
    """``<records source=… exported=…>`` holding one ``<oai_dc:dc>`` per item, a hundred records per chunk."""
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="utf-8") as document:
        document.write_declaration()
        attributes = {"source": source, "exported": exported_at.replace(microsecond=0).isoformat() + "Z"}
        with document.element("records", attributes, nsmap={"oai_dc": dublin_core.OAI_DC, "dc": dublin_core.DC,
                                                            "xsi": dublin_core.XSI}):
            for number, item in enumerate(items, start=1):
                document.write(dublin_core.record(None, item, url_for("catalogue.item", item_id=item.id,
                                                                      _external=True), PUBLISHER))
                if number % FLUSH_RECORDS == 0:
                    document.flush()
                    yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.BytesIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data
