"""the training feedback flow keeps the session being commented on in a row, not in the chat's memory

Revision ID: 0c5e9a7d31f4
Revises: 0a7e5c3d9b21
Create Date: 2026-12-07 16:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = '0c5e9a7d31f4'
down_revision: str | None = '0a7e5c3d9b21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A comment asked for before the upgrade is still read from PTB's user data once
    # (handlers/trainings/records.py, LEGACY_SESSION), so nothing is copied here.
    op.create_table('training_feedback_drafts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_feedback_drafts_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_feedback_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_training_feedback_drafts'))
    )


def downgrade() -> None:
    op.drop_table('training_feedback_drafts')
