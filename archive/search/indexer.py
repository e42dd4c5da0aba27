"""Turning database rows into index documents, and the index updates the queue runs.

Only queue jobs (one writer at a time) and ``flask search reindex`` call these. Each function reads
what it needs from the database, so a job that runs late or twice still leaves the index right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload
from whoosh.index import LockError
from whoosh.util.filelock import try_for

from archive.catalogue.models import Credit, Item
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import enqueue
from archive.search import publishing, segments, store
from archive.search.analysis import family_of, word_count
from archive.search.bulkwrite import RebuildWriter
from archive.search.models import IndexChange
from archive.search.schema import pack_starts, text_field
from archive.subtitles.models import Cue, SubtitleTrack

RUN_JOB = "index_changes"
# Outbox rows one index run takes: about a million cues at the usual track size, bounding the run's memory.
DRAIN_ROWS = 2_000
# A full rebuild commits a segment every this many cues, bounding the memory its postings take
# (about 350 MB per million cues); fewer segments make each query cheaper.
REBUILD_SEGMENT_CUES = 2_000_000


def _embargo_number(value: date | None) -> int:
    return int(value.strftime("%Y%m%d")) if value else 0


def _common_fields(item: Item) -> dict:
    """Fields every document of an item carries, so filters and visibility apply to each of them."""
    fields = {
        "item": str(item.id),
        "item_id": item.id,
        "kind": item.kind,
        "lang": ",".join(item.languages or []),
        "theme": ",".join(theme.name for theme in item.themes),
        "collection": ",".join(str(c.id) for c in item.collections),
        "visibility": item.visibility,
        "embargo": _embargo_number(item.embargo_until),
    }
    if item.year is not None:
        fields["year"] = item.year
    return fields


def item_document(item: Item) -> dict:
    """The document for an item's own description: titles, descriptions, credits, themes, collections."""
    texts: dict[str, list[str]] = {}
    for source in (item.title, item.description):
        for tag, text in source.items():
            texts.setdefault(text_field(family_of(tag)), []).append(text)
    people = [credit.person.name for credit in item.credits]
    # Only public collections lend their titles: a hidden collection's name must not be findable.
    shared = [c.display_title() for c in item.collections if c.visibility == "public"]
    extra = people + [credit.role for credit in item.credits] + [t.name for t in item.themes] + shared
    texts.setdefault(text_field("xx"), []).extend(extra)
    document = {
        **_common_fields(item),
        "doc_id": f"i{item.id}",
        "doctype": "item",
        "track_id": 0,
        "title": "\n".join(item.title.values()),
        "person": "\n".join(people),
    }
    for field, parts in texts.items():
        if parts:
            document[field] = "\n".join(parts)
    return document


def track_document(item: Item, track: SubtitleTrack, plains: list[str]) -> dict:
    """The document for one subtitle track: all its cues' words, and where each cue starts."""
    starts = []
    position = 0
    for plain in plains:
        starts.append(position)
        position += word_count(plain)
    return {
        **_common_fields(item),
        "doc_id": f"t{track.id}",
        "doctype": "track",
        "track_id": track.id,
        "subtitle_lang": track.lang.lower(),
        "cue_starts": pack_starts(starts),
        text_field(family_of(track.lang)): "\n".join(plains),
    }


