"""What erasure leaves behind: anonymous counts (`ErasedTally`), each with its month, so the
figures of every period stay what they were after someone exercises their right to erasure.

Metrics and their dimensions: "organizations" by "district|stage|activity|verified", "members"
by "district|nationality", "ruos_registered" and "board_with_id" by district, "leaders" by
"district|role|sex", "proposals" by "district|stage", "certificates" and "ballots" by district
("" for someone who led nothing), "leaders_trained" (people trained: a district, or "" for
someone who led nothing) and "trained_by_sex", "trained_by_nationality", "trained_by_topic",
"trained_by_topic_sex" by "district", "district|<sex>", "district|<nationality>",
"district|<topic>" and "district|<topic>|<sex>", and "beneficiaries" by
"district|nationality|total", "…|sex:<sex>", "…|age:<group>" and "…|sexage:<sex>:<group>"
(tallies kept before the cross existed have none, and their ages count as not split by sex).
"projects_funded" ("first..last" months of the project) is a tally kept before proposals were
counted by stage: it counts as received, selected and funded in its first month.

The month is when it happened (a flow) or began (a stock): the month an organization
registered with the programme, its RUOS resolution, a leader joined, a proposal reached a stage,
a report counts from (`areas.report_day`), a certificate was issued, a vote opened. Trained
people count once per period, so they keep a tally for all time (""), one per year ("2026") and
one per month ("2026-03") they attended in. A period of "" on the other metrics is a tally kept
before the months were: in every period's stock, and in the flows since the start only.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, tzinfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.audit import Viewer
from bot.console.figures import public_registry
from bot.console.figures.areas import (
    FUNDED_STAGE,
    LEADER,
    NO_STAGE,
    OTHER,
    RECEIVED,
    SELECTED,
    UNSTATED,
    Figures,
    Period,
    approved_reports,
    declared,
    proposal_stages,
)
from bot.console.models import ActivityState, ErasedTally, OrganizationFollowUp
from bot.organizations.models import BoardMember, Leadership, Organization, VerificationStatus
from bot.people.models import User
from bot.projects.reports import UNSPLIT, BeneficiaryTotals
from bot.ruos.models import RegistrationStage, RuosRegistration
from bot.trainings.models import (
    Ballot,
    Certificate,
    Enrollment,
    EnrollmentState,
    TopicVote,
    TrainingSession,
)

ALL_TIME = ""
TRAINED_METRICS = frozenset({"leaders_trained", "trained_by_topic", "trained_by_sex", "trained_by_nationality", "trained_by_topic_sex"})
FLOW_METRICS = frozenset({"proposals", "certificates", "ballots", "beneficiaries"})


def month(day: date) -> str:
    return f"{day:%Y-%m}"


def _months_overlap(first: str, last: str, period: Period) -> bool:
    return first <= month(period.end) and (period.start is None or last >= month(period.start))


def _training_period(period: Period) -> str | None:
    """The tally of trained people that answers for this period: a whole month, a year to date
    or all time (the periods the console offers); None for any other span."""
    start, end = period.start, period.end
    if start is None:
        return ALL_TIME
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        return month(start)
    if (start.month, start.day) == (1, 1) and start.year == end.year:
        return str(start.year)
    return None


def _counts_in(metric: str, when: str, period: Period) -> bool:
    if metric in TRAINED_METRICS:
        return when == _training_period(period)
    if metric == "projects_funded":
        first, _, _last = when.partition("..")
        return not when or _months_overlap(first, first, period)
    if metric in FLOW_METRICS:  # kept without a month before months were: since the start only
        return _months_overlap(when, when, period) if when else period.start is None
    return not when or when <= month(period.end)  # a stock: begun by the period's end


async def _tallies(session: AsyncSession, who: Viewer, period: Period, metrics: frozenset[str] | None = None):  # noqa: ANN202
    query = select(ErasedTally)
    if metrics is not None:
        query = query.where(ErasedTally.metric.in_(sorted(metrics)))
    for tally in await session.scalars(query):
        district, _, rest = tally.dimension.partition("|")
        if who.sees(district) and _counts_in(tally.metric, tally.period, period):
            yield tally, district, rest


async def add_erased_reached(session: AsyncSession, who: Viewer, period: Period, totals: BeneficiaryTotals) -> None:
    tallied_ages: Counter[tuple[str, str]] = Counter()  # (nationality, age) by "age:" tallies and by "sexage:" ones
    crossed_ages: Counter[tuple[str, str]] = Counter()
    async for tally, _district, rest in _tallies(session, who, period, frozenset({"beneficiaries"})):
        nationality, dimension = rest.split("|")
        _add_tallied_beneficiaries(totals, nationality, dimension, tally.count)
        kind, _, value = dimension.partition(":")
        if kind == "age":
            tallied_ages[nationality, value] += tally.count
        elif kind == "sexage":
            crossed_ages[nationality, value.partition(":")[2]] += tally.count
    for (nationality, age), count in (tallied_ages - crossed_ages).items():
        totals.add_cross(nationality, UNSPLIT, age, count)


async def add_erased(session: AsyncSession, who: Viewer, result: Figures) -> None:
    period = result.period
    async for tally, district, rest in _tallies(session, who, period):
        metric, when, count = tally.metric, tally.period, tally.count
        if metric == "organizations":
            stage, activity, verified = (rest.split("|") + ["", "", ""])[:3]
            result.organizations += count
            if (when >= month(period.start) if when and period.start else period.start is None):
                result.new_organizations += count
            result.by_district[district] += count
            result.by_ruos_stage[stage or NO_STAGE] += count
            result.by_activity[activity or ActivityState.ACTIVE.value] += count
            result.verified += count if verified == "1" else 0
            if not when and stage == RegistrationStage.REGISTERED.value:  # kept before "ruos_registered" was
                result.registered_in_ruos += count
        elif metric == "ruos_registered":
            result.registered_in_ruos += count
        elif metric == "registry_inscribed":
            result.inscribed_in_registry += count
            result.inscribed_by_district[district] += count
        elif metric == "members":
            result.members[rest] += count
        elif metric == "board_with_id":
            result.board_with_id += count
        elif metric == "leaders":
            role, _, sex = rest.partition("|")
            result.leaders += count
            result.leaders_by_role[role] += count
            result.leaders_by_sex[sex] += count
        elif metric == "proposals":
            result.proposals[rest] += count
        elif metric == "projects_funded":
            for stage in (RECEIVED, SELECTED, FUNDED_STAGE):
                result.proposals[stage] += count
        elif metric == "certificates":
            result.certificates += count
        elif metric == "ballots":
            result.ballots += count
        elif metric == "leaders_trained":
            result.trained += count
            result.trained_by_role[LEADER if district else OTHER] += count
        elif metric == "trained_by_topic":
            result.trained_by_topic[rest] += count
        elif metric == "trained_by_sex":
            result.trained_by_sex[rest] += count
        elif metric == "trained_by_nationality":
            result.trained_by_nationality[rest] += count
        elif metric == "trained_by_topic_sex":
            topic, _, sex = rest.rpartition("|")
            result.trained_by_topic_sex[topic, sex] += count


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
    """Keep anonymous counts of what a person about to be erased counted in: the trainings they
    attended (for all time and each year and month), their leadership, their certificates and
    their ballots (see the module's docstring)."""
    def local(moment) -> date:  # noqa: ANN001
        return moment.astimezone(zone).date()

    leaderships = (await session.execute(
        select(Organization.district_ubigeo, Leadership.role, Leadership.joined_at).join(Leadership, Leadership.organization_id == Organization.id)
        .where(Leadership.user_id == user_id).order_by(Leadership.acting.desc(), Leadership.joined_at)
    )).all()
    district = leaderships[0][0] if leaderships else ""
    person = await session.get(User, user_id)
    sex, nationality = (declared(person.sex), declared(person.nationality)) if person else (UNSTATED, UNSTATED)
    counts: Counter[tuple[str, str, str]] = Counter()
    if leaderships:
        role = "owner" if any(r.value == "owner" for _d, r, _j in leaderships) else leaderships[0][1].value
        counts["leaders", f"{district}|{role}|{sex}", month(local(min(j for _d, _r, j in leaderships)))] += 1
    for issued_at in await session.scalars(select(Certificate.issued_at).where(Certificate.user_id == user_id)):
        counts["certificates", district, month(local(issued_at))] += 1
    for opened_at in await session.scalars(
        select(TopicVote.opened_at).join(Ballot, Ballot.vote_id == TopicVote.id).where(Ballot.user_id == user_id).distinct()
    ):
        counts["ballots", district, month(local(opened_at))] += 1
    attended = (await session.execute(
        select(TrainingSession.topic, Enrollment.attended_at).join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .where(Enrollment.user_id == user_id, Enrollment.state == EnrollmentState.ATTENDED)
    )).all()
    topics_in: dict[str, set[str]] = {ALL_TIME: set()} if attended else {}
    for topic, attended_at in attended:
        topics_in[ALL_TIME].add(topic)
        if attended_at is not None:
            day = local(attended_at)
            topics_in.setdefault(str(day.year), set()).add(topic)
            topics_in.setdefault(month(day), set()).add(topic)
    for when, topics in topics_in.items():
        counts["leaders_trained", district, when] = 1
        counts["trained_by_sex", f"{district}|{sex}", when] = 1
        counts["trained_by_nationality", f"{district}|{nationality}", when] = 1
        for topic in topics:
            counts["trained_by_topic", f"{district}|{topic}", when] += 1
            counts["trained_by_topic_sex", f"{district}|{topic}|{sex}", when] += 1
    await _add_tallies(session, counts)


async def tally_before_erasure(session: AsyncSession, organization_ids: list[int], zone: tzinfo) -> None:
    """Keep anonymous counts of organizations about to be erased, with their months."""
    if not organization_ids:
        return

    def zone_of(moment) -> date:  # noqa: ANN001
        return moment.astimezone(zone).date()

    rows = await session.execute(
        select(Organization, RuosRegistration.stage, RuosRegistration.resolution_date, OrganizationFollowUp.state)
        .outerjoin(RuosRegistration, RuosRegistration.organization_id == Organization.id)
        .outerjoin(OrganizationFollowUp, OrganizationFollowUp.organization_id == Organization.id)
        .where(Organization.id.in_(organization_ids))
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    registered_in: dict[int, str] = {}
    for organization, stage, resolution_date, activity in rows.all():
        district = organization.district_ubigeo
        registered = registered_in[organization.id] = month(zone_of(organization.created_at))
        verified = "1" if organization.status is VerificationStatus.VERIFIED else "0"
        stage_code = stage.value if stage else NO_STAGE
        activity_code = (activity or ActivityState.ACTIVE).value
        counts["organizations", f"{district}|{stage_code}|{activity_code}|{verified}", registered] += 1
        if stage is RegistrationStage.REGISTERED:
            counts["ruos_registered", district, month(resolution_date) if resolution_date else registered] += 1
        for nationality, count in (("peruvian", organization.members_peruvian), ("venezuelan", organization.members_venezuelan),
                                   ("other", organization.members_other)):
            counts["members", f"{district}|{nationality}", registered] += count
    boards = await session.execute(
        select(BoardMember.organization_id, Organization.district_ubigeo, func.count())
        .join(Organization, Organization.id == BoardMember.organization_id)
        .where(BoardMember.organization_id.in_(organization_ids), BoardMember.id_number_encrypted != "")
        .group_by(BoardMember.organization_id, Organization.district_ubigeo)
    )
    for organization_id, district, count in boards.all():
        counts["board_with_id", district, registered_in.get(organization_id, "")] += count
    for district, day in await public_registry.inscriptions_of(session, organization_ids):
        counts["registry_inscribed", district, month(day)] += 1
    for district, stage, day in await proposal_stages(session, organization_ids, None, zone_of):
        counts["proposals", f"{district}|{stage}", month(day)] += 1
    for district, beneficiaries, _spent, day in await approved_reports(session, organization_ids, None, zone_of):
        when = month(day)
        totals = BeneficiaryTotals()
        totals.add(beneficiaries, None)
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
