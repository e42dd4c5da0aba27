"""Announcements wait for their transaction: sent after it commits, dropped when it rolls back."""

from __future__ import annotations

import pytest
from blinker import Signal

from archive.catalogue.models import Item
from archive.extensions import db
from archive.signals import announce

# A signal of the test's own, so no feature's listener acts on these made-up announcements.
changed = Signal("test-changed")


@pytest.fixture
def heard():
    """What ``changed`` delivered during the test."""
    received = []

    def listener(sender, **payload):
        received.append(payload)

    changed.connect(listener)
    yield received
    changed.disconnect(listener)


def test_an_announcement_is_sent_only_after_the_commit(app, heard):
    item = Item(kind="film", title={"en": "Stone bridge"}, visibility="public")
    db.session.add(item)
    db.session.flush()
    announce(db.session, changed, item_id=item.id)
    announce(db.session, changed, item_id=item.id + 1000)
    assert heard == []
    db.session.commit()
    assert heard == [{"item_id": item.id}, {"item_id": item.id + 1000}]
    db.session.commit()  # a later commit does not send them again
    assert len(heard) == 2


def test_a_rollback_or_a_closed_session_drops_the_announcement(app, heard):
    announce(db.session, changed, item_id=1)
    db.session.rollback()
    announce(db.session, changed, item_id=2)
    db.session.close()
    db.session.commit()
    assert heard == []


def test_a_failed_commit_sends_nothing(app, heard):
    db.session.add(Item(kind=None, title={"en": "x"}, visibility="public"))  # the kind is required
    announce(db.session, changed, item_id=3)
    with pytest.raises(Exception):  # noqa: B017  (the database's own integrity error, whichever driver)
        db.session.commit()
    db.session.rollback()
    db.session.commit()
    assert heard == []


def test_committing_lets_a_listener_add_rows_to_the_announcing_transaction(app):
    from archive import signals

    def record(sender, *, session, title):
        session.add(Item(kind="photo", title={"en": f"record of {title}"}, visibility="restricted"))

    signals.committing.connect(record, sender=changed)
    try:
        db.session.add(Item(kind="film", title={"en": "Kept"}, visibility="public"))
        announce(db.session, changed, title="Kept")
        db.session.commit()
        # A failed commit takes the listener's row down with the change.
        db.session.add(Item(kind=None, title={"en": "Broken"}, visibility="public"))
        announce(db.session, changed, title="Broken")
        with pytest.raises(Exception):  # noqa: B017  (the database's own integrity error, whichever driver)
            db.session.commit()
        db.session.rollback()
    finally:
        signals.committing.disconnect(record, sender=changed)
    titles = sorted(item.title["en"] for item in db.session.scalars(db.select(Item)))
    assert titles == ["Kept", "record of Kept"]