# Ids per SQL ``IN (...)``: well under SQLite's limit on bound parameters.
_CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def apply_changes(item_ids: set[int], track_ids: set[int], *, quiet: bool = False, path: str | None = None) -> dict:
    """Bring the index in step with the database for these items and tracks, in one writer commit.

    An item id re-indexes the item's description and every one of its tracks (visibility and
    collections are on each); a track id re-indexes that track and its item's description. What
    the database no longer holds is taken out. The documents are written as a full rebuild writes
    them, and the live documents of the segments ``segments.to_merge`` picks are copied into the
    same new segment (their postings as they are, nothing read from the database again), so the
    index keeps few segments (``quiet``: no other change is waiting).
    ``path``: an index other than the live one (a rebuild's, before it is swapped in).
    """
    if not item_ids and not track_ids and not segments.wants_merge(store.open_index(path)._segments()):
        return {"items": 0, "tracks": 0, "cues": 0, "merged_segments": 0, "merged_documents": 0, "segments": 0}
    with store.writer(path, codec=bulk_codec(), compound=False) as writer:
        merging = segments.to_merge(writer.segments, adding=bool(item_ids or track_ids), quiet=quiet)
        full_items, tracks = set(item_ids), set(track_ids)
        found_tracks = _load_tracks(tracks, full_items)
        item_docs = {track.item_id for track in found_tracks.values()} - full_items
        items = _load_items(full_items | item_docs)
        for item_id in sorted(full_items):
            writer.delete_by_term("item", str(item_id))
        for item_id in sorted(item_docs):
            writer.delete_by_term("doc_id", f"i{item_id}")
        for track_id in sorted(tracks):
            writer.delete_by_term("doc_id", f"t{track_id}")
        batch = RebuildWriter(writer)
        # After the deletions: what this run replaces is not copied.
        copied = sum(batch.add_segment(segment) for segment in merging)
        for item_id in sorted(full_items | item_docs):
            if item_id in items:
                batch.add_document(**item_document(items[item_id]))
        written = cues = 0
        for track_id, plains in _cue_texts_of(found_tracks):
            track = found_tracks[track_id]
            if track.item_id in items:
                batch.add_document(**track_document(items[track.item_id], track, plains))
                written += 1
                cues += len(plains)
        writer.mergetype = segments.keeping_all_but(merging)
        remaining = len(writer.mergetype(writer, writer.segments)) + (1 if writer._added else 0)
    return {"items": len(full_items | item_docs), "tracks": written, "cues": cues, "merged_segments": len(merging),
            "merged_documents": copied, "segments": remaining}


def _load_tracks(track_ids: set[int], item_ids: set[int]) -> dict[int, SubtitleTrack]:
    """The tracks still in the database: those named, and every track of the items named."""
    found = {}
    for column, ids in ((SubtitleTrack.id, track_ids), (SubtitleTrack.item_id, item_ids)):
        for chunk in _chunks(ids):
            found.update((track.id, track) for track in db.session.scalars(select(SubtitleTrack).where(column.in_(chunk))))
    return found


def _load_items(item_ids: set[int]) -> dict[int, Item]:
    """The items still in the database, with what their documents carry loaded in a few queries."""
    found = {}
    for chunk in _chunks(item_ids):
        query = select(Item).where(Item.id.in_(chunk)).options(
            selectinload(Item.themes), selectinload(Item.collections),
            selectinload(Item.credits).selectinload(Credit.person),
        )
        found.update((item.id, item) for item in db.session.scalars(query))
    return found


def _cue_texts_of(tracks: dict[int, SubtitleTrack]) -> Iterable[tuple[int, list[str]]]:
    """The cue texts of these tracks, track by track (a track without cues has none)."""
    for chunk in _chunks(tracks):
        plains: dict[int, list[str]] = {track_id: [] for track_id in chunk}
        rows = db.session.execute(
            select(Cue.track_id, Cue.plain).where(Cue.track_id.in_(chunk)).order_by(Cue.track_id, Cue.position)
        )
        for track_id, plain in rows:
            plains[track_id].append(plain)
        yield from plains.items()


def _cue_texts_by_track() -> Iterable[tuple[int, list[str]]]:
    """Every track's cue texts, streamed in one ordered pass over the cue table."""
    # Core rows through the session's connection: no ORM row processing for a million cues. The option
    # goes with this statement only: Connection.execution_options() would change the session's connection
    # for good, and every later statement in the transaction (an INSERT too) would run as a server cursor.
    rows = db.session.connection().execute(
        select(Cue.track_id, Cue.plain).order_by(Cue.track_id, Cue.position), execution_options={"yield_per": 20_000}
    )
    current, plains = None, []
    for track_id, plain in rows:
        if track_id != current:
            if current is not None:
                yield current, plains
            current, plains = track_id, []
        plains.append(plain)
    if current is not None:
        yield current, plains


def rebuild(progress: Callable[[float, str], None] | None = None) -> dict:
    """Build the whole index afresh from the database; it replaces the live one when complete.

    Changes committed while it reads are not lost: index runs leave them in the outbox meanwhile
    (``rebuild_in_progress``) and, with every writer held off, the rebuild applies what the outbox
    holds to the new index before swapping it in, then forgets those rows. Rows recorded after
    that get an index run of their own once the rebuild is over.
    """
    path = store.index_path()
    with publishing.rebuild_marker(path), _writers_held(path):
        counts = _rebuild(progress)
    # After the marker is gone: a run that starts from now on applies what it finds.
    if db.session.scalar(select(IndexChange.id).limit(1)) is not None:
        queue_run()
    return counts


