"""staff granted by ADMIN_IDS

Revision ID: 1b1496697846
Revises: b9cf71e354bc
Create Date: 2026-12-01 09:55:59.257812
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '1b1496697846'
down_revision: str | None = 'b9cf71e354bc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_from_settings', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Until now ADMIN_IDS was the only way to become staff: today's staff came from it, and
    # lose the role at their next message if the list no longer names them.
    users = sa.table('users', sa.column('role', sa.String), sa.column('staff_from_settings', sa.Boolean))
    op.execute(users.update().where(users.c.role == 'staff').values(staff_from_settings=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('staff_from_settings')
