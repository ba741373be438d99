"""What arrives from WhatsApp's webhook, kept until it is answered, and what Meta says later
about the messages the bot sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base


class WhatsAppInbound(Base):
    """One message a person sent on WhatsApp, stored before the webhook says 200.

    `message_id` (Meta's wamid) is unique, so a retried delivery stores nothing new. A worker
    answers each sender's messages in the order they arrived (`id`) and sets `processed_at`
    only once the answer went out: what a `kill -9` or a standby takeover interrupts is still
    here, unprocessed, for the next active instance. The message's content (`payload`) is
    dropped once processed; the row stays a while to recognise Meta's late retries.
    """

    __tablename__ = "whatsapp_inbound"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(160), unique=True)
    # Who sent it: the key of the sender's line (wa_id when WhatsApp sends the number, else the
    # BSUID), and both identifiers as Meta sent them.
    sender: Mapped[str] = mapped_column(String(160), index=True)
    wa_id: Mapped[str | None] = mapped_column(String(32))
    bsuid: Mapped[str | None] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sent_at: Mapped[datetime]
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # "answered", or "failed" after too many attempts (logged; the line moves on).
    outcome: Mapped[str | None] = mapped_column(String(16))


class WhatsAppStatus(Base):
    """The latest thing Meta reported about one message the bot sent (sent, delivered, read,
    failed), with the error code of a failure: 131047 (outside the 24-hour window: the
    delivery side sends a template instead), 131026 (unreachable). Reports arrive in any
    order; a later stage never goes back to an earlier one, and a failure is final."""

    __tablename__ = "whatsapp_statuses"

    message_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(160), index=True)
    status: Mapped[str] = mapped_column(String(12))
    error_code: Mapped[int | None]
    error_title: Mapped[str | None] = mapped_column(String(200))
    reported_at: Mapped[datetime]


class WhatsAppShown(Base):
    """The screen last shown to a person on WhatsApp, and the flow it belongs to.

    WhatsApp has no buttons that carry their answer for typed replies: a typed "2" or a choice's
    words mean the choice of the screen the person last saw, so that screen is kept here (its
    text and choices, never its files), written in the same transaction as the answer that
    showed it, and read back when the next message comes, after a restart too. `flow` names the
    question being answered by typing (``register``), or is empty outside a flow; `invite_token`
    an invitation waiting for the person's consent.
    """

    __tablename__ = "whatsapp_shown"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    screen: Mapped[dict[str, Any]] = mapped_column(JSON)
    page: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    shown_at: Mapped[datetime]
    # An invitation to co-lead that came in a wa.me link's text before the person consented:
    # taken up once they accept the data notice (as Telegram keeps a /start join_ link's).
    invite_token: Mapped[str | None] = mapped_column(String(64))


class WhatsAppReach(Base):
    """Someone the bot started a conversation with outside their 24-hour window (a template),
    and when: Meta's messaging limit counts the people reached so in a moving 24 hours
    (bot/messaging/whatsapp_reach.py). One row per person; a template within 24 hours of
    `opened_at` is the same conversation and counts once."""

    __tablename__ = "whatsapp_reach"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(index=True)
