"""The tiered merge policy: an archive indexed a few tracks per run is rewritten a few times, not at every run."""

from __future__ import annotations

import pytest

from archive.search import segments


class _Segment:
    def __init__(self, documents: int) -> None:
        self.documents = documents

    def doc_count(self) -> int:
        return self.documents


def _index_in_runs(documents: int, per_run: int) -> tuple[float, int, list[int]]:
    """Run the policy as the index runs would: (documents written per document, most segments, final sizes)."""
    live: list[_Segment] = []
    written = done = most = 0
    while done < documents:
        added = min(per_run, documents - done)
        done += added
        merged = segments.to_merge(live, adding=True, quiet=False)
        size = added + sum(segment.doc_count() for segment in merged)
        written += size
        live = [segment for segment in live if segment not in merged] + [_Segment(size)]
        most = max(most, len(live))
    while merged := segments.to_merge(live, adding=False, quiet=True):  # the quiet runs after the last upload
        size = sum(segment.doc_count() for segment in merged)
        written += size
        live = [segment for segment in live if segment not in merged] + [_Segment(size)]
    return written / documents, most, sorted(segment.doc_count() for segment in live)


@pytest.mark.parametrize("per_run", [4, 30, 100])
def test_an_archive_uploaded_track_by_track_is_rewritten_a_few_times_and_ends_in_few_segments(per_run):
    # 2,500 documents: a million cues in tracks of 500, with their films' own documents.
    rewritten, most, final = _index_in_runs(2_500, per_run)
    # Folding the smallest segment into each new one rewrote the early documents at every run (26 times at 4 per run).
    assert rewritten < 4.5
    assert most <= segments.SEGMENT_LIMIT
    assert len(final) <= segments.SEGMENT_TARGET and sum(final) == 2_500


def test_tiers_group_segments_by_size_and_a_full_tier_is_folded_with_the_smaller_ones():
    assert [segments.tier(n) for n in (1, 9, 10, 99, 100, 5_000)] == [0, 0, 1, 1, 2, 3]
    big, middle = _Segment(3_000), [_Segment(40) for _ in range(9)]
    small = [_Segment(3), _Segment(5)]
    # Nine in the tier of 10-99 and a new one of a few documents: not full yet (it joins the lowest tier).
    assert segments.to_merge([big, *middle, *small], adding=True, quiet=False) == []
    full = [*middle, _Segment(60)]
    chosen = segments.to_merge([big, *full, *small], adding=True, quiet=False)
    assert set(chosen) == {*full, *small}  # the full tier and every smaller segment; the big one stays


def test_no_merge_makes_a_segment_bigger_than_the_cap(monkeypatch):
    monkeypatch.setattr(segments, "MAX_MERGED_DOCS", 1_000)
    rewritten, most, final = _index_in_runs(12_500, 30)  # five million cues
    assert max(final) <= 1_000 + 30 and sum(final) == 12_500  # merged ones, and the run's own new documents
    assert most <= segments.SEGMENT_LIMIT and rewritten < 4.5
    big = [_Segment(600), _Segment(700)]
    assert segments.to_merge(big, adding=False, quiet=True) == []  # together they would pass the cap
    assert not segments.wants_merge([*big, _Segment(900), _Segment(950)])
