"""Training sessions the programme offers: what is taught, when, where and for how many.

Enrollment, the waitlist, check-in, certificates and topic votes will hang off a session.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base
from bot.models.people import enum_column


class TrainingTopic(StrEnum):
    LEADERSHIP = "leadership"
    PROJECT_MANAGEMENT = "project_management"
    DATA_PROTECTION = "data_protection"
    OFFICE_TOOLS = "office_tools"
    TAX = "tax"  # SUNAT: RUC, receipts, obligations of a non-profit
    NONPROFIT_ACCOUNTING = "nonprofit_accounting"


class TrainingSession(Base):
    """One dated session of a training. A cancelled session is kept (people enrolled in it
    must still be told), so it is marked `cancelled_at` instead of deleted."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[TrainingTopic] = mapped_column(enum_column(TrainingTopic))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(index=True)  # upcoming sessions are read by date
    ends_at: Mapped[datetime]
    venue: Mapped[str] = mapped_column(String(300))  # an address, or how to join online
    district_ubigeo: Mapped[str | None] = mapped_column(String(6))
    online: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
