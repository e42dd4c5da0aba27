"""The writer a full rebuild uses: the same segment Whoosh would write, built with less work per word.

Whoosh's writer turns every posting (one word of one document) into a tuple, sorts all of them at
commit and hands them one by one to the codec, several microseconds each in Python. A rebuild of a
million cues makes millions of postings, so here the subtitle and description fields (``IndexedText``)
collect each term's documents, weights and positions in compact arrays as documents arrive (they
arrive in document order, so nothing needs sorting but the terms), and at commit each term's
postings go to the codec a block at a time. Every other field takes Whoosh's ordinary path. The
files written are ordinary Whoosh segments: searching and later updates don't know the difference.

A segment merge goes through the same writer (``add_segment``): the live documents of an existing
segment are copied, postings block by block straight from its files with their document numbers
moved, instead of being read back from the database and analysed again.
"""

from __future__ import annotations

import mmap
from array import array
from collections import defaultdict
from contextlib import contextmanager
from hashlib import md5
from itertools import accumulate, chain
from operator import itemgetter, sub
from struct import Struct

from whoosh import columns
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.compat import dumps, loads
from whoosh.filedb.filetables import _lengths as _LENGTHS
from whoosh.filedb.filetables import md5_hash
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool

from archive.search.analysis import terms_with_positions
from archive.search.schema import CuePositions, IndexedText

# Postings of the ordinary fields held in memory before a sorted run is written to disk.
GENERIC_POSTINGS_IN_MEMORY = 1_000_000
_TERM_INFO = W3TermInfo._struct
_EXTENT = Struct("!qi")  # after the term info: where the term's postings start, and their length in bytes
_BLOCK_LENGTH = Struct("!i")


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

    def add_segment(self, segment) -> int:
        """Copy the live documents of an existing segment of this index into the one being written.

        Documents deleted in it (this writer's deletions included) are left out. Postings are read a
        block at a time and given their new document numbers; each document's field lengths are
        summed from its postings' weights (the segment keeps them only rounded to a byte), so the
        copy is what writing the documents afresh would give. Returns the documents copied.
        """
        writer = self.writer
        schema = writer.schema
        reader = SegmentReader(writer.storage, schema, segment)
        try:
            is_deleted = reader.is_deleted
            live = [docnum for docnum in range(reader.doc_count_all()) if not is_deleted(docnum)]
            if not live:
                return 0
            base = writer.docnum
            docmap = None if len(live) == reader.doc_count_all() else {old: base + n for n, old in enumerate(live)}
            lengths = self._copy_postings(reader, base, docmap)
            self._copy_documents(reader, live, lengths)
        finally:
            reader.close()
        writer._added = True
        return len(live)

    def _copy_postings(self, reader, base: int, docmap: dict[int, int] | None) -> dict[str, dict[int, float]]:
        """Every posting of ``reader`` under its new document number; each scorable field's length per new document.

        The term index and the postings are parsed straight from the files' bytes (the term index
        as ``HashReader`` lays it out, the blocks as ``W3PostingsWriter`` writes them): Whoosh's
        readers spend tens of microseconds per term, and a small segment holds a term per posting or so.
        """
        schema = self.writer.schema
        terms_reader = reader._terms
        tindex = terms_reader._tindex
        keys = tindex.dbfile.get(tindex.startofdata, tindex.endofdata - tindex.startofdata)
        fieldnames = terms_reader._fieldunmap
        add_posting = self.writer.pool.add
        lengths: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        info_size = _TERM_INFO.size
        unpack_lengths = _LENGTHS.unpack_from
        unpack_extent = _EXTENT.unpack_from
        fields: dict[int, tuple] = {}
        # A compound segment's files are parts of one file: read, not mapped.
        with _whole_file(terms_reader._postfile, mappable=not reader.segment().is_compound()) as postings:
            position, end = 0, len(keys)
            while position < end:
                key_length, value_length = unpack_lengths(keys, position)
                key_start = position + 8
                value_start = key_start + key_length
                position = value_start + value_length
                number = keys[key_start] << 8 | keys[key_start + 1]
                known = fields.get(number)
                if known is None:
                    fieldname = fieldnames[number]
                    field = schema[fieldname] if fieldname in schema else None
                    own = field is not None and isinstance(field, IndexedText) and isinstance(field.format, CuePositions)
                    known = fields[number] = (fieldname, field, own, self.terms[fieldname] if own else None,
                                              lengths[fieldname] if field is not None and field.scorable else None,
                                              field.format.fixed_value_size() if field is not None else None)
                fieldname, field, own, terms, field_lengths, fixed_size = known
                if field is None:
                    continue
                btext = keys[key_start + 2:value_start]
                if keys[value_start]:  # postings inlined in the term info (this codec never writes them so)
                    inlined = W3TermInfo.from_bytes(keys[value_start:position]).inlined_postings()
                    blocks = [tuple(list(part) for part in inlined)]
                else:
                    offset, size = unpack_extent(keys, value_start + info_size)
                    blocks = _blocks(postings, offset, offset + size, fixed_size)
                if own:
                    term = btext.decode("utf-8")
                    entry = terms.get(term)
                    if entry is None:
                        entry = terms[term] = (array("I"), array("f"), [])
                for ids, weights, values in blocks:
                    if docmap is None:
                        ids = [docnum + base for docnum in ids]
                    else:
                        kept = [n for n, docnum in enumerate(ids) if docnum in docmap]
                        if len(kept) < len(ids):
                            weights = [weights[n] for n in kept]
                            values = [values[n] for n in kept]
                        ids = [docmap[ids[n]] for n in kept]
                        if not ids:
                            continue
                    if field_lengths is not None:
                        for docnum, weight in zip(ids, weights, strict=True):
                            field_lengths[docnum] += weight
                    if own:
                        entry[0].extend(ids)
                        entry[1].extend(weights)
                        entry[2].extend(values)
                    else:
                        for docnum, weight, vbytes in zip(ids, weights, values, strict=True):
                            add_posting((fieldname, btext, docnum, weight, vbytes))
                if own and not entry[0]:
                    del terms[term]
        return lengths

    def _copy_documents(self, reader, live: list[int], lengths: dict[str, dict[int, float]]) -> None:
        """Stored fields, field lengths and column values of the live documents, as ``add_document`` writes them."""
        writer = self.writer
        schema = writer.schema
        perdoc = writer.perdocwriter
        names = sorted(schema.names())
        cols = {}
        for fieldname in names:
            coltype = schema[fieldname].column_type
            if coltype and reader.has_column(fieldname):
                creader = reader.column_reader(fieldname, coltype)
                if isinstance(creader, columns.TranslatingColumnReader):
                    creader = creader.raw_column()
                cols[fieldname] = creader
        stored_fields = reader._perdoc.stored_fields
        for old in live:
            docnum = writer.docnum
            stored = stored_fields(old)
            perdoc.start_doc(docnum)
            for fieldname in names:
                value = stored.get(fieldname)
                length = round(lengths[fieldname].get(docnum, 0)) if fieldname in lengths else 0
                if value is not None or length:
                    perdoc.add_field(fieldname, schema[fieldname], value, length)
                if fieldname in cols:
                    perdoc.add_column_value(fieldname, schema[fieldname].column_type, cols[fieldname][old])
            perdoc.finish_doc()
            writer.docnum += 1

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


