"""the people reached outside their 24-hour window on WhatsApp in a moving 24 hours, for
Meta's daily messaging limit (bot/messaging/whatsapp_reach.py); the WhatsApp message id of a
broadcast's delivery, for Meta's later report that it failed

Revision ID: a9d4e2b7c315
Revises: e7b3c9a1f024
Create Date: 2026-12-07 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = 'a9d4e2b7c315'
down_revision: str | None = 'e7b3c9a1f024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('whatsapp_reach',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_whatsapp_reach_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_whatsapp_reach'))
    )
    op.create_index(op.f('ix_whatsapp_reach_opened_at'), 'whatsapp_reach', ['opened_at'], unique=False)
    op.add_column('broadcast_deliveries', sa.Column('message_id', sa.String(length=160), nullable=True))
    op.create_index(op.f('ix_broadcast_deliveries_message_id'), 'broadcast_deliveries', ['message_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_broadcast_deliveries_message_id'), table_name='broadcast_deliveries')
    with op.batch_alter_table('broadcast_deliveries') as batch:
        batch.drop_column('message_id')
    op.drop_index(op.f('ix_whatsapp_reach_opened_at'), table_name='whatsapp_reach')
    op.drop_table('whatsapp_reach')
