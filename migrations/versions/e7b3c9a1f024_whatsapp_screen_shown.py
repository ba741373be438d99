"""the screen last shown to each person on WhatsApp, so a typed number or the choice's words
answer it after a restart too, and an invitation waiting for their consent
(bot/messaging/whatsapp_screens.py)

Revision ID: e7b3c9a1f024
Revises: c5e8a1d3f702
Create Date: 2026-12-07 16:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = 'e7b3c9a1f024'
down_revision: str | None = 'c5e8a1d3f702'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('whatsapp_shown',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('flow', sa.String(length=32), nullable=True),
    sa.Column('screen', sa.JSON(), nullable=False),
    sa.Column('page', sa.Integer(), server_default='1', nullable=False),
    sa.Column('shown_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('invite_token', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_whatsapp_shown_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_whatsapp_shown'))
    )


def downgrade() -> None:
    op.drop_table('whatsapp_shown')
