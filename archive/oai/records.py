"""Which OAI records exist and what they hold, on the catalogue's visibility rule for the public.

The repository shows exactly what an anonymous visitor may see (``visible_items(None)``), whoever
asks. Before answering, ``sync`` brings the ``oai_records`` table up to date in one transaction:

- an item publicly visible without a row gets one (first exposed now);
- a row whose item is gone or no longer public is withdrawn (reported as deleted from now on);
- a withdrawn row whose item is public again is exposed again;
- a row whose public item was edited since its datestamp gets a new datestamp;
- a live record's sets follow its public collections (and it gets a new datestamp when they
  change); a withdrawn record keeps the sets it was last shown in, so a harvest by set reports it.

"Its item" is the item with the row's id *and* creation time. Item numbers are never reused
(AUTOINCREMENT on SQLite since migration 0014, sequences on PostgreSQL), but an archive whose
embedded database was made before 0014 may already hold an item given a recycled number: it is
another item, and is not exposed under the identifier a harvester already knows as deleted.

So an item that was never public when the repository was asked is never named, not even as
deleted: the repository cannot reveal that a restricted or embargoed item exists. Datestamps are
the moment the repository saw the change, never earlier than a previous answer,
so an incremental harvest (``from`` = its last harvest) misses nothing. They are kept to the
microsecond and shown to the second: ``from`` X selects ``datestamp >= X``, ``until`` Y selects
``datestamp < Y + 1 second`` (or the next day), which is exactly "shown datestamp within [X, Y]".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import DateTime, and_, delete, exists, func, insert, literal, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from archive.catalogue.models import Collection, Item, collection_items
from archive.catalogue.visibility import visible_collections, visible_items
from archive.extensions import db
from archive.oai.models import OaiRecord, OaiRecordSet
from archive.timeutil import utcnow

ANONYMOUS = None  # the repository answers everyone as the public


def _same_item():
    """The row's item: its id and creation time (SQLite recycles the id of the newest deleted item)."""
    return and_(Item.id == OaiRecord.item_id, Item.created_at == OaiRecord.item_created_at)


