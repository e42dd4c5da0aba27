"""Searching: ``search`` runs a query for one person and returns a page of results with facet counts.

It reads the query (``parsing``), finds it in the index among the documents the person's audience
may see (``visibility``), keeps the items the database still shows them and that still match the
facet filters, ranks them by their best document, counts facets over all of them, and gives the
page's items their timecoded hits (``hits``). The facet filters a request may carry are read here
too (``options_from_args``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from whoosh.query import And, NumericRange, Query, Term

from archive import validation
from archive.catalogue.models import KINDS, Item
from archive.extensions import db
from archive.search import store
from archive.search.hits import ItemResult, attach_hits
from archive.search.operations import check_index_complete
from archive.search.parsing import QueryError, clean_query, parse_query
from archive.search.schema import analysis_is_current
from archive.search.visibility import audience_filter, hide_unseen_collections, visible_attributes
from archive.subtitles.models import SubtitleTrack

ITEM_DOC_BOOST = 1.5  # a match in a title or description says more about the item than one cue


@dataclass
class SearchResults:
    """A page of results grouped by item, the total, and facet counts over all results."""

    query: str
    total: int
    page: int
    per_page: int
    items: list[ItemResult]
    facets: dict[str, list[dict]]

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, -(-self.total // self.per_page))


# Built once: putting a statement together costs more than running it. Expanding parameters send
# the ids to the driver as they are.
_ITEMS = select(Item).where(Item.id.in_(bindparam("ids", expanding=True)))
_SUBTITLE_LANGS = (select(SubtitleTrack.item_id, SubtitleTrack.lang)
                   .where(SubtitleTrack.item_id.in_(bindparam("ids", expanding=True))).order_by(SubtitleTrack.lang))


def _filter_docs(searcher, filters: list[Query]):
    """The documents the filters allow, as a set of numbers, cached per searcher (the index is unchanged)."""
    if not filters:
        return None
    cache = getattr(searcher, "_archive_filters", None)
    if cache is None:
        cache = searcher._archive_filters = {}
    key = repr(filters)
    if key not in cache:
        if len(cache) > 256:
            cache.clear()
        cache[key] = set(And(filters).docs(searcher))
    return cache[key]


def _scored(searcher, query: Query, allowed: set[int] | None):
    """(document number, score) of every document matching ``query`` among ``allowed`` (None: all).

    What ``searcher.search(query, filter=allowed, limit=None).items()`` gives, with the same
    matchers and scores, without a collector, a result list sorted by score, and its bookkeeping
    per document: every match is grouped by item afterwards anyway.
    """
    context = searcher.context()
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        countdown = REPLACE_EVERY
        while matcher.is_active():
            docnum = matcher.id() + offset
            if allowed is None or docnum in allowed:
                yield docnum, matcher.score()
            matcher.next()
            countdown -= 1
            if not countdown:
                # As Whoosh's collectors do: a union whose one side has ended becomes the other side.
                matcher = matcher.replace()
                countdown = REPLACE_EVERY


REPLACE_EVERY = 10


def _columns(searcher) -> tuple[list, list, list]:
    """item id, track id and subtitle language per document number, cached per searcher."""
    cached = getattr(searcher, "_archive_columns", None)
    if cached is None:
        reader = searcher.reader()
        if reader.doc_count_all() == 0 or not reader.has_column("item_id"):
            return [], [], []
        # Per segment: Whoosh's MultiReader leaves out segments that lack a column, which would
        # shift every later document's values; a segment reader fills in the default instead.
        cached = ([], [], [])
        for leaf, _offset in sorted(reader.leaf_readers(), key=lambda pair: pair[1]):
            for values, field in zip(cached, ("item_id", "track_id", "subtitle_lang"), strict=True):
                values.extend(leaf.column_reader(field))
        searcher._archive_columns = cached
    return cached


def search(
    text: str | None,
    *,
    user,
    kind: str | None = None,
    lang: str | None = None,
    subtitle_lang: str | None = None,
    year: int | None = None,
    theme: str | None = None,
    collection: int | None = None,
    item_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
    hits_per_item: int = 3,
) -> SearchResults:
    """Search what ``user`` may see; results grouped by item, best first, with facet counts."""
    cleaned = clean_query(text)
    if not cleaned:
        raise QueryError(_("Type a word, a name or a \"phrase in quotes\" to search for."))
    query = hide_unseen_collections(parse_query(cleaned), user)
    filters = [f for f in [audience_filter(user)] if f is not None]
    if kind:
        filters.append(Term("kind", kind.lower()))
    if lang:
        filters.append(Term("lang", lang.lower()))
    if subtitle_lang:
        filters.append(Term("subtitle_lang", subtitle_lang.lower()))
    if year is not None:
        filters.append(NumericRange("year", year, year))
    if theme:
        filters.append(Term("theme", theme.lower()))
    if collection is not None:
        filters.append(Term("collection", str(collection)))
    if item_id is not None:
        filters.append(Term("item", str(item_id)))

    searcher = store.searcher()
    check_index_complete(searcher.doc_count_all(), current=analysis_is_current(searcher.schema))
    item_ids, track_ids, langs = _columns(searcher)
    scores: dict[int, float] = {}
    tracks: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for docnum, score in _scored(searcher, query, _filter_docs(searcher, filters)):
        owner = item_ids[docnum]
        track_id = track_ids[docnum]
        if track_id:
            tracks[owner].append((docnum, track_id, langs[docnum]))
        else:
            score *= ITEM_DOC_BOOST
        if score > scores.get(owner, 0.0):
            scores[owner] = score

    attributes = visible_attributes(searcher, user, list(scores))
    wanted = {
        "kind": kind, "lang": lang and lang.lower(), "theme": theme and theme.lower(),
        "year": year, "collection": collection,
    }
    matching = [i for i in scores if i in attributes and _matches(attributes[i], wanted)]
    facets = _facets(matching, attributes, tracks)
    matching.sort(key=lambda i: (-scores[i], -i))
    chosen = matching[(page - 1) * per_page: page * per_page]
    rows = {item.id: item for item in db.session.scalars(_ITEMS, {"ids": chosen})} if chosen else {}
    page_items = [ItemResult(rows[i], scores[i]) for i in chosen if i in rows]
    attach_hits(searcher, query, page_items, tracks, hits_per_item, typed=cleaned)
    _attach_subtitle_langs(page_items)
    return SearchResults(cleaned, len(matching), page, per_page, page_items, facets)


def _attach_subtitle_langs(results: list[ItemResult]) -> None:
    """Each result's subtitle languages, from the database (one query for the page)."""
    if not results:
        return
    by_item = {result.item.id: result for result in results}
    rows = db.session.connection().execute(_SUBTITLE_LANGS, {"ids": list(by_item)})
    for item_id, lang in rows:
        by_item[item_id].subtitle_langs.append(lang)


