"""Where each person is in a multi-step flow, kept in the database so a restart resumes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base


class ConversationStep(Base):
    """The step one chat is at in one named flow (a row per flow and chat/person key)."""

    __tablename__ = "conversation_steps"

    flow: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    step: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class ChannelUserData(Base):
    """Small per-person scratch data of the chat layer (never the answers themselves: those
    live in the domain's drafts)."""

    __tablename__ = "channel_user_data"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
