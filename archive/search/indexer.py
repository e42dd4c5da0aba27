"""Turning database rows into index documents, and the index updates the queue runs.

Only queue jobs (one writer at a time) and ``flask search reindex`` call these. Each function reads
what it needs from the database, so a job that runs late or twice still leaves the index right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import func, select

from archive.catalogue.models import Item
from archive.extensions import db
from archive.search import store
from archive.search.analysis import family_of, word_count
from archive.search.bulkwrite import RebuildWriter
from archive.search.schema import pack_starts, text_field
from archive.subtitles.models import Cue, SubtitleTrack

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


def _plains(track_id: int) -> list[str]:
    return list(db.session.scalars(select(Cue.plain).where(Cue.track_id == track_id).order_by(Cue.position)))


def index_item(item_id: int) -> int:
    """Replace every document of an item (its description and its tracks); remove them if it is gone."""
    item = db.session.get(Item, item_id)
    with store.writer() as batch:
        batch.delete_by_term("item", str(item_id))
        if item is None:
            return 0
        batch.add_document(**item_document(item))
        tracks = db.session.scalars(select(SubtitleTrack).where(SubtitleTrack.item_id == item_id)).all()
        for track in tracks:
            batch.add_document(**track_document(item, track, _plains(track.id)))
    return 1 + len(tracks)


def index_track(track_id: int, replaces: int | None = None) -> bool:
    """Add or replace one track's document (and drop the track it replaced); False if the track is gone."""
    track = db.session.get(SubtitleTrack, track_id)
    item = db.session.get(Item, track.item_id) if track is not None else None
    document = track_document(item, track, _plains(track.id)) if item is not None else None
    with store.writer() as batch:
        if item is not None:  # the item's own document too, in case it was never indexed
            batch.update_document(**item_document(item))
        if replaces:
            batch.delete_by_term("doc_id", f"t{replaces}")
        if document is None:
            batch.delete_by_term("doc_id", f"t{track_id}")
            return False
        batch.update_document(**document)
    return True


def remove_track(track_id: int) -> None:
    """Take a deleted or replaced track out of the index."""
    with store.writer() as batch:
        batch.delete_by_term("doc_id", f"t{track_id}")


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
    """Build the whole index afresh from the database; it replaces the live one when complete."""
    total_cues = db.session.scalar(select(func.count(Cue.id))) or 0
    items = {item.id: item for item in db.session.scalars(select(Item))}
    tracks = {track.id: track for track in db.session.scalars(select(SubtitleTrack))}
    done_cues = 0
    with store.rebuilding() as staging:
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
    return {"items": len(items), "tracks": len(tracks), "cues": done_cues}


def _rebuild_writer(ix) -> RebuildWriter:
    """A writer for a full rebuild, with the store's codec."""
    codec = store.codec()
    codec.length_stats = False  # per-block length bounds only speed up top-N skipping, not used here
    return RebuildWriter(ix, codec)


def is_indexed(doc_id: str) -> bool:
    """Whether a document is in the index (for status pages and tests)."""
    searcher = store.searcher()
    return searcher.document_number(doc_id=doc_id) is not None
