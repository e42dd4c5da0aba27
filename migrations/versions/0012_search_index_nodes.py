"""the generation of the replicated search index each node serves

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_index_nodes',
        sa.Column('node', sa.String(length=200), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('node'),
    )
    with op.batch_alter_table('search_index_nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_index_nodes_seen_at'), ['seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('search_index_nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_index_nodes_seen_at'))
    op.drop_table('search_index_nodes')
