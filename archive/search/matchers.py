"""Faster Whoosh queries for the subtitle and description fields: exact phrases and ``word*`` prefixes.

Whoosh's own Phrase and Prefix step through postings and word positions one at a time in Python,
and a track document holds hundreds of occurrences of a common word. These read each term's
postings a block at a time and match on the stored position arrays with ``array``, ``set`` and
``map``, which do the work in C; they find the documents Whoosh's would. ``parsing`` puts them in
place of Whoosh's for the text fields.
"""

from __future__ import annotations

import math
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from itertools import repeat
from operator import sub

from whoosh.matching import ListMatcher, NullMatcher
from whoosh.query import Phrase, Prefix

from archive.search.analysis import PREFIX_SEPARATOR
from archive.search.schema import CuePositions


class CuePhrase(Phrase):
    """An exact phrase in a subtitle or description field, matched on decoded position arrays.

    Whoosh's Phrase walks a span object per word occurrence in Python; a track holds hundreds of
    occurrences of a common word, so this one intersects position sets instead and scores the
    number of occurrences with a BM25-style saturation.
    """

    K1 = 1.2

    def matcher(self, searcher, context=None):
        """Documents of this (segment) searcher holding the words next to each other, in order."""
        reader = searcher.reader()
        fieldname = self.fieldname
        words = [w.encode("utf-8") if isinstance(w, str) else w for w in self.words]
        if not words or any((fieldname, w) not in reader for w in words):
            return NullMatcher()
        fmt = searcher.schema[fieldname].format
        decode = fmt.decode_positions
        # An index built before CuePositions existed stores Whoosh's format: decode it generically.
        shifted_source = array_of if isinstance(fmt, CuePositions) else decode
        found: dict[int, list] = {}
        for index, word in enumerate(words):
            values = _all_values(reader, fieldname, word)
            if index == 0:
                found = {docnum: [value] for docnum, value in values.items()}
            else:
                found = {docnum: have + [values[docnum]] for docnum, have in found.items() if docnum in values}
            if not found:
                return NullMatcher()
        ids, counts = [], []
        for docnum in sorted(found):
            values = found[docnum]
            # Anchor on the word with the most positions (a set built in C) and walk only the
            # others, each shifted in C by map() to where the anchor word would then be.
            anchor = max(range(len(words)), key=lambda index: len(values[index]))
            starts = set(decode(values[anchor]))
            for index in range(len(words)):
                if index != anchor:
                    starts.intersection_update(map(sub, shifted_source(values[index]), repeat(index - anchor)))
                    if not starts:
                        break
            if starts:
                ids.append(docnum)
                counts.append(len(starts))
        if not ids:
            return NullMatcher()
        total = max(reader.doc_count_all(), 1)
        idf = math.log(1 + (total - len(ids) + 0.5) / (len(ids) + 0.5))
        scores = [self.boost * idf * count * (self.K1 + 1) / (count + self.K1) for count in counts]
        return ListMatcher(ids, weights=scores)


class CuePrefix(Prefix):
    """``word*`` in a subtitle or description field: every document holding a word that starts so.

    The analysis may give the prefix alternatives (the folded letters typed, and their own key:
    ``köçkünlər*`` looks for words starting ``kockunler`` or ``kockun``), joined by
    ``PREFIX_SEPARATOR``. Scored as a constant, like Whoosh's Prefix, but matched as one set union of the expanded
    words' documents instead of an OR of a scored matcher per word (a short prefix expands to
    hundreds of words).
    """

    def matcher(self, searcher, context=None):
        """Documents of this (segment) searcher holding any word with this prefix."""
        reader = searcher.reader()
        fieldname = self.fieldname
        docnums: set[int] = set()
        for btext in self._btexts(reader):
            docnums.update(_all_ids(reader, fieldname, btext))
        if not docnums:
            return NullMatcher()
        return ListMatcher(sorted(docnums), all_weights=self.boost)

    def estimate_size(self, ixreader):
        """Whoosh's estimate (the summed document frequencies of the words), from the kept words' counts."""
        if self.fieldname not in ixreader.schema:
            return 0
        kept = _segment_words(ixreader, self.fieldname) if ixreader.is_atomic() else None
        if kept is None:
            return super().estimate_size(ixreader)
        words, frequencies = kept
        return sum(frequencies[bisect_left(words, btext)] for btext in self._btexts(ixreader))

    def _btexts(self, reader):
        """The indexed words starting with any of the prefix's alternatives (the analysis may give two)."""
        seen: set[bytes] = set()
        for prefix in self.text.split(PREFIX_SEPARATOR):
            for btext in expand_prefix(reader, self.fieldname, prefix):
                if btext not in seen:
                    seen.add(btext)
                    yield btext


