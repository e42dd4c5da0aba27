"""item and collection numbers are never reused on SQLite (AUTOINCREMENT)

SQLite gives a new row the highest rowid plus one, so deleting the newest item handed its number
(its address, OAI identifier and deletion record) to the next one. AUTOINCREMENT keeps a high-water
mark in ``sqlite_sequence`` instead. PostgreSQL's sequences never reuse a number: nothing to do there.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01 16:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLES = ("items", "collections")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)
