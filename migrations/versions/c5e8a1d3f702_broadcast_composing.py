"""where a person is in /broadcast's typed answers, kept by the domain (bot/broadcasts/composing.py)

Revision ID: c5e8a1d3f702
Revises: 30781dfc8160
Create Date: 2026-12-07 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = 'c5e8a1d3f702'
down_revision: str | None = '30781dfc8160'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Someone halfway through when this arrives has their step in conversation_steps and the
    # broadcast in channel_user_data: composing.answer still reads those (`at`, `asked`).
    op.create_table('broadcast_composing',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('updated_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_broadcast_composing_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_broadcast_composing_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_broadcast_composing'))
    )
    with op.batch_alter_table('broadcast_composing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_composing_broadcast_id'), ['broadcast_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('broadcast_composing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_composing_broadcast_id'))
    op.drop_table('broadcast_composing')