@contextmanager
def _whole_file(structfile, *, mappable: bool):
    """A segment file's bytes, mapped into memory where the file allows it."""
    try:
        if not mappable:
            raise ValueError("not a file of its own")
        mapped = mmap.mmap(structfile.file.fileno(), 0, access=mmap.ACCESS_READ)
    except (AttributeError, OSError, ValueError):  # not a plain file of its own, or an empty one
        structfile.seek(0)
        yield memoryview(structfile.read())
        return
    view = memoryview(mapped)
    try:
        yield view
    finally:
        view.release()
        mapped.close()


def _blocks(view: memoryview, position: int, end: int, fixed_size: int | None):
    """(document numbers, weights, values) of each block of one term's postings, as W3 wrote them.

    Each block is its info tuple pickled, then its data tuple pickled; the info's length is that of
    the info pickled again (pickling is deterministic), which spares a file-like unpickler.
    """
    position += len(WHOOSH3_HEADER_MAGIC)
    while position < end:
        length = _BLOCK_LENGTH.unpack_from(view, position)[0]
        block_end = position + 4 + abs(length)
        info = loads(view[position + 4:block_end])  # the index's own file, unpickled as Whoosh's reader does
        count, compression = info[0], info[3]
        if compression:
            raise ValueError("compressed posting blocks cannot be copied")
        deltas, weights, values = loads(view[position + 4 + len(dumps(info, 2)):block_end])
        ids = list(accumulate(deltas)) if count > 1 else list(deltas)
        if weights is None:
            weights = [1.0] * count
        elif isinstance(weights, float):
            weights = [weights] * count
        if fixed_size is None or fixed_size < 0:
            values = list(values)
        elif fixed_size == 0:
            values = [b""] * count
        else:
            values = [values[n:n + fixed_size] for n in range(0, len(values), fixed_size)]
        yield ids, weights, values
        if length < 0:
            return
        position = block_end


