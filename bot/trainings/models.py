"""Training sessions the programme offers: what is taught, when, where and for how many; who
enrolled, waited, came; their certificates; and the topic votes that choose what comes next.

Topics are rows (`Topic`) that staff extend; `TrainingTopic` names the ones the programme
started with, which the first migration of topics writes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base
from bot.people.models import enum_column


class TrainingTopic(StrEnum):
    """The codes of the programme's first topics (rows of `Topic` since topics became data)."""

    LEADERSHIP = "leadership"
    PROJECT_MANAGEMENT = "project_management"
    DATA_PROTECTION = "data_protection"
    OFFICE_TOOLS = "office_tools"
    TAX = "tax"  # SUNAT: RUC, receipts, obligations of a non-profit
    NONPROFIT_ACCOUNTING = "nonprofit_accounting"
    ORGANIZATIONAL_CULTURE = "organizational_culture"
    BASIC_DESIGN = "basic_design"


class Topic(Base):
    """What a training teaches, named in each language the bot speaks."""

    __tablename__ = "training_topics"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    name_es: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]

    def name(self, language: str) -> str:
        return self.name_es if language == "es" else self.name_en


class TrainingSession(Base):
    """One dated session of a training. A cancelled session is kept (people enrolled in it
    must still be told), so it is marked `cancelled_at` instead of deleted."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(ForeignKey("training_topics.code"))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(index=True)  # upcoming sessions are read by date
    ends_at: Mapped[datetime]
    venue: Mapped[str] = mapped_column(String(300))  # an address, or the link to join online
    district_ubigeo: Mapped[str | None] = mapped_column(String(6))
    online: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int]
    enroll_until: Mapped[datetime | None]  # None: until it starts
    prerequisite_topic: Mapped[str | None] = mapped_column(ForeignKey("training_topics.code"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    # Check-in: the code said in the room or the call, accepted while it is open.
    checkin_code: Mapped[str | None] = mapped_column(String(8))
    checkin_open: Mapped[bool] = mapped_column(default=False, server_default=false())


class EnrollmentState(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a seat held for them until `offer_expires_at`
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# States that hold a seat: a session never has more rows in them than its capacity.
HOLDS_SEAT = (EnrollmentState.ENROLLED, EnrollmentState.OFFERED, EnrollmentState.ATTENDED, EnrollmentState.NO_SHOW)


class Enrollment(Base):
    """One person's place in one session: a seat, a place in line, or attendance.

    Leaving deletes the row, so the waitlist's order is the rows' order (`id`): whoever
    pressed first waits less, and someone who leaves and comes back queues again.
    """

    __tablename__ = "training_enrollments"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_training_enrollments_session_user"),
        Index("ix_training_enrollments_session_state", "session_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[EnrollmentState] = mapped_column(enum_column(EnrollmentState))
    created_at: Mapped[datetime]
    offer_expires_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    rating: Mapped[int | None]  # 1–5, after the session
    comment: Mapped[str | None] = mapped_column(String(1000))


class Certificate(Base):
    """A certificate of attendance; `code` is what /verify and the QR code carry.

    Name and organization are copied at issue time: the paper shows them as they were.
    """

    __tablename__ = "training_certificates"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_training_certificates_session_user"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    holder_name: Mapped[str] = mapped_column(String(128))
    organization_name: Mapped[str | None] = mapped_column(String(160))
    issued_at: Mapped[datetime]


class TopicVote(Base):
    """Leaders choose which topics come next: up to `max_choices` each, until it closes."""

    __tablename__ = "training_topic_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    max_choices: Mapped[int]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Ballot(Base):
    """One leader's choice of one topic in one vote (a leader's ballot is their rows)."""

    __tablename__ = "training_ballots"
    __table_args__ = (UniqueConstraint("vote_id", "user_id", "topic", name="uq_training_ballots_vote_user_topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("training_topic_votes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(ForeignKey("training_topics.code", ondelete="CASCADE"))


class TrainingDraft(Base):
    """A session being created or edited in the guided conversation, answer by answer."""

    __tablename__ = "training_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int | None]  # editing this session; None: a new one
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]
