"""Searching: parse what a person typed, find it in the index, keep only what they may see,
group by item with timecoded hits, count facets.

Visibility is applied twice: inside the search (each document carries its item's visibility and
embargo date, filtered by the caller's audience), and again against the database for every item
that is counted or shown, so an index that lags behind a visibility change still leaks nothing.
"""

from __future__ import annotations

import heapq
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import islice

from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, or_, select
from whoosh.query import (
    And,
    AndNot,
    NumericRange,
    Phrase,
    Prefix,
    Query,
    Term,
    Wildcard,
)
from whoosh.reading import TermNotFound

from archive.catalogue.models import KINDS, Item
from archive.extensions import db
from archive.search import store
from archive.search.analysis import ANALYSES, WORD_RE, family_of
from archive.search.parsing import QueryError, clean_query, parse_query
from archive.search.schema import TEXT_FIELDS, unpack_starts
from archive.search.visibility import audience_filter, visible_attributes
from archive.subtitles.models import Cue

MAX_EXPANSIONS = 64
ITEM_DOC_BOOST = 1.5  # a match in a title or description says more about the item than one cue
SNIPPET_CHARS = 240
_MARK = Markup("<mark>{}</mark>")  # format() escapes the word


@dataclass
class Hit:
    """One matching moment: a cue's time, language and its text with the matched words marked."""

    start: float
    end: float
    lang: str
    snippet: Markup
    track_id: int
    position: int


@dataclass
class ItemResult:
    """One item in the results with its best moments."""

    item: Item
    score: float
    hits: list[Hit] = field(default_factory=list)
    hit_count: int = 0


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


# ---------------------------------------------------------------------------------------------
# Running it


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
        raise QueryError("Type a word, a name or a \"phrase in quotes\" to search for.")
    query = parse_query(cleaned)
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
    results = searcher.search(query, filter=_filter_docs(searcher, filters), limit=None)
    item_ids, track_ids, langs = _columns(searcher)
    scores: dict[int, float] = {}
    tracks: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for docnum, score in results.items():
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
    rows = {item.id: item for item in db.session.scalars(select(Item).where(Item.id.in_(chosen)))} if chosen else {}
    page_items = [ItemResult(rows[i], scores[i]) for i in chosen if i in rows]
    _attach_hits(searcher, query, page_items, tracks, hits_per_item)
    return SearchResults(cleaned, len(matching), page, per_page, page_items, facets)


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
    labels: dict[int, str] = {}
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
        {"value": cid, "label": labels[cid], "count": count} for cid, count in sorted(collections.items(), key=_facet_order)
    ]
    return facets


def _facet_order(pair):
    value, count = pair
    return (-count, str(value))


# ---------------------------------------------------------------------------------------------
# Hits: from matched word positions back to cues


def _cue_starts(searcher, docnum: int):
    """Where each cue of a track document begins, cached per searcher (the index is unchanged)."""
    cache = getattr(searcher, "_archive_starts", None)
    if cache is None:
        cache = searcher._archive_starts = {}
    starts = cache.get(docnum)
    if starts is None:
        starts = cache[docnum] = unpack_starts(searcher.stored_fields(docnum).get("cue_starts") or b"")
    return starts


def _positive_terms(query: Query, reader) -> tuple[dict[str, set[bytes]], set[tuple[str, bytes]], list]:
    """Terms to highlight per field, the terms that make a hit on their own, and the phrases.

    Prefixes are expanded to the indexed words they match; NOT parts are left out.
    """
    highlight: dict[str, set[bytes]] = defaultdict(set)
    standalone: set[tuple[str, bytes]] = set()
    phrases: list[tuple[str, list[bytes]]] = []

    def add(fieldname: str, text) -> None:
        btext = text if isinstance(text, bytes) else text.encode("utf-8")
        highlight[fieldname].add(btext)
        standalone.add((fieldname, btext))

    def walk(node: Query) -> None:
        if type(node).__name__ == "Not":
            return
        if isinstance(node, AndNot):
            walk(node.a)
        elif isinstance(node, Phrase):
            if node.fieldname in TEXT_FIELDS:
                words = [w.encode("utf-8") for w in node.words]
                phrases.append((node.fieldname, words))
                highlight[node.fieldname].update(words)
        elif isinstance(node, (Prefix, Wildcard)):
            if node.fieldname in TEXT_FIELDS:
                for fieldname, btext in islice(node.expanded_terms(reader), MAX_EXPANSIONS):
                    add(fieldname, btext)
        elif isinstance(node, Term):
            if node.fieldname in TEXT_FIELDS:
                add(node.fieldname, node.text)
        elif not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(query)
    return highlight, standalone, phrases


