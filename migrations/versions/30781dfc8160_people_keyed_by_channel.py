"""people keyed by channel (Telegram id, or WhatsApp's wa_id and BSUID); WhatsApp's inbound
messages kept until answered, and the statuses Meta reports for what the bot sent

Additive: every existing person is on Telegram, keyed by telegram_id as before.

Revision ID: 30781dfc8160
Revises: 0c5e9a7d31f4
Create Date: 2026-12-07 15:35:38.954852
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.core.db

revision: str = '30781dfc8160'
down_revision: str | None = '0c5e9a7d31f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _foreign_keys_off_on_sqlite() -> None:
    """SQLite cannot make `users.telegram_id` nullable in place: batch mode copies the table and
    drops the old one. With foreign keys on, that drop deletes every row that refers to a person
    (ON DELETE CASCADE), so they are turned off first; the pragma is ignored inside a
    transaction, so what earlier revisions of this upgrade did is committed before it."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for _attempt in range(2):
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        if not bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
            return
        bind.exec_driver_sql("COMMIT")
    raise RuntimeError("could not turn SQLite's foreign keys off to rebuild the users table")


def _foreign_keys_still_hold() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
        raise RuntimeError("rebuilding the users table broke a foreign key")


def upgrade() -> None:
    op.create_table('whatsapp_inbound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=160), nullable=False),
    sa.Column('sender', sa.String(length=160), nullable=False),
    sa.Column('wa_id', sa.String(length=32), nullable=True),
    sa.Column('bsuid', sa.String(length=160), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('sent_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', bot.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whatsapp_inbound')),
    sa.UniqueConstraint('message_id', name=op.f('uq_whatsapp_inbound_message_id'))
    )
    with op.batch_alter_table('whatsapp_inbound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whatsapp_inbound_processed_at'), ['processed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_whatsapp_inbound_sender'), ['sender'], unique=False)

    op.create_table('whatsapp_statuses',
    sa.Column('message_id', sa.String(length=160), nullable=False),
    sa.Column('recipient', sa.String(length=160), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('error_title', sa.String(length=200), nullable=True),
    sa.Column('reported_at', bot.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id', name=op.f('pk_whatsapp_statuses'))
    )
    with op.batch_alter_table('whatsapp_statuses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whatsapp_statuses_recipient'), ['recipient'], unique=False)

    _foreign_keys_off_on_sqlite()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum('telegram', 'whatsapp', name='channel', native_enum=False, length=12), server_default='telegram', nullable=False))
        batch_op.add_column(sa.Column('wa_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('bsuid', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('last_inbound_at', bot.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('telegram_id',
               existing_type=sa.BIGINT(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_users_bsuid'), ['bsuid'])
        batch_op.create_unique_constraint(batch_op.f('uq_users_wa_id'), ['wa_id'])
        batch_op.create_check_constraint(
            op.f('ck_users_addressed_on_its_channel'),
            "(channel = 'telegram' AND telegram_id IS NOT NULL)"
            " OR (channel = 'whatsapp' AND (wa_id IS NOT NULL OR bsuid IS NOT NULL))",
        )
    _foreign_keys_still_hold()



def downgrade() -> None:
    op.execute("DELETE FROM users WHERE telegram_id IS NULL")  # people on WhatsApp have no place before
    _foreign_keys_off_on_sqlite()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_addressed_on_its_channel'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_users_wa_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_users_bsuid'), type_='unique')
        batch_op.alter_column('telegram_id',
               existing_type=sa.BIGINT(),
               nullable=False)
        batch_op.drop_column('last_inbound_at')
        batch_op.drop_column('bsuid')
        batch_op.drop_column('wa_id')
        batch_op.drop_column('channel')

    with op.batch_alter_table('whatsapp_statuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whatsapp_statuses_recipient'))

    op.drop_table('whatsapp_statuses')
    with op.batch_alter_table('whatsapp_inbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whatsapp_inbound_sender'))
        batch_op.drop_index(batch_op.f('ix_whatsapp_inbound_processed_at'))

    op.drop_table('whatsapp_inbound')
