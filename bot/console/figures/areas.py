"""What the programme's figures are made of, area by area, in the viewer's districts: each
function adds one area's counts to a `Figures` (bot/console/figures/programme.py runs them all;
registry.py names each figure and says how it is counted)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.audit import Viewer
from bot.console.models import ActivityState, OrganizationFollowUp
from bot.organizations.models import BoardMember, Leadership, Organization, VerificationStatus
from bot.people.models import Nationality, Sex, User
from bot.projects.models import Project, ProjectEvent, ProjectReport, ProjectStatus, ReportStatus
from bot.projects.reports import BeneficiaryTotals
from bot.ruos.models import RegistrationStage, RuosRegistration
from bot.trainings.models import (
    Ballot,
    Certificate,
    Enrollment,
    EnrollmentState,
    Topic,
    TopicVote,
    TrainingSession,
)

NO_STAGE = "none"  # an organization that has not started its RUOS registration
FUNDED = (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING, ProjectStatus.CLOSED)
UNSTATED = Sex.UNSTATED.value  # also Nationality.UNSTATED.value: not said, or never answered
LEADER, OTHER = "leader", "other"  # people trained: leading an organization, or not

# The stages a proposal goes through, each counted in the period it was reached.
RECEIVED, ADVISED, SELECTED, FUNDED_STAGE, NOT_SELECTED, CLOSED = "received", "advised", "selected", "funded", "not_selected", "closed"
PROPOSAL_STAGES = (RECEIVED, ADVISED, SELECTED, FUNDED_STAGE, NOT_SELECTED, CLOSED)
# What a project's status says it went through, for projects whose moves were not recorded.
_PASSED = {
    ProjectStatus.PROPOSAL: (RECEIVED,),
    ProjectStatus.SELECTED: (RECEIVED, SELECTED),
    ProjectStatus.FUNDED: (RECEIVED, SELECTED, FUNDED_STAGE),
    ProjectStatus.IMPLEMENTING: (RECEIVED, SELECTED, FUNDED_STAGE),
    ProjectStatus.CLOSED: (RECEIVED, SELECTED, FUNDED_STAGE, CLOSED),
    ProjectStatus.NOT_SELECTED: (RECEIVED, NOT_SELECTED),
}
_STAGE_OF_STATUS = {ProjectStatus.SELECTED.value: SELECTED, ProjectStatus.FUNDED.value: FUNDED_STAGE,
                    ProjectStatus.NOT_SELECTED.value: NOT_SELECTED, ProjectStatus.CLOSED.value: CLOSED}


@dataclass(frozen=True)
class Period:
    start: date | None  # None: since the beginning
    end: date


@dataclass
class Figures:
    """What the registry reads. Stocks stand as at the period's end; flows happened in it."""

    period: Period
    organizations: int = 0
    new_organizations: int = 0
    by_district: Counter[str] = field(default_factory=Counter)
    by_ruos_stage: Counter[str] = field(default_factory=Counter)
    by_activity: Counter[str] = field(default_factory=Counter)
    verified: int = 0
    registered_in_ruos: int = 0
    inscribed_in_registry: int = 0  # Registros Públicos
    inscribed_by_district: Counter[str] = field(default_factory=Counter)
    members: Counter[str] = field(default_factory=Counter)  # peruvian, venezuelan, other
    leaders: int = 0
    leaders_by_role: Counter[str] = field(default_factory=Counter)
    leaders_by_sex: Counter[str] = field(default_factory=Counter)
    board_with_id: int = 0
    proposals: Counter[str] = field(default_factory=Counter)  # by PROPOSAL_STAGES
    beneficiaries: BeneficiaryTotals = field(default_factory=BeneficiaryTotals)
    sessions_held: int = 0
    sessions_by_topic: Counter[str] = field(default_factory=Counter)
    # People who attended a session in the period, each once; per topic someone trained in two
    # topics counts once in each. "unstated": "I prefer not to say" or never answered.
    trained: int = 0
    trained_by_role: Counter[str] = field(default_factory=Counter)  # LEADER, OTHER
    trained_by_topic: Counter[str] = field(default_factory=Counter)
    trained_by_sex: Counter[str] = field(default_factory=Counter)
    trained_by_nationality: Counter[str] = field(default_factory=Counter)
    trained_by_topic_sex: Counter[tuple[str, str]] = field(default_factory=Counter)
    certificates: int = 0
    ballots: int = 0
    topics: dict[str, Topic] = field(default_factory=dict)  # to name the topics


ZoneOf = Callable[[datetime], date]


def in_period(day: date | None, period: Period) -> bool:
    return day is not None and (period.start is None or day >= period.start) and day <= period.end


