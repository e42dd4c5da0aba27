"""Hits and snippets: from the word positions a query matched back to cues, their times and text.

A subtitle track is one index document; its stored ``cue_starts`` turn a matched word position into
the cue that holds it. Each result item gets its best few moments (the cues holding the most query
parts, then the earliest), each with the cue's text from the database, HTML-escaped, the searched
words in ``<mark>``.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import islice

from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, or_, select
from whoosh.query import AndNot, Phrase, Prefix, Query, Term, Wildcard
from whoosh.reading import TermNotFound

from archive.catalogue.models import Item
from archive.extensions import db
from archive.search.analysis import ANALYSES, WORD_RE, family_of
from archive.search.analysis.folding import lower, normal
from archive.search.schema import TEXT_FIELDS, unpack_starts
from archive.subtitles.models import Cue

MAX_EXPANSIONS = 64
_TYPED_PREFIX_RE = re.compile(r"([^\W_]+)\*")
SNIPPET_CHARS = 240
_MARK = Markup("<mark>{}</mark>")  # format() escapes the word


@dataclass
class Hit:
    """One matching moment: a cue's time, language and its text with the matched words marked.

    ``matched_as`` lists the cue's matched words that are not what was typed (another form, the
    letters typed without diacritics, another script), lowercase, as the cue spells them.
    """

    start: float
    end: float
    lang: str
    snippet: Markup
    track_id: int
    position: int
    matched_as: list[str] = field(default_factory=list)


@dataclass
class ItemResult:
    """One item in the results with its best moments."""

    item: Item
    score: float
    hits: list[Hit] = field(default_factory=list)
    hit_count: int = 0
    # The film's subtitle languages: with two or more, each hit links to the moment in all of them.
    subtitle_langs: list[str] = field(default_factory=list)

    @property
    def has_moment_view(self) -> bool:
        """Whether the item's moments can be read in other languages (a film with several subtitle tracks)."""
        return self.item.kind == "film" and len(self.subtitle_langs) > 1


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