def _positions(reader, fieldname: str, btext: bytes, docnums: list[int]) -> dict[int, list[int]]:
    """Word positions of one term in each of ``docnums`` (ascending) that contains it."""
    try:
        matcher = reader.postings(fieldname, btext)
    except TermNotFound:
        return {}
    found = {}
    for docnum in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            found[docnum] = matcher.value_as("positions")
    return found


def _attach_hits(searcher, query: Query, results: list[ItemResult], tracks: dict, per_item: int) -> None:
    """Fill each result's best moments: cues ranked by how many query terms they hold, then time."""
    wanted = [(result, doc) for result in results for doc in tracks.get(result.item.id, ())]
    if not wanted:
        return
    reader = searcher.reader()
    terms, standalone, phrases = _positive_terms(query, reader)
    by_field: dict[str, list[int]] = defaultdict(list)
    doc_field = {}
    for _, (docnum, _, lang) in wanted:
        fieldname = f"text_{family_of(lang)}"
        by_field[fieldname].append(docnum)
        doc_field[docnum] = fieldname
    hits_at: dict[int, dict[bytes, list[int]]] = defaultdict(dict)
    for fieldname, docnums in by_field.items():
        docnums.sort()
        for btext in terms.get(fieldname, ()):
            for docnum, positions in _positions(reader, fieldname, btext, docnums).items():
                hits_at[docnum][btext] = positions

    # Per item: how many cues match, and the best few (most query parts in one cue, then earliest).
    hit_counts: Counter = Counter()
    candidates: dict[int, list[tuple[int, int, int, str]]] = defaultdict(list)  # item -> (-parts, track, cue, lang)
    for result, (docnum, track_id, lang) in wanted:
        found = hits_at.get(docnum)
        if not found:
            continue
        starts = _cue_starts(searcher, docnum)
        if not starts:
            continue
        fieldname = doc_field[docnum]
        cue_after = partial(bisect_right, starts)  # the cue holding a position, plus one
        # One set of cues per query part (a phrase or a standalone word) found in this track.
        parts: list[set[int]] = []
        for phrase_field, words in phrases:
            if phrase_field != fieldname or any(w not in found for w in words):
                continue
            begins = set(found[words[0]])
            for offset in range(1, len(words)):
                begins &= {position - offset for position in found[words[offset]]}
            if begins:
                parts.append(set(map(cue_after, begins)))
        for btext, positions in found.items():
            if (fieldname, btext) in standalone:
                parts.append(set(map(cue_after, positions)))
        if not parts:
            continue
        if len(parts) == 1:
            hit_counts[result.item.id] += len(parts[0])
            best = [(-1, track_id, cue - 1, lang) for cue in heapq.nsmallest(per_item, parts[0])]
        else:
            per_cue: Counter = Counter()
            for cues_of_part in parts:
                per_cue.update(cues_of_part)
            hit_counts[result.item.id] += len(per_cue)
            best = [(-count, track_id, cue - 1, lang)
                    for cue, count in heapq.nsmallest(per_item, per_cue.items(), key=lambda pair: (-pair[1], pair[0]))]
        candidates[result.item.id].extend(best)

    chosen: dict[int, list[tuple[int, int, int, str]]] = {}
    for item_id, found in candidates.items():
        found.sort()
        chosen[item_id] = found[:per_item]
    pairs = {(track_id, cue) for found in chosen.values() for _, track_id, cue, _ in found}
    cues = {}
    by_track: dict[int, set[int]] = defaultdict(set)
    for track_id, cue in pairs:
        by_track[track_id].add(cue)
    # Tracks wanting the same cue positions share one condition (the best moments are often the
    # first cues of each track); both IN lists use the (track_id, position) index, where a
    # row-value IN would scan the table.
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for track_id, positions in by_track.items():
        groups[tuple(sorted(positions))].append(track_id)
    group_list = sorted(groups.items())
    for start in range(0, len(group_list), 50):
        chunk = group_list[start:start + 50]
        values = {}
        for n, (positions, track_ids) in enumerate(chunk):
            values[f"t{n}"], values[f"p{n}"] = track_ids, list(positions)
        for row in db.session.connection().execute(_cues_statement(len(chunk)), values):
            cues[(row.track_id, row.position)] = row
    highlight = {fieldname: {b.decode("utf-8") for b in values} for fieldname, values in terms.items()}
    for result in results:
        found = chosen.get(result.item.id, [])
        result.hit_count = hit_counts[result.item.id]
        for _, track_id, cue_position, lang in found:
            row = cues.get((track_id, cue_position))
            if row is None:  # the track changed since it was indexed; its new version is on its way
                continue
            family = family_of(lang)
            result.hits.append(Hit(row.start, row.end, lang, snippet(row.plain, family, highlight.get(f"text_{family}", set())),
                                   track_id, cue_position))


