"""staff console: audit log, coordinator districts, follow-up of quiet organizations, erased tallies

Revision ID: e4a1c0ffee14
Revises: c12a0f3e5d7b
Create Date: 2026-12-01 10:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = 'e4a1c0ffee14'
down_revision: str | None = 'c12a0f3e5d7b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_audit_entries_organization_id_organizations'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_audit_entries_subject_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_actor_at', ['actor_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_entries_organization_at', ['organization_id', 'at'], unique=False)
    op.create_table(
        'coordinator_districts',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('district_ubigeo', sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_coordinator_districts_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'district_ubigeo', name=op.f('pk_coordinator_districts')),
    )
    op.create_table(
        'organization_followups',
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum('active', 'inactive', 'dissolved', name='activitystate', native_enum=False, length=24), nullable=False),
        sa.Column('checked_in_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('listed_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('marked_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('marked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_organization_followups_marked_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_followups_organization_id_organizations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_followups')),
    )
    with op.batch_alter_table('organization_followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_followups_state'), ['state'], unique=False)
    op.create_table(
        'erased_tallies',
        sa.Column('metric', sa.String(length=40), nullable=False),
        sa.Column('dimension', sa.String(length=40), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('metric', 'dimension', name=op.f('pk_erased_tallies')),
    )


def downgrade() -> None:
    op.drop_table('erased_tallies')
    with op.batch_alter_table('organization_followups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_followups_state'))
    op.drop_table('organization_followups')
    op.drop_table('coordinator_districts')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_organization_at')
        batch_op.drop_index(batch_op.f('ix_audit_entries_at'))
        batch_op.drop_index('ix_audit_entries_actor_at')
    op.drop_table('audit_entries')
