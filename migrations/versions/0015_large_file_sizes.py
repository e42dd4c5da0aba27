"""file sizes of originals and derivatives as 64-bit numbers

A plain INTEGER holds up to 2 GiB on PostgreSQL: recording a larger original (or a screening
master) failed. SQLite's INTEGER is 64-bit already; the column type changes there too, so the
schema matches the models.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 17:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TABLES = ("media_files", "derivatives")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('size', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('size', existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