# Each segment's words per field, sorted, with their document counts, by (segment id, field): a
# segment's words never change (deleting documents leaves its terms), so a copy outlives the
# searcher that made it, and a reopened searcher (after every index change) finds the unchanged
# segments' words ready.
LEXICON_CACHE_WORDS = 2_000_000
_lexicons: OrderedDict[tuple[str, str], list[bytes]] = OrderedDict()
_lexicon_words = 0
_lexicon_lock = threading.Lock()


def expand_prefix(reader, fieldname: str, prefix: str) -> list[bytes]:
    """The indexed words of ``fieldname`` starting with ``prefix``, sorted (as ``reader.expand_prefix``).

    Whoosh's walks the terms file from the prefix on, in Python, for every query; this bisects a
    sorted copy of the field's words kept per segment (``_segment_words``).
    """
    if fieldname not in reader.schema:
        return []
    bprefix = prefix.encode("utf-8")
    # No UTF-8 byte is 0xff: every word starting with the prefix sorts before prefix + 0xff.
    end = bprefix + b"\xff"
    found: list[bytes] = []
    leaves = [leaf for leaf, _ in reader.leaf_readers()] if not reader.is_atomic() else [reader]
    for leaf in leaves:
        kept = _segment_words(leaf, fieldname)
        if kept is None:
            return list(reader.expand_prefix(fieldname, prefix))
        words = kept[0]
        found.extend(words[bisect_left(words, bprefix):bisect_left(words, end)])
    return sorted(set(found)) if len(leaves) > 1 else found


def _segment_words(reader, fieldname: str) -> tuple[list[bytes], array] | None:
    """A segment reader's words of ``fieldname``, sorted, and how many documents hold each.

    None for a reader that is not one segment's.
    """
    global _lexicon_words
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return None
    key = (segment.segment_id(), fieldname)
    with _lexicon_lock:
        kept = _lexicons.get(key)
        if kept is not None:
            _lexicons.move_to_end(key)
            return kept
    pairs = sorted((btext, info.doc_frequency()) for btext, info in reader.iter_field(fieldname))
    kept = ([btext for btext, _ in pairs], array("I", [frequency for _, frequency in pairs]))
    with _lexicon_lock:
        if key not in _lexicons:
            _lexicons[key] = kept
            _lexicon_words += len(pairs)
            while _lexicon_words > LEXICON_CACHE_WORDS and len(_lexicons) > 1:
                _, dropped = _lexicons.popitem(last=False)
                _lexicon_words -= len(dropped[0])
    return kept


def _all_ids(reader, fieldname: str, btext: bytes):
    """Every document holding a term, read a block at a time."""
    postings = reader.postings(fieldname, btext)
    if not (hasattr(postings, "_next_block") and hasattr(postings, "_read_ids")):
        return postings.all_ids()  # a single inlined posting, or another codec
    docnums: list[int] = []
    while postings.is_active():  # Whoosh's W3 block reader: take each block's ids whole
        postings.id()  # loads the block's ids
        docnums.extend(postings._ids)
        postings._next_block()
    return docnums


def _all_values(reader, fieldname: str, btext: bytes) -> dict[int, bytes]:
    """Every document holding a term, with its stored value (the positions), read a block at a time."""
    postings = reader.postings(fieldname, btext)
    found: dict[int, bytes] = {}
    if hasattr(postings, "_next_block") and hasattr(postings, "_read_values"):
        # Whoosh's W3 block reader: take each block's ids and values whole instead of stepping.
        while postings.is_active():
            postings.id()  # loads the block's ids
            postings.value()  # and its values
            found.update(zip(postings._ids, postings._values, strict=True))
            postings._next_block()
        return found
    while postings.is_active():  # a single inlined posting, or another codec
        found[postings.id()] = postings.value()
        postings.next()
    return found


def array_of(valuestring: bytes) -> array:
    """The positions stored by ``CuePositions`` as an array (no list copy)."""
    positions = array("I")
    positions.frombytes(valuestring)
    return positions
