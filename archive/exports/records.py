"""Which records an export holds: a collection's or a search's, as its user may see them, a batch at a time."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive.catalogue.models import Collection, Item, collection_items
from archive.catalogue.visibility import visible_items
from archive.extensions import db
from archive.search.queries import search

BATCH = 500  # rows read (and written out) at a time, so an export of any size holds one batch in memory


def _loaded(query):
    return query.options(selectinload(Item.credits), selectinload(Item.themes), selectinload(Item.collections))


def _release(items: list[Item]) -> None:
    """Let a written batch go, so memory stays flat over a long export."""
    for item in items:
        if item in db.session:
            db.session.expunge(item)


def collection_records(collection: Collection, user) -> Iterator[Item]:
    """The collection's items ``user`` may see, in id order, read in batches (keyset, not OFFSET)."""
    after = 0
    while True:
        batch = db.session.scalars(_loaded(
            select(Item).join(collection_items, collection_items.c.item_id == Item.id)
            .where(collection_items.c.collection_id == collection.id, visible_items(user), Item.id > after)
            .order_by(Item.id).limit(BATCH)
        )).all()
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].id
        _release(batch)


def search_records(text: str, options: dict, user) -> Iterator[Item]:
    """The items a search finds for ``user``, best first (as on the search page), read a page at a time."""
    seen: set[int] = set()
    page, pages = 1, 1
    while page <= pages:
        found = search(text, user=user, page=page, per_page=BATCH, hits_per_item=0, **options)
        pages = found.pages
        ids = [result.item.id for result in found.items if result.item.id not in seen]
        seen.update(ids)
        rows = {item.id: item for item in db.session.scalars(_loaded(select(Item).where(Item.id.in_(ids))))} if ids else {}
        batch = [rows[i] for i in ids if i in rows]
        yield from batch
        _release(batch)
        page += 1


def first_search_page(text: str, options: dict, user) -> None:
    """Run the search once before the export starts, so a malformed query is refused with a status, not mid-file."""
    search(text, user=user, page=1, per_page=1, hits_per_item=0, **options)
