"""The OAI-PMH 2.0 envelope and the ``oai_dc`` Dublin Core record, built with lxml."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lxml import etree

from archive.catalogue.models import Item

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

# Credits whose role names the maker of the work are creators; everyone else credited contributed.
CREATOR_ROLES = frozenset({
    "author", "camera", "cinematographer", "co-director", "creator", "director", "director of photography",
    "photographer", "producer", "writer",
})
DCMI_TYPES = {"film": "MovingImage", "photo": "StillImage"}


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
    metadata = _sub(parent, f"{{{OAI}}}metadata")
    dc = etree.SubElement(metadata, f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {OAI_DC_SCHEMA}")
    for lang, text in item.title.items():
        _dc(dc, "title", text, lang)
    for credit in item.credits:
        _dc(dc, "creator" if (credit.role or "").strip().lower() in CREATOR_ROLES else "contributor",
            credit.person.name)
    for theme in item.themes:
        _dc(dc, "subject", theme.name)
    for lang, text in item.description.items():
        if text:
            _dc(dc, "description", text, lang)
    _dc(dc, "publisher", publisher)
    if item.year is not None:
        _dc(dc, "date", str(item.year))
    _dc(dc, "type", DCMI_TYPES[item.kind])
    _dc(dc, "identifier", page_url)
    for language in item.languages or []:
        _dc(dc, "language", language)
    for country in item.countries or []:
        _dc(dc, "coverage", country)
    if item.rights_note:
        _dc(dc, "rights", item.rights_note)


def _dc(parent: etree._Element, name: str, text: str, lang: str | None = None) -> None:
    element = etree.SubElement(parent, f"{{{DC}}}{name}")
    element.text = text
    if lang:
        element.set(f"{{{XML}}}lang", lang)


def metadata_format(parent: etree._Element) -> None:
    element = _sub(parent, f"{{{OAI}}}metadataFormat")
    _sub(element, f"{{{OAI}}}metadataPrefix", "oai_dc")
    _sub(element, f"{{{OAI}}}schema", OAI_DC_SCHEMA)
    _sub(element, f"{{{OAI}}}metadataNamespace", OAI_DC)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


Builder = Callable[[etree._Element], None]
