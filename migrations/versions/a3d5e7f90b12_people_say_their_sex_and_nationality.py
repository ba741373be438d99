"""people say their sex and nationality if they wish (for the trained leaders' totals)

Revision ID: a3d5e7f90b12
Revises: 5711a2cdb7fb
Create Date: 2026-12-01 12:23:49.521374
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = 'a3d5e7f90b12'
down_revision: str | None = '5711a2cdb7fb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Trained people erased before this revision were tallied without sex or nationality: they
# count as "not stated", so the split adds up to the trained total (bot/console/console.py).
SPLITS = (
    ('trained_by_sex', 'leaders_trained'),
    ('trained_by_nationality', 'leaders_trained'),
    ('trained_by_topic_sex', 'trained_by_topic'),
)


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sex', sa.Enum('female', 'male', 'other', 'unstated', name='sex', native_enum=False, length=12), nullable=True))
        batch_op.add_column(sa.Column('nationality', sa.Enum('venezuelan', 'peruvian', 'other', 'unstated', name='nationality', native_enum=False, length=12), nullable=True))
        batch_op.add_column(sa.Column('about_asked_at', bot.core.db.UTCDateTime(timezone=True), nullable=True))
    for metric, source in SPLITS:
        op.execute(sa.text(
            "INSERT INTO erased_tallies (metric, dimension, count) "
            "SELECT :metric, dimension || '|unstated', count FROM erased_tallies WHERE metric = :source"
        ).bindparams(metric=metric, source=source))


def downgrade() -> None:
    for metric, _source in SPLITS:
        op.execute(sa.text("DELETE FROM erased_tallies WHERE metric = :metric").bindparams(metric=metric))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('about_asked_at')
        batch_op.drop_column('nationality')
        batch_op.drop_column('sex')
