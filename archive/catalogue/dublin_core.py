"""A catalogue item in simple Dublin Core (the ``oai_dc`` record), built with lxml.

One mapping for every output that speaks Dublin Core: the OAI-PMH repository (``archive/oai``)
and the archivists' exports (``archive/exports``). Titles and descriptions carry ``xml:lang``;
credits whose role names the maker of the work are creators, everyone else credited contributed.
"""

from __future__ import annotations

from lxml import etree

from archive.catalogue.models import Item

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

CREATOR_ROLES = frozenset({
    "author", "camera", "cinematographer", "co-director", "creator", "director", "director of photography",
    "photographer", "producer", "writer",
})
DCMI_TYPES = {"film": "MovingImage", "photo": "StillImage"}


def is_creator(role: str | None) -> bool:
    """Whether a credit's role names a maker of the work (director, photographer, ...)."""
    return (role or "").strip().lower() in CREATOR_ROLES


def record(parent: etree._Element | None, item: Item, page_url: str, publisher: str) -> etree._Element:
    """``<oai_dc:dc>`` describing ``item`` (under ``parent`` when given); the caller has checked who may see it."""
    nsmap = {"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}
    tag = f"{{{OAI_DC}}}dc"
    dc = etree.SubElement(parent, tag, nsmap=nsmap) if parent is not None else etree.Element(tag, nsmap=nsmap)
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {OAI_DC_SCHEMA}")
    for lang, text in item.title.items():
        _dc(dc, "title", text, lang)
    for credit in item.credits:
        _dc(dc, "creator" if is_creator(credit.role) else "contributor", credit.person.name)
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
    return dc


def _dc(parent: etree._Element, name: str, text: str, lang: str | None = None) -> None:
    element = etree.SubElement(parent, f"{{{DC}}}{name}")
    element.text = text
    if lang:
        element.set(f"{{{XML}}}lang", lang)
