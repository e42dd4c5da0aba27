"""Twenty venues' clicks at once for overlapping slots: exactly one booking wins, on each database."""

from __future__ import annotations

import contextvars
import threading

from sqlalchemy import func, select

from archive.auth.models import User
from archive.extensions import db
from archive.screenings.models import Screening
from archive.screenings.operations import booking, venues
from archive.screenings.operations.refusals import Refused
from tests.factories import make_film, make_licence, make_venue
from tests.screenings.helpers import local_start

REQUESTS = 20


def test_twenty_concurrent_overlapping_requests_accept_exactly_one(app, users):
    film = make_film()
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    user_id, film_id, venue_id = users["venue"].id, film.id, venue.id
    # Every request overlaps every other: each occupies 2 hours (90-minute film, 30-minute
    # changeover) and they start 5 minutes apart, all within 95 minutes.
    starts = [local_start(venue, hour=18 + (i * 5) // 60, minute=(i * 5) % 60) for i in range(REQUESTS)]
    barrier = threading.Barrier(REQUESTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        # Its own app context, so its own session and its own database connection.
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.commit()  # hand the connection back while waiting: the pool has fewer than 20
            data = {"item_id": film_id, "venue_id": venue_id, "starts_at": starts[index]}
            barrier.wait(timeout=30)
            try:
                booking.request_screening(data, user)
                result = "accepted"
            except Refused as exc:
                result = exc.code
            except Exception as exc:  # noqa: BLE001 - any other failure must show up in the assertion
                result = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [
        threading.Thread(target=contextvars.Context().run, args=(attempt, i), name=f"booker-{i}")
        for i in range(REQUESTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["accepted"] + ["clash"] * (REQUESTS - 1), outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Screening)) == 1
