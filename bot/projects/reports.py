"""Reports of funded projects: one per period, drafted in a conversation that survives /cancel
and restarts (the draft is the report row itself: its step and scratch; the questions, their
order and checks are bot/projects/report_drafts.py), submitted, reviewed by
the programme (bot/projects/review.py), and counted in the totals once approved; and
their deadline reminders, for every current leader.

Beneficiaries are aggregate counts, never people. Per nationality the leader gives a total,
then its split by sex (three numbers), then for each sex with someone in it the split by age
group (four numbers); each split must add up to what it splits, and `report_drafts.Mismatch` says which
nationality (and sex) does not. Stored as::

    {"peruvian": {"total": 10, "sex": {"female": 6, "male": 4, "unstated": 0},
                  "sex_age": {"female": {"0_11": 2, "12_17": 1, "18_59": 3, "60_plus": 0},
                              "male": {"0_11": 0, "12_17": 2, "18_59": 1, "60_plus": 1},
                              "unstated": {"0_11": 0, "12_17": 0, "18_59": 0, "60_plus": 0}},
                  "age": {"0_11": 2, "12_17": 3, "18_59": 4, "60_plus": 1}}, ...}

"age" is the sum of "sex_age" over the sexes, kept so that every reader of the age split
goes on working. Reports approved before the ages were asked per sex have no "sex_age": the
totals count their ages apart (`UNSPLIT`) instead of guessing a sex for them.

Totals (`beneficiary_totals`) read only `approved_beneficiaries`, the copy made when a version
was approved, so a report sent back, fixed and approved again counts once.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import uploads
from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.transitions import AlreadyDone, transition
from bot.messaging import notices, reminders
from bot.messaging.models import Reminder, ReminderState
from bot.messaging.reminders import QuietHours
from bot.organizations.models import Organization
from bot.people.authority import require_leader, require_leader_or_staff
from bot.people.models import User
from bot.projects.models import (
    Project,
    ProjectEvent,
    ProjectFile,
    ProjectReport,
    ProjectStatus,
    ReportStatus,
)
from bot.projects.projects import ProjectError, leaders_of

NATIONALITIES = ("peruvian", "venezuelan", "other")
SEXES = ("female", "male", "unstated")
AGE_GROUPS = ("0_11", "12_17", "18_59", "60_plus")
UNSPLIT = "unsplit"  # in the nationality × sex × age cross: ages of a report that gave them for all sexes together
PLACE_MAX = 200
EVIDENCE_MAX_FILES = 30
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
REPORTING = (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING)
EDITABLE_STATUSES = (ReportStatus.DUE, ReportStatus.CHANGES_REQUESTED)

# Reminder kinds, and when they go (10:00 in Lima on the day).
DUE_SOON = "project_report_due"
OVERDUE = "project_report_overdue"
REMINDER_HOUR = time(10, 0)
DAYS_BEFORE = (7, 1)
OVERDUE_AGAIN = timedelta(days=7)

# Steps of the report conversation, in order. Nationality steps carry it: "count:peruvian",
# "sex:peruvian", and the ages of one sex "age:peruvian:female" (asked only for sexes with
# someone in them). A draft saved before the ages were asked per sex may stand at the older
# "age:peruvian": `report_drafts.current_step` reads it as the first sex still without ages.
ACTIVITY_DATE = "act_date"
ACTIVITY_PLACE = "act_place"
ACTIVITY_WHAT = "act_what"
ACTIVITY_MORE = "act_more"
SPENT = "spent"
DIFFICULTIES = "difficulties"
LESSONS = "lessons"
EVIDENCE = "evidence"
SUMMARY = "summary"
COUNT, SEX, AGE = "count", "sex", "age"


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportContext:
    report: ProjectReport
    project: Project
    organization: Organization


async def report_for(session: AsyncSession, *, user: User, report_id: int, leader_only: bool = False) -> ReportContext:
    report = await session.get(ProjectReport, report_id, populate_existing=True)
    if report is None:
        raise ProjectError(N_("That report is no longer in Voces."))
    project = await session.get(Project, report.project_id)
    organization = await session.get(Organization, project.organization_id) if project else None
    assert project is not None and organization is not None
    if leader_only:
        await require_leader(session, user_id=user.id, organization_id=project.organization_id)
    else:
        await require_leader_or_staff(session, user_id=user.id, organization_id=project.organization_id)
    return ReportContext(report, project, organization)


async def open_reports(session: AsyncSession, *, organization_ids: Iterable[int]) -> list[tuple[ProjectReport, Project]]:
    """Reports the leaders can work on now: not submitted, of projects under way, soonest due first.

    A report sent back for changes comes first; a draft already begun before one not started."""
    rows = await session.execute(
        select(ProjectReport, Project).join(Project, Project.id == ProjectReport.project_id)
        .where(Project.organization_id.in_(list(organization_ids)), Project.status.in_(REPORTING),
               ProjectReport.status.in_(EDITABLE_STATUSES))
        .order_by(ProjectReport.due_on, ProjectReport.id)
    )
    found = [(report, project) for report, project in rows.all()]
    return sorted(found, key=lambda pair: (pair[0].status is not ReportStatus.CHANGES_REQUESTED, pair[0].step is None, pair[0].due_on))


async def reports_of(session: AsyncSession, *, project_id: int) -> list[ProjectReport]:
    return list(await session.scalars(select(ProjectReport).where(ProjectReport.project_id == project_id).order_by(ProjectReport.number)))


async def evidence_of(session: AsyncSession, *, report_id: int) -> list[ProjectFile]:
    return list(await session.scalars(select(ProjectFile).where(ProjectFile.report_id == report_id).order_by(ProjectFile.id)))


async def evidence_count(session: AsyncSession, *, report_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(ProjectFile).where(ProjectFile.report_id == report_id)) or 0


# --- the draft ---------------------------------------------------------------------------------------


def save_step(report: ProjectReport, now: datetime, step: str | None, **changes: Any) -> None:
    """The report's draft moves to `step` with `changes` (its answers) saved with it."""
    for name, value in changes.items():
        setattr(report, name, value)
    report.step = step
    report.updated_at = now