def _matches(attributes: dict, wanted: dict) -> bool:
    """The database's word on the facet filters (the index may lag behind an edit)."""
    if wanted["kind"] and attributes["kind"] != wanted["kind"]:
        return False
    if wanted["year"] is not None and attributes["year"] != wanted["year"]:
        return False
    if wanted["lang"] and wanted["lang"] not in attributes["lang"]:
        return False
    if wanted["theme"] and wanted["theme"] not in attributes["theme"]:
        return False
    if wanted["collection"] is not None and wanted["collection"] not in {c for c, _ in attributes["collection"]}:
        return False
    return True


def _facets(ids: list[int], attributes: dict[int, dict], tracks: dict) -> dict[str, list[dict]]:
    """How many result items have each kind, year, film language, subtitle language, theme, collection."""
    counts: dict[str, Counter] = {name: Counter() for name in ("kind", "year", "lang", "subtitle_lang", "theme")}
    collections: Counter = Counter()
    labels: dict = {}
    for item_id in ids:
        found = attributes[item_id]
        counts["kind"][found["kind"]] += 1
        if found["year"] is not None:
            counts["year"][found["year"]] += 1
        counts["lang"].update(set(found["lang"]))
        counts["theme"].update(set(found["theme"]))
        counts["subtitle_lang"].update({lang for _, _, lang in tracks.get(item_id, ())})
        for collection_id, label in set(found["collection"]):
            collections[collection_id] += 1
            labels[collection_id] = label
    facets = {
        name: [{"value": value, "count": count} for value, count in sorted(counter.items(), key=_facet_order)]
        for name, counter in counts.items()
    }
    facets["collection"] = [
        {"value": cid, "label": str(labels[cid]), "label_lang": getattr(labels[cid], "lang", ""), "count": count}
        for cid, count in sorted(collections.items(), key=_facet_order)
    ]
    return facets


def _facet_order(pair):
    value, count = pair
    return (-count, str(value))


def options_from_args(args) -> dict:
    """Facet filters from query-string arguments; a malformed one is a QueryError saying so."""
    options: dict = {}
    kind = (args.get("kind") or "").strip().lower()
    if kind:
        if kind not in KINDS:
            raise QueryError(_("kind=%(value)s is not a kind; use one of: %(kinds)s.", value=repr(kind), kinds=", ".join(KINDS)))
        options["kind"] = kind
    for name in ("lang", "subtitle_lang", "theme"):
        value = (args.get(name) or "").strip()
        if value:
            if len(value) > 100 or any(unicodedata.category(ch)[0] == "C" for ch in value):
                raise QueryError(_("%(name)s=%(value)s is not a valid value; use a language tag such as hy or a theme name.",
                                   name=name, value=repr(value[:40])))
            options[name] = value
    for name in ("year", "collection"):
        value = (args.get(name) or "").strip()
        if value:
            try:
                number = validation.parse_whole(value)
            except ValueError:
                number = None
            if number is None or not 0 < number <= validation.MAX_RECORD_ID:
                raise QueryError(_("%(name)s=%(value)s is not a number; give digits 0-9 such as 2019.",
                                   name=name, value=repr(value[:20])))
            options[name] = number
    return options
