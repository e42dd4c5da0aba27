"""subtitle tracks and cues

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subtitle_tracks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=35), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('source_format', sa.String(length=10), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=False),
    sa.Column('vtt_key', sa.String(length=255), nullable=False),
    sa.Column('cue_count', sa.Integer(), nullable=False),
    sa.Column('first_start', sa.Double(), nullable=False),
    sa.Column('last_end', sa.Double(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_subtitle_tracks_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_subtitle_tracks_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subtitle_tracks')),
    sa.UniqueConstraint('item_id', 'lang', name='uq_subtitle_tracks_item_lang'),
    sa.UniqueConstraint('vtt_key', name=op.f('uq_subtitle_tracks_vtt_key'))
    )
    with op.batch_alter_table('subtitle_tracks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subtitle_tracks_item_id'), ['item_id'], unique=False)

    op.create_table('cues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start', sa.Double(), nullable=False),
    sa.Column('end', sa.Double(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('plain', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['track_id'], ['subtitle_tracks.id'], name=op.f('fk_cues_track_id_subtitle_tracks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cues')),
    sa.UniqueConstraint('track_id', 'position', name='uq_cues_track_position')
    )


def downgrade():
    op.drop_table('cues')
    with op.batch_alter_table('subtitle_tracks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subtitle_tracks_item_id'))

    op.drop_table('subtitle_tracks')