def sync(now: datetime | None = None) -> None:
    """Record exposures, withdrawals and edits since the last answer; commits."""
    now = now or utcnow()
    # (id, creation time) pairs of the items the public sees; NOT IN lets PostgreSQL hash them once.
    public = tuple_(OaiRecord.item_id, OaiRecord.item_created_at).in_(
        select(Item.id, Item.created_at).where(visible_items(ANONYMOUS))
    )
    try:
        db.session.execute(
            update(OaiRecord)
            .where(OaiRecord.withdrawn_at.is_(None), ~public)
            .values(withdrawn_at=now, datestamp=now)
        )
        db.session.execute(
            update(OaiRecord)
            .where(OaiRecord.withdrawn_at.is_not(None), public)
            .values(withdrawn_at=None, datestamp=now)
        )
        edited = exists().where(_same_item(), Item.updated_at > OaiRecord.datestamp)
        db.session.execute(
            update(OaiRecord).where(OaiRecord.withdrawn_at.is_(None), edited).values(datestamp=now)
        )
        stamp = literal(now, DateTime())
        db.session.execute(
            insert(OaiRecord).from_select(
                ["item_id", "item_created_at", "first_exposed_at", "datestamp"],
                select(Item.id, Item.created_at, stamp, stamp).where(
                    visible_items(ANONYMOUS), Item.id.not_in(select(OaiRecord.item_id))
                ),
            )
        )
        _sync_sets(now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another request recorded the same exposure first: its rows stand


def _sync_sets(now: datetime) -> None:
    """Bring live records' sets in line with their public collections; restamp the records that moved."""
    live = select(OaiRecord.item_id).where(OaiRecord.withdrawn_at.is_(None))
    current = (
        select(collection_items.c.item_id, collection_items.c.collection_id)
        .join(Collection, Collection.id == collection_items.c.collection_id)
        .where(visible_collections(ANONYMOUS), collection_items.c.item_id.in_(live))
    )
    pair = tuple_(OaiRecordSet.item_id, OaiRecordSet.collection_id)
    stale = and_(OaiRecordSet.item_id.in_(live), pair.not_in(current))
    left = set(db.session.scalars(select(OaiRecordSet.item_id).where(stale)))
    joined = db.session.execute(
        current.where(tuple_(collection_items.c.item_id, collection_items.c.collection_id).not_in(
            select(OaiRecordSet.item_id, OaiRecordSet.collection_id)))
    ).all()
    if left:
        db.session.execute(delete(OaiRecordSet).where(stale))
    if joined:
        db.session.execute(insert(OaiRecordSet), [{"item_id": i, "collection_id": c} for i, c in joined])
    moved = left | {item_id for item_id, _ in joined}
    if moved:
        db.session.execute(update(OaiRecord).where(OaiRecord.item_id.in_(moved)).values(datestamp=now))


@dataclass
class Entry:
    """One OAI record: live (``item`` set) or deleted (``item`` None, no content at all)."""

    item_id: int
    datestamp: datetime
    item: Item | None
    set_ids: list[int] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return self.item is None


def _query(*, since: datetime | None, before: datetime | None, collection_id: int | None):
    live_item = and_(_same_item(), OaiRecord.withdrawn_at.is_(None), visible_items(ANONYMOUS))
    stmt = select(OaiRecord, Item).outerjoin(Item, live_item)
    if since is not None:
        stmt = stmt.where(OaiRecord.datestamp >= since)
    if before is not None:
        stmt = stmt.where(OaiRecord.datestamp < before)
    if collection_id is not None:  # the caller checked that the collection is public
        stmt = stmt.where(OaiRecord.item_id.in_(
            select(OaiRecordSet.item_id).where(OaiRecordSet.collection_id == collection_id)))
    return stmt


def entries(*, since=None, before=None, collection_id=None, after_id: int = 0, limit: int) -> list[Entry]:
    """Up to ``limit`` records with item ids above ``after_id``, in id order."""
    stmt = (
        _query(since=since, before=before, collection_id=collection_id)
        .where(OaiRecord.item_id > after_id)
        .order_by(OaiRecord.item_id)
        .limit(limit)
        .options(selectinload(Item.credits), selectinload(Item.themes))
    )
    found = [Entry(record.item_id, record.datestamp, item) for record, item in db.session.execute(stmt)]
    _fill_sets(found)
    return found


def count(*, since=None, before=None, collection_id=None) -> int:
    """How many records match, for ``completeListSize``."""
    stmt = _query(since=since, before=before, collection_id=collection_id).subquery()
    return db.session.scalar(select(func.count()).select_from(stmt))


def entry(item_id: int) -> Entry | None:
    """The record of one item, or None when the repository never exposed it."""
    found = entries(after_id=item_id - 1, limit=1)
    return found[0] if found and found[0].item_id == item_id else None


def _fill_sets(found: list[Entry]) -> None:
    """Each record's sets: those it was last shown in that are public collections still."""
    if not found:
        return
    by_id = {entry.item_id: entry for entry in found}
    rows = db.session.execute(
        select(OaiRecordSet.item_id, OaiRecordSet.collection_id)
        .join(Collection, Collection.id == OaiRecordSet.collection_id)
        .where(OaiRecordSet.item_id.in_(by_id), visible_collections(ANONYMOUS))
        .order_by(OaiRecordSet.collection_id)
    )
    for item_id, collection_id in rows:
        by_id[item_id].set_ids.append(collection_id)


def public_collections() -> list[Collection]:
    """The sets: collections the public may see, in id order."""
    return list(db.session.scalars(select(Collection).where(visible_collections(ANONYMOUS)).order_by(Collection.id)))


def public_collection_exists(collection_id: int) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(Collection).where(Collection.id == collection_id,
                                                           visible_collections(ANONYMOUS))
    ) > 0


def earliest_datestamp() -> datetime | None:
    return db.session.scalar(select(func.min(OaiRecord.datestamp)))
