"""people have a channel: where notices and reminders reach them (bot/messaging/channels.py)

Revision ID: 0c5e8a1f7b32
Revises: f2b7c41d9e05
Create Date: 2026-12-07 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0c5e8a1f7b32'
down_revision: str | None = 'f2b7c41d9e05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Everyone so far talks to the bot on Telegram. Notices need no table of their own: they
    # are rows of the reminders engine (kind "notice"), claimed, retried and recovered like them.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='telegram', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('channel')
