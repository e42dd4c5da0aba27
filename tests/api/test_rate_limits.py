"""API rate limits: per token, refused tokens per address, 429 in the API's error shape with Retry-After."""

from __future__ import annotations

import pytest

from archive.auth import operations as accounts
from tests.conftest import running_app


@pytest.fixture
def strict_app(app_config, profile):
    """An app with small API limits, counted in memory (embedded) or Redis (scaled)."""
    yield from running_app({**app_config, "API_LIMIT": "5 per minute", "TOKEN_FAILURE_LIMIT": "3 per minute"}, profile)


def at(app, address: str):
    """A client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_each_token_has_its_own_allowance(strict_app):
    first = {"Authorization": "Bearer " + accounts.issue_token(accounts.create_user("a@example.org", "a long password", "archivist"))}
    second = {"Authorization": "Bearer " + accounts.issue_token(accounts.create_user("b@example.org", "a long password", "venue"))}
    client = at(strict_app, "192.0.2.10")
    answers = [client.get("/api/v1/items", headers=first) for _ in range(5)]
    assert all(r.status_code == 200 for r in answers)
    refused = client.get("/api/v1/me", headers=first)  # one allowance for the whole API, not per route
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert "Try again in" in refused.get_json()["error"]["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_anonymous_api_calls_are_limited_per_address(strict_app):
    client = at(strict_app, "192.0.2.20")
    assert [client.get("/api/v1/items").status_code for _ in range(6)] == [200] * 5 + [429]
    assert at(strict_app, "192.0.2.21").get("/api/v1/items").status_code == 200


def test_guessing_tokens_is_slowed_down_per_address(strict_app):
    guesser = at(strict_app, "192.0.2.30")
    statuses = [guesser.get("/api/v1/me", headers={"Authorization": f"Bearer da_guess{n}"}).status_code
                for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    response = guesser.get("/api/v1/items")
    assert response.status_code == 429 and "refused API tokens" in response.get_json()["error"]["message"]
    assert "Retry-After" in response.headers
    # A good token from another address is not affected.
    token = accounts.issue_token(accounts.create_user("c@example.org", "a long password", "venue"))
    assert at(strict_app, "192.0.2.31").get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_default_limits_leave_ordinary_use_alone(app, client, token_for):
    headers = token_for("archivist")
    assert all(client.get("/api/v1/items", headers=headers).status_code == 200 for _ in range(30))
