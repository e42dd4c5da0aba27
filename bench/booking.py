"""Time a booking request (rights + clash check + insert) with 1,000 and with 100,000 screenings stored.

Usage: .venv/bin/python bench/booking.py [--database-url URL] [--bookings N]
Prints the mean time per booking at each size and the ratio (goal: 100k / 1k <= 1.5).
The database defaults to a fresh SQLite file in a temporary folder; a PostgreSQL URL is emptied first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from archive import create_app  # noqa: E402
from archive.auth import operations as accounts  # noqa: E402
from archive.catalogue import operations as catalogue  # noqa: E402
from archive.extensions import db  # noqa: E402
from archive.screenings.models import Screening  # noqa: E402
from archive.screenings.operations import booking, licences, venues  # noqa: E402
from archive.timeutil import utcnow  # noqa: E402

SLOT = timedelta(hours=3)


def fill(venue_id: int, item_id: int, licence_id: int, total: int, already: int) -> None:
    """Store screenings up to ``total`` at the benchmark venue, three hours apart, going back from a month ago."""
    start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    rows = []
    for n in range(already, total):
        begins = start - SLOT * n
        rows.append({"item_id": item_id, "venue_id": venue_id, "licence_id": licence_id, "status": "approved",
                     "starts_at": begins, "ends_at": begins + timedelta(hours=2), "blocked_until": begins + timedelta(hours=2, minutes=30),
                     "format": "cinema", "use": "non-commercial", "discussion_minutes": 0, "notes": "", "decision_reason": "",
                     "sequence": 1, "created_at": begins, "updated_at": begins})
        if len(rows) == 5000:
            db.session.execute(sa.insert(Screening), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Screening), rows)
    db.session.commit()


def time_bookings(user, venue, item, count: int, day_offset: int) -> list[float]:
    """Book ``count`` free evening slots (far from the stored ones' end), timing each request."""
    durations = []
    base = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=400 + day_offset)
    for n in range(count):
        starts = (base + timedelta(days=n)).isoformat() + "Z"
        began = time.perf_counter()
        booking.request_screening({"item_id": item.id, "venue_id": venue.id, "starts_at": starts}, user)
        durations.append(time.perf_counter() - began)
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--bookings", type=int, default=200, help="timed bookings at each size")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-booking-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    app = create_app({"INSTANCE_PATH": f"{folder}/instance", "DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        db.create_all()
        staff = accounts.create_user("bench@example.org", "bench password long", "admin")
        item = catalogue.create_item({"kind": "film", "title": {"en": "Bench film"}, "visibility": "public"})
        item.duration_seconds = 5400.0
        db.session.commit()
        today = utcnow().date()
        licence = licences.create_licence(item, {"territories": ["AM"], "starts_on": (today - timedelta(days=365 * 40)).isoformat(),
                                                 "ends_on": (today + timedelta(days=3650)).isoformat(), "uses": ["non-commercial"]})
        venue = venues.create_venue({"name": "Bench venue", "city": "Yerevan", "country": "AM", "timezone": "Asia/Yerevan"})
        results = {}
        stored = 0
        for size, offset in ((1_000, 0), (100_000, 1000)):
            fill(venue.id, item.id, licence.id, size, stored)
            stored = size
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as connection:
                    connection.execute(sa.text("ANALYZE"))
                    connection.commit()
            time_bookings(staff, venue, item, 10, offset - 20)  # warm caches
            durations = time_bookings(staff, venue, item, args.bookings, offset)
            results[size] = statistics.median(durations)
            print(f"{size:>7} screenings stored: median {results[size] * 1000:.2f} ms per booking "
                  f"(mean {statistics.mean(durations) * 1000:.2f} ms over {len(durations)})")
        ratio = results[100_000] / results[1_000]
        print(f"ratio 100k / 1k = {ratio:.2f} (goal <= 1.5) on {db.engine.dialect.name}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
