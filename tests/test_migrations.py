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
