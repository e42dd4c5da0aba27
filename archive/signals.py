"""Signals: a feature announces what changed; whoever cares subscribes in its own ``init_app``.

A feature lower in the house never calls one above it. The catalogue does not know that search
exists: it announces ``item_saved`` and search, which builds on the catalogue, listens. Every
announcement waits for the database transaction it belongs to: it is sent only after that
transaction commits, and dropped if it rolls back, so a listener never acts on a change that did
not happen (the habit of Indico's ``signals`` and of microblog's after-commit hook).

Whoever must not miss an announcement, even if its process dies between the commit and the
signal, listens to ``committing`` as well: it is sent for each announcement just before the
transaction commits (the announced signal as sender, with the session and the same payload), so
the listener can add rows that commit together with the change (search records its index changes
this way, an outbox the index drains).

Some signals are sent at once instead: ``job_finished`` and ``storage_failed`` report what
happened rather than a change to the data; ``item_deleting`` goes out inside the deleting transaction,
before the item's rows are removed, so a listener can still read them and add rows of its own
that commit (or roll back) together with the deletion.

Who sends what, and who listens (keep this table in step with the code):

| signal | sent by | with | listened to by |
| --- | --- | --- | --- |
| ``committing`` | the session, before a commit, per announcement | ``session``, the payload | search: outbox row |
| ``item_saved`` | catalogue (create, update) | ``item_id`` | search: re-index the item |
| ``item_deleting`` | catalogue (delete), at once | ``item_id``, ``item_kind``, ``deleted_by`` | deletions: record, purge objects |
| ``item_deleted`` | catalogue (delete) | ``item_id`` | search: drop the item |
| ``item_visibility_changed`` | catalogue (update) | ``item_id``, ``visibility_before``, ``embargo_before`` | screenings: tell venues |
| ``collection_changed`` | catalogue (create, update collection) | ``item_ids``: members before and after | search: re-index each |
| ``track_saved`` | subtitles (upload, embedded track) | ``track_id``, ``item_id``, ``replaces`` | search: index; media: open captions |
| ``track_deleted`` | subtitles (delete) | ``track_id``, ``item_id`` | search: drop the track; media: open captions |
| ``job_finished`` | jobs (each run), at once | ``kind``, ``status``, ``seconds`` | metrics: job durations |
| ``storage_failed`` | storage (each failed operation), at once | ``backend``, ``operation`` | metrics: storage errors |
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal
from flask_sqlalchemy.session import Session as FlaskSession

_signals = Namespace()

item_saved = _signals.signal("item-saved", doc="An item was created or edited (visibility and embargo included).")
item_deleting = _signals.signal(
    "item-deleting", doc="An item is about to be deleted, inside the deleting transaction (sent at once)."
)
item_visibility_changed = _signals.signal(
    "item-visibility-changed", doc="An item's visibility or embargo changed; what they were before (sent with item_saved)."
)
item_deleted = _signals.signal("item-deleted", doc="An item and its rows were deleted.")
collection_changed = _signals.signal("collection-changed", doc="A collection was saved; its members before and after.")
track_saved = _signals.signal("track-saved", doc="A subtitle track was saved, perhaps replacing an older one.")
track_deleted = _signals.signal("track-deleted", doc="A subtitle track was deleted.")
job_finished = _signals.signal("job-finished", doc="A job ran to its end, done or failed (sent at once).")
storage_failed = _signals.signal("storage-failed", doc="A storage operation failed on the storage's side (sent at once).")

committing = _signals.signal(
    "committing", doc="An announced change is about to commit: sent with the announced signal as sender, "
                      "``session`` and its payload, so listeners can add rows to the same transaction.")

_PENDING = "archive.pending_announcements"


def announce(session: Any, signal: Signal, **payload: Any) -> None:
    """Send ``signal`` with ``payload`` once ``session``'s current transaction commits."""
    session.info.setdefault(_PENDING, []).append((signal, payload))


class AnnouncingSession(FlaskSession):
    """The app's database session: it delivers announcements after commit and drops them on rollback."""

    def commit(self) -> None:
        """Let listeners add their rows to the transaction, commit, then send what was announced in it."""
        for signal, payload in list(self.info.get(_PENDING, ())):
            committing.send(signal, session=self, **payload)
        super().commit()
        pending = self.info.pop(_PENDING, [])
        for signal, payload in pending:
            signal.send(None, **payload)

    def rollback(self) -> None:
        """Roll back and forget what was announced in the transaction."""
        self.info.pop(_PENDING, None)
        super().rollback()

    def close(self) -> None:
        """Close the session; an announcement never committed is never sent."""
        self.info.pop(_PENDING, None)
        super().close()
