"""Eight archivists upload subtitles at once: no lock errors, and every track becomes searchable."""

from __future__ import annotations

import threading

from sqlalchemy import select

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain
from tests.factories import make_film
from tests.search.helpers import srt


def test_eight_parallel_uploads_all_end_up_searchable(app, token_for):
    items = [make_film(f"Film {n}", "public") for n in range(8)]
    ids = [item.id for item in items]
    headers = token_for("archivist")
    statuses, errors = [], []
    start = threading.Barrier(8)

    def upload(n: int) -> None:
        try:
            client = app.test_client()
            start.wait()
            response = client.post(f"/api/v1/items/{ids[n]}/subtitles?lang=en&filename=f{n}.srt", headers=headers,
                                   data=srt((1.0, 2.0, f"word{n} spoken in parallel"), (3.0, 4.0, "common words")))
            statuses.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and statuses == [201] * 8
    drain()
    jobs = db.session.scalars(select(Job).where(Job.kind == "index_changes")).all()
    assert jobs and all(job.status == "done" for job in jobs), [(j.kind, j.status, j.error) for j in jobs]
    client = app.test_client()
    assert client.get("/api/v1/search?q=parallel").get_json()["total"] == 8
    for n in range(8):
        found = client.get(f"/api/v1/search?q=word{n}").get_json()
        assert [item["id"] for item in found["items"]] == [ids[n]]
