"""Which index segments an index run folds into the segment it writes.

Every index run writes one new segment. Left alone, a day of uploads would leave hundreds of
small ones, and every query pays for each segment it visits. An index run therefore copies the
live documents of some existing segments into its own (their postings block by block, nothing
analysed again: ``bulkwrite.RebuildWriter.add_segment``), and those segments drop out at its commit. Which ones is a tiered
policy, as Lucene's: segments are grouped in tiers by size (fewer than ``FLOOR_DOCS`` ×
``MERGE_FACTOR`` documents, ten times that, ...), and

- when a tier holds ``MERGE_FACTOR`` segments (the run's own new one counting in the lowest), that
  tier and every smaller one are folded together: a document is rewritten about once per tier it
  climbs, log₁₀ of the archive's size over a run's, instead of at every run as when the smallest
  segment was folded into each new one (which rewrote the early documents run after run);
- at any time, the smallest segments once there would be more than ``SEGMENT_LIMIT``;
- never more than ``MAX_MERGED_DOCS`` documents of existing segments into one;
- when the run has no changes waiting (the archive is quiet), the smallest segments up to
  ``MERGE_STEP_DOCS`` documents (but at least two), while there are more than ``SEGMENT_TARGET``.
  Steps are bounded so that a change arriving meanwhile waits seconds, not minutes, for its turn.
"""

from __future__ import annotations

SEGMENT_LIMIT = 20
# Tiers: 1-9 documents, 10-99, 100-999, ...
FLOOR_DOCS = 1
SEGMENT_TARGET = 3
MERGE_STEP_DOCS = 1_000
MERGE_FACTOR = 10
# No merge makes a segment of more documents (about two million cues, as a rebuild's segments): the
# run's memory stays bounded, and the biggest segments are left alone as Lucene leaves them.
MAX_MERGED_DOCS = 4_000


def tier(documents: int) -> int:
    """The size tier of a segment holding this many documents (0: the smallest)."""
    found, bound = 0, FLOOR_DOCS * MERGE_FACTOR
    while documents >= bound:
        found, bound = found + 1, bound * MERGE_FACTOR
    return found


def to_merge(segments: list, *, adding: bool, quiet: bool) -> list:
    """The segments whose documents this run re-indexes (smallest first)."""
    live = sorted((segment for segment in segments if segment.doc_count() > 0), key=lambda s: s.doc_count())
    tiers = [tier(segment.doc_count()) for segment in live]
    full = [level for level in sorted(set(tiers))
            if tiers.count(level) + (1 if adding and level == 0 else 0) >= MERGE_FACTOR]
    chosen: list = []
    folded = 0
    for segment, level in zip(live, tiers, strict=True):
        if not full or level > full[0] or folded + segment.doc_count() > MAX_MERGED_DOCS:
            break
        chosen.append(segment)
        folded += segment.doc_count()
    rest = live[len(chosen):]
    while rest:
        count = len(rest) + (1 if adding or chosen else 0)
        size = rest[0].doc_count()
        if folded + size > MAX_MERGED_DOCS:
            break
        over_limit = count > SEGMENT_LIMIT
        # Quiet: at least the two smallest, so that segments each near the step's size still meet.
        step = quiet and count > SEGMENT_TARGET and (folded + size <= MERGE_STEP_DOCS or len(chosen) < 2)
        if not (over_limit or step):
            break
        chosen.append(rest.pop(0))
        folded += size
    # Rewriting a lone segment gains nothing unless it joins new documents.
    return chosen if len(chosen) >= 2 or (chosen and adding) else []


def wants_merge(segments: list) -> bool:
    """Whether a quiet run would fold segments now."""
    return bool(to_merge(segments, adding=False, quiet=True))


def keeping_all_but(merged: list):
    """A Whoosh merge policy: keep the segments that still hold a live document, except those merged."""
    merged_ids = {segment.segment_id() for segment in merged}

    def policy(writer, segments: list) -> list:
        return [segment for segment in segments
                if segment.doc_count() > 0 and segment.segment_id() not in merged_ids]

    return policy
