"""The staff console's reading side: find an organization, its whole status, what waits for
staff, and the programme's figures (the same numbers for /stats, /indicators and /export).

Everything here is limited to the viewer's districts (bot/services/audit.py) and logs the
reads of personal data it serves. Areas that land later plug in without touching the
handlers: a source of pending work is one function added to `PENDING_SOURCES`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.models.console import ActivityState, ErasedTally, OrganizationFollowUp
from bot.models.organizations import LeaderRole, Leadership, Organization, VerificationStatus
from bot.models.people import Nationality, Sex, User
from bot.models.projects import Project, ProjectReport, ProjectStatus, ReportStatus
from bot.models.ruos import ChecklistItem, ItemStatus, RegistrationStage, RuosRegistration
from bot.models.trainings import Enrollment, EnrollmentState, Topic, TrainingSession
from bot.requirements import RequirementsCatalogue
from bot.services import audit, broadcast_approval, ruos, trainings
from bot.services.audit import Viewer
from bot.services.project_reports import UNSPLIT, BeneficiaryTotals
from bot.validation import fold_text

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
    they follow (bot/services/broadcast_approval.py; they reach people, not one organization)."""
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


# --- the programme's figures ---------------------------------------------------------------------

NO_STAGE = "none"  # an organization that has not started its RUOS registration
FUNDED = (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING, ProjectStatus.CLOSED)


@dataclass(frozen=True)
class Period:
    start: date | None  # None: since the beginning
    end: date


@dataclass
class Figures:
    """The programme's numbers for a period, in the viewer's districts.

    Counts of organizations include the anonymous tallies of erased ones (ErasedTally), so
    the totals do not change when someone exercises their right to erasure.
    """

    period: Period
    organizations: int = 0  # supported: registered with the programme by the period's end
    new_organizations: int = 0  # registered during the period
    by_district: Counter[str] = field(default_factory=Counter)
    by_ruos_stage: Counter[str] = field(default_factory=Counter)
    by_activity: Counter[str] = field(default_factory=Counter)
    verified: int = 0
    registered_in_ruos: int = 0
    members: Counter[str] = field(default_factory=Counter)  # peruvian, venezuelan, other
    projects: int = 0  # projects running during the period
    projects_funded: int = 0  # of those, funded (implementing or closed since)
    # From the approved reports of the period (bot/services/project_reports.py's totals).
    beneficiaries: BeneficiaryTotals = field(default_factory=BeneficiaryTotals)
    # People who attended a session in the period: in all, and per topic (someone trained in
    # two topics counts once in each). By sex and nationality as people declared them, if they
    # did: "unstated" counts both "I prefer not to say" and never answered, so each split adds
    # up to its total (leaders_trained; trained_by_topic per topic).
    leaders_trained: int = 0
    trained_by_topic: Counter[str] = field(default_factory=Counter)
    trained_by_sex: Counter[str] = field(default_factory=Counter)
    trained_by_nationality: Counter[str] = field(default_factory=Counter)
    trained_by_topic_sex: Counter[tuple[str, str]] = field(default_factory=Counter)
    topics: dict[str, Topic] = field(default_factory=dict)  # to name the topics


def _in_period(moment: datetime | date | None, period: Period) -> bool:
    if moment is None:
        return False
    day = moment.date() if isinstance(moment, datetime) else moment
    return (period.start is None or day >= period.start) and day <= period.end


async def figures(session: AsyncSession, *, who: Viewer, period: Period, zone_of: Callable[[datetime], date], now: datetime) -> Figures:
    """The one source of /stats, /indicators and the workbook's summary."""
    result = Figures(period)
    rows = await session.execute(
        select(Organization, RuosRegistration.stage, RuosRegistration.resolution_date, OrganizationFollowUp.state)
        .outerjoin(RuosRegistration, RuosRegistration.organization_id == Organization.id)
        .outerjoin(OrganizationFollowUp, OrganizationFollowUp.organization_id == Organization.id)
        .where(who.organizations())
    )
    for organization, stage, resolution_date, activity in rows.all():
        created = zone_of(organization.created_at)
        if created > period.end:
            continue
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
    await _add_erased(session, who, result)
    project_conditions = [Project.starts_on <= period.end, who.organizations()]
    if period.start is not None:
        project_conditions.append(Project.ends_on >= period.start)
    running = await session.execute(
        select(Project.status).join(Organization, Organization.id == Project.organization_id)
        .where(*project_conditions, Project.status.not_in([ProjectStatus.PROPOSAL, ProjectStatus.NOT_SELECTED]))
    )
    for (project_status,) in running.all():
        result.projects += 1
        result.projects_funded += project_status in FUNDED
    report_conditions = [ProjectReport.approved_version.is_not(None), ProjectReport.period_end <= period.end, who.organizations()]
    if period.start is not None:
        report_conditions.append(ProjectReport.period_end >= period.start)
    approved = await session.execute(
        select(ProjectReport.approved_beneficiaries, ProjectReport.approved_spent_cents)
        .join(Project, Project.id == ProjectReport.project_id)
        .join(Organization, Organization.id == Project.organization_id)
        .where(*report_conditions)
    )
    for counts, spent in approved.all():
        result.beneficiaries.add(counts or {}, spent)
    await _add_trained(session, who, result, zone_of)
    result.topics = {topic.code: topic for topic in await trainings.topics(session)}
    audit.record(session, who, "figures.read", now=now, detail=f"{period.start or ''}..{period.end}")
    return result


