"""Community projects: a leader's proposal (a draft answered one question at a time, then
sent), the programme's comments and decisions, and funding with its reporting schedule.

Every status move is one conditional UPDATE (bot/core/transitions.py) from the statuses
it may come from, recorded as a `ProjectEvent` with who made it; the chat layer tells the
leaders. Reports per period are in bot/projects/reports.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core import uploads
from bot.core.db import after_commit
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.transitions import AlreadyDone, transition
from bot.core.validation import (
    InvalidInput,
    check_between,
    clean_text,
    parse_date,
    parse_text,
    years_after,
)
from bot.messaging import notices
from bot.organizations import cautions
from bot.organizations.models import Leadership, Organization
from bot.people.authority import require_leader, require_staff
from bot.people.models import User
from bot.projects.labels import PROJECT_STATUS
from bot.projects.models import (
    Project,
    ProjectDraft,
    ProjectEvent,
    ProjectFile,
    ProjectReport,
    ProjectStatus,
    ProjectTheme,
    ReportFrequency,
)
from bot.ruos.models import StoredFile

TITLE_MAX = 160
LONG_TEXT_MAX = 1500
AMOUNT_MAX_CENTS = 100_000_000  # S/ 1 000 000: far above any seed fund
PROJECT_YEARS_MAX = 3  # a seed-funded project lasts months, and never more than this
REPORTS_MAX = 36  # monthly reports over the longest project: every one is a row and reminders
PROPOSAL_FILE_MAX = 20 * 1024 * 1024  # what the Bot API lets a bot download
PROPOSAL_KINDS = frozenset({uploads.Kind.PDF, uploads.Kind.WORD})


class Step(StrEnum):
    TITLE = "title"
    THEME = "theme"
    OBJECTIVE = "objective"
    POPULATION = "population"
    DISTRICT = "district"
    START = "start"
    END = "end"
    AMOUNT = "amount"
    DOCUMENT = "document"
    SUMMARY = "summary"
    # staff
    COMMENT = "comment"
    FUND_AMOUNT = "fund_amount"
    FUND_FREQUENCY = "fund_frequency"


PROPOSAL_ORDER = [Step.TITLE, Step.THEME, Step.OBJECTIVE, Step.POPULATION, Step.DISTRICT, Step.START, Step.END, Step.AMOUNT, Step.DOCUMENT, Step.SUMMARY]
EDITABLE = {"title": Step.TITLE, "theme": Step.THEME, "objective": Step.OBJECTIVE, "population": Step.POPULATION,
            "district": Step.DISTRICT, "dates": Step.START, "amount": Step.AMOUNT, "document": Step.DOCUMENT}

# Where a project may move from, for each status it may move to.
MOVES: dict[ProjectStatus, tuple[ProjectStatus, ...]] = {
    ProjectStatus.SELECTED: (ProjectStatus.PROPOSAL,),
    ProjectStatus.NOT_SELECTED: (ProjectStatus.PROPOSAL, ProjectStatus.SELECTED),
    ProjectStatus.FUNDED: (ProjectStatus.SELECTED,),
    ProjectStatus.IMPLEMENTING: (ProjectStatus.FUNDED,),
    ProjectStatus.CLOSED: (ProjectStatus.IMPLEMENTING, ProjectStatus.FUNDED),
}
# What leaders may still revise after a comment.
REVISABLE = (ProjectStatus.PROPOSAL, ProjectStatus.SELECTED)


class ProjectError(InvalidInput):
    """Something about a proposal or a decision that the person must fix."""


# --- money ---------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"(?:s/\.?|pen)?\s*(\d{1,3}(?:[ ,.]\d{3})*|\d+)(?:[.,](\d{1,2}))?\s*(?:soles)?", re.IGNORECASE)


def parse_soles(text: str, *, allow_zero: bool = False) -> int:
    """An amount in soles ("1500", "S/ 1,500.50", "1.500", "2500 soles") as céntimos."""
    cleaned = clean_text(text).strip()
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise ProjectError(N_("Send the amount in soles, in digits, for example 2500 or 2500.50."))
    whole = int(re.sub(r"\D", "", match.group(1)))
    cents = int((match.group(2) or "0").ljust(2, "0"))
    amount = whole * 100 + cents
    if amount == 0 and not allow_zero:
        raise ProjectError(N_("The amount must be more than zero. Send it in soles, for example 2500."))
    if amount > AMOUNT_MAX_CENTS:
        raise ProjectError(N_("That amount is too large. Send it in soles, for example 2500."))
    return amount


# --- the proposal draft ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalView:
    """The answers so far, typed, for the summary card (a draft, or a project as sent)."""

    title: str | None
    theme: ProjectTheme | None
    objective: str | None
    target_population: str | None
    district_ubigeo: str | None
    starts_on: date | None
    ends_on: date | None
    requested_cents: int | None
    document_name: str | None


def view(draft: ProjectDraft) -> ProposalView:
    a = draft.answers
    return ProposalView(
        title=a.get("title"), theme=ProjectTheme(a["theme"]) if a.get("theme") else None,
        objective=a.get("objective"), target_population=a.get("population"), district_ubigeo=a.get("district"),
        starts_on=date.fromisoformat(a["start"]) if a.get("start") else None,
        ends_on=date.fromisoformat(a["end"]) if a.get("end") else None,
        requested_cents=a.get("amount"), document_name=(a.get("document") or {}).get("name") or ("📎" if a.get("document") else None),
    )


def project_view(project: Project, document_name: str | None = None) -> ProposalView:
    return ProposalView(
        title=project.title, theme=project.theme, objective=project.objective or project.summary,
        target_population=project.target_population, district_ubigeo=project.district_ubigeo,
        starts_on=project.starts_on, ends_on=project.ends_on, requested_cents=project.requested_cents,
        document_name=document_name,
    )


async def find_draft(session: AsyncSession, *, user: User) -> ProjectDraft | None:
    return await session.get(ProjectDraft, user.id, populate_existing=True)


def _document_path(draft: ProjectDraft | None) -> str | None:
    return ((draft.answers or {}).get("document") or {}).get("path") if draft is not None else None


async def drop_draft(session: AsyncSession, *, user: User, store: FileStore) -> None:
    """The person's draft goes, and with it a proposal document nothing else refers to."""
    path = _document_path(await session.get(ProjectDraft, user.id))
    await session.execute(delete(ProjectDraft).where(ProjectDraft.user_id == user.id))
    await forget_documents(session, store=store, paths=[path] if path else [])


