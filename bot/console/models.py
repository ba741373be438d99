"""What the staff console keeps: who read or changed what (the audit log), which districts a
coordinator is scoped to, how the follow-up of quiet organizations stands, and the anonymous
totals that outlive an erasure.

None of these tables holds a name, a phone or an identity number: the audit log names people
and records by internal id, so erasing a person leaves entries that point at nobody.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base
from bot.people.models import enum_column


class AuditEntry(Base):
    """One staff or coordinator action that read personal data or changed state."""

    __tablename__ = "audit_entries"
    # /audit reads the newest first, filtered by person or organization.
    __table_args__ = (
        Index("ix_audit_entries_actor_at", "actor_id", "at"),
        Index("ix_audit_entries_organization_at", "organization_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What was done, in the programme's words: "org.read", "export", "org.mark_inactive"…
    action: Mapped[str] = mapped_column(String(40))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A short, non-personal detail: a page, a period, a filter ("district=070101").
    detail: Mapped[str | None] = mapped_column(String(120))


class CoordinatorDistrict(Base):
    """A coordinator sees only the organizations of the districts listed for them (none: all)."""

    __tablename__ = "coordinator_districts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    district_ubigeo: Mapped[str] = mapped_column(String(6), primary_key=True)


class ActivityState(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"  # staff lost contact, the organization may come back
    DISSOLVED = "dissolved"


class OrganizationFollowUp(Base):
    """How the programme follows an organization that went quiet (one row once it did)."""

    __tablename__ = "organization_followups"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[ActivityState] = mapped_column(enum_column(ActivityState), default=ActivityState.ACTIVE, index=True)
    # When its leaders were sent the friendly check-in, and when, still silent, staff were shown it.
    checked_in_at: Mapped[datetime | None]
    listed_at: Mapped[datetime | None]
    marked_at: Mapped[datetime | None]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ErasedTally(Base):
    """Programme totals of what was erased, so the indicators do not shrink when a person
    exercises their right to erasure: counts only, by a coarse dimension (a district, a
    RUOS stage, a nationality), never anything that names someone."""

    __tablename__ = "erased_tallies"

    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(40), primary_key=True)
    # When, to the month ("2026-03", "2026-01..2026-06", a year "2026" or "" for all time):
    # bot/console/console.py says which, so a period's figures keep what was erased.
    period: Mapped[str] = mapped_column(String(16), primary_key=True, default="", server_default="")
    count: Mapped[int] = mapped_column(default=0)