UNSTATED = Sex.UNSTATED.value  # also Nationality.UNSTATED.value: not said, or never answered


def declared(value: Sex | Nationality | None) -> str:
    return value.value if value is not None else UNSTATED


async def _add_trained(session: AsyncSession, who: Viewer, result: Figures, zone_of: Callable[[datetime], date]) -> None:
    query = (
        select(Enrollment.user_id, TrainingSession.topic, Enrollment.attended_at, User.sex, User.nationality)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.state == EnrollmentState.ATTENDED)
    )
    if who.districts is not None:  # people who lead an organization in the coordinator's districts
        in_scope = select(Leadership.user_id).join(Organization, Organization.id == Leadership.organization_id).where(who.organizations())
        query = query.where(Enrollment.user_id.in_(in_scope))
    people: dict[int, tuple[str, str]] = {}  # each person once: their declared sex and nationality
    per_topic: set[tuple[str, int]] = set()
    for user_id, topic, attended_at, sex, nationality in (await session.execute(query)).all():
        if attended_at is not None and not _in_period(zone_of(attended_at), result.period):
            continue
        people[user_id] = (declared(sex), declared(nationality))
        per_topic.add((topic, user_id))
    result.leaders_trained += len(people)
    for sex, nationality in people.values():
        result.trained_by_sex[sex] += 1
        result.trained_by_nationality[nationality] += 1
    for topic, user_id in per_topic:
        result.trained_by_topic[topic] += 1
        result.trained_by_topic_sex[topic, people[user_id][0]] += 1


# What erasure leaves behind: "organizations" rows count erased organizations by
# "district|stage|activity|verified", "members" their members by "district|nationality",
# "ruos_registered" those registered in RUOS by district, "projects_funded" their funded
# projects by district, "leaders_trained" and "trained_by_sex", "trained_by_nationality",
# "trained_by_topic", "trained_by_topic_sex" the trainings erased people attended, by
# "district", "district|<sex>", "district|<nationality>", "district|<topic>" and
# "district|<topic>|<sex>", and "beneficiaries" the people their approved reports reached by
# "district|nationality|total", "…|sex:<sex>", "…|age:<group>" and "…|sexage:<sex>:<group>"
# (the cross; tallies kept before it existed have none, and their ages count as not split by
# sex).
#
# Each tally also keeps when, to the month, so a month's or a year's figures stay what they
# were (`ErasedTally.period`): the month an organization registered with the programme, its
# RUOS resolution, a report's period end; "first..last" month for a project. Trained people
# count once per period, so they keep a tally for all time (""), one per year ("2026") and one
# per month ("2026-03") they attended in. A period of "" on the other metrics is a tally kept
# before the months were: in every period's stock, and in the flows since the start only.
ALL_TIME = ""


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _months_overlap(first: str, last: str, period: Period) -> bool:
    return first <= _month(period.end) and (period.start is None or last >= _month(period.start))


def _training_period(period: Period) -> str | None:
    """The tally of trained people that answers for this period: a whole month, a year to date
    or all time (the periods the console offers); None for any other span."""
    start, end = period.start, period.end
    if start is None:
        return ALL_TIME
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        return _month(start)
    if (start.month, start.day) == (1, 1) and start.year == end.year:
        return str(start.year)
    return None


