"""Scheduled messages: one row per reminder, claimed by one periodic job (see bot/messaging/reminders.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.core.db import Base
from bot.people.models import User, enum_column


class ReminderState(StrEnum):
    PENDING = "pending"
    # Claimed and handed to the deliverer; a row still here at start-up may have been delivered.
    SENDING = "sending"
    SENT = "sent"
    # Found in SENDING after a crash, or the deliverer raised: never sent again, only logged.
    UNCERTAIN = "uncertain"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Missed while the bot was down for longer than the grace period.
    DROPPED = "dropped"
    # The channel cannot send it now and no timer would help (WhatsApp outside the 24-hour
    # window, with no template for it): it waits, untouched by the periodic runs, until the
    # person writes (`ReminderEngine.release`).
    HELD = "held"


class Reminder(Base):
    """A message to send to one person at a given time, at most once.

    `key` is chosen by the service that schedules it and says what the reminder is about
    (``training:17:user:5:24h``, ``ruos:missing:org42:statute``), so that scheduling again
    updates the row and a whole matter can be cancelled by a key prefix.
    """

    __tablename__ = "reminders"
    # Every periodic tick and the start-up recovery read this index: pending rows in due order.
    __table_args__ = (Index("ix_reminders_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime]
    urgent: Mapped[bool] = mapped_column(default=False)
    state: Mapped[ReminderState] = mapped_column(
        enum_column(ReminderState), default=ReminderState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))

    # Loaded explicitly by the engine for the deliverer (who needs the chat id and language);
    # anywhere else an accidental lazy load in async code fails loudly instead of silently.
    recipient: Mapped[User] = relationship(lazy="raise")
