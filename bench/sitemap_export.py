"""Time /sitemap.xml and a collection's CSV and Dublin Core exports over a large catalogue.

Usage: .venv/bin/python bench/sitemap_export.py [--items N] [--database-url URL]
Stores N public photos (default 60,000: past one sitemap file's 50,000 addresses) in one collection,
then prints the time of the sitemap index, of its first numbered sitemap (50,000 addresses), and of
each export, with the bytes each wrote. The database defaults to a fresh SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from archive import create_app  # noqa: E402
from archive.auth import operations as accounts  # noqa: E402
from archive.catalogue import operations as catalogue  # noqa: E402
from archive.catalogue.models import Item, collection_items  # noqa: E402
from archive.extensions import db  # noqa: E402
from archive.timeutil import utcnow  # noqa: E402


def fill(total: int) -> int:
    """``total`` public photos in one collection; the collection's id."""
    collection = catalogue.create_collection({"kind": "exhibition", "title": {"en": "Everything"}, "visibility": "public"})
    now = utcnow()
    for start in range(0, total, 5000):
        rows = [{"kind": "photo", "title": {"en": f"Photo {n}", "hy": f"Լուսանկար {n}"}, "description": {"en": "=1+1"},
                 "countries": ["AM"], "languages": ["hy"], "visibility": "public", "rights_note": "",
                 "created_at": now, "updated_at": now} for n in range(start, min(total, start + 5000))]
        db.session.execute(insert(Item), rows)
    db.session.commit()
    ids = db.session.scalars(db.select(Item.id)).all()
    db.session.execute(insert(collection_items), [{"collection_id": collection.id, "item_id": i} for i in ids])
    db.session.commit()
    return collection.id


def timed(client, url: str) -> tuple[float, int]:
    began = time.perf_counter()
    response = client.get(url)
    size = len(response.get_data())  # a streamed body is written while it is read
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - began, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=60_000, help="public photos to store")
    parser.add_argument("--database-url", help="database to use (emptied); default a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = {"INSTANCE_PATH": folder, "SECRET_KEY": "bench", "TESTING": True, "SECURE_COOKIES": False,
                  "WTF_CSRF_ENABLED": False,
                  "DATABASE_URL": args.database_url or f"sqlite:///{folder}/bench.db", "ARGON2_MEMORY_KIB": 1024,
                  "ARGON2_TIME_COST": 1}
        app = create_app(config)
        with app.app_context():
            db.drop_all()
            db.create_all()
            collection_id = fill(args.items)
            accounts.create_user("bench@example.org", "long enough password", "archivist")
        client = app.test_client()
        split = args.items + 5 > app.config["SITEMAP_LIMIT"]  # the five fixed pages come first
        for url in ("/sitemap.xml", "/sitemap-1.xml") if split else ("/sitemap.xml",):
            seconds, size = timed(client, url)
            print(f"{url:<40} {seconds:7.2f} s {size / 1e6:8.1f} MB")
        client.post("/login", data={"email": "bench@example.org", "password": "long enough password"})
        for url in (f"/exports/collections/{collection_id}.csv", f"/exports/collections/{collection_id}.xml"):
            seconds, size = timed(client, url)
            print(f"{url:<40} {seconds:7.2f} s {size / 1e6:8.1f} MB  ({args.items / seconds:,.0f} records/s)")


if __name__ == "__main__":
    main()
