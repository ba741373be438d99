"""Broadcasts coordinators and staff send to many people, one delivery row per recipient, and
what each person chose to receive (/settings, /stop)."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base
from bot.people.models import enum_column


class MessageKind(StrEnum):
    """What a message is about, as people choose in /settings which ones they receive."""

    TRAININGS = "trainings"
    REPORTS = "reports"
    RUOS = "ruos"
    ANNOUNCEMENTS = "announcements"


class BroadcastState(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"  # above the threshold: a second person must approve
    SCHEDULED = "scheduled"  # approved (or needing no approval), waiting for its time
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


# A broadcast can be changed only before it starts.
EDITABLE = (BroadcastState.DRAFT, BroadcastState.AWAITING_APPROVAL, BroadcastState.SCHEDULED)


class Broadcast(Base):
    """One message to an audience, in a version per language.

    `texts` maps a language to the text (Telegram HTML, as the author typed it); people whose
    language has no version get the default language's. `audience` maps a filter name to the
    values chosen (see bot/broadcasts/broadcasts.AUDIENCE_FILTERS): every filter must match,
    any of a filter's values will do.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[BroadcastState] = mapped_column(enum_column(BroadcastState), default=BroadcastState.DRAFT, index=True)
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind), default=MessageKind.ANNOUNCEMENTS)
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    audience: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # [[label, url], ...]: one button per row under the message.
    buttons: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    attachment_kind: Mapped[str | None] = mapped_column(String(16))  # "photo" or "document"
    # The file as the bot keeps it (bot/core/uploads.py: judged by its bytes, an image re-encoded),
    # in the encrypted store (bot/broadcasts/files.py); gone once nothing needs it.
    attachment_path: Mapped[str | None] = mapped_column(String(100))
    # Telegram's id for the cleaned copy, learnt when it is first sent, so it is uploaded once.
    # (A broadcast written before files were checked has only this id, from the author's phone.)
    attachment_file_id: Mapped[str | None] = mapped_column(String(200))
    send_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # One more at every change and every submission: an Approve or Send back button carries the
    # version it was made for, so a button for a version changed since is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Where the author watches it go out: a message of their chat, edited in place.
    progress_message_id: Mapped[int | None]
    # Deliveries found half-done at a restart, sent again: these people may have it twice.
    in_flight_at_restart: Mapped[int] = mapped_column(default=0)


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # recorded before the request; found so at start-up, it is sent again
    DELIVERED = "delivered"
    FAILED = "failed"  # Telegram refused it (reason kept)
    BLOCKED = "blocked"  # the person blocked the bot: marked unreachable
    SKIPPED = "skipped"  # unreachable already, or their /settings said no (a SkipReason kept)


class SkipReason(StrEnum):
    """Why a delivery was not sent, kept in `BroadcastDelivery.reason` and counted in the report."""

    UNREACHABLE = "unreachable"  # blocked the bot before
    PAUSED = "paused"  # /stop
    SWITCHED_OFF = "switched off"  # this kind of message, in /settings
    NO_CONSENT = "no consent"  # withdrew it after the broadcast started
    # On WhatsApp, outside their 24-hour window a broadcast goes as a marketing template, and
    # only to people who take announcements (not switched off in /settings).
    NO_WHATSAPP_OPT_IN = "no whatsapp opt-in"


# Kept in `BroadcastDelivery.reason` of a delivery still PENDING: WhatsApp's daily limit of
# people reached outside their window is full; it goes when a place frees up.
WAITING_FOR_DAILY_LIMIT = "waiting for whatsapp's daily limit"
# Kept with a FAILED delivery: Meta's per-person cap on marketing messages (131049); not tried
# again for this broadcast (Meta: no sooner than 24 hours).
MARKETING_CAP = "whatsapp marketing cap (131049)"


class BroadcastContributor(Base):
    """Someone who wrote, changed or submitted a broadcast: none of them may approve it (the
    second pair of eyes must not have shaped what it approves)."""

    __tablename__ = "broadcast_contributors"

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class BroadcastDelivery(Base):
    """One recipient of one broadcast."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (Index("ix_broadcast_deliveries_work", "broadcast_id", "state", "not_before"),)

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState), default=DeliveryState.PENDING)
    # Not before the end of the person's quiet hours.
    not_before: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None]
    # WhatsApp's id of the message sent (wamid): Meta may report it failed later (131049, its
    # marketing cap; 131026, unreachable), and the delivery is corrected then.
    message_id: Mapped[str | None] = mapped_column(String(160), index=True)


class NotificationSettings(Base):
    """What a person chose in /settings; no row means the defaults (everything, the
    programme's quiet hours)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)  # MessageKind values not wanted
    quiet_start: Mapped[time | None]
    quiet_end: Mapped[time | None]
    # /stop: everything non-essential waits until /start.
    paused_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    def wants(self, kind: MessageKind) -> bool:
        return self.paused_at is None and kind.value not in self.muted


class BroadcastComposing(Base):
    """Where a person is in /broadcast's typed answers (bot/broadcasts/composing.py): which
    broadcast the question they were asked is about, which question, and for a text which
    language. Only pointers: the answers themselves are saved on the broadcast as they come."""

    __tablename__ = "broadcast_composing"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime]
