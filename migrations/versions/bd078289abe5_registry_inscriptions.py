"""registry inscriptions: an association's inscription in Registros Públicos, recorded with its last step

Revision ID: bd078289abe5
Revises: a3db50e53072
Create Date: 2026-12-07 13:00:35.580141
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = 'bd078289abe5'
down_revision: str | None = 'a3db50e53072'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('registry_inscriptions',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('inscribed_on', sa.Date(), nullable=False),
    sa.Column('office', sa.String(length=80), nullable=False),
    sa.Column('partida', sa.String(length=32), nullable=False),
    sa.Column('recorded_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_registry_inscriptions_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_registry_inscriptions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_registry_inscriptions'))
    )


def downgrade() -> None:
    op.drop_table('registry_inscriptions')
