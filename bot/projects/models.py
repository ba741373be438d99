"""Community projects: the proposal an organization makes, the seed funds it may get, and the
reports a funded project files for each period, with their evidence and every change kept.

Beneficiaries are aggregate counts only, never people: per nationality a total, its split by
sex, each sex's split by age group and their sum by age (`ProjectReport.beneficiaries`, a JSON
column: see bot/projects/reports.py for the shape). Money is kept in céntimos (integers), so sums are exact on every backend.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base
from bot.people.models import enum_column


class ProjectStatus(StrEnum):
    PROPOSAL = "proposal"  # sent by the leaders, waiting for the programme's decision
    SELECTED = "selected"
    FUNDED = "funded"  # seed funds granted, reporting schedule set
    IMPLEMENTING = "implementing"
    CLOSED = "closed"
    NOT_SELECTED = "not_selected"


class ProjectTheme(StrEnum):
    WOMEN_ENTERPRISE = "women_enterprise"
    HUMAN_RIGHTS = "human_rights"
    RISK_MANAGEMENT = "risk_management"
    EDUCATION = "education"
    CULTURE = "culture"
    CHILDREN_ARTS_SPORT = "children_arts_sport"  # music, sport and art for children and adolescents
    WELLBEING_FAMILY = "wellbeing_family"
    PRIMARY_HEALTH = "primary_health"


class ReportFrequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    FINAL = "final"  # one report at the end


class ReportStatus(StrEnum):
    DUE = "due"  # not submitted yet (the leaders may have a draft in it)
    SUBMITTED = "submitted"  # waiting for the programme's review
    CHANGES_REQUESTED = "changes"  # sent back with a comment; the leaders reopen and fix it
    APPROVED = "approved"


class Project(Base):
    """A project belongs to its organization: erasing the organization erases it too."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str | None] = mapped_column(Text)
    funder: Mapped[str | None] = mapped_column(String(160))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    report_due_on: Mapped[date | None]
    created_at: Mapped[datetime]
    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus), default=ProjectStatus.PROPOSAL, index=True)
    theme: Mapped[ProjectTheme | None] = mapped_column(enum_column(ProjectTheme))
    objective: Mapped[str | None] = mapped_column(Text)
    target_population: Mapped[str | None] = mapped_column(Text)
    district_ubigeo: Mapped[str | None] = mapped_column(String(6))
    requested_cents: Mapped[int | None]
    granted_cents: Mapped[int | None]
    report_frequency: Mapped[ReportFrequency | None] = mapped_column(enum_column(ReportFrequency))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class ProjectReport(Base):
    """What a funded project reports for one period; one row per period, revised in place.

    `version` grows at every submission. Approving copies the counts into `approved_*`, and
    totals read only those: a report sent back and approved again replaces its earlier
    approved counts instead of adding to them.
    """

    __tablename__ = "project_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_project_reports_status_submitted_at", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, … in the order of the periods
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.DUE)
    version: Mapped[int] = mapped_column(default=0)
    # The draft: where the conversation is and what it is in the middle of (a half-entered
    # activity, the nationality being split), so /report continues after days or a restart.
    step: Mapped[str | None] = mapped_column(String(24))
    scratch: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    activities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    beneficiaries: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    spent_cents: Mapped[int | None]
    difficulties: Mapped[str | None] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_version: Mapped[int | None]
    approved_beneficiaries: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    approved_spent_cents: Mapped[int | None]
    updated_at: Mapped[datetime]


class ProjectEvent(Base):
    """Every change of a project or a report, and every staff comment, with who made it."""

    __tablename__ = "project_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("project_reports.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class ProjectFile(Base):
    """A file kept for a project: the full proposal, or a report's photo or document.

    The bytes live encrypted in the content-addressed store (bot/core/storage.py), as the upload
    rule kept them (bot/core/uploads.py): photos without their EXIF metadata (location, camera, time),
    re-encoded by Pillow; `mime_type` the real type; `original_name` only a cleaned label.
    """

    __tablename__ = "project_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("project_reports.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    mime_type: Mapped[str] = mapped_column(String(100))
    storage_path: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str | None] = mapped_column(String(255))
    media_group_id: Mapped[str | None] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime]


class ProjectDraft(Base):
    """What one person is in the middle of in /propose or a staff step (a comment, funding,
    a review comment): the step and the answers so far, saved before the next question."""

    __tablename__ = "project_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("project_reports.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(24))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]