async def forget_documents(session: AsyncSession, *, store: FileStore, paths: list[str]) -> list[str]:
    """Files a withdrawn draft held, deleted from the store once nothing refers to them.

    The store is content-addressed, so the same bytes may be another row's file or another
    draft's document: only paths no row names are deleted, and only after the commit (a
    rollback keeps the draft, so it must keep its file; a crash in between leaves at most an
    orphan file, never a row pointing to a missing one). Returns the paths to be deleted."""
    if not paths:
        return []
    await session.flush()
    still = set(await session.scalars(select(StoredFile.storage_path).where(StoredFile.storage_path.in_(paths))))
    still |= set(await session.scalars(select(ProjectFile.storage_path).where(ProjectFile.storage_path.in_(paths))))
    still |= {_document_path(d) for d in await session.scalars(select(ProjectDraft).execution_options(populate_existing=True))}
    gone = sorted({path for path in paths if path not in still})
    if gone:
        after_commit(session, lambda: [store.delete(path) for path in gone])
    return gone


async def start_proposal(session: AsyncSession, *, user: User, organization_id: int, store: FileStore, now: datetime) -> ProjectDraft:
    """A fresh proposal draft for the organization (replacing whatever the person had)."""
    await require_leader(session, user_id=user.id, organization_id=organization_id)
    await drop_draft(session, user=user, store=store)
    draft = ProjectDraft(user_id=user.id, organization_id=organization_id, step=Step.TITLE.value, answers={}, updated_at=now)
    session.add(draft)
    await session.flush()
    return draft


async def start_revision(session: AsyncSession, *, user: User, project_id: int, store: FileStore, now: datetime) -> ProjectDraft:
    """A draft holding the proposal as it was sent, at its summary card, to change and send again."""
    project = await session.get(Project, project_id)
    if project is None:
        raise ProjectError(N_("That project is no longer in Voces."))
    await require_leader(session, user_id=user.id, organization_id=project.organization_id)
    if project.status not in REVISABLE:
        raise AlreadyDone(N_("This project can no longer be revised: the programme already decided on it."))
    await drop_draft(session, user=user, store=store)
    answers: dict[str, Any] = {
        "title": project.title, "theme": project.theme.value if project.theme else None,
        "objective": project.objective or project.summary, "population": project.target_population,
        "district": project.district_ubigeo, "start": project.starts_on.isoformat(), "end": project.ends_on.isoformat(),
        "amount": project.requested_cents, "document_step_done": True,
    }
    draft = ProjectDraft(user_id=user.id, organization_id=project.organization_id, project_id=project.id,
                         step=Step.SUMMARY.value, answers={k: v for k, v in answers.items() if v is not None}, updated_at=now)
    session.add(draft)
    await session.flush()
    return draft


