"""deletion records and their stored objects

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deletions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.String(length=10), nullable=False),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_by_email', sa.String(length=255), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_deletions_deleted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deletions'))
    )
    with op.batch_alter_table('deletions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deletions_item_id'), ['item_id'], unique=False)

    op.create_table('deleted_objects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deletion_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['deletion_id'], ['deletions.id'], name=op.f('fk_deleted_objects_deletion_id_deletions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deleted_objects'))
    )
    with op.batch_alter_table('deleted_objects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deleted_objects_deletion_id'), ['deletion_id'], unique=False)


def downgrade():
    with op.batch_alter_table('deleted_objects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deleted_objects_deletion_id'))

    op.drop_table('deleted_objects')
    with op.batch_alter_table('deletions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deletions_item_id'))

    op.drop_table('deletions')
