"""``/sitemap.xml``: every page the public may see, with its language alternates, built with lxml.

Pages come in a fixed order (the fixed pages, then items, collections, venues and screenings, each
by id), so page ``n`` of a split sitemap is a plain slice. Over ``SITEMAP_LIMIT`` addresses (at most
the protocol's 50,000) ``/sitemap.xml`` becomes a sitemap index naming ``/sitemap-1.xml`` and on.
Each address lists itself in every interface language (``?lang=hy`` …) and ``x-default``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, url_for
from lxml import etree
from sqlalchemy import Select, func, select

from archive.catalogue.models import Collection, Item
from archive.catalogue.visibility import visible_collections, visible_items
from archive.extensions import db
from archive.i18n.languages import LANGUAGES
from archive.screenings.models import Screening, Venue
from archive.screenings.visibility import visible_screenings

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
PROTOCOL_LIMIT = 50_000
FLUSH_URLS = 1000  # addresses per chunk of the response
PUBLIC = None
FIXED = ("catalogue.index", "catalogue.items", "catalogue.collections", "screenings.calendar", "screenings.venues")


@dataclass
class Source:
    """One kind of page: the query of its (id, last change) rows and the address of one."""

    query: Select
    endpoint: str
    argument: str


def _sources() -> list[Source]:
    # A screening of a public film: approved ones (a cancelled one is on calendars, but not worth a search result).
    screenings = (select(Screening.id, Screening.updated_at).join(Screening.item)
                  .where(visible_screenings(PUBLIC), Screening.status == "approved"))
    return [
        Source(select(Item.id, Item.updated_at).where(visible_items(PUBLIC)), "catalogue.item", "item_id"),
        Source(select(Collection.id, Collection.updated_at).where(visible_collections(PUBLIC)),
               "catalogue.collection", "collection_id"),
        Source(select(Venue.id, Venue.updated_at), "screenings.venue", "venue_id"),
        Source(screenings, "screenings.screening", "screening_id"),
    ]


def limit() -> int:
    """Addresses per sitemap file (the setting, never above the protocol's limit)."""
    return min(current_app.config["SITEMAP_LIMIT"], PROTOCOL_LIMIT)


def total() -> int:
    """How many addresses the whole sitemap holds."""
    return len(FIXED) + sum(db.session.scalar(select(func.count()).select_from(source.query.subquery()))
                            for source in _sources())


def pages() -> int:
    """How many sitemap files the addresses fill (1: ``/sitemap.xml`` is the sitemap itself)."""
    return max(1, -(-total() // limit()))


def _newest() -> datetime | None:
    """The latest change among the records, for the fixed pages and the index."""
    stamps = [db.session.scalar(select(func.max(source.query.subquery().c.updated_at))) for source in _sources()]
    return max((stamp for stamp in stamps if stamp), default=None)


def entries(offset: int, count: int) -> Iterator[tuple[str, dict, datetime | None]]:
    """``count`` (endpoint, values, last change) from position ``offset`` in the fixed order."""
    newest = _newest() if offset < len(FIXED) else None
    for endpoint in FIXED[offset:offset + count]:
        yield endpoint, {}, newest
    offset, count = max(0, offset - len(FIXED)), count - max(0, min(len(FIXED) - offset, count))
    for source in _sources():
        if count <= 0:
            return
        column = source.query.selected_columns[0]
        rows = db.session.execute(source.query.order_by(column).offset(offset).limit(count)).all()
        for row_id, changed in rows:
            yield source.endpoint, {source.argument: row_id}, changed
        size = db.session.scalar(select(func.count()).select_from(source.query.subquery()))
        offset = max(0, offset - size)
        count -= len(rows)


def w3c_datetime(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC, microsecond=0).isoformat()


MARK = 2_147_483_646  # an id no row reaches before the sitemap's addresses are built; replaced by each row's


def _address_maker(endpoint: str, argument: str | None) -> Callable[[dict, str | None], str]:
    """A fast ``url_for`` for one endpoint: built once per language with a marker id, then filled in per row."""
    built = {lang: url_for(endpoint, **({argument: MARK} if argument else {}), **({"lang": lang} if lang else {}),
                           _external=True) for lang in (None, *LANGUAGES)}

    def make(values: dict, lang: str | None) -> str:
        return built[lang].replace(str(MARK), str(values[argument])) if argument else built[lang]
    return make


def urlset(offset: int, count: int) -> Iterator[bytes]:
    """One sitemap file, written as it is read: ``<urlset>`` with each address, its alternates and last change."""
    buffer = io.BytesIO()
    makers: dict[str, Callable] = {}
    with etree.xmlfile(buffer, encoding="UTF-8") as document:
        document.write_declaration()
        with document.element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP, "xhtml": XHTML}):
            for number, (endpoint, values, changed) in enumerate(entries(offset, count), start=1):
                if endpoint not in makers:
                    makers[endpoint] = _address_maker(endpoint, next(iter(values), None))
                _write_url(document, makers[endpoint], values, changed)
                if number % FLUSH_URLS == 0:
                    document.flush()
                    yield _drain(buffer)
    yield _drain(buffer)


def _write_url(document, make: Callable, values: dict, changed: datetime | None) -> None:
    """One ``<url>``, written inside the open ``<urlset>`` so it takes the namespaces declared there."""
    with document.element(f"{{{SITEMAP}}}url"):
        with document.element(f"{{{SITEMAP}}}loc"):
            document.write(make(values, None))
        if changed is not None:
            with document.element(f"{{{SITEMAP}}}lastmod"):
                document.write(w3c_datetime(changed))
        for lang in (*LANGUAGES, None):
            with document.element(f"{{{XHTML}}}link", rel="alternate", hreflang=lang or "x-default",
                                  href=make(values, lang)):
                pass


def _drain(buffer: io.BytesIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data


def index(count: int) -> bytes:
    """The sitemap index naming ``count`` sitemap files."""
    root = etree.Element(f"{{{SITEMAP}}}sitemapindex", nsmap={None: SITEMAP})
    newest = _newest()
    for number in range(1, count + 1):
        entry = etree.SubElement(root, f"{{{SITEMAP}}}sitemap")
        etree.SubElement(entry, f"{{{SITEMAP}}}loc").text = url_for("webmeta.sitemap_page", number=number,
                                                                     _external=True)
        if newest is not None:
            etree.SubElement(entry, f"{{{SITEMAP}}}lastmod").text = w3c_datetime(newest)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
