"""The job row: what the queue was asked to do and how it went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.extensions import db
from archive.jobs import reasons
from archive.timeutil import utcnow

STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """One unit of background work; handlers are idempotent, so a job can always be run again."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[float] = mapped_column(default=0.0)
    stage: Mapped[str] = mapped_column(String(100), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")  # why it failed, in English (logs, operators)
    # The same as a message key and its values, written in each reader's language (jobs.reasons).
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_params: Mapped[dict | None] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]

    @property
    def reason(self) -> str:
        """Why the job failed, in the language of the request ("" when it has not failed)."""
        return reasons.recorded(self.error_code, self.error_params, self.error or "")
