"""erased tallies keep their month, so a period's figures keep what was erased

Revision ID: b8c4d2e6f013
Revises: a3d5e7f90b12
Create Date: 2026-12-01 15:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b8c4d2e6f013'
down_revision: str | None = 'a3d5e7f90b12'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Tallies kept before this revision get "": counted as they were (bot/console/console.py).
def upgrade() -> None:
    with op.batch_alter_table('erased_tallies', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('period', sa.String(length=16), server_default='', nullable=False))
        batch_op.drop_constraint('pk_erased_tallies', type_='primary')
        batch_op.create_primary_key('pk_erased_tallies', ['metric', 'dimension', 'period'])


def downgrade() -> None:
    # Months fold back into one undated tally per metric and dimension.
    op.execute(sa.text(
        "CREATE TABLE erased_tallies_undated AS SELECT metric, dimension, SUM(count) AS count FROM erased_tallies "
        "WHERE period = '' OR metric NOT IN ('leaders_trained', 'trained_by_topic', 'trained_by_sex', "
        "'trained_by_nationality', 'trained_by_topic_sex') GROUP BY metric, dimension"
    ))
    op.execute(sa.text("DELETE FROM erased_tallies"))
    with op.batch_alter_table('erased_tallies', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint('pk_erased_tallies', type_='primary')
        batch_op.drop_column('period')
        batch_op.create_primary_key('pk_erased_tallies', ['metric', 'dimension'])
    op.execute(sa.text(
        "INSERT INTO erased_tallies (metric, dimension, count) SELECT metric, dimension, count FROM erased_tallies_undated"
    ))
    op.execute(sa.text("DROP TABLE erased_tallies_undated"))
