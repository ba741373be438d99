"""The staff console's reading side: find an organization, its whole status and what waits for
staff (the programme's figures are bot/console/figures/).

Everything here is limited to the viewer's districts (bot/console/audit.py) and logs the
reads of personal data it serves. Areas that land later plug in without touching the
handlers: a source of pending work is one function added to `PENDING_SOURCES`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import ruos
from bot.broadcasts import approval as broadcast_approval
from bot.console import audit
from bot.console.audit import Viewer
from bot.console.models import ActivityState, OrganizationFollowUp
from bot.core.validation import fold_text
from bot.organizations.models import LeaderRole, Leadership, Organization, VerificationStatus
from bot.people.models import User
from bot.projects.models import Project, ProjectReport, ProjectStatus, ReportStatus
from bot.ruos import public_registry
from bot.ruos.models import ChecklistItem, ItemStatus, RegistryInscription
from bot.ruos.requirements import RequirementsCatalogue
from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession

# --- finding an organization ---------------------------------------------------------------------


async def find(session: AsyncSession, *, who: Viewer, query: str, limit: int = 20) -> list[Organization]:
    """Organizations in scope whose name contains the query, accents and case ignored."""
    wanted = fold_text(query)
    rows = await session.execute(
        select(Organization.id, Organization.name).where(who.organizations()).order_by(Organization.name, Organization.id)
    )
    ids = [id_ for id_, name in rows.all() if wanted in fold_text(name)][:limit]
    if not ids:
        return []
    found = {o.id: o for o in await session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    return [found[i] for i in ids]


# --- one organization's status ---------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderLine:
    user_id: int
    name: str | None
    role: LeaderRole
    last_seen: datetime
    consented: bool


@dataclass(frozen=True)
class OrganizationStatus:
    organization: Organization  # with its board loaded
    leaders: list[LeaderLine]
    checklist: ruos.Checklist
    projects: list[Project]
    reports: dict[int, list[ProjectReport]]  # by project, in the order of their periods
    last_activity: datetime | None  # the last time any leader wrote
    activity: ActivityState
    # (leader's name, session title, when) for each session one of its leaders attended.
    trainings_attended: list[tuple[str | None, str, datetime]] = field(default_factory=list)
    inscription: RegistryInscription | None = None  # in Registros Públicos, once recorded


async def status(
    session: AsyncSession, *, who: Viewer, organization_id: int, catalogue: RequirementsCatalogue, today: date, now: datetime,
) -> OrganizationStatus | None:
    """Everything staff need to follow one organization; the read is logged."""
    if await audit.organization_in_scope(session, who, organization_id) is None:
        return None
    organization = await session.scalar(
        select(Organization).where(Organization.id == organization_id).options(selectinload(Organization.board))
    )
    assert organization is not None
    rows = await session.execute(
        select(User, Leadership.role)
        .join(Leadership, Leadership.user_id == User.id)
        .where(Leadership.organization_id == organization_id)
        .order_by(Leadership.joined_at)
    )
    leaders = [LeaderLine(u.id, u.display_name, role, u.last_seen, u.has_consented) for u, role in rows.all()]
    checklist = await ruos.checklist(session, catalogue=catalogue, organization=organization, today=today)
    projects = list(await session.scalars(
        select(Project).where(Project.organization_id == organization_id).order_by(Project.starts_on.desc())
    ))
    reports: dict[int, list[ProjectReport]] = {}
    for report in await session.scalars(
        select(ProjectReport).where(ProjectReport.project_id.in_([p.id for p in projects])).order_by(ProjectReport.number)
    ):
        reports.setdefault(report.project_id, []).append(report)
    attended = await session.execute(
        select(User.display_name, TrainingSession.title, Enrollment.attended_at)
        .join(Enrollment, Enrollment.user_id == User.id)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .join(Leadership, Leadership.user_id == User.id)
        .where(Leadership.organization_id == organization_id, Enrollment.state == EnrollmentState.ATTENDED)
        .order_by(Enrollment.attended_at)
    )
    followup = await session.get(OrganizationFollowUp, organization_id)
    audit.record(session, who, "org.read", now=now, organization_id=organization_id)
    return OrganizationStatus(
        organization=organization,
        leaders=leaders,
        checklist=checklist,
        projects=projects,
        reports=reports,
        last_activity=max((line.last_seen for line in leaders), default=None),
        activity=followup.state if followup else ActivityState.ACTIVE,
        trainings_attended=[(name, title, at or now) for name, title, at in attended.all()],
        inscription=await public_registry.inscription_of(session, organization_id),
    )


# --- what waits for staff -------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingEntry:
    """One thing waiting for staff: `kind` tells the chat layer which button acts on it."""

    kind: str  # "registration", "ruos_item", "proposal", "report", "broadcast"
    ref_id: int  # the record to act on (an organization, a checklist item…)
    organization_id: int | None
    organization_name: str
    since: datetime | None
    detail: str | None = None  # "procedure/item" codes, a status


PendingSource = Callable[[AsyncSession, Viewer], Awaitable[list[PendingEntry]]]


async def _registrations(session: AsyncSession, who: Viewer) -> list[PendingEntry]:
    rows = await session.scalars(
        select(Organization)
        .where(Organization.status != VerificationStatus.VERIFIED, who.organizations())
        .order_by(Organization.created_at, Organization.id)
    )
    return [PendingEntry("registration", o.id, o.id, o.name, o.updated_at, o.status.value) for o in rows]


async def _ruos_items(session: AsyncSession, who: Viewer) -> list[PendingEntry]:
    rows = await session.execute(
        select(ChecklistItem, Organization.name)
        .join(Organization, Organization.id == ChecklistItem.organization_id)
        .where(ChecklistItem.status == ItemStatus.UPLOADED, who.organizations())
        .order_by(ChecklistItem.uploaded_at, ChecklistItem.id)
    )
    return [PendingEntry("ruos_item", item.id, item.organization_id, name, item.uploaded_at, f"{item.procedure_code}/{item.item_code}")
            for item, name in rows.all()]


async def _proposals(session: AsyncSession, who: Viewer) -> list[PendingEntry]:
    rows = await session.execute(
        select(Project, Organization.name)
        .join(Organization, Organization.id == Project.organization_id)
        .where(Project.status == ProjectStatus.PROPOSAL, who.organizations())
    )
    return [PendingEntry("proposal", p.id, p.organization_id, name, p.sent_at or p.created_at, p.title) for p, name in rows.all()]


async def _reports(session: AsyncSession, who: Viewer) -> list[PendingEntry]:
    rows = await session.execute(
        select(ProjectReport, Project, Organization.name)
        .join(Project, Project.id == ProjectReport.project_id)
        .join(Organization, Organization.id == Project.organization_id)
        .where(ProjectReport.status == ReportStatus.SUBMITTED, who.organizations())
    )
    return [PendingEntry("report", r.id, p.organization_id, name, r.submitted_at, p.title) for r, p, name in rows.all()]


async def _broadcasts(session: AsyncSession, who: Viewer) -> list[PendingEntry]:
    """Broadcasts waiting for the viewer's approval: those they may approve, in the districts
    they follow (bot/broadcasts/approval.py; they reach people, not one organization)."""
    return [PendingEntry("broadcast", b.id, None, "", b.created_at) for b in await broadcast_approval.waiting_for(session, who=who)]


# A new area with work waiting for staff adds its source here.
PENDING_SOURCES: list[PendingSource] = [_registrations, _ruos_items, _proposals, _reports, _broadcasts]


async def pending(session: AsyncSession, *, who: Viewer, now: datetime) -> list[PendingEntry]:
    """Everything waiting for staff in the viewer's districts, the longest waiting first."""
    entries: list[PendingEntry] = []
    for source in PENDING_SOURCES:
        entries += await source(session, who)
    oldest = datetime.min.replace(tzinfo=now.tzinfo)
    entries.sort(key=lambda e: (e.since or oldest, e.kind, e.ref_id))
    audit.record(session, who, "pending.read", now=now, detail=f"{len(entries)} entries")
    return entries
