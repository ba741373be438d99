"""Organizations, their boards (juntas directivas), the leaders who act for them in the bot,
invitations, the edit history staff review, and registration drafts in progress."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.core.db import Base
from bot.people.models import enum_column


class OrganizationKind(StrEnum):
    OSB = "osb"  # organización social de base
    OSV = "osv"  # organización social vecinal
    CIVIL_ASSOCIATION = "asociacion_civil"
    OTHER = "other"


class FocusArea(StrEnum):
    WOMENS_ENTERPRISE = "womens_enterprise"
    HUMAN_RIGHTS = "human_rights"
    RISK_MANAGEMENT = "risk_management"
    EDUCATION = "education"
    CULTURE = "culture"
    CHILDREN_ARTS_SPORT = "children_arts_sport"
    WELLBEING_FAMILY = "wellbeing_family"
    HEALTH = "health"
    OTHER = "other"


class BoardRole(StrEnum):
    PRESIDENT = "president"
    SECRETARY = "secretary"
    TREASURER = "treasurer"
    OTHER = "other"


class VerificationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    NEEDS_CHANGES = "needs_changes"


class LeaderRole(StrEnum):
    OWNER = "owner"
    CO_LEADER = "co_leader"


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[OrganizationKind] = mapped_column(enum_column(OrganizationKind))
    district_ubigeo: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(300))
    # A founding date is often known only to the month or the year.
    founded_year: Mapped[int]
    founded_month: Mapped[int | None]
    founded_day: Mapped[int | None]
    members_peruvian: Mapped[int] = mapped_column(Integer, default=0)
    members_venezuelan: Mapped[int] = mapped_column(Integer, default=0)
    members_other: Mapped[int] = mapped_column(Integer, default=0)
    focus_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_phone: Mapped[str] = mapped_column(String(20))
    board_term_start: Mapped[date]
    board_term_end: Mapped[date]
    status: Mapped[VerificationStatus] = mapped_column(
        enum_column(VerificationStatus), default=VerificationStatus.PENDING, index=True
    )
    status_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    board: Mapped[list[BoardMember]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", order_by="BoardMember.position"
    )
    leaders: Mapped[list[Leadership]] = relationship(back_populates="organization", cascade="all, delete-orphan")

    @property
    def members_total(self) -> int:
        return self.members_peruvian + self.members_venezuelan + self.members_other


class BoardMember(Base):
    """A member of the junta directiva. The identity number is stored only encrypted."""

    __tablename__ = "board_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    role: Mapped[BoardRole] = mapped_column(enum_column(BoardRole))
    full_name: Mapped[str] = mapped_column(String(160))
    id_document_type: Mapped[str] = mapped_column(String(8))
    id_number_encrypted: Mapped[str] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="board")


class Leadership(Base):
    """A person who acts for an organization in the bot: its owner or a co-leader."""

    __tablename__ = "leaderships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[LeaderRole] = mapped_column(enum_column(LeaderRole))
    joined_at: Mapped[datetime]
    # The organization a person leading several acts for now (one per person).
    acting: Mapped[bool] = mapped_column(default=False)

    organization: Mapped[Organization] = relationship(back_populates="leaders")


class Invite(Base):
    """A one-use, expiring invitation to co-lead. Only a hash of the token is kept, so a
    database copy cannot be used to join."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OrganizationChange(Base):
    """Who changed what, when: old → new (identity numbers only masked)."""

    __tablename__ = "organization_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime]


class RegistrationDraft(Base):
    """A registration being answered: every answer is saved as it is given, with the step
    the leader is at, so leaving, a restart or a week of silence loses nothing."""

    __tablename__ = "registration_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # True while the leader corrects one field from the summary card.
    returning_to_summary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