def _next_step(draft: ProjectDraft, current: Step) -> Step:
    if draft.answers.get("editing") and current in (Step.TITLE, Step.THEME, Step.OBJECTIVE, Step.POPULATION, Step.DISTRICT, Step.END, Step.AMOUNT, Step.DOCUMENT):
        return Step.SUMMARY
    return PROPOSAL_ORDER[PROPOSAL_ORDER.index(current) + 1]


def _save(draft: ProjectDraft, now: datetime, step: Step, **answers: Any) -> None:
    draft.answers = {**draft.answers, **answers}  # a new dict: JSON columns track assignment
    draft.step = step.value
    draft.updated_at = now


async def answer(session: AsyncSession, *, draft: ProjectDraft, value: str, now: datetime) -> None:
    """Validate a typed (or tapped) answer for the draft's step and move to the next one."""
    step = Step(draft.step)
    if step is Step.TITLE:
        _save(draft, now, _next_step(draft, step), title=parse_text(value, field_max=TITLE_MAX, min_length=3))
    elif step is Step.THEME:
        try:
            theme = ProjectTheme(value)
        except ValueError:
            raise ProjectError(N_("Please answer with the buttons below.")) from None
        _save(draft, now, _next_step(draft, step), theme=theme.value)
    elif step is Step.OBJECTIVE:
        _save(draft, now, _next_step(draft, step), objective=parse_text(value, field_max=LONG_TEXT_MAX, min_length=10, multiline=True))
    elif step is Step.POPULATION:
        _save(draft, now, _next_step(draft, step), population=parse_text(value, field_max=LONG_TEXT_MAX, min_length=3, multiline=True))
    elif step is Step.DISTRICT:
        if district_by_ubigeo(value) is None:
            raise ProjectError(N_("Please answer with the buttons below."))
        _save(draft, now, _next_step(draft, step), district=value)
    elif step is Step.START:
        today = now.date()
        start = check_between(parse_date(value), earliest=years_after(today, -1), latest=years_after(today, 2), message=N_(
            "A project starts at most a year ago and at most two years from now: send a date from %(earliest)s to %(latest)s."))
        _save(draft, now, Step.END, start=start.isoformat())
    elif step is Step.END:
        end = parse_date(value)
        start = date.fromisoformat(draft.answers["start"])
        if end <= start:
            raise ProjectError(N_("The project must end after it starts. Send an end date later than the start date."))
        check_between(end, earliest=start, latest=years_after(start, PROJECT_YEARS_MAX), message=N_(
            "A project lasts at most %(years)s years: send an end date from %(earliest)s to %(latest)s."), years=PROJECT_YEARS_MAX)
        _save(draft, now, _next_step(draft, step), end=end.isoformat())
    elif step is Step.AMOUNT:
        _save(draft, now, _next_step(draft, step), amount=parse_soles(value))
    elif step is Step.DOCUMENT:  # "skip"
        _save(draft, now, Step.SUMMARY, document_step_done=True)
    else:
        raise ProjectError(N_("Please answer with the buttons below."))
    await session.flush()


async def attach_document(session: AsyncSession, *, draft: ProjectDraft, store: FileStore, content: bytes,
                          name: str | None, now: datetime) -> None:
    """The full proposal as a file: kept encrypted now, linked to the project when it is sent."""
    if Step(draft.step) is not Step.DOCUMENT:
        raise ProjectError(N_("Please answer with the buttons below."))
    if len(content) > PROPOSAL_FILE_MAX:
        raise ProjectError(N_("That file is too large: the limit is 20 MB."))
    wrong = ProjectError(N_("I can keep the proposal as a PDF or a Word (.docx) file. Save it as one of those and send it again."))
    accepted = uploads.accept(content, allowed=PROPOSAL_KINDS, wrong_kind=wrong, unknown=wrong)  # by its bytes
    replaced = _document_path(draft)
    saved = store.save(accepted.content)
    document = {"sha256": saved.sha256, "size": saved.size, "path": saved.path, "name": uploads.label(name), "mime": accepted.mime_type}
    _save(draft, now, Step.SUMMARY, document=document, document_step_done=True)
    await session.flush()
    if replaced and replaced != saved.path:  # a new document instead of the one sent before
        await forget_documents(session, store=store, paths=[replaced])


