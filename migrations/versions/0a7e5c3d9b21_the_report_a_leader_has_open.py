"""the report a leader has open in /report, a row instead of the chat's user data

Revision ID: 0a7e5c3d9b21
Revises: 5569cd73c580
Create Date: 2026-12-07 16:20:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = '0a7e5c3d9b21'
down_revision: str | None = '5569cd73c580'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = 'report_open'  # the chat's user data key that held it (handlers/projects/reports.py)


def upgrade() -> None:
    op.create_table('project_report_writers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['project_reports.id'], name=op.f('fk_project_report_writers_report_id_project_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_project_report_writers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_project_report_writers'))
    )
    with op.batch_alter_table('project_report_writers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_report_writers_report_id'), ['report_id'], unique=False)
    move_open_reports(op.get_bind())


def move_open_reports(connection: sa.Connection) -> int:
    """The report each person had open, from the chat's user data (keyed by Telegram id) into a
    row (keyed by the person); the user data keeps it, ignored once the row exists. Returns how
    many rows were written."""
    rows = connection.execute(sa.text('SELECT user_id, data FROM channel_user_data')).all()
    now = datetime.now(UTC)
    written = 0
    for telegram_id, data in rows:
        data = json.loads(data) if isinstance(data, str) else data
        report_id = (data or {}).get(OPEN)
        if report_id is None:
            continue
        person = connection.execute(sa.text('SELECT id FROM users WHERE telegram_id = :t'), {'t': telegram_id}).scalar()
        report = connection.execute(sa.text('SELECT id FROM project_reports WHERE id = :r'), {'r': int(report_id)}).scalar()
        if person is None or report is None:
            continue
        insert = sa.text('INSERT INTO project_report_writers (user_id, report_id, opened_at) VALUES (:u, :r, :at)')
        connection.execute(insert.bindparams(sa.bindparam('at', type_=bot.core.db.UTCDateTime(timezone=True))),
                           {'u': person, 'r': report, 'at': now})
        written += 1
    return written


def downgrade() -> None:
    with op.batch_alter_table('project_report_writers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_report_writers_report_id'))
    op.drop_table('project_report_writers')