def rebuild_in_progress() -> bool:
    """Whether a full rebuild of the live index is under way (on any machine sharing the database)."""
    return publishing.rebuild_in_progress(store.index_path())


def queue_run() -> None:
    """Queue an index run, unless one is already waiting to start (it will see every committed row)."""
    waiting = db.session.scalar(select(Job.id).where(Job.kind == RUN_JOB, Job.status == "queued").limit(1))
    if waiting is None:
        enqueue(RUN_JOB)


@contextmanager
def _writers_held(path: str) -> Iterator[None]:
    """Hold every index writer off while a rebuild reads the database and replaces the index.

    The live index's writer lock for this machine and, with replication, the writers' lock of every
    machine (a worker elsewhere would otherwise publish a change the swapped-in index lacks).
    """
    if publishing.enabled():
        with publishing.exclusive(path), _live_index_held(path):
            yield
    else:
        with _live_index_held(path):
            yield


@contextmanager
def _live_index_held(path: str) -> Iterator[None]:
    lock = store.open_index(path).lock("WRITELOCK")
    if not try_for(lock.acquire, timeout=store.WRITER_TIMEOUT_SECONDS, delay=0.05):
        raise LockError("the search index is being written; try again when the current index run is over")
    try:
        yield
    finally:
        lock.release()


def _apply_outbox(staging: str) -> list[int]:
    """Apply every change the outbox holds to the index in ``staging``; the ids of the rows applied."""
    db.session.commit()  # end the rebuild's read: what was committed since must be seen (SQLite reads a snapshot)
    applied: list[int] = []
    while True:
        query = select(IndexChange.id, IndexChange.item_id, IndexChange.track_id).order_by(IndexChange.id)
        if applied:
            query = query.where(IndexChange.id > applied[-1])
        rows = db.session.execute(query.limit(DRAIN_ROWS)).all()
        if not rows:
            return applied
        apply_changes({row.item_id for row in rows if row.track_id is None},
                      {row.track_id for row in rows if row.track_id is not None}, path=staging)
        applied.extend(row.id for row in rows)


def forget_changes(ids: list[int]) -> None:
    """Delete these outbox rows (their changes are in the index) and commit."""
    for start in range(0, len(ids), _CHUNK):
        db.session.execute(delete(IndexChange).where(IndexChange.id.in_(ids[start:start + _CHUNK])))
    db.session.commit()


def _rebuild(progress: Callable[[float, str], None] | None) -> dict:
    total_cues = db.session.scalar(select(func.count(Cue.id))) or 0
    items = {item.id: item for item in db.session.scalars(select(Item))}
    tracks = {track.id: track for track in db.session.scalars(select(SubtitleTrack))}
    done_cues = 0
    with store.rebuilding(writer_held=publishing.enabled()) as staging:
        ix = store.open_index(staging)
        batch = _rebuild_writer(ix)
        for item in items.values():
            batch.add_document(**item_document(item))
        pending = 0
        for track_id, plains in _cue_texts_by_track():
            track = tracks.get(track_id)
            if track is None or track.item_id not in items:
                continue
            batch.add_document(**track_document(items[track.item_id], track, plains))
            pending += len(plains)
            if progress and (done_cues + len(plains)) // 50_000 > done_cues // 50_000:
                progress(100.0 * (done_cues + len(plains)) / max(total_cues, 1), "indexing subtitles")
            done_cues += len(plains)
            if pending >= REBUILD_SEGMENT_CUES:
                batch.commit()
                batch = _rebuild_writer(ix)
                pending = 0
        batch.commit()
        applied = _apply_outbox(staging)
    forget_changes(applied)
    return {"items": len(items), "tracks": len(tracks), "cues": done_cues, "changes": len(applied)}


def _rebuild_writer(ix) -> RebuildWriter:
    """A writer for a full rebuild, with the store's codec."""
    return RebuildWriter(ix.writer(codec=bulk_codec(), compound=False))


def bulk_codec():
    """The store's codec without per-block length bounds (they only speed up top-N skipping, unused here)."""
    codec = store.codec()
    codec.length_stats = False
    return codec


def is_indexed(doc_id: str) -> bool:
    """Whether a document is in the index (for status pages and tests)."""
    searcher = store.searcher()
    return searcher.document_number(doc_id=doc_id) is not None
