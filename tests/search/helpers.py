"""Subtitle files for search tests (films themselves come from ``tests.factories.make_film``)."""

from __future__ import annotations


def srt(*cues: tuple[float, float, str]) -> bytes:
    """An SRT file (UTF-8) with the given (start, end, text) cues."""
    blocks = []
    for number, (start, end, text) in enumerate(cues, start=1):
        blocks.append(f"{number}\n{_t(start)} --> {_t(end)}\n{text}\n")
    return "\n".join(blocks).encode("utf-8")


def _t(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"


def index_by_doc_id(ix) -> dict:
    """An index's contents keyed by ``doc_id``, so two indexes that number their documents apart compare equal
    when they hold the same: every term's postings, stored fields, field lengths and columns of the live
    documents, and each text field's total length."""
    from archive.search.schema import TEXT_FIELDS

    fields_measured = TEXT_FIELDS + ("title",)
    with ix.reader() as reader:
        names = {docnum: fields["doc_id"] for docnum, fields in reader.iter_docs()}
        found: dict = {}
        for fieldname, btext in reader.all_terms():
            postings = reader.postings(fieldname, btext)
            rows = []
            while postings.is_active():
                if postings.id() in names:
                    positions = postings.value_as("positions") if fieldname in TEXT_FIELDS else None
                    rows.append((names[postings.id()], postings.weight(), positions))
                postings.next()
            if rows:
                found[(fieldname, btext)] = sorted(rows)
        found["stored"] = {names[docnum]: fields for docnum, fields in reader.iter_docs()}
        found["lengths"] = {names[docnum]: [reader.doc_field_length(docnum, f) for f in fields_measured]
                            for docnum in names}
        found["totals"] = [reader.field_length(fieldname) for fieldname in fields_measured]
        found["columns"] = {names[docnum]: (reader.column_reader("item_id")[docnum],
                                            reader.column_reader("subtitle_lang")[docnum]) for docnum in names}
    return found
