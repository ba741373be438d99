"""broadcast versions and who shaped them (none of them may approve), and why a delivery was skipped

Revision ID: a3db50e53072
Revises: b8c4d2e6f013
Create Date: 2026-12-07 12:59:06.926793
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a3db50e53072'
down_revision: str | None = 'b8c4d2e6f013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

deliveries = sa.table('broadcast_deliveries', sa.column('state', sa.String), sa.column('reason', sa.String))
OLD_UNREACHABLE = 'unreachable: blocked the bot before'


def upgrade() -> None:
    op.create_table('broadcast_contributors',
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_broadcast_contributors_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_broadcast_contributors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('broadcast_id', 'user_id', name=op.f('pk_broadcast_contributors'))
    )
    with op.batch_alter_table('broadcast_contributors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_contributors_user_id'), ['user_id'], unique=False)

    # Broadcasts of before start at version 1; who changed them then is not known (their author is).
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    # Skipped deliveries keep a reason the report counts (bot.broadcasts.models.SkipReason);
    # "their settings", which did not say which, stays as it was and is counted apart.
    op.execute(deliveries.update().where(deliveries.c.state == 'skipped', deliveries.c.reason == OLD_UNREACHABLE)
               .values(reason='unreachable'))


def downgrade() -> None:
    op.execute(deliveries.update().where(deliveries.c.state == 'skipped', deliveries.c.reason == 'unreachable')
               .values(reason=OLD_UNREACHABLE))
    op.execute(deliveries.update().where(deliveries.c.state == 'skipped', deliveries.c.reason.in_(['paused', 'switched off', 'no consent']))
               .values(reason='their settings'))
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('broadcast_contributors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_contributors_user_id'))

    op.drop_table('broadcast_contributors')
