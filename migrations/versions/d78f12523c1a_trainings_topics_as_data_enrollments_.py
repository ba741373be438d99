"""trainings: topics as data, enrollments, certificates, topic votes, session drafts

Revision ID: d78f12523c1a
Revises: e4a1c0ffee14
Create Date: 2026-12-01 10:17:18.903900
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = 'd78f12523c1a'
down_revision: str | None = 'e4a1c0ffee14'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The programme's topics until now (the codes sessions already carry) and two it announced.
FIRST_TOPICS = (
    ('leadership', 'Liderazgo', 'Leadership'),
    ('project_management', 'Gestión de proyectos', 'Project management'),
    ('organizational_culture', 'Cultura organizacional positiva', 'Positive organizational culture'),
    ('data_protection', 'Protección de datos personales', 'Data protection'),
    ('office_tools', 'Herramientas de oficina', 'Office tools'),
    ('basic_design', 'Diseño básico', 'Basic design'),
    ('tax', 'Tributación (SUNAT)', 'Taxes (SUNAT)'),
    ('nonprofit_accounting', 'Contabilidad para organizaciones sin fines de lucro', 'Non-profit accounting'),
)


def upgrade() -> None:
    topics = op.create_table('training_topics',
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name_es', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('created_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_training_topics'))
    )
    now = datetime.now(UTC)
    op.bulk_insert(topics, [{'code': c, 'name_es': es, 'name_en': en, 'created_at': now} for c, es, en in FIRST_TOPICS])

    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enroll_until', bot.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('prerequisite_topic', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('checkin_code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('checkin_open', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_training_sessions_topic_training_topics'), 'training_topics', ['topic'], ['code'])
        batch_op.create_foreign_key(batch_op.f('fk_training_sessions_prerequisite_topic_training_topics'), 'training_topics', ['prerequisite_topic'], ['code'])

    op.create_table('training_enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('enrolled', 'waitlisted', 'offered', 'attended', 'no_show', name='enrollmentstate', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('offer_expires_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attended_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('comment', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_enrollments_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_enrollments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_enrollments')),
    sa.UniqueConstraint('session_id', 'user_id', name='uq_training_enrollments_session_user')
    )
    with op.batch_alter_table('training_enrollments', schema=None) as batch_op:
        batch_op.create_index('ix_training_enrollments_session_state', ['session_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_enrollments_user_id'), ['user_id'], unique=False)

    op.create_table('training_certificates',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=128), nullable=False),
    sa.Column('organization_name', sa.String(length=160), nullable=True),
    sa.Column('issued_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_certificates_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_training_certificates')),
    sa.UniqueConstraint('session_id', 'user_id', name='uq_training_certificates_session_user')
    )
    with op.batch_alter_table('training_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_certificates_user_id'), ['user_id'], unique=False)

    op.create_table('training_topic_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_training_topic_votes_opened_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_topic_votes'))
    )
    op.create_table('training_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['topic'], ['training_topics.code'], name=op.f('fk_training_ballots_topic_training_topics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_ballots_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vote_id'], ['training_topic_votes.id'], name=op.f('fk_training_ballots_vote_id_training_topic_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_ballots')),
    sa.UniqueConstraint('vote_id', 'user_id', 'topic', name='uq_training_ballots_vote_user_topic')
    )
    with op.batch_alter_table('training_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_ballots_user_id'), ['user_id'], unique=False)

    op.create_table('training_drafts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_training_drafts'))
    )


def downgrade() -> None:
    op.drop_table('training_drafts')
    with op.batch_alter_table('training_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_ballots_user_id'))
    op.drop_table('training_ballots')
    op.drop_table('training_topic_votes')
    with op.batch_alter_table('training_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_certificates_user_id'))
    op.drop_table('training_certificates')
    with op.batch_alter_table('training_enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_enrollments_user_id'))
        batch_op.drop_index('ix_training_enrollments_session_state')
    op.drop_table('training_enrollments')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_training_sessions_prerequisite_topic_training_topics'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_training_sessions_topic_training_topics'), type_='foreignkey')
        batch_op.drop_column('checkin_open')
        batch_op.drop_column('checkin_code')
        batch_op.drop_column('prerequisite_topic')
        batch_op.drop_column('enroll_until')
    op.drop_table('training_topics')