def attach_hits(searcher, query: Query, results: list[ItemResult], tracks: dict, per_item: int,
                typed: str = "") -> None:
    """Fill each result's best moments: cues ranked by how many query terms they hold, then time.

    ``typed`` is the query as the person wrote it, to tell which matched words it did not spell.
    """
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
    pairs = sorted({(track_id, cue) for found in chosen.values() for _, track_id, cue, _ in found})
    cues = {}
    connection = db.session.connection()
    if len(pairs) > CUE_PAIRS_PER_QUERY:
        # Many moments of few tracks (search inside a film): tracks wanting the same cue positions
        # share one condition, both IN lists using the (track_id, position) index.
        by_track: dict[int, set[int]] = defaultdict(set)
        for track_id, cue in pairs:
            by_track[track_id].add(cue)
        groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for track_id, positions in by_track.items():
            groups[tuple(sorted(positions))].append(track_id)
        group_list = sorted(groups.items())
        for start in range(0, len(group_list), 50):
            chunk = group_list[start:start + 50]
            values = {}
            for n, (positions, track_ids) in enumerate(chunk):
                values[f"t{n}"], values[f"p{n}"] = track_ids, list(positions)
            for row in connection.execute(_grouped_cues_statement(len(chunk)), values):
                cues[(row.track_id, row.position)] = row
    elif pairs:
        # A page of best moments, a few per track: one statement of a few fixed sizes, built and
        # compiled once each (putting one together per request cost more than running it).
        size = -(-len(pairs) // CUE_PAIRS_STEP) * CUE_PAIRS_STEP
        values = {}
        for n, (track_id, position) in enumerate(pairs + [pairs[-1]] * (size - len(pairs))):
            values[f"t{n}"], values[f"p{n}"] = track_id, position
        for row in connection.execute(_cues_statement(size), values):
            cues[(row.track_id, row.position)] = row
    highlight = {fieldname: {b.decode("utf-8") for b in values} for fieldname, values in terms.items()}
    typed_forms: dict[str, tuple[set[str], tuple[str, ...]]] = {}
    for result in results:
        found = chosen.get(result.item.id, [])
        result.hit_count = hit_counts[result.item.id]
        for _, track_id, cue_position, lang in found:
            row = cues.get((track_id, cue_position))
            if row is None:  # the track changed since it was indexed; its new version is on its way
                continue
            family = family_of(lang)
            if family not in typed_forms:
                typed_forms[family] = _typed_forms(typed, family)
            text = " ".join(row.plain.split())
            marked = _marked(text, family, highlight.get(f"text_{family}", set()))
            result.hits.append(Hit(row.start, row.end, lang, _snippet(text, marked), track_id, cue_position,
                                   _matched_as(marked, family, *typed_forms[family]) if typed else []))


CUE_PAIRS_PER_QUERY = 160  # 320 parameters: within every SQLite's limit
CUE_PAIRS_STEP = 16


@lru_cache(maxsize=CUE_PAIRS_PER_QUERY // CUE_PAIRS_STEP)
def _cues_statement(pairs: int):
    """Cue rows for ``pairs`` (track, position) pairs of parameters ``t<n>``/``p<n>``.

    One equality pair per cue, joined by OR: both SQLite (a multi-index OR) and PostgreSQL (a
    bitmap OR) look each one up in the (track_id, position) index, where a row-value IN would scan
    the table. Built once per size: putting it together costs more than running it.
    """
    wanted = or_(*(and_(Cue.track_id == bindparam(f"t{n}"), Cue.position == bindparam(f"p{n}")) for n in range(pairs)))
    return select(Cue.track_id, Cue.position, Cue.start, Cue.end, Cue.plain).where(wanted)


@lru_cache(maxsize=64)
def _grouped_cues_statement(groups: int):
    """Cue rows for ``groups`` (tracks, positions) pairs of parameters ``t<n>``/``p<n>``.

    Built once per number of groups. Expanding parameters send the numbers to the driver as they
    are, not as one literal each.
    """
    wanted = or_(*(and_(Cue.track_id.in_(bindparam(f"t{n}", expanding=True)),
                        Cue.position.in_(bindparam(f"p{n}", expanding=True))) for n in range(groups)))
    return select(Cue.track_id, Cue.position, Cue.start, Cue.end, Cue.plain).where(wanted)


def _marked(text: str, family: str, terms: set[str]) -> list[re.Match]:
    """The words of ``text`` with an index key among ``terms``."""
    keys = ANALYSES[family].keys
    return [m for m in WORD_RE.finditer(text) if not terms.isdisjoint(keys(m.group(0)))]


def _typed_forms(typed: str, family: str) -> tuple[set[str], tuple[str, ...]]:
    """The words and ``prefix*`` prefixes typed, as ``normal`` writes them in ``family``."""
    words = {normal(word, family) for word in WORD_RE.findall(typed)}
    prefixes = tuple(normal(m.group(1), family) for m in _TYPED_PREFIX_RE.finditer(typed))
    return words, prefixes


def _matched_as(marked: list[re.Match], family: str, words: set[str], prefixes: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for match in marked:
        word = normal(match.group(0), family)
        shown = lower(match.group(0), family)
        if word not in words and not word.startswith(prefixes) and shown not in found:
            found.append(shown)
    return found


def matched_as(text: str, family: str, terms: set[str], typed: str) -> list[str]:
    """The matched words of a cue that were not typed as such (lowercase, in the cue's spelling)."""
    if not typed:
        return []
    return _matched_as(_marked(" ".join(text.split()), family, terms), family, *_typed_forms(typed, family))


def snippet(text: str, family: str, terms: set[str]) -> Markup:
    """The cue's text, HTML-escaped, with words whose index term was searched for in ``<mark>``."""
    text = " ".join(text.split())
    return _snippet(text, _marked(text, family, terms))


def _snippet(text: str, marked: list[re.Match]) -> Markup:
    """``text`` (spaces already tidied) escaped, the ``marked`` words in ``<mark>``."""
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
