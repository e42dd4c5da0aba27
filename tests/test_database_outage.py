"""A database that goes away for a moment gives 503 with Retry-After, and the app recovers by itself."""

from __future__ import annotations

import os

import sqlalchemy as sa

from archive.extensions import db
from tests.conftest import running_app
from tests.factories import make_film
from tests.fixtures.tcp_proxy import Relay


def _answers(client) -> list[tuple[int, str | None]]:
    """Status and Retry-After of an API read and of a page."""
    return [(r.status_code, r.headers.get("Retry-After")) for r in (client.get("/api/v1/items"), client.get("/"))]


def test_the_database_going_away_gives_503_then_recovers(app_config, profile):
    if profile == "embedded":
        _sqlite_file_goes_away(app_config, profile)
    else:
        _postgresql_goes_away(app_config, profile)


def _down(client) -> None:
    down = client.get("/api/v1/items")
    assert (down.status_code, down.headers.get("Retry-After")) == (503, "5")
    assert down.get_json()["error"]["code"] == "database_unavailable"
    assert "try again in a few seconds" in down.get_json()["error"]["message"].lower()
    page = client.get("/")
    assert (page.status_code, page.headers.get("Retry-After")) == (503, "5")
    assert "not answering" in page.get_data(as_text=True)


def _sqlite_file_goes_away(app_config, profile) -> None:
    path = sa.engine.make_url(app_config["DATABASE_URL"]).database
    for application in running_app(app_config, profile):
        make_film("Still here")
        client = application.test_client()
        assert _answers(client) == [(200, None), (200, None)]
        _close_all()
        os.replace(path, path + ".away")  # the next connection finds an empty file: no tables
        _down(client)
        _close_all()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        os.replace(path + ".away", path)
        assert _answers(client) == [(200, None), (200, None)]
        assert "Still here" in client.get("/api/v1/items").get_data(as_text=True)


def _close_all() -> None:
    """Close every connection to the SQLite file, so its write-ahead log is folded in and the file alone holds it."""
    db.session.remove()
    db.engine.dispose()


def _postgresql_goes_away(app_config, profile) -> None:
    target = sa.engine.make_url(app_config["DATABASE_URL"])
    relay = Relay((target.host or "127.0.0.1", target.port or 5432))
    config = {**app_config, "DATABASE_URL": target.set(host="127.0.0.1", port=relay.port).render_as_string(False)}
    for application in running_app(config, profile):
        make_film("Still here")
        client = application.test_client()
        assert _answers(client) == [(200, None), (200, None)]
        relay.cut()
        _down(client)
        relay.restore()
        assert _answers(client) == [(200, None), (200, None)]  # no restart needed
        assert "Still here" in client.get("/api/v1/items").get_data(as_text=True)
    relay.cut()