async def edit_field(session: AsyncSession, *, draft: ProjectDraft, field: str, now: datetime) -> None:
    step = EDITABLE.get(field)
    if step is None or Step(draft.step) is not Step.SUMMARY:
        raise ProjectError(N_("Please answer with the buttons below."))
    _save(draft, now, step, editing=True)
    await session.flush()


async def back_to_summary(session: AsyncSession, *, draft: ProjectDraft, now: datetime) -> None:
    _save(draft, now, Step.SUMMARY)
    await session.flush()


@dataclass(frozen=True)
class Sent:
    project: Project
    revised: bool


async def send(session: AsyncSession, *, draft: ProjectDraft, user: User, now: datetime) -> Sent:
    """The proposal goes to the programme: a new project, or the revised one in place."""
    if Step(draft.step) is not Step.SUMMARY or draft.organization_id is None:
        raise ProjectError(N_("Please answer with the buttons below."))
    await require_leader(session, user_id=user.id, organization_id=draft.organization_id)
    a = draft.answers
    missing = [key for key in ("title", "theme", "objective", "population", "district", "start", "end", "amount") if not a.get(key)]
    if missing:
        raise ProjectError(N_("Some answers are missing. Use “Edit an answer” to complete them."))
    values: dict[str, Any] = {
        "title": a["title"], "theme": ProjectTheme(a["theme"]), "objective": a["objective"], "target_population": a["population"],
        "district_ubigeo": a["district"], "starts_on": date.fromisoformat(a["start"]), "ends_on": date.fromisoformat(a["end"]),
        "requested_cents": a["amount"], "updated_at": now, "sent_at": now,
    }
    if draft.project_id is not None:
        await transition(session, Project, where={"id": draft.project_id, "status": REVISABLE}, values=values,
                         already=AlreadyDone(N_("This project can no longer be revised: the programme already decided on it.")))
        project = await session.get(Project, draft.project_id)
        assert project is not None
        revised = True
    else:
        project = Project(organization_id=draft.organization_id, status=ProjectStatus.PROPOSAL, proposed_by_id=user.id,
                          created_at=now, **values)
        session.add(project)
        await session.flush()
        revised = False
    document = a.get("document")
    if document:
        session.add(ProjectFile(
            organization_id=project.organization_id, project_id=project.id, sha256=document["sha256"], size=document["size"],
            mime_type=document["mime"], storage_path=document["path"], original_name=document.get("name"),
            uploaded_by_id=user.id, uploaded_at=now,
        ))
    session.add(ProjectEvent(project_id=project.id, actor_id=user.id, from_status=None if not revised else project.status.value,
                             to_status=project.status.value, comment="revised" if revised else None, at=now))
    await session.delete(draft)
    await session.flush()
    await notices.tell_staff(
        session, about="project.sent", now=now,
        says=[notices.line(N_("📨 %(organization)s sent a project proposal: %(title)s"),
                           organization=await organization_name(session, project.organization_id), title=project.title)],
        choices=[[notices.choice(f"prj:open:{project.id}", N_("📂 Open"))]])
    return Sent(project, revised)


# --- reading -----------------------------------------------------------------------------------------


async def projects_of(session: AsyncSession, *, organization_id: int) -> list[Project]:
    """The organization's projects, the most recently started first."""
    query = (
        select(Project)
        .where(Project.organization_id == organization_id)
        .order_by(Project.starts_on.desc(), Project.id.desc())
    )
    return list(await session.scalars(query))


async def load(session: AsyncSession, project_id: int) -> Project | None:
    return await session.get(Project, project_id, populate_existing=True)


async def for_reader(session: AsyncSession, *, user: User, project_id: int) -> Project:
    """The project, for one of its organization's leaders or staff."""
    project = await load(session, project_id)
    if project is None:
        raise ProjectError(N_("That project is no longer in Voces."))
    from bot.people.authority import require_leader_or_staff

    await require_leader_or_staff(session, user_id=user.id, organization_id=project.organization_id)
    return project


async def proposal_document(session: AsyncSession, *, project_id: int) -> ProjectFile | None:
    return await session.scalar(
        select(ProjectFile).where(ProjectFile.project_id == project_id, ProjectFile.report_id.is_(None)).order_by(ProjectFile.id.desc())
    )