def _write_terms(fieldwriter, terms: dict[str, tuple[array, array, list[bytes]]]) -> None:
    """Write each term's postings and term info: the bytes Whoosh's W3 codec writes, in fewer steps.

    ``W3PostingsWriter`` and ``W3FieldWriter`` spend tens of microseconds per term in bookkeeping
    (file positions asked for again and again, per-posting checks, statistics objects), and a
    segment holds one entry per distinct term: 100,000 and more for a rebuild, about a thousand per
    subtitle track for a small index run. Here each term's blocks are pickled as
    ``W3PostingsWriter._write_block`` pickles them and its term info packed as ``W3TermInfo.to_bytes``
    packs it, with positions counted instead of asked for (``test_index_speedups`` compares the files).
    """
    postings = fieldwriter._postwriter
    if postings._compression or postings._inlinelimit > 1 or fieldwriter._format.fixed_value_size() is not None:
        _write_terms_one_by_one(fieldwriter, terms)
        return
    limit = postings._blocklimit
    postfile = fieldwriter._postfile
    offset = postfile.tell()
    tindex = fieldwriter._tindex
    dbfile = tindex.dbfile
    key_offset = dbfile.tell()
    key_positions = tindex.index.append
    buckets = tindex.buckets
    hashfn = tindex.hashfn
    fast_hash = hashfn is md5_hash
    prefix = pack_ushort(fieldwriter._fieldid)
    header = WHOOSH3_HEADER_MAGIC
    zero_length = length_to_byte(0)
    pack_lengths = _LENGTHS.pack
    pack_info = _TERM_INFO.pack
    pack_extent = _EXTENT.pack
    pack_block_length = _BLOCK_LENGTH.pack
    # The bytes go out a few hundred kilobytes at a time: one write call per term costs more than its pickling.
    posts: list[bytes] = []
    keys: list[bytes] = []
    pending = 0
    key = b""
    # Sorting the text sorts the UTF-8 bytes the same way (both follow code points).
    for term in sorted(terms):
        docnums, weights, values = terms[term]
        start = offset
        posts.append(header)
        offset += 4
        total = len(docnums)
        weight = 0.0
        maxweight = 0
        for first in range(0, total, limit):
            if total <= limit:
                ids, block_weights, block_values = docnums, weights, values
            else:
                ids = docnums[first:first + limit]
                block_weights = weights[first:first + limit]
                block_values = values[first:first + limit]
            count = len(ids)
            w0 = block_weights[0]
            if count == 1:
                block_max = w0
                weight += w0
                mini_weights = None if w0 == 1.0 else w0
                deltas = (ids[0],)
            else:
                weight += sum(block_weights)
                block_max = max(block_weights)
                if block_weights.count(w0) == count:
                    mini_weights = None if w0 == 1.0 else w0
                else:
                    mini_weights = tuple(block_weights)
                deltas = tuple(map(sub, ids, chain((0,), ids)))
            if block_max > maxweight:
                maxweight = block_max
            data = dumps((deltas, mini_weights, tuple(block_values)), 2)
            info = dumps((count, ids[-1], block_max, 0, 0, zero_length), 2)
            length = len(info) + len(data)
            posts.append(pack_block_length(-length if first + limit >= total else length))
            posts.append(info)
            posts.append(data)
            offset += 4 + length
        value = pack_info(False, weight, total, 0, zero_length, maxweight, docnums[0], docnums[-1]) \
            + pack_extent(start, offset - start)
        key = prefix + term.encode("utf-8")
        key_positions(key_offset)
        keys.append(pack_lengths(len(key), len(value)))
        keys.append(key)
        keys.append(value)
        h = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big") if fast_hash else hashfn(key)
        buckets[h & 255].append((h, key_offset))
        key_offset += 8 + len(key) + len(value)
        pending += 1
        if pending >= 2_000:
            postfile.write(b"".join(posts))
            dbfile.write(b"".join(keys))
            posts.clear()
            keys.clear()
            pending = 0
    postfile.write(b"".join(posts))
    dbfile.write(b"".join(keys))
    if terms:
        tindex.lastkey = key


def _write_terms_one_by_one(fieldwriter, terms: dict[str, tuple[array, array, list[bytes]]]) -> None:
    """Hand each term's postings to the codec's postings writer a whole block at a time."""
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
