"""The probes: /healthz answers whatever else is down; /readyz names each dependency it cannot reach.

Each dependency is broken for real in both profiles: the database, queue and S3 servers through a
relay that is cut, and the files of the embedded profile moved away or replaced by what cannot be
opened.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from archive.extensions import db
from archive.search import store
from tests.conftest import running_app
from tests.fixtures.tcp_proxy import Relay

DEPENDENCIES = ("database", "queue", "storage", "index")


def test_healthz_is_alive(client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_when_everything_answers(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"status": "ready", "checks": dict.fromkeys(DEPENDENCIES, "ok")}
    assert response.headers["Cache-Control"] == "no-store"


def _relayed(url: str, default_port: int) -> tuple[str, Relay]:
    """``url`` with its host and port replaced by a relay's in front of them."""
    target = sa.engine.make_url(url)
    relay = Relay((target.host or "127.0.0.1", target.port or default_port))
    return target.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False), relay


def _close_database() -> None:
    db.session.remove()
    db.engine.dispose()


def _replace_with_file(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
    with open(path, "w") as file:
        file.write("a file where a folder should be")


@pytest.fixture
def broken(app_config, profile, request) -> Iterator[Callable[[str], Flask]]:
    """``broken("queue")``: an app whose queue (say) is cut off once it has started, the rest intact."""
    relays: list[Relay] = []
    started = []

    def factory(dependency: str) -> Flask:
        config = dict(app_config)
        breaks: Callable[[Flask], None]
        repairs: Callable[[Flask], None] = lambda application: None  # noqa: E731
        if profile == "scaled" and dependency in ("database", "queue", "storage"):
            if dependency == "storage":
                relayed = request.getfixturevalue("s3_relay")
                config["STORAGE_URL"] = f"s3://{relayed.bucket}/archive"
                relay = relayed.relay
            elif dependency == "database":
                config["DATABASE_URL"], relay = _relayed(config["DATABASE_URL"], 5432)
            else:
                config["QUEUE_URL"], relay = _relayed(config["QUEUE_URL"], 6379)
            relays.append(relay)

            def breaks(application: Flask) -> None:
                relay.cut()

            def repairs(application: Flask) -> None:
                relay.restore()
        elif dependency == "database":
            path = sa.engine.make_url(config["DATABASE_URL"]).database

            def breaks(application: Flask) -> None:
                _close_database()
                os.replace(path, path + ".away")  # the next connection finds an empty file: no tables
        elif dependency == "queue":
            queue_file = os.path.join(config["INSTANCE_PATH"], "jobs", "queue.db")
            config["QUEUE_URL"] = f"sqlite:{queue_file}"

            def breaks(application: Flask) -> None:
                application.extensions["queue"].huey.storage.close()
                shutil.rmtree(os.path.dirname(queue_file))
                os.makedirs(queue_file)  # a folder where the file was: SQLite cannot open it

            def repairs(application: Flask) -> None:
                os.rmdir(queue_file)
                application.extensions["queue"].huey.storage.initialize_schema()
        elif dependency == "storage":
            config["STORAGE_URL"] = "fs:media"

            def breaks(application: Flask) -> None:
                _replace_with_file(os.path.join(application.instance_path, "media"))
        else:

            def breaks(application: Flask) -> None:
                _replace_with_file(store.index_path())

        running = running_app(config, profile)
        application = next(running)
        started.append((running, application, repairs))
        assert application.test_client().get("/readyz").status_code == 200
        breaks(application)
        return application

    yield factory
    for running, application, repairs in started:
        repairs(application)
        with pytest.raises(StopIteration):
            next(running)
    for relay in relays:
        relay.cut()


@pytest.mark.parametrize("dependency", DEPENDENCIES)
def test_readyz_names_what_it_cannot_reach(broken, dependency: str) -> None:
    application = broken(dependency)
    client = application.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["failed"] == [dependency]
    assert body["checks"] == {name: ("failed" if name == dependency else "ok") for name in DEPENDENCIES}
    assert body["error"]["code"] == "not_ready"
    assert body["error"]["message"] == f"Not ready: cannot reach {dependency}."
    assert client.get("/healthz").status_code == 200  # alive all the same: restarting would not help