async def _add_erased(session: AsyncSession, who: Viewer, result: Figures) -> None:
    period = result.period
    trained_in = _training_period(period)
    tallied_ages: Counter[tuple[str, str]] = Counter()  # (nationality, age) by "age:" tallies and by "sexage:" ones
    crossed_ages: Counter[tuple[str, str]] = Counter()
    for tally in await session.scalars(select(ErasedTally)):
        district, _, rest = tally.dimension.partition("|")
        if not who.sees(district):
            continue
        metric, when, count = tally.metric, tally.period, tally.count
        if metric in TRAINED_METRICS:
            if when != trained_in:
                continue
        elif metric == "projects_funded":
            first, _, last = when.partition("..")
            if when and not _months_overlap(first, last, period):
                continue
        elif metric == "beneficiaries":
            # Kept without a month before months were: in the totals since the start only.
            if not (_months_overlap(when, when, period) if when else period.start is None):
                continue
        elif when and when > _month(period.end):
            continue  # registered with the programme, or in RUOS, after the period
        if metric == "organizations":
            stage, activity, verified = (rest.split("|") + ["", "", ""])[:3]
            result.organizations += count
            if (when >= _month(period.start) if when and period.start else period.start is None):
                result.new_organizations += count
            result.by_district[district] += count
            result.by_ruos_stage[stage or NO_STAGE] += count
            result.by_activity[activity or ActivityState.ACTIVE.value] += count
            result.verified += count if verified == "1" else 0
            if not when and stage == RegistrationStage.REGISTERED.value:  # kept before "ruos_registered" was
                result.registered_in_ruos += count
        elif metric == "ruos_registered":
            result.registered_in_ruos += count
        elif metric == "members":
            result.members[rest] += count
        elif metric == "leaders_trained":
            result.leaders_trained += count
        elif metric == "trained_by_topic":
            result.trained_by_topic[rest] += count
        elif metric == "trained_by_sex":
            result.trained_by_sex[rest] += count
        elif metric == "trained_by_nationality":
            result.trained_by_nationality[rest] += count
        elif metric == "trained_by_topic_sex":
            topic, _, sex = rest.rpartition("|")
            result.trained_by_topic_sex[topic, sex] += count
        elif metric == "projects_funded":
            result.projects += count
            result.projects_funded += count
        elif metric == "beneficiaries":
            nationality, dimension = rest.split("|")
            _add_tallied_beneficiaries(result.beneficiaries, nationality, dimension, count)
            kind, _, value = dimension.partition(":")
            if kind == "age":
                tallied_ages[nationality, value] += count
            elif kind == "sexage":
                crossed_ages[nationality, value.partition(":")[2]] += count
    for (nationality, age), count in (tallied_ages - crossed_ages).items():
        result.beneficiaries.add_cross(nationality, UNSPLIT, age, count)


TRAINED_METRICS = frozenset({"leaders_trained", "trained_by_topic", "trained_by_sex", "trained_by_nationality", "trained_by_topic_sex"})


def _add_tallied_beneficiaries(totals: BeneficiaryTotals, nationality: str, dimension: str, count: int) -> None:
    kind, _, value = dimension.partition(":")
    if kind == "total":
        totals.total += count
        totals.by_nationality[nationality] = totals.by_nationality.get(nationality, 0) + count
    elif kind == "sex":
        totals.by_sex[value] = totals.by_sex.get(value, 0) + count
        totals.by_nationality_sex[(nationality, value)] = totals.by_nationality_sex.get((nationality, value), 0) + count
    elif kind == "age":
        totals.by_age[value] = totals.by_age.get(value, 0) + count
        totals.by_nationality_age[(nationality, value)] = totals.by_nationality_age.get((nationality, value), 0) + count
    elif kind == "sexage":
        sex, _, age = value.partition(":")
        totals.add_cross(nationality, sex, age, count)


async def tally_person_before_erasure(session: AsyncSession, user_id: int, zone: tzinfo) -> None:
    """Keep anonymous counts of the trainings a person attended before they are erased: by
    district and topic, and by the sex and nationality they declared, for all time and for
    each year and month they attended in (see `_add_erased`)."""
    attended = (await session.execute(
        select(TrainingSession.topic, Enrollment.attended_at).join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .where(Enrollment.user_id == user_id, Enrollment.state == EnrollmentState.ATTENDED)
    )).all()
    if not attended:
        return
    district = await session.scalar(
        select(Organization.district_ubigeo).join(Leadership, Leadership.organization_id == Organization.id)
        .where(Leadership.user_id == user_id).order_by(Leadership.acting.desc(), Leadership.joined_at).limit(1)
    ) or ""
    person = await session.get(User, user_id)
    sex, nationality = (declared(person.sex), declared(person.nationality)) if person else (UNSTATED, UNSTATED)
    topics_in: dict[str, set[str]] = {ALL_TIME: set()}
    for topic, attended_at in attended:
        topics_in[ALL_TIME].add(topic)
        if attended_at is not None:
            day = attended_at.astimezone(zone).date()
            topics_in.setdefault(str(day.year), set()).add(topic)
            topics_in.setdefault(_month(day), set()).add(topic)
    counts: Counter[tuple[str, str, str]] = Counter()
    for when, topics in topics_in.items():
        counts["leaders_trained", district, when] = 1
        counts["trained_by_sex", f"{district}|{sex}", when] = 1
        counts["trained_by_nationality", f"{district}|{nationality}", when] = 1
        for topic in topics:
            counts["trained_by_topic", f"{district}|{topic}", when] += 1
            counts["trained_by_topic_sex", f"{district}|{topic}|{sex}", when] += 1
    await _add_tallies(session, counts)


