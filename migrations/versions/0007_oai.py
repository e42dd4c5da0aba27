"""OAI identifiers ever exposed, so withdrawn records are reported as deleted

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oai_records',
    sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('item_created_at', sa.DateTime(), nullable=False),
    sa.Column('first_exposed_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('datestamp', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_oai_records'))
    )
    with op.batch_alter_table('oai_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oai_records_datestamp'), ['datestamp'], unique=False)

    op.create_table('oai_record_sets',
    sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('collection_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['oai_records.item_id'], name=op.f('fk_oai_record_sets_item_id_oai_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'collection_id', name=op.f('pk_oai_record_sets'))
    )
    with op.batch_alter_table('oai_record_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oai_record_sets_collection_id'), ['collection_id'], unique=False)


def downgrade():
    with op.batch_alter_table('oai_record_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oai_record_sets_collection_id'))

    op.drop_table('oai_record_sets')
    with op.batch_alter_table('oai_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oai_records_datestamp'))

    op.drop_table('oai_records')