def declared(value: Sex | Nationality | None) -> str:
    return value.value if value is not None else UNSTATED


def report_day(period_end: date, first_approved: date) -> date:
    """The day a report's people reached count from: the end of its period, or the day it was
    first approved when that came earlier (a report approved before its period ended)."""
    return min(period_end, first_approved)


async def organizations(session: AsyncSession, who: Viewer, result: Figures, zone_of: ZoneOf) -> None:
    period = result.period
    rows = await session.execute(
        select(Organization, RuosRegistration.stage, RuosRegistration.resolution_date, OrganizationFollowUp.state)
        .outerjoin(RuosRegistration, RuosRegistration.organization_id == Organization.id)
        .outerjoin(OrganizationFollowUp, OrganizationFollowUp.organization_id == Organization.id)
        .where(who.organizations())
    )
    counted: list[int] = []
    for organization, stage, resolution_date, activity in rows.all():
        created = zone_of(organization.created_at)
        if created > period.end:
            continue
        counted.append(organization.id)
        result.organizations += 1
        result.new_organizations += period.start is None or created >= period.start
        result.by_district[organization.district_ubigeo] += 1
        result.by_ruos_stage[(stage.value if stage else NO_STAGE)] += 1
        result.by_activity[(activity or ActivityState.ACTIVE).value] += 1
        result.verified += organization.status is VerificationStatus.VERIFIED
        result.registered_in_ruos += stage is RegistrationStage.REGISTERED and (resolution_date is None or resolution_date <= period.end)
        result.members["peruvian"] += organization.members_peruvian
        result.members["venezuelan"] += organization.members_venezuelan
        result.members["other"] += organization.members_other
    if counted:
        result.board_with_id += await session.scalar(
            select(func.count()).select_from(BoardMember)
            .where(BoardMember.organization_id.in_(counted), BoardMember.id_number_encrypted != "")
        ) or 0


async def leaders(session: AsyncSession, who: Viewer, result: Figures, zone_of: ZoneOf) -> None:
    """People leading an organization in scope at the period's end, each once: as owner if they
    own any of them, and by the sex they declared."""
    rows = await session.execute(
        select(Leadership.user_id, Leadership.role, Leadership.joined_at, User.sex)
        .join(Organization, Organization.id == Leadership.organization_id).join(User, User.id == Leadership.user_id)
        .where(who.organizations())
    )
    people: dict[int, tuple[str, str]] = {}
    for user_id, role, joined_at, sex in rows.all():
        if zone_of(joined_at) > result.period.end:
            continue
        known = people.get(user_id)
        people[user_id] = ("owner" if known and known[0] == "owner" else role.value, declared(sex))
    result.leaders += len(people)
    for role, sex in people.values():
        result.leaders_by_role[role] += 1
        result.leaders_by_sex[sex] += 1


async def proposal_stages(session: AsyncSession, organization_ids: list[int] | None, who: Viewer | None,
                          zone_of: ZoneOf) -> list[tuple[str, str, date]]:
    """(district, stage, day) for each stage each project reached, the day from its recorded
    move (the first, when it went there twice) or, for a move never recorded, the day the
    project was sent (or created)."""
    query = select(Project, Organization.district_ubigeo).join(Organization, Organization.id == Project.organization_id)
    query = query.where(Organization.id.in_(organization_ids)) if organization_ids is not None else query.where(who.organizations())  # type: ignore[union-attr]
    projects = {project.id: (project, district) for project, district in (await session.execute(query)).all()}
    if not projects:
        return []
    moved: dict[tuple[int, str], date] = {}
    events = await session.execute(
        select(ProjectEvent.project_id, ProjectEvent.to_status, ProjectEvent.comment, ProjectEvent.at)
        .where(ProjectEvent.project_id.in_(list(projects)), ProjectEvent.report_id.is_(None)).order_by(ProjectEvent.at)
    )
    for project_id, to_status, comment, at in events.all():
        stage = ADVISED if to_status is None and comment else _STAGE_OF_STATUS.get(to_status or "")
        if stage is not None:
            moved.setdefault((project_id, stage), zone_of(at))
    found = []
    for project_id, (project, district) in projects.items():
        if project.sent_at is None and project.status is ProjectStatus.PROPOSAL:
            continue  # never sent
        fallback = zone_of(project.sent_at or project.created_at)
        stages = set(_PASSED[project.status]) | {stage for (pid, stage) in moved if pid == project_id}
        found += [(district, stage, moved.get((project_id, stage), fallback)) for stage in stages]
    return found


async def proposals(session: AsyncSession, who: Viewer, result: Figures, zone_of: ZoneOf) -> None:
    for _district, stage, day in await proposal_stages(session, None, who, zone_of):
        if in_period(day, result.period):
            result.proposals[stage] += 1


