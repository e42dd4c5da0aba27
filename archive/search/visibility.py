"""Who may see which search result: the index-side filter and the database re-check.

Visibility is applied twice, both times by the catalogue's rule (``archive/catalogue/visibility.py``):
inside the search (each document carries its item's visibility and embargo date, filtered by the
caller's audience), and again against the database for every item that is counted or shown, so an
index that lags behind a visibility change still leaks nothing. The re-check also hands back the
facet attributes of the items that pass; those are cached per searcher, who may see them never is.
"""

from __future__ import annotations

import time

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from whoosh.query import And, NumericRange, Or, Query, Term

from archive.auth.permissions import audience_of
from archive.catalogue.models import Collection, Item, Theme, collection_items, item_themes
from archive.catalogue.visibility import LEVELS, visible_collections, visible_items
from archive.extensions import db
from archive.i18n.records import Shown, shown
from archive.timeutil import utcnow


def _today() -> int:
    return int(utcnow().strftime("%Y%m%d"))


def audience_filter(user) -> Query | None:
    """The documents ``user`` may see, as an index query (None: everything, for staff)."""
    audience = audience_of(user)
    if audience == "staff":
        return None
    levels = Or([Term("visibility", level) for level in LEVELS[audience]])
    return And([levels, NumericRange("embargo", None, _today())])


NO_COLLECTION = Term("collection", "none")  # matches no document: what a missing collection's filter finds


def hide_unseen_collections(query: Query, user) -> Query:
    """``query`` with every ``collection:`` filter ``user`` may not see made to match what a missing one does.

    The index lists every collection an item belongs to, so a typed ``collection:2`` (or its
    negation, or a range or prefix over ids) would otherwise sort a hidden collection's members
    from the rest. A filter on a collection the reader may see stays as typed; any other
    collection filter matches nothing, exactly as one naming a collection that does not exist.
    """
    if audience_of(user) == "staff":
        return query
    named = [leaf for leaf in query.leaves() if getattr(leaf, "fieldname", None) == "collection"]
    if not named:
        return query
    ids = {int(leaf.text) for leaf in named if isinstance(leaf, Term) and str(leaf.text).isascii()
           and str(leaf.text).isdigit() and len(str(leaf.text)) < 10}
    seen = set(db.session.scalars(select(Collection.id).where(Collection.id.in_(ids), visible_collections(user)))) if ids else set()

    def rewrite(node: Query) -> Query:
        if getattr(node, "fieldname", None) == "collection" and node.is_leaf():
            keep = isinstance(node, Term) and str(node.text).isdigit() and str(node.text).isascii() and int(node.text) in seen
            return node if keep else NO_COLLECTION
        if node.is_leaf():
            return node
        rebuilt = node.apply(rewrite)
        if isinstance(node, Or):
            rebuilt.matcher_type = node.matcher_type
        return rebuilt

    return rewrite(query)


def visible_attributes(searcher, user, ids: list[int]) -> dict[int, dict]:
    """Facet attributes of the items among ``ids`` that ``user`` may see.

    Who may see what is read from the database on every search. The facet attributes themselves
    (kind, year, languages, themes, collection membership) are cached per searcher for at most
    ``ATTRIBUTE_CACHE_SECONDS``; collection names come from the database each time, and only for
    collections ``user`` may see.
    """
    execute = db.session.connection().execute  # Core rows: the ORM's row handling costs more here
    visible: list[int] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        # An expanding parameter: the ids go to the driver as they are, not one SQL literal each.
        visible.extend(execute(_visible_statement(user), {"ids": chunk}).scalars())
    cached = _attribute_cache(searcher)
    missing = [item_id for item_id in visible if item_id not in cached]
    for start in range(0, len(missing), 900):
        cached.update(_item_attributes(execute, missing[start:start + 900]))
    member_of = {cid for item_id in visible for cid in cached[item_id]["collection"]}
    labels: dict[int, Shown] = {}
    if member_of:
        for collection_id, title in execute(
            select(Collection.id, Collection.title).where(Collection.id.in_(sorted(member_of)), visible_collections(user))
        ):
            labels[collection_id] = _title(title, collection_id)
    found: dict[int, dict] = {}
    for item_id in visible:
        attributes = cached[item_id]
        found[item_id] = {**attributes, "collection": [(cid, labels[cid]) for cid in attributes["collection"] if cid in labels]}
    return found


_STATEMENTS: dict[tuple[str, int], Select] = {}


def _visible_statement(user) -> Select:
    """The ids among ``:ids`` that ``user`` may see, built once per audience and day.

    The catalogue's rule depends on the audience and today's date alone; putting the statement
    together costs several times more than running it.
    """
    key = (audience_of(user), _today())
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) > 16:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = select(Item.id).where(Item.id.in_(bindparam("ids", expanding=True)),
                                                             visible_items(user))
    return statement


ATTRIBUTE_CACHE_SECONDS = 30.0


def _attribute_cache(searcher) -> dict[int, dict]:
    """This searcher's item attributes, emptied when older than ``ATTRIBUTE_CACHE_SECONDS``."""
    now = time.monotonic()
    cache = getattr(searcher, "_archive_attributes", None)
    if cache is None or now - cache[0] > ATTRIBUTE_CACHE_SECONDS:
        cache = searcher._archive_attributes = (now, {})
    return cache[1]


def _item_attributes(execute, ids: list[int]) -> dict[int, dict]:
    """Kind, year, languages, theme names and collection ids of the items ``ids``, from the database."""
    found: dict[int, dict] = {}
    for item_id, kind, year, languages in execute(
        select(Item.id, Item.kind, Item.year, Item.languages).where(Item.id.in_(bindparam("ids", expanding=True))),
        {"ids": ids},
    ):
        found[item_id] = {"kind": kind, "year": year, "lang": [x.lower() for x in languages or []],
                          "theme": [], "collection": []}
    for item_id, name in execute(
        select(item_themes.c.item_id, Theme.name)
        .join(Theme, Theme.id == item_themes.c.theme_id)
        .where(item_themes.c.item_id.in_(bindparam("ids", expanding=True))),
        {"ids": ids},
    ):
        if item_id in found:
            found[item_id]["theme"].append(name)
    for item_id, collection_id in execute(
        select(collection_items.c.item_id, collection_items.c.collection_id)
        .where(collection_items.c.item_id.in_(bindparam("ids", expanding=True))),
        {"ids": ids},
    ):
        if item_id in found:
            found[item_id]["collection"].append(collection_id)
    return found


def _title(titles: dict, collection_id: int) -> Shown:
    """The collection's title in the reader's language when it has one (as ``Collection.shown_title``)."""
    return shown(titles or {}) or Shown(_("Collection %(id)s", id=collection_id))
