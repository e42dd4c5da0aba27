"""`flask demo load`: a working demo catalogue, loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from archive.catalogue.models import Item
from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain
from archive.screenings.models import Screening


def test_demo_load_builds_a_catalogue_that_works_end_to_end(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Added 17 item(s), 16 subtitle track(s), 3 venue(s) and 6 screening(s)" in first.output
    drain()
    assert db.session.scalar(select(func.count(Job.id)).where(Job.status == "failed")) == 0
    titles = [i["title"]["en"] for i in client.get("/api/v1/items").get_json()["items"]]
    assert "Two Banks of One River" in titles and "The old bridge" in titles
    assert "Unreleased interviews" not in titles and "Market day" not in titles  # restricted, partners
    hits = client.get("/api/v1/search?q=swimming").get_json()  # stemmed: "swim" in the subtitles
    assert [item["title"] for item in hits["items"]] == ["Two Banks of One River"]
    film = db.session.scalar(select(Item).where(Item.kind == "film", Item.visibility == "public"))
    assert film.duration_seconds and film.duration_seconds > 3
    lengths = {item.duration_seconds for item in db.session.scalars(select(Item).where(Item.kind == "film"))}
    assert len(lengths) == 5  # films of different lengths
    home = client.get("/").get_data(as_text=True)
    for place in ("Gyumri (Armenia)", "Ganja (Azerbaijan)", "Tbilisi (Georgia)"):
        assert place in home  # approved screenings coming up in three countries
    assert home.count('class="card-picture"') >= 12  # posters and photographs, once processed

    again = runner.invoke(args=["demo", "load"])
    assert "nothing new was added" in again.output
    assert db.session.scalar(select(func.count(Item.id))) == 17
    assert db.session.scalar(select(func.count(Screening.id))) == 6