@lru_cache(maxsize=64)
def _cues_statement(groups: int):
    """Cue rows for ``groups`` (tracks, positions) pairs of parameters ``t<n>``/``p<n>``.

    Built once per number of groups: putting the expression together costs more than running it.
    Expanding parameters send the numbers to the driver as they are, not as one literal each.
    """
    wanted = or_(*(and_(Cue.track_id.in_(bindparam(f"t{n}", expanding=True)),
                        Cue.position.in_(bindparam(f"p{n}", expanding=True))) for n in range(groups)))
    return select(Cue.track_id, Cue.position, Cue.start, Cue.end, Cue.plain).where(wanted)


def snippet(text: str, family: str, terms: set[str]) -> Markup:
    """The cue's text, HTML-escaped, with words whose index term was searched for in ``<mark>``."""
    analysis = ANALYSES[family]
    text = " ".join(text.split())
    marked = [m for m in WORD_RE.finditer(text) if analysis.term(m.group(0)) in terms]
    begin = 0
    if len(text) > SNIPPET_CHARS and marked:
        # A long cue starts shortly before its first marked word.
        begin = text.rfind(" ", 0, max(0, marked[0].start() - 80)) + 1
    pieces = [escape("… " if begin else "")]
    last = begin
    for match in marked:
        if match.start() < begin:
            continue
        pieces.append(escape(text[last:match.start()]))
        pieces.append(_MARK.format(match.group(0)))
        last = match.end()
    pieces.append(escape(text[last:]))
    return escape("").join(pieces)


def options_from_args(args) -> dict:
    """Facet filters from query-string arguments; a malformed one is a QueryError saying so."""
    options: dict = {}
    kind = (args.get("kind") or "").strip().lower()
    if kind:
        if kind not in KINDS:
            raise QueryError(f"kind={kind!r} is not a kind; use one of: {', '.join(KINDS)}.")
        options["kind"] = kind
    for name in ("lang", "subtitle_lang", "theme"):
        value = (args.get(name) or "").strip()
        if value:
            if len(value) > 100 or any(unicodedata.category(ch)[0] == "C" for ch in value):
                raise QueryError(f"{name}={value[:40]!r} is not a valid value; use a language tag such as hy or a theme name.")
            options[name] = value
    for name in ("year", "collection"):
        value = (args.get(name) or "").strip()
        if value:
            if not value.isdigit() or len(value) > 9:
                raise QueryError(f"{name}={value[:20]!r} is not a number; give digits such as 2019.")
            options[name] = int(value)
    return options