async def tally_before_erasure(session: AsyncSession, organization_ids: list[int], zone: tzinfo) -> None:
    """Keep anonymous counts of organizations about to be erased, with their months (see `_add_erased`)."""
    if not organization_ids:
        return
    rows = await session.execute(
        select(Organization, RuosRegistration.stage, RuosRegistration.resolution_date, OrganizationFollowUp.state)
        .outerjoin(RuosRegistration, RuosRegistration.organization_id == Organization.id)
        .outerjoin(OrganizationFollowUp, OrganizationFollowUp.organization_id == Organization.id)
        .where(Organization.id.in_(organization_ids))
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    for organization, stage, resolution_date, activity in rows.all():
        district = organization.district_ubigeo
        registered = _month(organization.created_at.astimezone(zone).date())
        verified = "1" if organization.status is VerificationStatus.VERIFIED else "0"
        stage_code = stage.value if stage else NO_STAGE
        activity_code = (activity or ActivityState.ACTIVE).value
        counts["organizations", f"{district}|{stage_code}|{activity_code}|{verified}", registered] += 1
        if stage is RegistrationStage.REGISTERED:
            counts["ruos_registered", district, _month(resolution_date) if resolution_date else registered] += 1
        for nationality, count in (("peruvian", organization.members_peruvian), ("venezuelan", organization.members_venezuelan),
                                   ("other", organization.members_other)):
            counts["members", f"{district}|{nationality}", registered] += count
    funded = await session.execute(
        select(Organization.district_ubigeo, Project.starts_on, Project.ends_on).join(Project, Project.organization_id == Organization.id)
        .where(Organization.id.in_(organization_ids), Project.status.in_(FUNDED))
    )
    for district, starts_on, ends_on in funded.all():
        counts["projects_funded", district, f"{_month(starts_on)}..{_month(ends_on)}"] += 1
    approved = await session.execute(
        select(Organization.district_ubigeo, ProjectReport.approved_beneficiaries, ProjectReport.period_end)
        .join(Project, Project.organization_id == Organization.id).join(ProjectReport, ProjectReport.project_id == Project.id)
        .where(Organization.id.in_(organization_ids), ProjectReport.approved_version.is_not(None))
    )
    for district, beneficiaries, period_end in approved.all():
        when = _month(period_end)
        totals = BeneficiaryTotals()
        totals.add(beneficiaries or {}, None)
        for nationality, total in totals.by_nationality.items():
            counts["beneficiaries", f"{district}|{nationality}|total", when] += total
        for (nationality, sex), n in totals.by_nationality_sex.items():
            counts["beneficiaries", f"{district}|{nationality}|sex:{sex}", when] += n
        for (nationality, age), n in totals.by_nationality_age.items():
            counts["beneficiaries", f"{district}|{nationality}|age:{age}", when] += n
        for (nationality, sex, age), n in totals.by_nationality_sex_age.items():
            counts["beneficiaries", f"{district}|{nationality}|sexage:{sex}:{age}", when] += n
    await _add_tallies(session, counts)


async def _add_tallies(session: AsyncSession, counts: Counter[tuple[str, str, str]]) -> None:
    for (metric, dimension, when), count in counts.items():
        if count == 0:
            continue
        # An UPDATE that adds, so two erasures at once both count.
        added = await session.execute(
            update(ErasedTally).where(ErasedTally.metric == metric, ErasedTally.dimension == dimension, ErasedTally.period == when)
            .values(count=ErasedTally.count + count)
        )
        if added.rowcount == 0:  # type: ignore[attr-defined]
            session.add(ErasedTally(metric=metric, dimension=dimension, period=when, count=count))
    await session.flush()
