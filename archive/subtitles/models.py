"""Subtitle tracks and their cues: the source of truth the search index is built from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import db
from archive.timeutil import utcnow

SOURCES = ("upload", "embedded")


class SubtitleTrack(db.Model):
    """One language's subtitles for an item; the normalised WebVTT lives in storage."""

    __tablename__ = "subtitle_tracks"
    # One track per language: uploading the same language again replaces the track.
    __table_args__ = (UniqueConstraint("item_id", "lang", name="uq_subtitle_tracks_item_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(35))
    label: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(10), default="upload")
    filename: Mapped[str] = mapped_column(String(255), default="")
    source_format: Mapped[str] = mapped_column(String(10), default="srt")
    encoding: Mapped[str] = mapped_column(String(20))
    vtt_key: Mapped[str] = mapped_column(String(255), unique=True)
    cue_count: Mapped[int] = mapped_column(default=0)
    first_start: Mapped[float] = mapped_column(default=0.0)
    last_end: Mapped[float] = mapped_column(default=0.0)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cues: Mapped[list[Cue]] = relationship(
        back_populates="track", cascade="all, delete-orphan", passive_deletes=True, order_by="Cue.position"
    )


class Cue(db.Model):
    """One timed subtitle: ``text`` keeps its markup for players, ``plain`` is what search reads."""

    __tablename__ = "cues"
    __table_args__ = (UniqueConstraint("track_id", "position", name="uq_cues_track_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("subtitle_tracks.id", ondelete="CASCADE"))
    position: Mapped[int]
    start: Mapped[float]
    end: Mapped[float]
    text: Mapped[str] = mapped_column(Text)
    plain: Mapped[str] = mapped_column(Text)

    track: Mapped[SubtitleTrack] = relationship(back_populates="cues")
