"""Which index segments an index run folds into the segment it writes.

Every index run writes one new segment. Left alone, a day of uploads would leave hundreds of
small ones, and every query pays for each segment it visits. An index run therefore re-indexes
the documents of some existing segments into its own (from the database, at the bulk rate, in the
same current format), and the emptied segments drop out at its commit:

- at any time, the smallest segments once there would be more than ``SEGMENT_LIMIT``;
- when the run has no changes waiting (the archive is quiet), the smallest segments up to
  ``MERGE_STEP_DOCS`` documents, while there are more than ``SEGMENT_TARGET``. Steps are bounded
  so that a change arriving meanwhile waits seconds, not minutes, for its turn.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.reading import SegmentReader

SEGMENT_LIMIT = 12
SEGMENT_TARGET = 3
MERGE_STEP_DOCS = 400


def to_merge(segments: list, *, adding: bool, quiet: bool) -> list:
    """The segments whose documents this run re-indexes (smallest first)."""
    live = sorted((segment for segment in segments if segment.doc_count() > 0), key=lambda s: s.doc_count())
    chosen: list = []
    folded = 0
    while live:
        count = len(live) + (1 if adding or chosen else 0)
        size = live[0].doc_count()
        over_limit = count > SEGMENT_LIMIT
        step = quiet and count > SEGMENT_TARGET and folded + size <= MERGE_STEP_DOCS
        if not (over_limit or step):
            break
        chosen.append(live.pop(0))
        folded += size
    # Rewriting a lone segment gains nothing unless it joins new documents.
    return chosen if len(chosen) >= 2 or (chosen and adding) else []


def wants_merge(segments: list) -> bool:
    """Whether a quiet run would fold segments now."""
    return len([segment for segment in segments if segment.doc_count() > 0]) > SEGMENT_TARGET


def document_ids(writer, segments: Iterable) -> list[str]:
    """The ``doc_id`` of every live document of these segments."""
    found = []
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            found.extend(fields["doc_id"] for fields in reader.all_stored_fields())
        finally:
            reader.close()
    return found


def drop_emptied(writer, segments: list) -> list:
    """A Whoosh merge policy: keep the segments that still hold a live document, merge nothing else."""
    return [segment for segment in segments if segment.doc_count() > 0]
