"""What /export puts in the workbook: one table per area, in the viewer's districts, with real
types (the chat layer translates the headers and bot/documents/workbook.py writes the file).

A value that is one of the programme's codes (a kind, a state, a role) is a `Code`, and a
heading made of codes (`peruvian/female/0_11`) a tuple of them: the chat layer names them in
the reader's language. None of these sheets is meant for re-import: only the ids stay as they
are, to find a record again. A figure a table shows carries its "how this is counted" note
(`notes`, the registry's rule: bot/console/figures/registry.py).

Identity numbers leave only masked. An area that adds a table adds a function to `EXPORTED`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.console.audit import Viewer
from bot.console.models import ActivityState, OrganizationFollowUp
from bot.core.i18n import N_
from bot.organizations.models import BoardMember, Leadership, Organization
from bot.people.models import User
from bot.projects.models import Project, ProjectReport
from bot.projects.reports import (
    AGE_GROUPS,
    NATIONALITIES,
    SEXES,
    UNSPLIT,
    BeneficiaryTotals,
)
from bot.ruos.models import RegistryInscription, RuosRegistration
from bot.trainings.models import Enrollment, TrainingSession

# Each approved report once, whatever its period: these tables add up to the indicator sheet's
# "People reached" since the start, less what erased organizations' reports reached.
REACHED_NOTE = N_("People reached: the approved version of each report, whatever its period; the indicator sheet also counts the reports of organizations erased since, as anonymous totals.")


@dataclass(frozen=True)
class Code:
    """One of the programme's codes, to be named in the reader's language."""

    kind: str  # "org_kind", "verification", "ruos_stage", "activity", "leader_role", "board_role", "document",
    # "enrollment", "topic", "project_status", "report_status", "nationality", "reached_sex", "age"
    value: str


Header = str | tuple[Code, ...]  # an N_ msgid, or codes read together ("Peruvian / female / 0–11")


@dataclass(frozen=True)
class Table:
    title: str  # an N_ msgid
    headers: Sequence[Header]
    rows: list[list[Any]]
    notes: Sequence[str] = ()  # N_ msgids written under the table: how its figures are counted


def _code(kind: str, value: object) -> Code | None:
    return None if value is None else Code(kind, str(getattr(value, "value", value)))


Mask = Callable[[str], str]
Exported = Callable[[AsyncSession, Viewer, Mask], Awaitable[Table]]


async def _organizations(session: AsyncSession, who: Viewer, mask: Mask) -> Table:
    rows = await session.execute(
        select(Organization, RuosRegistration, OrganizationFollowUp.state, RegistryInscription)
        .outerjoin(RuosRegistration, RuosRegistration.organization_id == Organization.id)
        .outerjoin(OrganizationFollowUp, OrganizationFollowUp.organization_id == Organization.id)
        .outerjoin(RegistryInscription, RegistryInscription.organization_id == Organization.id)
        .where(who.organizations())
        .order_by(Organization.id)
    )
    return Table(
        N_("Organizations"),
        (N_("ID"), N_("Name"), N_("Kind"), N_("District code"), N_("Address"), N_("Founded"), N_("Peruvian members"),
         N_("Venezuelan members"), N_("Other members"), N_("Members"), N_("Contact phone"), N_("Verification"),
         N_("RUOS stage"), N_("RUOS number"), N_("Board term ends"), N_("Activity"), N_("Registered with the programme"),
         N_("Inscribed in Registros Públicos"), N_("Registry office"), N_("Partida electrónica")),
        [
            [o.id, o.name, _code("org_kind", o.kind), o.district_ubigeo, o.address, o.founded_year, o.members_peruvian,
             o.members_venezuelan, o.members_other, o.members_total, o.contact_phone, _code("verification", o.status),
             _code("ruos_stage", r.stage) if r else None, r.ruos_number if r else None, o.board_term_end,
             _code("activity", state or ActivityState.ACTIVE), o.created_at, i.inscribed_on if i else None,
             i.office if i else None, i.partida if i else None]
            for o, r, state, i in rows.all()
        ],
    )


async def _leaders(session: AsyncSession, who: Viewer, mask: Mask) -> Table:
    rows = await session.execute(
        select(Leadership, User, Organization.name)
        .join(User, User.id == Leadership.user_id)
        .join(Organization, Organization.id == Leadership.organization_id)
        .where(who.organizations())
        .order_by(Leadership.organization_id, Leadership.joined_at)
    )
    return Table(
        N_("Leaders"),
        (N_("Organization ID"), N_("Organization"), N_("Person ID"), N_("Name"), N_("Role"), N_("Language"), N_("Consented"),
         N_("Leader since"), N_("Last message")),
        [
            # Someone who withdrew consent is listed without their name: only what erasure needs stays.
            [leadership.organization_id, name, user.id, user.display_name if user.has_consented else None, _code("leader_role", leadership.role),
             user.language, user.has_consented, leadership.joined_at, user.last_seen]
            for leadership, user, name in rows.all()
        ],
    )


async def _board(session: AsyncSession, who: Viewer, mask: Mask) -> Table:
    rows = await session.execute(
        select(BoardMember, Organization.name)
        .join(Organization, Organization.id == BoardMember.organization_id)
        .where(who.organizations())
        .order_by(BoardMember.organization_id, BoardMember.position)
    )
    return Table(
        N_("Boards"),
        (N_("Organization ID"), N_("Organization"), N_("Board role"), N_("Name"), N_("Document"), N_("Number (masked)")),
        [[m.organization_id, name, _code("board_role", m.role), m.full_name, _code("document", m.id_document_type),
          mask(m.id_number_encrypted)] for m, name in rows.all()],
    )


async def _projects(session: AsyncSession, who: Viewer, mask: Mask) -> Table:
    rows = await session.execute(
        select(Project, Organization.name)
        .join(Organization, Organization.id == Project.organization_id)
        .where(who.organizations())
        .order_by(Project.id)
    )
    return Table(
        N_("Projects"),
        (N_("ID"), N_("Organization ID"), N_("Organization"), N_("Title"), N_("Status"), N_("Funder"), N_("Starts"), N_("Ends"),
         N_("Requested (S/)"), N_("Granted (S/)")),
        [[p.id, p.organization_id, name, p.title, _code("project_status", p.status), p.funder, p.starts_on, p.ends_on, _soles(p.requested_cents),
          _soles(p.granted_cents)] for p, name in rows.all()],
    )


def _soles(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


async def _reports(session: AsyncSession, who: Viewer, mask: Mask) -> Table:
    rows = await session.execute(
        select(ProjectReport, Project, Organization.name)
        .join(Project, Project.id == ProjectReport.project_id)
        .join(Organization, Organization.id == Project.organization_id)
        .where(who.organizations())
        .order_by(Project.id, ProjectReport.number)
    )
    result = []
    for report, project, name in rows.all():
        approved = BeneficiaryTotals()
        if report.approved_version is not None:
            approved.add(report.approved_beneficiaries or {}, report.approved_spent_cents)
        result.append([report.id, project.id, name, project.title, report.number, report.period_start, report.period_end, report.due_on,
                       _code("report_status", report.status), report.submitted_at, report.approved_version,
                       _soles(report.approved_spent_cents), approved.total if report.approved_version is not None else None])
    return Table(
        N_("Reports"),
        (N_("ID"), N_("Project ID"), N_("Organization"), N_("Project"), N_("Number"), N_("Period start"), N_("Period end"), N_("Due"),
         N_("Status"), N_("Submitted"), N_("Approved version"), N_("Spent (S/, approved)"), N_("People reached (approved)")),
        result,
        (REACHED_NOTE,),
    )


async def _beneficiaries(session: AsyncSession, who: Viewer, mask: Mask) -> Table:
    """Per project, the people its approved reports reached: each dimension crossed with
    nationality, then nationality × sex × age. Reports approved before the ages were asked per
    sex add columns of their own ("age not split by sex"), only when there are any, so that
    the cross adds up to the total and no sex is guessed."""
    rows = await session.execute(
        select(Project, Organization.name, ProjectReport.approved_beneficiaries, ProjectReport.approved_spent_cents)
        .join(ProjectReport, ProjectReport.project_id == Project.id)
        .join(Organization, Organization.id == Project.organization_id)
        .where(ProjectReport.approved_version.is_not(None), who.organizations())
        .order_by(Project.id)
    )
    per_project: dict[int, tuple[Project, str, BeneficiaryTotals]] = {}
    for project, name, counts, spent in rows.all():
        per_project.setdefault(project.id, (project, name, BeneficiaryTotals()))[2].add(counts or {}, spent)
    headers: list[Header] = [N_("Project ID"), N_("Organization"), N_("Project"), N_("Approved reports"), N_("People reached")]
    headers += [(Code("nationality", nationality),) for nationality in NATIONALITIES]
    headers += [(Code("nationality", nationality), Code("reached_sex", sex)) for nationality in NATIONALITIES for sex in SEXES]
    headers += [(Code("nationality", nationality), Code("age", age)) for nationality in NATIONALITIES for age in AGE_GROUPS]
    crossed = [*SEXES, UNSPLIT] if any(totals.unsplit for _project, _name, totals in per_project.values()) else list(SEXES)
    cells = [(n, s, a) for n in NATIONALITIES for s in crossed for a in AGE_GROUPS]
    headers += [(Code("nationality", n), Code("reached_sex", s), Code("age", a)) for n, s, a in cells]
    table = []
    for project, name, totals in per_project.values():
        table.append([
            project.id, name, project.title, totals.reports, totals.total,
            *(totals.by_nationality.get(n, 0) for n in NATIONALITIES),
            *(totals.by_nationality_sex.get((n, s), 0) for n in NATIONALITIES for s in SEXES),
            *(totals.by_nationality_age.get((n, a), 0) for n in NATIONALITIES for a in AGE_GROUPS),
            *(totals.by_nationality_sex_age.get(cell, 0) for cell in cells),
        ])
    return Table(N_("Beneficiaries"), headers, table, (REACHED_NOTE,))


async def _enrollments(session: AsyncSession, who: Viewer, mask: Mask) -> Table:
    """Who enrolled in which session and whether they came; a coordinator sees the people who
    lead an organization in their districts."""
    query = (
        select(Enrollment, TrainingSession, User)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .join(User, User.id == Enrollment.user_id)
        .order_by(TrainingSession.starts_at, Enrollment.id)
    )
    if who.districts is not None:
        in_scope = select(Leadership.user_id).join(Organization, Organization.id == Leadership.organization_id).where(who.organizations())
        query = query.where(Enrollment.user_id.in_(in_scope))
    return Table(
        N_("Enrollments"),
        (N_("Session ID"), N_("Session"), N_("Topic"), N_("Starts"), N_("Person ID"), N_("Name"), N_("State"), N_("Attended"),
         N_("Rating")),
        [[t.id, t.title, _code("topic", t.topic), t.starts_at, user.id, user.display_name if user.has_consented else None,
          _code("enrollment", e.state), e.attended_at, e.rating] for e, t, user in (await session.execute(query)).all()],
    )


EXPORTED: list[Exported] = [_organizations, _leaders, _board, _enrollments, _projects, _reports, _beneficiaries]


async def tables(session: AsyncSession, *, who: Viewer, mask: Mask, now: datetime) -> list[Table]:
    """Every exported table in the viewer's districts; the export is logged."""
    result = [await table(session, who, mask) for table in EXPORTED]
    audit.record(session, who, "export", now=now, detail=",".join(f"{len(t.rows)}" for t in result))
    return result
