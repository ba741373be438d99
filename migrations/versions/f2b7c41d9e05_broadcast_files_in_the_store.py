"""a broadcast's file kept in the encrypted store, judged by its bytes (bot/core/uploads.py)

Revision ID: f2b7c41d9e05
Revises: bd078289abe5
Create Date: 2026-12-07 13:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f2b7c41d9e05'
down_revision: str | None = 'bd078289abe5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # attachment_file_id is now the Telegram id of the cleaned copy, learnt when it is first sent.
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_path', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('attachment_path')
