"""resumable (tus) uploads in progress

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'uploads',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('length', sa.BigInteger(), nullable=False),
        sa.Column('offset', sa.BigInteger(), nullable=False),
        sa.Column('storage_key', sa.String(length=255), nullable=False),
        sa.Column('storage_upload_id', sa.String(length=1024), nullable=True),
        sa.Column('parts', sa.JSON(), nullable=False),
        sa.Column('tail', sa.LargeBinary(), nullable=False),
        sa.Column('hash_state', sa.LargeBinary(), nullable=False),
        sa.Column('head', sa.LargeBinary(), nullable=False),
        sa.Column('media_id', sa.Integer(), nullable=True),
        sa.Column('lease', sa.String(length=32), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_uploads_item_id_items'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_uploads_owner_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_uploads_media_id_media_files'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_uploads_storage_key')),
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploads_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploads_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploads_expires_at'), ['expires_at'], unique=False)


def downgrade():
    op.drop_table('uploads')