async def begin(session: AsyncSession, *, user: User, report_id: int, now: datetime) -> ReportContext:
    """Start (or continue) the report: a report never begun starts at its first activity."""
    found = await report_for(session, user=user, report_id=report_id, leader_only=True)
    report = found.report
    if report.status not in EDITABLE_STATUSES:
        raise AlreadyDone(N_("This report was already sent to the programme."))
    if report.step is None:
        first = SUMMARY if report.version > 0 else ACTIVITY_DATE
        save_step(report, now, first)
        await session.flush()
    return found


# A report's evidence: photos, and documents staff can open (the upload rule: bot/core/uploads.py).
EVIDENCE_KINDS = frozenset({uploads.Kind.IMAGE, uploads.Kind.PDF, uploads.Kind.WORD, uploads.Kind.SHEET})


@dataclass(frozen=True)
class EvidenceReceipt:
    count: int
    duplicate: bool


async def add_evidence(session: AsyncSession, *, store: FileStore, user: User, report: ProjectReport, content: bytes,
                       name: str | None, media_group_id: str | None, now: datetime) -> EvidenceReceipt:
    """One photo or document for the report, judged by its bytes: a photo is kept without its
    metadata whatever type the phone announced it as."""
    project = await session.get(Project, report.project_id)
    assert project is not None
    await require_leader(session, user_id=user.id, organization_id=project.organization_id)
    if report.status not in EDITABLE_STATUSES or report.step != EVIDENCE:
        raise ProjectError(N_("I am not waiting for photos or documents for this report now."))
    if len(content) > EVIDENCE_MAX_BYTES:
        raise ProjectError(N_("That file is too large: the limit is 20 MB."))
    count = await evidence_count(session, report_id=report.id)
    if count >= EVIDENCE_MAX_FILES:
        raise ProjectError(N_("A report takes at most %(count)s files. Tap Done to go on."), count=EVIDENCE_MAX_FILES)
    wrong = ProjectError(N_("As evidence I can keep photos, PDF files, and Word or Excel files. Save it as one of those and send it again."))
    accepted = await asyncio.to_thread(uploads.accept, content, allowed=EVIDENCE_KINDS, wrong_kind=wrong, unknown=wrong)
    content = accepted.content
    digest = hashlib.sha256(content).hexdigest()
    same = await session.scalar(select(ProjectFile.id).where(ProjectFile.report_id == report.id, ProjectFile.sha256 == digest))
    if same is not None:
        return EvidenceReceipt(count, duplicate=True)
    saved = store.save(content)
    session.add(ProjectFile(
        organization_id=project.organization_id, project_id=project.id, report_id=report.id, sha256=saved.sha256,
        size=saved.size, mime_type=accepted.mime_type, storage_path=saved.path, original_name=uploads.label(name),
        media_group_id=media_group_id, uploaded_by_id=user.id, uploaded_at=now,
    ))
    report.updated_at = now
    await session.flush()
    return EvidenceReceipt(count + 1, duplicate=False)


