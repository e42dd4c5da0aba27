"""The writer a full rebuild uses: the same segment Whoosh would write, built with less work per word.

Whoosh's writer turns every posting (one word of one document) into a tuple, sorts all of them at
commit and hands them one by one to the codec, several microseconds each in Python. A rebuild of a
million cues makes millions of postings, so here the subtitle and description fields (``IndexedText``)
collect each term's documents, weights and positions in compact arrays as documents arrive (they
arrive in document order, so nothing needs sorting but the terms), and at commit each term's
postings go to the codec a block at a time. Every other field takes Whoosh's ordinary path. The
files written are ordinary Whoosh segments: searching and later updates don't know the difference.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from operator import itemgetter

from whoosh.writing import PostingPool

from archive.search.analysis import terms_with_positions
from archive.search.schema import CuePositions, IndexedText

# Postings of the ordinary fields held in memory before a sorted run is written to disk.
GENERIC_POSTINGS_IN_MEMORY = 1_000_000


class _GenericPool(PostingPool):
    """Whoosh's posting pool, minus its per-posting type checks and size estimate."""

    def __init__(self, tempstore, segment, fieldnames) -> None:
        super().__init__(tempstore, segment)
        self.fieldnames = set(fieldnames)

    def add(self, item) -> None:
        """Hold one posting; sort the held ones out to a run file when there are too many."""
        self.current.append(item)
        if len(self.current) >= GENERIC_POSTINGS_IN_MEMORY:
            self.save()


class RebuildWriter:
    """Adds many documents through a Whoosh segment writer, then commits once.

    It takes over the given writer's segment (made with ``compound=False`` and a codec without
    length statistics); deletions still go to the writer itself, and whoever owns the writer
    commits it (or this object's ``commit``).
    """

    def __init__(self, writer) -> None:
        self.writer = writer
        writer.pool = _GenericPool(writer._tempstorage, writer.newsegment, writer.schema.names())
        writer._flush_segment = self._flush_segment
        # field name -> term -> (document numbers, weights, encoded positions)
        self.terms: dict[str, dict[str, tuple[array, array, list[bytes]]]] = defaultdict(dict)

    def add_document(self, **fields) -> None:
        """Add one document, as ``SegmentWriter.add_document`` does (no boosts, no ``_stored_`` values)."""
        writer = self.writer
        schema = writer.schema
        docnum = writer.docnum
        perdoc = writer.perdocwriter
        add_posting = writer.pool.add
        perdoc.start_doc(docnum)
        try:
            for fieldname in sorted(fields):
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if isinstance(field, IndexedText) and isinstance(field.format, CuePositions):
                    length = self._add_text(fieldname, field.family, docnum, value)
                elif field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        add_posting((fieldname, tbytes, docnum, weight, vbytes))
                perdoc.add_field(fieldname, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        writer._added = True
        writer.docnum += 1

    def _add_text(self, fieldname: str, family: str, docnum: int, value: str) -> int:
        """Collect the postings of one text field; returns its length in words."""
        terms = self.terms[fieldname]
        length = 0
        for term, positions in terms_with_positions(value, family).items():
            entry = terms.get(term)
            if entry is None:
                entry = terms[term] = (array("I"), array("f"), [])
            entry[0].append(docnum)
            entry[1].append(len(positions))
            entry[2].append(array("I", positions).tobytes())
            length += len(positions)
        return length

    def commit(self) -> None:
        """Write the segment and make it part of the index (no merging with other segments)."""
        self.writer.commit(merge=False)

    def cancel(self) -> None:
        """Abandon the segment."""
        self.writer.cancel()

    def _flush_segment(self) -> None:
        """Replaces ``SegmentWriter._flush_segment``: write every field's terms, in name order."""
        writer = self.writer
        writer.perdocwriter.close()
        generic: dict[str, list] = defaultdict(list)
        for posting in writer.pool.iter_postings():  # sorted by field, term, document
            generic[posting[0]].append(posting)
        fieldwriter = writer.fieldwriter
        for fieldname in sorted(set(generic) | set(self.terms)):
            fieldwriter.start_field(fieldname, writer.schema[fieldname])
            if fieldname in self.terms:
                _write_terms(fieldwriter, self.terms[fieldname])
            else:
                _write_postings(fieldwriter, generic[fieldname])
            fieldwriter.finish_field()
        fieldwriter.close()
        self.terms.clear()


def _write_terms(fieldwriter, terms: dict[str, tuple[array, array, list[bytes]]]) -> None:
    """Hand each term's postings to the codec's postings writer a whole block at a time."""
    # Sorting the text sorts the UTF-8 bytes the same way (both follow code points).
    for term in sorted(terms):
        docnums, weights, values = terms[term]
        fieldwriter.start_term(term.encode("utf-8"))
        postings = fieldwriter._postwriter
        limit = postings._blocklimit
        total = len(docnums)
        for start in range(0, total, limit):
            # What W3PostingsWriter.add_posting would have buffered for this block.
            postings._ids = docnums[start:start + limit]
            postings._weights = weights[start:start + limit]
            postings._values = values[start:start + limit]
            postings._maxweight = max(postings._weights)
            if start + limit < total:
                postings._write_block()
        fieldwriter.finish_term()  # writes the last block, or inlines a single posting


def _write_postings(fieldwriter, postings: list) -> None:
    """The ordinary path: one posting at a time, as ``FieldWriter.add_postings`` does."""
    current = None
    for btext, docnum, weight, vbytes in map(itemgetter(1, 2, 3, 4), postings):
        if btext != current:
            if current is not None:
                fieldwriter.finish_term()
            fieldwriter.start_term(btext)
            current = btext
        fieldwriter.add(docnum, weight, vbytes, 0)
    if current is not None:
        fieldwriter.finish_term()
