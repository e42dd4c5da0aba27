"""Migrations run forward and back on SQLite and PostgreSQL, and agree with the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from archive import create_app
from archive.extensions import db
from tests.conftest import POSTGRES_URL, PROFILES, _create_database_if_missing


def _postgres_url() -> str:
    """A database of its own, so the migration round trip never touches the suite's schema."""
    url = sa.engine.make_url(POSTGRES_URL)
    url = url.set(database=f"{url.database}_migrations")
    _create_database_if_missing(url.render_as_string(hide_password=False))
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


# PostgreSQL belongs to the scaled configuration; it runs whenever that one does.
DATABASES = ["sqlite"] + (["postgresql"] if "scaled" in PROFILES else [])


@pytest.fixture(params=DATABASES)
def empty_database(request, tmp_path):
    if request.param == "postgresql":
        return _postgres_url()
    return f"sqlite:///{tmp_path / 'migrations.db'}"


def test_migrations_round_trip_and_match_the_models(empty_database, tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": empty_database,
                      "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"

        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}

        upgrade()
        with db.engine.connect() as connection:
            assert "items" in sa.inspect(connection).get_table_names()
        db.engine.dispose()


def test_rows_survive_migrations_that_rebuild_tables(empty_database, tmp_path):
    """SQLite rebuilds a table to change it; nothing that refers to it may be lost on the way.

    0006 rebuilds users (API tokens refer to it); 0014 rebuilds items (credits refer to it).
    """
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": empty_database,
                      "SECRET_KEY": "x", "TESTING": True})
    tables = ("users", "api_tokens", "items", "credits")
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (id, email, name, role, password_hash, active, failed_logins, created_at) "
                "VALUES (1, 'ani@example.org', 'Ani', 'admin', 'x', true, 0, '2026-01-01')"))
            connection.execute(sa.text(
                "INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) "
                "VALUES (1, 1, 'importer', 'h', '2026-01-01')"))
            connection.execute(sa.text(
                "INSERT INTO items (id, kind, title, description, countries, languages, rights_note, visibility, "
                "created_by_id, created_at, updated_at) VALUES (1, 'film', '{}', '{}', '[]', '[]', '', 'public', 1, "
                "'2026-01-01', '2026-01-01')"))
            connection.execute(sa.text("INSERT INTO people (id, name) VALUES (1, 'Ani')"))
            connection.execute(sa.text(
                "INSERT INTO credits (id, item_id, person_id, role, position) VALUES (1, 1, 1, 'director', 0)"))

        def counts() -> dict:
            with db.engine.connect() as connection:
                return {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}

        assert counts() == dict.fromkeys(tables, 1)
        upgrade()
        assert counts() == dict.fromkeys(tables, 1)
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                items_sql = connection.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'items'")).scalar()
            assert "AUTOINCREMENT" in items_sql
        downgrade(revision="0005")
        assert counts() == dict.fromkeys(tables, 1)
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT created_by_id FROM items")).scalar() == 1
        db.engine.dispose()
