"""questions and their threads, saved answers, and confidential feedback (bot/questions/)

Revision ID: 5569cd73c580
Revises: f2b7c41d9e05
Create Date: 2026-12-07 15:45:53.966196
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = '5569cd73c580'
down_revision: str | None = 'f2b7c41d9e05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('complaint_handlers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('designated_by_id', sa.Integer(), nullable=True),
    sa.Column('designated_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['designated_by_id'], ['users.id'], name=op.f('fk_complaint_handlers_designated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_complaint_handlers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_complaint_handlers'))
    )
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('suggestion', 'complaint', name='feedbackkind', native_enum=False, length=12), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('new', 'read', 'answered', 'closed', name='feedbackstate', native_enum=False, length=12), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_on', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_feedback_handled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_feedback_sender_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_sender_id'), ['sender_id'], unique=False)

    op.create_table('saved_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_saved_answers_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_answers'))
    )
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('district_ubigeo', sa.String(length=6), nullable=True),
    sa.Column('topic', sa.Enum('organization', 'ruos', 'project', 'training', 'other', name='questiontopic', native_enum=False, length=16), nullable=False),
    sa.Column('topic_ref', sa.Integer(), nullable=True),
    sa.Column('topic_words', sa.String(length=200), nullable=True),
    sa.Column('state', sa.Enum('draft', 'open', 'taken', 'answered', 'closed', name='questionstate', native_enum=False, length=12), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_answer_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('team_reminded_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asker_id'], ['users.id'], name=op.f('fk_questions_asker_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_questions_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_questions_taken_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_asker_id'), ['asker_id'], unique=False)
        batch_op.create_index('ix_questions_state_asked', ['state', 'asked_at'], unique=False)

    op.create_table('question_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('from_team', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_path', sa.String(length=100), nullable=True),
    sa.Column('file_name', sa.String(length=120), nullable=True),
    sa.Column('file_mime', sa.String(length=80), nullable=True),
    sa.Column('sent_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_question_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_messages_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_messages'))
    )
    with op.batch_alter_table('question_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_messages_question_id'), ['question_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('question_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_messages_question_id'))

    op.drop_table('question_messages')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_state_asked')
        batch_op.drop_index(batch_op.f('ix_questions_asker_id'))

    op.drop_table('questions')
    op.drop_table('saved_answers')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_sender_id'))

    op.drop_table('feedback')
    op.drop_table('complaint_handlers')
