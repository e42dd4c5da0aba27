"""Bearer tokens: using one never fails because the database will not record the use."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from archive.auth import operations as accounts
from archive.auth.models import ApiToken
from archive.extensions import db
from archive.timeutil import utcnow

REFUSE_SQLITE = """CREATE TRIGGER refuse_token_writes BEFORE UPDATE ON api_tokens
BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END"""
REFUSE_POSTGRES = [
    """CREATE FUNCTION refuse_token_writes() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'cannot execute UPDATE in a read-only transaction'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER refuse_token_writes BEFORE UPDATE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION refuse_token_writes()""",
]
ALLOW_POSTGRES = ["DROP TRIGGER IF EXISTS refuse_token_writes ON api_tokens",
                  "DROP FUNCTION IF EXISTS refuse_token_writes()"]


@pytest.fixture
def token_writes_refused(app, profile):
    """The api_tokens table refuses every update, as a read-only database or a held lock would."""
    statements = [REFUSE_SQLITE] if profile == "embedded" else REFUSE_POSTGRES
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    yield
    db.session.rollback()  # the test's open transaction would hold up the DDL below
    undo = ["DROP TRIGGER IF EXISTS refuse_token_writes"] if profile == "embedded" else ALLOW_POSTGRES
    with db.engine.begin() as connection:
        for statement in undo:
            connection.execute(sa.text(statement))


def test_a_token_read_succeeds_when_its_use_cannot_be_recorded(app, client, users, token_writes_refused, caplog):
    token = accounts.issue_token(users["archivist"], "script")
    with caplog.at_level(logging.WARNING):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        items = client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["email"] == users["archivist"].email
    assert items.status_code == 200
    assert "Could not record the use of API token" in caplog.text
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is None


def test_a_token_use_is_recorded_at_most_once_a_minute(app, client, users):
    token = accounts.issue_token(users["venue"], "script")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    first = db.session.scalar(sa.select(ApiToken.last_used_at))
    assert first is not None
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) == first
    row = db.session.scalar(sa.select(ApiToken))
    row.last_used_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) > first