async def approved_reports(session: AsyncSession, organization_ids: list[int] | None, who: Viewer | None,
                           zone_of: ZoneOf) -> list[tuple[str, dict, int | None, date]]:
    """(district, people reached, money spent, counting day) of each approved report."""
    query = (
        select(ProjectReport.id, Organization.district_ubigeo, ProjectReport.approved_beneficiaries,
               ProjectReport.approved_spent_cents, ProjectReport.period_end, ProjectReport.reviewed_at, ProjectReport.updated_at)
        .join(Project, Project.id == ProjectReport.project_id).join(Organization, Organization.id == Project.organization_id)
        .where(ProjectReport.approved_version.is_not(None))
    )
    query = query.where(Organization.id.in_(organization_ids)) if organization_ids is not None else query.where(who.organizations())  # type: ignore[union-attr]
    rows = (await session.execute(query)).all()
    first = dict((await session.execute(
        select(ProjectEvent.report_id, func.min(ProjectEvent.at))
        .where(ProjectEvent.report_id.in_([row[0] for row in rows]), ProjectEvent.to_status == ReportStatus.APPROVED.value)
        .group_by(ProjectEvent.report_id)
    )).all()) if rows else {}
    # A report approved before its approval was recorded as an event: its last review, or change.
    return [(district, counts or {}, spent, report_day(period_end, zone_of(first.get(rid) or reviewed_at or updated_at)))
            for rid, district, counts, spent, period_end, reviewed_at, updated_at in rows]


async def sessions(session: AsyncSession, who: Viewer, result: Figures, zone_of: ZoneOf, now: datetime) -> None:
    """Sessions not cancelled that started in the period (and by now): online ones, and those
    in person in the viewer's districts."""
    query = select(TrainingSession.topic, TrainingSession.starts_at).where(TrainingSession.cancelled_at.is_(None), TrainingSession.starts_at <= now)
    if who.districts is not None:
        query = query.where(TrainingSession.district_ubigeo.is_(None) | who.organizations(TrainingSession.district_ubigeo))
    for topic, starts_at in (await session.execute(query)).all():
        if in_period(zone_of(starts_at), result.period):
            result.sessions_held += 1
            result.sessions_by_topic[topic] += 1


def _people_in_scope(who: Viewer):  # noqa: ANN202
    """People who lead an organization in the viewer's districts (None: everyone counts)."""
    if who.districts is None:
        return None
    return select(Leadership.user_id).join(Organization, Organization.id == Leadership.organization_id).where(who.organizations())


async def trained(session: AsyncSession, who: Viewer, result: Figures, zone_of: ZoneOf) -> None:
    query = (
        select(Enrollment.user_id, TrainingSession.topic, Enrollment.attended_at, User.sex, User.nationality)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.state == EnrollmentState.ATTENDED)
    )
    if (in_scope := _people_in_scope(who)) is not None:
        query = query.where(Enrollment.user_id.in_(in_scope))
    people: dict[int, tuple[str, str]] = {}  # each person once: their declared sex and nationality
    per_topic: set[tuple[str, int]] = set()
    for user_id, topic, attended_at, sex, nationality in (await session.execute(query)).all():
        if attended_at is not None and not in_period(zone_of(attended_at), result.period):
            continue
        people[user_id] = (declared(sex), declared(nationality))
        per_topic.add((topic, user_id))
    leading = set(await session.scalars(select(Leadership.user_id).where(Leadership.user_id.in_(list(people))))) if people else set()
    result.trained += len(people)
    for user_id, (sex, nationality) in people.items():
        result.trained_by_role[LEADER if user_id in leading else OTHER] += 1
        result.trained_by_sex[sex] += 1
        result.trained_by_nationality[nationality] += 1
    for topic, user_id in per_topic:
        result.trained_by_topic[topic] += 1
        result.trained_by_topic_sex[topic, people[user_id][0]] += 1


async def certificates_and_ballots(session: AsyncSession, who: Viewer, result: Figures, zone_of: ZoneOf) -> None:
    in_scope = _people_in_scope(who)
    certificates = select(Certificate.issued_at)
    ballots = select(Ballot.vote_id, Ballot.user_id, TopicVote.opened_at).join(TopicVote, TopicVote.id == Ballot.vote_id).distinct()
    if in_scope is not None:
        certificates = certificates.where(Certificate.user_id.in_(in_scope))
        ballots = ballots.where(Ballot.user_id.in_(in_scope))
    result.certificates += sum(in_period(zone_of(at), result.period) for at in await session.scalars(certificates))
    result.ballots += sum(in_period(zone_of(at), result.period) for _vote, _user, at in (await session.execute(ballots)).all())

