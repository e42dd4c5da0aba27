"""/metrics: latency per route, the queue, failed jobs and the index, for the staff network only."""

from __future__ import annotations

import re
from ipaddress import ip_network

import pytest

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.queue import current_queue
from tests.conftest import running_app
from tests.factories import make_film

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def value(text: str, sample: str) -> float:
    """The value of one sample line, named with its labels as Prometheus prints them (sorted by name)."""
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    assert match, f"{sample} not in:\n{text}"
    return float(match.group(1))


def test_metrics_count_requests_by_route_and_read_the_queue_jobs_and_index(app, client) -> None:
    film = make_film("Counted", "public")
    for _ in range(3):
        assert client.get(f"/items/{film.id}").status_code == 200
    assert client.get("/items/999999").status_code == 404
    db.session.add_all([Job(kind="derive", status="failed"), Job(kind="index", status="failed"),
                        Job(kind="derive", status="done")])
    db.session.commit()
    current_queue().huey.flush()
    current_queue().send(1)
    current_queue().send(2)

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and "version=" in response.content_type
    text = response.get_data(as_text=True)
    item_route = 'route="/items/<int:item_id>"'
    assert value(text, f'archive_request_duration_seconds_count{{method="GET",{item_route},status="2xx"}}') == 3
    assert value(text, f'archive_request_duration_seconds_count{{method="GET",{item_route},status="4xx"}}') == 1
    assert value(text, "archive_queue_depth") == 2
    assert value(text, "archive_jobs_failed") == 2
    assert value(text, 'archive_jobs{kind="derive",status="failed"}') == 1
    assert value(text, 'archive_jobs{kind="derive",status="done"}') == 1
    assert value(text, "archive_index_generation") >= 0
    assert value(text, "archive_index_age_seconds") >= 0
    assert "archive_index_documents" in text
    current_queue().huey.flush()


def test_metrics_are_hidden_outside_the_staff_network(client) -> None:
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 404
    assert client.get("/healthz", environ_base=OUTSIDE).status_code == 200  # the probes stay open


@pytest.mark.parametrize("networks", ["203.0.113.0/24", "203.0.113.9"])
def test_the_staff_network_is_a_setting(app_config, profile, networks) -> None:
    config = {**app_config, "METRICS_NETWORKS": (ip_network(networks),)}
    for application in running_app(config, profile):
        client = application.test_client()
        assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200
        assert client.get("/metrics").status_code == 404  # loopback is no longer listed
