"""Community projects: proposals, status history, funding, reports per period, evidence files.

Projects recorded before this (read-only /projects) were under way: they become "implementing".

Revision ID: c12a0f3e5d7b
Revises: 1b1496697846
Create Date: 2026-12-01 10:17:15.512405
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = 'c12a0f3e5d7b'
down_revision: str | None = '1b1496697846'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('project_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('due', 'submitted', 'changes', 'approved', name='reportstatus', native_enum=False, length=24), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=True),
    sa.Column('scratch', sa.JSON(), nullable=False),
    sa.Column('activities', sa.JSON(), nullable=False),
    sa.Column('beneficiaries', sa.JSON(), nullable=False),
    sa.Column('spent_cents', sa.Integer(), nullable=True),
    sa.Column('difficulties', sa.Text(), nullable=True),
    sa.Column('lessons', sa.Text(), nullable=True),
    sa.Column('submitted_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('reviewed_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_version', sa.Integer(), nullable=True),
    sa.Column('approved_beneficiaries', sa.JSON(), nullable=True),
    sa.Column('approved_spent_cents', sa.Integer(), nullable=True),
    sa.Column('updated_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_reports_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_project_reports_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_project_reports_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_reports')),
    sa.UniqueConstraint('project_id', 'number', name=op.f('uq_project_reports_project_id'))
    )
    with op.batch_alter_table('project_reports', schema=None) as batch_op:
        batch_op.create_index('ix_project_reports_status_submitted_at', ['status', 'submitted_at'], unique=False)

    op.create_table('project_drafts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_project_drafts_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_drafts_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['project_reports.id'], name=op.f('fk_project_drafts_report_id_project_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_project_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_project_drafts'))
    )
    op.create_table('project_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_project_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_events_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['project_reports.id'], name=op.f('fk_project_events_report_id_project_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_events'))
    )
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_events_project_id'), ['project_id'], unique=False)

    op.create_table('project_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('storage_path', sa.String(length=200), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=True),
    sa.Column('media_group_id', sa.String(length=64), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_project_files_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_files_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['project_reports.id'], name=op.f('fk_project_files_report_id_project_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_project_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_files'))
    )
    with op.batch_alter_table('project_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_files_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_files_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('proposal', 'selected', 'funded', 'implementing', 'closed', 'not_selected', name='projectstatus', native_enum=False, length=24), nullable=False, server_default='implementing'))
        batch_op.add_column(sa.Column('theme', sa.Enum('women_enterprise', 'human_rights', 'risk_management', 'education', 'culture', 'children_arts_sport', 'wellbeing_family', 'primary_health', name='projecttheme', native_enum=False, length=24), nullable=True))
        batch_op.add_column(sa.Column('objective', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('target_population', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('district_ubigeo', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('requested_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('granted_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('report_frequency', sa.Enum('monthly', 'quarterly', 'final', name='reportfrequency', native_enum=False, length=24), nullable=True))
        batch_op.add_column(sa.Column('proposed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sent_at', bot.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', bot.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_projects_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_projects_proposed_by_id_users'), 'users', ['proposed_by_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_projects_proposed_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_projects_status'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('sent_at')
        batch_op.drop_column('proposed_by_id')
        batch_op.drop_column('report_frequency')
        batch_op.drop_column('granted_cents')
        batch_op.drop_column('requested_cents')
        batch_op.drop_column('district_ubigeo')
        batch_op.drop_column('target_population')
        batch_op.drop_column('objective')
        batch_op.drop_column('theme')
        batch_op.drop_column('status')

    with op.batch_alter_table('project_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_files_report_id'))
        batch_op.drop_index(batch_op.f('ix_project_files_project_id'))

    op.drop_table('project_files')
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_events_project_id'))

    op.drop_table('project_events')
    op.drop_table('project_drafts')
    with op.batch_alter_table('project_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_project_reports_status_submitted_at')

    op.drop_table('project_reports')
