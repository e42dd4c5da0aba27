"""job failure reasons as a message key and its values

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: rows failed before have no code and keep showing their English text.
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('error_params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('error_params')
        batch_op.drop_column('error_code')
