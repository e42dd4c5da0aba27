"""The OAI-PMH 2.0 envelope and the ``oai_dc`` Dublin Core record, built with lxml."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lxml import etree

from archive.catalogue import dublin_core as dc_record
from archive.catalogue.dublin_core import OAI_DC, OAI_DC_SCHEMA, XSI
from archive.catalogue.models import Item

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"

def datestamp(moment: datetime) -> str:
    """A UTC datestamp at seconds granularity, as OAI-PMH writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def envelope(now: datetime, base_url: str, request_args: dict[str, str]) -> etree._Element:
    """The ``<OAI-PMH>`` root with ``responseDate`` and ``request`` (its attributes: the valid arguments)."""
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {OAI_SCHEMA}")
    _sub(root, f"{{{OAI}}}responseDate", datestamp(now))
    _sub(root, f"{{{OAI}}}request", base_url, **request_args)
    return root


def error(root: etree._Element, code: str, message: str) -> None:
    _sub(root, f"{{{OAI}}}error", message, code=code)


def header(parent: etree._Element, identifier: str, stamp: datetime, set_specs: list[str], deleted: bool) -> None:
    element = _sub(parent, f"{{{OAI}}}header", status="deleted" if deleted else None)
    _sub(element, f"{{{OAI}}}identifier", identifier)
    _sub(element, f"{{{OAI}}}datestamp", datestamp(stamp))
    for spec in set_specs:
        _sub(element, f"{{{OAI}}}setSpec", spec)


def dublin_core(parent: etree._Element, item: Item, page_url: str, publisher: str) -> None:
    """``<metadata><oai_dc:dc>``: the public description of ``item`` in simple Dublin Core."""
    dc_record.record(_sub(parent, f"{{{OAI}}}metadata"), item, page_url, publisher)


def metadata_format(parent: etree._Element) -> None:
    element = _sub(parent, f"{{{OAI}}}metadataFormat")
    _sub(element, f"{{{OAI}}}metadataPrefix", "oai_dc")
    _sub(element, f"{{{OAI}}}schema", OAI_DC_SCHEMA)
    _sub(element, f"{{{OAI}}}metadataNamespace", OAI_DC)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


Builder = Callable[[etree._Element], None]