# --- submission (staff's review: bot/projects/review.py) ------------------------------------------


def complete(report: ProjectReport) -> bool:
    people = report.beneficiaries
    return bool(report.activities) and all(
        n in people and "sex" in people[n] and "age" in people[n] for n in NATIONALITIES
    ) and report.spent_cents is not None and bool(report.difficulties) and bool(report.lessons)


async def submit(session: AsyncSession, *, user: User, report_id: int, now: datetime) -> ReportContext:
    found = await report_for(session, user=user, report_id=report_id, leader_only=True)
    report = found.report
    if report.step != SUMMARY:
        raise ProjectError(N_("Please answer with the buttons below."))
    if not complete(report):
        raise ProjectError(N_("Some parts of the report are missing. Use “Change a part” to complete them."))
    previous = report.status
    await transition(session, ProjectReport, where={"id": report.id, "status": EDITABLE_STATUSES}, values={
        "status": ReportStatus.SUBMITTED, "version": report.version + 1, "submitted_at": now, "submitted_by_id": user.id,
        "step": None, "scratch": {}, "updated_at": now,
    }, already=AlreadyDone(N_("This report was already sent to the programme.")))
    session.add(ProjectEvent(project_id=found.project.id, report_id=report.id, actor_id=user.id, from_status=previous.value,
                             to_status=ReportStatus.SUBMITTED.value, at=now))
    await reminders.cancel_prefix(session, prefix=reminder_prefix(report.id))
    await session.flush()
    await notices.tell_staff(
        session, about="report.sent", now=now,
        says=[notices.line(N_("📨 %(organization)s sent a project report: %(title)s, %(period)s"),
                           organization=found.organization.name, title=found.project.title, period=period(report))],
        choices=[[notices.choice(f"rep:rv:{report.id}", N_("📂 Open"))]])
    return found


def period(report: ProjectReport) -> dict[str, Any]:
    """Which report, as a notice's parameter ("report 2, 1/03/27 to 31/05/27")."""
    return notices.message(N_("report %(number)s, %(start)s to %(end)s"), number=report.number,
                           start=notices.date(report.period_start, "short"), end=notices.date(report.period_end, "short"))


# --- totals ---------------------------------------------------------------------------------------------


