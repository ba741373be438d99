"""broadcasts and notification settings

Revision ID: 5711a2cdb7fb
Revises: d78f12523c1a
Create Date: 2026-12-01 10:19:04.678219
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = '5711a2cdb7fb'
down_revision: str | None = 'd78f12523c1a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'awaiting_approval', 'scheduled', 'sending', 'done', 'cancelled', name='broadcaststate', native_enum=False, length=24), nullable=False),
    sa.Column('kind', sa.Enum('trainings', 'reports', 'ruos', 'announcements', name='messagekind', native_enum=False, length=24), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('buttons', sa.JSON(), nullable=False),
    sa.Column('attachment_kind', sa.String(length=16), nullable=True),
    sa.Column('attachment_file_id', sa.String(length=200), nullable=True),
    sa.Column('send_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('progress_message_id', sa.Integer(), nullable=True),
    sa.Column('in_flight_at_restart', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_broadcasts_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_broadcasts_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcasts_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcasts_state'), ['state'], unique=False)

    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('muted', sa.JSON(), nullable=False),
    sa.Column('quiet_start', sa.Time(), nullable=True),
    sa.Column('quiet_end', sa.Time(), nullable=True),
    sa.Column('paused_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    op.create_table('broadcast_deliveries',
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sending', 'delivered', 'failed', 'blocked', 'skipped', name='deliverystate', native_enum=False, length=24), nullable=False),
    sa.Column('not_before', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('sent_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_broadcast_deliveries_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_broadcast_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('broadcast_id', 'user_id', name=op.f('pk_broadcast_deliveries'))
    )
    with op.batch_alter_table('broadcast_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_deliveries_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_broadcast_deliveries_work', ['broadcast_id', 'state', 'not_before'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('broadcast_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_broadcast_deliveries_work')
        batch_op.drop_index(batch_op.f('ix_broadcast_deliveries_user_id'))

    op.drop_table('broadcast_deliveries')
    op.drop_table('notification_settings')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcasts_state'))
        batch_op.drop_index(batch_op.f('ix_broadcasts_author_id'))

    op.drop_table('broadcasts')
