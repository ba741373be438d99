"""Questions a leader asks the programme, each a thread of messages with the team; saved
answers staff reuse; and confidential feedback (suggestions and complaints)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base
from bot.people.models import enum_column


class QuestionState(StrEnum):
    DRAFT = "draft"  # the leader is writing it: nobody else sees it
    OPEN = "open"  # waiting for the team (new, or the leader wrote again)
    TAKEN = "taken"  # someone on the team is answering it
    ANSWERED = "answered"  # the team wrote last: the leader may reply or close it
    CLOSED = "closed"


class QuestionTopic(StrEnum):
    ORGANIZATION = "organization"
    RUOS = "ruos"
    PROJECT = "project"
    TRAINING = "training"
    OTHER = "other"


class Question(Base):
    """One question and its thread. `district_ubigeo` (the organization's) decides which
    coordinators see it; none: staff only."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_state_asked", "state", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    district_ubigeo: Mapped[str | None] = mapped_column(String(6))
    topic: Mapped[QuestionTopic] = mapped_column(enum_column(QuestionTopic, 16))
    topic_ref: Mapped[int | None]  # the project or training session it is about
    topic_words: Mapped[str | None] = mapped_column(String(200))  # what it is about, as the asker saw it
    state: Mapped[QuestionState] = mapped_column(enum_column(QuestionState, 12), default=QuestionState.OPEN)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime]
    first_answer_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    team_reminded_at: Mapped[datetime | None]


class QuestionMessage(Base):
    """One message of a thread, with who wrote it (the asker, or someone on the team)."""

    __tablename__ = "question_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_team: Mapped[bool] = mapped_column(default=False, server_default=false())
    text: Mapped[str] = mapped_column(Text, default="")
    file_path: Mapped[str | None] = mapped_column(String(100))  # in the encrypted store
    file_name: Mapped[str | None] = mapped_column(String(120))
    file_mime: Mapped[str | None] = mapped_column(String(80))
    sent_at: Mapped[datetime]


class SavedAnswer(Base):
    """A short answer to a common question, in one language; the most used make the FAQ."""

    __tablename__ = "saved_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    uses: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class FeedbackKind(StrEnum):
    SUGGESTION = "suggestion"
    COMPLAINT = "complaint"


class FeedbackState(StrEnum):
    NEW = "new"
    READ = "read"
    ANSWERED = "answered"
    CLOSED = "closed"


class Feedback(Base):
    """A suggestion or a complaint. Anonymous: no sender is stored with it, nor anything else
    that says who sent it (not even the language), so nobody can be told an answer."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeedbackKind] = mapped_column(enum_column(FeedbackKind, 12))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[FeedbackState] = mapped_column(enum_column(FeedbackState, 12), default=FeedbackState.NEW)
    answer: Mapped[str | None] = mapped_column(Text)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_on: Mapped[datetime]  # anonymous ones: the day only, so the moment does not say who
    answered_at: Mapped[datetime | None]


class ComplaintHandler(Base):
    """Who staff designated to read complaints: nobody else does, staff included."""

    __tablename__ = "complaint_handlers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    designated_at: Mapped[datetime]