async def history(session: AsyncSession, *, project_id: int) -> list[ProjectEvent]:
    return list(await session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == project_id, ProjectEvent.report_id.is_(None)).order_by(ProjectEvent.at, ProjectEvent.id)
    ))


STAFF_LIST_SHOWN = 500


async def for_staff(session: AsyncSession, *, staff: User, statuses: tuple[ProjectStatus, ...]) -> list[tuple[Project, str]]:
    """Projects in these statuses with their organization's name, the oldest sent first."""
    await require_staff(session, user_id=staff.id)
    rows = await session.execute(
        select(Project, Organization.name).join(Organization, Organization.id == Project.organization_id)
        .where(Project.status.in_(statuses)).order_by(Project.sent_at, Project.id).limit(STAFF_LIST_SHOWN)
    )
    return [(project, name) for project, name in rows.all()]


async def leaders_of(session: AsyncSession, *, organization_id: int) -> list[User]:
    return list(await session.scalars(
        select(User).join(Leadership, Leadership.user_id == User.id).where(Leadership.organization_id == organization_id)
    ))


async def organization_name(session: AsyncSession, organization_id: int) -> str:
    return await session.scalar(select(Organization.name).where(Organization.id == organization_id)) or ""


# --- the programme's decisions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    project: Project
    organization_name: str
    leaders: list[User]
    comment: str | None = None


async def _decision(session: AsyncSession, project: Project, *, now: datetime, comment: str | None = None) -> Decision:
    """What was decided, once each of the organization's leaders has been told, with the
    button that goes on."""
    decision = Decision(project, await organization_name(session, project.organization_id),
                        await leaders_of(session, organization_id=project.organization_id), comment)
    title, open_it = project.title, [[notices.choice(f"prj:open:{project.id}", N_("📂 Open"))]]
    if comment is not None:
        says = [notices.line(N_("💬 The programme staff commented on the project “%(title)s”:"), title=title),
                notices.text("\n\n"), notices.quote(comment)]
        choices = [[notices.choice(f"prj:rev:{project.id}", N_("✏️ Revise the proposal"))]] if project.status in REVISABLE else open_it
    elif project.status is ProjectStatus.FUNDED:
        says = [notices.line(N_("💰 The project “%(title)s” is funded: %(amount)s. The first report is due on %(date)s; send it with /report."),
                             title=title, amount=notices.soles(project.granted_cents),
                             date=notices.date(project.report_due_on) if project.report_due_on else "—")]
        choices = open_it
    else:
        says = [notices.line(N_("The project “%(title)s” is now: %(status)s."), title=title, status=notices.label(PROJECT_STATUS[project.status]))]
        choices = open_it
    for leader in decision.leaders:
        await notices.tell(session, recipient_id=leader.id, about="project.decided", says=says, choices=choices, now=now)
    return decision


async def move(session: AsyncSession, *, staff: User, project_id: int, to: ProjectStatus, now: datetime) -> Decision:
    """Move the project to `to` from a status that allows it (funding goes through `fund`)."""
    await require_staff(session, user_id=staff.id)
    if to not in MOVES or to is ProjectStatus.FUNDED:
        raise ProjectError(N_("That move is not possible."))
    project = await load(session, project_id)
    if project is None:
        raise ProjectError(N_("That project is no longer in Voces."))
    previous = project.status
    await transition(session, Project, where={"id": project_id, "status": MOVES[to]}, values={"status": to, "updated_at": now})
    session.add(ProjectEvent(project_id=project_id, actor_id=staff.id, from_status=previous.value, to_status=to.value, at=now))
    audit.record(session, staff.id, "project.move", now=now, organization_id=project.organization_id, detail=f"{project_id}:{to.value}")
    await session.flush()
    return await _decision(session, project, now=now)


async def start_staff_step(session: AsyncSession, *, staff: User, project_id: int, step: Step, store: FileStore, now: datetime) -> ProjectDraft:
    """Staff about to write a comment or fund a project: the step is kept like any answer."""
    await require_staff(session, user_id=staff.id)
    project = await load(session, project_id)
    if project is None:
        raise ProjectError(N_("That project is no longer in Voces."))
    if step is Step.FUND_AMOUNT and project.status is not ProjectStatus.SELECTED:
        raise AlreadyDone()
    await drop_draft(session, user=staff, store=store)
    draft = ProjectDraft(user_id=staff.id, organization_id=project.organization_id, project_id=project_id, step=step.value, answers={}, updated_at=now)
    session.add(draft)
    await session.flush()
    return draft


