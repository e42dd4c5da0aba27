"""`flask demo load`: a working demo catalogue, loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from archive.catalogue.models import Item
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain


def test_demo_load_builds_a_catalogue_that_works_end_to_end(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Added 4 item(s), 4 subtitle track(s) and 1 venue(s)" in first.output
    drain()
    assert db.session.scalar(select(func.count(Job.id)).where(Job.status == "failed")) == 0
    titles = [i["title"]["en"] for i in client.get("/api/v1/items").get_json()["items"]]
    assert "Two Banks of One River" in titles and "The old bridge" in titles
    assert "Unreleased interviews" not in titles and "Market day" not in titles  # restricted, partners
    hits = client.get("/api/v1/search?q=swimming").get_json()  # stemmed: "swim" in the subtitles
    assert [item["title"] for item in hits["items"]] == ["Two Banks of One River"]
    film = db.session.scalar(select(Item).where(Item.kind == "film", Item.visibility == "public"))
    assert film.duration_seconds and film.duration_seconds > 3

    again = runner.invoke(args=["demo", "load"])
    assert "nothing new was added" in again.output
    assert db.session.scalar(select(func.count(Item.id))) == 4