@dataclass
class BeneficiaryTotals:
    """People reached, as counted in approved reports: every dimension, each crossed with
    nationality, and nationality × sex × age. `reports` says how many approved reports were
    added up.

    In `by_nationality_sex_age` a report approved before the ages were asked per sex puts its
    ages under the sex `UNSPLIT`, so the cross still adds up to `total` and no sex is guessed."""

    reports: int = 0
    total: int = 0
    by_nationality: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NATIONALITIES, 0))
    by_sex: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEXES, 0))
    by_age: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGE_GROUPS, 0))
    by_nationality_sex: dict[tuple[str, str], int] = field(default_factory=dict)
    by_nationality_age: dict[tuple[str, str], int] = field(default_factory=dict)
    by_nationality_sex_age: dict[tuple[str, str, str], int] = field(default_factory=dict)
    spent_cents: int = 0

    def add(self, counts: dict[str, Any], spent_cents: int | None) -> None:
        self.reports += 1
        self.spent_cents += spent_cents or 0
        for nationality in NATIONALITIES:
            entry = counts.get(nationality) or {}
            total = int(entry.get("total", 0))
            self.total += total
            self.by_nationality[nationality] += total
            for sex, n in (entry.get("sex") or {}).items():
                self.by_sex[sex] = self.by_sex.get(sex, 0) + int(n)
                self.by_nationality_sex[(nationality, sex)] = self.by_nationality_sex.get((nationality, sex), 0) + int(n)
            for age, n in (entry.get("age") or {}).items():
                self.by_age[age] = self.by_age.get(age, 0) + int(n)
                self.by_nationality_age[(nationality, age)] = self.by_nationality_age.get((nationality, age), 0) + int(n)
            if "sex_age" in entry:
                cells = [(sex, age, n) for sex, ages in entry["sex_age"].items() for age, n in ages.items()]
            else:
                cells = [(UNSPLIT, age, n) for age, n in (entry.get("age") or {}).items()]
            for sex, age, n in cells:
                self.add_cross(nationality, sex, age, int(n))

    def add_cross(self, nationality: str, sex: str, age: str, n: int) -> None:
        if n:
            key = (nationality, sex, age)
            self.by_nationality_sex_age[key] = self.by_nationality_sex_age.get(key, 0) + n

    @property
    def unsplit(self) -> int:
        """People whose ages were given for all sexes together (reports approved before the cross)."""
        return sum(n for (_nationality, sex, _age), n in self.by_nationality_sex_age.items() if sex == UNSPLIT)


async def beneficiary_totals(session: AsyncSession, *, project_id: int | None = None) -> BeneficiaryTotals:
    """Per project, or programme-wide with no `project_id`: each report's latest approved version."""
    query = select(ProjectReport.approved_beneficiaries, ProjectReport.approved_spent_cents).where(ProjectReport.approved_version.is_not(None))
    if project_id is not None:
        query = query.where(ProjectReport.project_id == project_id)
    totals = BeneficiaryTotals()
    for counts, spent in (await session.execute(query)).all():
        totals.add(counts or {}, spent)
    return totals


async def totals_per_project(session: AsyncSession) -> list[tuple[Project, str, BeneficiaryTotals]]:
    """Every project with an approved report, with its organization's name: what an export reads."""
    rows = await session.execute(
        select(Project, Organization.name, ProjectReport.approved_beneficiaries, ProjectReport.approved_spent_cents)
        .join(ProjectReport, ProjectReport.project_id == Project.id).join(Organization, Organization.id == Project.organization_id)
        .where(ProjectReport.approved_version.is_not(None)).order_by(Project.id)
    )
    result: dict[int, tuple[Project, str, BeneficiaryTotals]] = {}
    for project, name, counts, spent in rows.all():
        entry = result.setdefault(project.id, (project, name, BeneficiaryTotals()))
        entry[2].add(counts or {}, spent)
    return list(result.values())


# --- deadlines ---------------------------------------------------------------------------------------------


def reminder_prefix(report_id: int) -> str:
    return f"prj:rep:{report_id}:"


def _at_ten(day: date, quiet: QuietHours) -> datetime:
    return datetime.combine(day, REMINDER_HOUR, tzinfo=quiet.zone)