async def comment(session: AsyncSession, *, staff: User, draft: ProjectDraft, text: str, now: datetime) -> Decision:
    await require_staff(session, user_id=staff.id)
    cleaned = parse_text(text, field_max=LONG_TEXT_MAX, min_length=2, multiline=True)
    assert draft.project_id is not None
    project = await load(session, draft.project_id)
    if project is None:
        raise ProjectError(N_("That project is no longer in Voces."))
    session.add(ProjectEvent(project_id=project.id, actor_id=staff.id, comment=cleaned, at=now))
    audit.record(session, staff.id, "project.comment", now=now, organization_id=project.organization_id, detail=str(project.id))
    await session.delete(draft)
    await session.flush()
    return await _decision(session, project, now=now, comment=cleaned)


async def fund_amount(session: AsyncSession, *, staff: User, draft: ProjectDraft, text: str, now: datetime) -> None:
    await require_staff(session, user_id=staff.id)
    _save(draft, now, Step.FUND_FREQUENCY, amount=parse_soles(text))
    await session.flush()


def periods(starts_on: date, ends_on: date, frequency: ReportFrequency) -> list[tuple[date, date]]:
    """The reporting periods: whole months (or quarters) from the start, the last one ending
    with the project (a last period of one day joins the one before it: nobody writes a report
    for a day); a final report covers it all. Each report is due on its period's last day."""
    if frequency is ReportFrequency.FINAL:
        return [(starts_on, ends_on)]
    step = 1 if frequency is ReportFrequency.MONTHLY else 3
    result: list[tuple[date, date]] = []
    start = starts_on
    while start <= ends_on:
        month = start.month - 1 + step
        following = _same_day_or_last(start.year + month // 12, month % 12 + 1, starts_on.day)
        end = min(following - timedelta(days=1), ends_on)
        result.append((start, end))
        start = following
    if len(result) > 1 and result[-1][0] == result[-1][1]:
        result[-2:] = [(result[-2][0], result[-1][1])]
    return result


def _same_day_or_last(year: int, month: int, day: int) -> date:
    for candidate in (day, 30, 29, 28):
        try:
            return date(year, month, min(day, candidate))
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


async def fund(session: AsyncSession, *, staff: User, draft: ProjectDraft, frequency: ReportFrequency, now: datetime,
               today: date | None = None, confirmed: bool = False) -> Decision:
    """Selected → funded: the amount granted and one report row per period, due on its last day.
    An organization whose board's term ended, or whose registration is not verified, raises
    NeedsConfirmation unless `confirmed`."""
    await require_staff(session, user_id=staff.id)
    assert draft.project_id is not None
    amount = draft.answers.get("amount")
    if amount is None:
        raise ProjectError(N_("Send the amount in soles, in digits, for example 2500 or 2500.50."))
    project = await load(session, draft.project_id)
    if project is None:
        raise ProjectError(N_("That project is no longer in Voces."))
    organization = await session.get(Organization, project.organization_id)
    assert organization is not None
    schedule = periods(project.starts_on, project.ends_on, frequency)
    if len(schedule) > REPORTS_MAX:  # a project proposed before its dates were bounded
        raise ProjectError(N_("That would be %(count)s reports, and a project has at most %(maximum)s: choose reports less often."),
                           count=len(schedule), maximum=REPORTS_MAX)
    # Asked only about a schedule that can be kept, so a confirmation is never asked twice.
    cautions.check(organization, today=today or now.date(), funding=True, confirmed=confirmed)
    await transition(session, Project, where={"id": project.id, "status": ProjectStatus.SELECTED}, values={
        "status": ProjectStatus.FUNDED, "granted_cents": amount, "report_frequency": frequency,
        "report_due_on": schedule[0][1], "updated_at": now,
    })
    for number, (start, end) in enumerate(schedule, start=1):
        session.add(ProjectReport(project_id=project.id, number=number, period_start=start, period_end=end, due_on=end,
                                  scratch={}, activities=[], beneficiaries={}, updated_at=now))
    session.add(ProjectEvent(project_id=project.id, actor_id=staff.id, from_status=ProjectStatus.SELECTED.value,
                             to_status=ProjectStatus.FUNDED.value, comment=f"{amount}", at=now))
    audit.record(session, staff.id, "project.fund", now=now, organization_id=project.organization_id, detail=str(project.id))
    await session.delete(draft)
    await session.flush()
    return await _decision(session, project, now=now)