async def plan_deadlines(session: AsyncSession, *, project_id: int, now: datetime, quiet: QuietHours) -> None:
    """Reminders for every report not yet submitted: 7 and 1 days before, and the day after it
    is due (then weekly, planned as each one goes), for each leader of the organization."""
    project = await session.get(Project, project_id)
    assert project is not None
    leaders = await leaders_of(session, organization_id=project.organization_id)
    for report in await reports_of(session, project_id=project_id):
        if report.status is not ReportStatus.DUE:
            continue
        moments = [(f"d{days}", _at_ten(report.due_on - timedelta(days=days), quiet), DUE_SOON, days) for days in DAYS_BEFORE]
        moments.append(("late1", _at_ten(report.due_on + timedelta(days=1), quiet), OVERDUE, 1))
        for leader in leaders:
            for name, due_at, kind, n in moments:
                if due_at <= now:
                    continue
                await reminders.schedule(
                    session, key=f"{reminder_prefix(report.id)}{leader.id}:{name}", recipient_id=leader.id, kind=kind,
                    due_at=due_at, payload={"report_id": report.id, "n": n}, quiet=quiet,
                )


async def leader_joined(session: AsyncSession, *, organization_id: int, leader_id: int, now: datetime) -> int:
    """A co-leader who joins after funding hears of the reports still due like the others: a
    copy, at the same moment, of each deadline reminder still pending for another leader
    (the weekly overdue ones included). Returns how many were planned."""
    report_ids = set(await session.scalars(
        select(ProjectReport.id).join(Project, Project.id == ProjectReport.project_id)
        .where(Project.organization_id == organization_id, Project.status.in_(REPORTING), ProjectReport.status == ReportStatus.DUE)
    ))
    if not report_ids:
        return 0
    others = [leader.id for leader in await leaders_of(session, organization_id=organization_id) if leader.id != leader_id]
    pending = await session.scalars(
        select(Reminder).where(Reminder.recipient_id.in_(others), Reminder.kind.in_((DUE_SOON, OVERDUE)),
                               Reminder.state == ReminderState.PENDING, Reminder.due_at > now).order_by(Reminder.id)
    )
    planned: set[str] = set()
    for reminder in pending:
        report_id = int(reminder.payload.get("report_id", 0))
        moment = reminder.key.rsplit(":", 1)[-1]  # prj:rep:<report>:<leader>:<moment>
        key = f"{reminder_prefix(report_id)}{leader_id}:{moment}"
        if report_id not in report_ids or key in planned:
            continue
        planned.add(key)
        await reminders.schedule(session, key=key, recipient_id=leader_id, kind=reminder.kind, due_at=reminder.due_at,
                                 payload=dict(reminder.payload))
    return len(planned)


async def leader_left(session: AsyncSession, *, organization_id: int, leader_id: int) -> None:
    """Someone who no longer leads the organization hears no more of its reports."""
    report_ids = await session.scalars(
        select(ProjectReport.id).join(Project, Project.id == ProjectReport.project_id).where(Project.organization_id == organization_id)
    )
    for report_id in list(report_ids):
        await reminders.cancel_prefix(session, prefix=f"{reminder_prefix(report_id)}{leader_id}:")


async def plan_next_overdue(session: AsyncSession, *, report_id: int, recipient_id: int, n: int, now: datetime, quiet: QuietHours) -> None:
    await reminders.schedule(
        session, key=f"{reminder_prefix(report_id)}{recipient_id}:late{n + 1}", recipient_id=recipient_id, kind=OVERDUE,
        due_at=now + OVERDUE_AGAIN, payload={"report_id": report_id, "n": n + 1}, quiet=quiet,
    )


async def still_due(session: AsyncSession, *, report_id: int, recipient_id: int) -> ReportContext | None:
    """The report a reminder is about, if it is still to be sent and the recipient leads its organization."""
    report = await session.get(ProjectReport, report_id, populate_existing=True)
    if report is None or report.status is not ReportStatus.DUE:
        return None
    project = await session.get(Project, report.project_id)
    if project is None or project.status not in REPORTING:
        return None
    from bot.people.authority import leader_role

    if await leader_role(session, user_id=recipient_id, organization_id=project.organization_id) is None:
        return None
    organization = await session.get(Organization, project.organization_id)
    assert organization is not None
    return ReportContext(report, project, organization)
