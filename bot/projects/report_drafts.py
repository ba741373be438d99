"""/report: the step machine over the report a leader is writing, and staff's typed steps of the
same conversation (a request for changes, the reason to reopen an approved report).

The draft is the report row (its `step` and `scratch`, bot/projects/reports.py); which report
a person is writing is a `ReportWriter` row, set when they open one and gone when they submit
it. (The chat kept that in its user data, `report_open`, before: a value from there is passed
as `opened` and adopted once, so someone halfway through when the bot is upgraded finishes.)
Each function checks what was typed, pressed or sent, saves it, and returns what to show next: a
`Step` (the report's question, with the problem of the last answer if it could not be used), or
what happened (`Submitted`, `Received`, staff's `review.Review` or `StaffStep`); None when there
is nothing to answer.

Choices (the code of a pressed button): `more`, `nomore`, `evdone`, `edit`, `edit:<part>`,
`summary`, `submit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.organizations import organizations
from bot.people import people
from bot.people.authority import NotAllowed
from bot.people.models import User
from bot.projects import projects, reports
from bot.projects import review as reviewing
from bot.projects.drafts import BUTTONS_ONLY, TOO_LARGE, TYPE_IT, Upload
from bot.projects.models import Project, ProjectReport, ReportStatus, ReportWriter
from bot.projects.projects import ProjectError
from bot.projects.reports import ACTIVITY_DATE, ACTIVITY_MORE, EVIDENCE, SUMMARY, ReportContext
from bot.projects.review import REOPEN_CONFIRM, REOPEN_REASON, REVIEW_COMMENT

QUESTION = "question"
PARTS = "parts"  # from the summary card: which part to change?
# What opening a report says before its question.
CHANGES = "changes"  # the programme's request for changes
FIRST = "first"  # a report begun now: what it is about, and that every answer is kept
NOT_WAITING = N_("I am not waiting for photos or documents for this report now.")
STAFF_STEPS = (REVIEW_COMMENT, REOPEN_REASON, REOPEN_CONFIRM)  # staff's steps of the conversation


@dataclass(frozen=True)
class Step:
    """What to show next. `name` is the report's step: the question and the conversation state."""

    name: str
    report: ProjectReport
    title: str  # the project's
    evidence: int  # files received so far
    screen: str = QUESTION
    problem: InvalidInput | None = None  # the last answer could not be used: say so, ask again
    opening: str | None = None


@dataclass(frozen=True)
class StaffStep:
    """Staff's next step in the conversation: write their text again (`problem`), or confirm the
    reopening of `found` for `reason`."""

    name: str
    problem: InvalidInput | None = None
    found: ReportContext | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Submitted:
    found: ReportContext
    staff: list[User]  # whom to tell


@dataclass(frozen=True)
class Received:
    """A file sent as evidence: kept (`receipt`) or refused (`problem`, the step goes on)."""

    receipt: reports.EvidenceReceipt | None
    problem: InvalidInput | None = None


async def _person(session: AsyncSession, user_id: int) -> User:
    person = await people.get(session, user_id)
    assert person is not None, "the gatekeeper creates the person before any handler runs"
    return person


async def writing(session: AsyncSession, *, user_id: int, opened: int | None = None, now: datetime) -> int | None:
    """The report the person is writing (None: none); `opened`, the one the chat remembered
    from before, is adopted when the database has none."""
    writer = await session.get(ReportWriter, user_id, populate_existing=True)
    if writer is not None:
        return writer.report_id
    if opened is None or await session.get(ProjectReport, opened) is None:
        return None
    session.add(ReportWriter(user_id=user_id, report_id=opened, opened_at=now))
    await session.flush()
    return opened


async def _step(session: AsyncSession, found: ReportContext, screen: str = QUESTION, **extra: object) -> Step:
    evidence = await reports.evidence_count(session, report_id=found.report.id)
    return Step(reports.current_step(found.report), found.report, found.project.title, evidence, screen, **extra)  # type: ignore[arg-type]


async def waiting(session: AsyncSession, *, user_id: int) -> list[tuple[ProjectReport, Project]]:
    """/report: the reports of the organizations the person leads that they can write now."""
    led = [organization.id for organization, _role in await organizations.led_by(session, user=await _person(session, user_id))]
    return await reports.open_reports(session, organization_ids=led)


async def open_report(session: AsyncSession, *, user_id: int, report_id: int, now: datetime) -> Step:
    """Write (or continue, or fix) that report: it becomes the one the person's answers go to."""
    found = await reports.begin(session, user=await _person(session, user_id), report_id=report_id, now=now)
    writer = await session.get(ReportWriter, user_id)
    if writer is None:
        session.add(ReportWriter(user_id=user_id, report_id=report_id, opened_at=now))
    else:
        writer.report_id, writer.opened_at = report_id, now
    await session.flush()
    report = found.report
    opening = None
    if report.status is ReportStatus.CHANGES_REQUESTED and report.review_comment:
        opening = CHANGES
    elif report.step == ACTIVITY_DATE and not report.activities:
        opening = FIRST
    return await _step(session, found, opening=opening)


async def answer(session: AsyncSession, *, user_id: int, value: str, now: datetime,
                 opened: int | None = None) -> Step | StaffStep | reviewing.Review | None:
    """What the person typed: staff's text at their step, or the answer to the report's question.
    Raises AlreadyDone / NotAllowed when the person may no longer act (nothing changed)."""
    person = await _person(session, user_id)
    draft = await projects.find_draft(session, user=person)
    if draft is not None and draft.step in STAFF_STEPS:
        return await _staff_answer(session, person, draft, value, now)
    report_id = await writing(session, user_id=user_id, opened=opened, now=now)
    if report_id is None:
        return None
    found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
    if found.report.step in (ACTIVITY_MORE, EVIDENCE, SUMMARY):
        return await _step(session, found, problem=InvalidInput(BUTTONS_ONLY))
    try:
        await reports.answer(session, user=person, report=found.report, value=value, now=now)
    except (AlreadyDone, NotAllowed):
        raise
    except InvalidInput as error:  # a `reports.Mismatch` names what does not add up
        return await _step(session, found, problem=error)
    return await _step(session, found)


async def _staff_answer(session: AsyncSession, staff: User, draft: projects.ProjectDraft, text: str,
                        now: datetime) -> StaffStep | reviewing.Review:
    """A review comment (the changes are requested at once), or why a report is reopened (typed
    again at the confirmation, it replaces the reason)."""
    step = REVIEW_COMMENT if draft.step == REVIEW_COMMENT else REOPEN_REASON
    try:
        if step == REVIEW_COMMENT:
            return await reviewing.request_changes(session, staff=staff, draft=draft, text=text, now=now)
        found = await reviewing.reopening_reason(session, staff=staff, draft=draft, text=text, now=now)
    except (AlreadyDone, NotAllowed):
        raise
    except InvalidInput as error:
        return StaffStep(step, problem=error)
    return StaffStep(REOPEN_CONFIRM, found=found, reason=draft.answers["reason"])


async def press(session: AsyncSession, *, user_id: int, choice: str, now: datetime,
                opened: int | None = None) -> Step | Submitted | None:
    """The report's buttons (see the module's docstring); None: no report open. A button of
    another step says so and asks the report's question again."""
    report_id = await writing(session, user_id=user_id, opened=opened, now=now)
    if report_id is None:
        return None
    person = await _person(session, user_id)
    action, _colon, part = choice.partition(":")
    if action == "submit":
        try:
            found = await reports.submit(session, user=person, report_id=report_id, now=now)
        except ProjectError as error:
            found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
            return await _step(session, found, problem=error)
        writer = await session.get(ReportWriter, user_id)
        if writer is not None:
            await session.delete(writer)
        return Submitted(found, await projects.staff_members(session))
    found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
    if action == "edit" and not part:
        return await _step(session, found, PARTS)
    try:
        await reports.tap(session, user=person, report=found.report, action=f"edit_{part}" if action == "edit" else action, now=now)
    except ProjectError as error:
        return await _step(session, found, problem=error)
    return await _step(session, found)


async def evidence(session: AsyncSession, *, user_id: int, upload: Upload, media_group_id: str | None, store: FileStore,
                   now: datetime, opened: int | None = None) -> Step | Received | None:
    """A photo or a document as evidence, at the evidence step (at another, the same question)."""
    report_id = await writing(session, user_id=user_id, opened=opened, now=now)
    if report_id is None:
        return None
    person = await _person(session, user_id)
    try:
        found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
        if found.report.step != EVIDENCE:
            return await _step(session, found, problem=InvalidInput(NOT_WAITING))
        if (upload.size or 0) > reports.EVIDENCE_MAX_BYTES:
            raise ProjectError(TOO_LARGE)
        content = await upload.fetch()
        receipt = await reports.add_evidence(session, store=store, user=person, report=found.report, content=content,
                                             name=upload.name, media_group_id=media_group_id, now=now)
    except (AlreadyDone, NotAllowed):
        raise
    except InvalidInput as error:
        return Received(None, error)
    return Received(receipt)


async def not_typed(session: AsyncSession, *, user_id: int, now: datetime, opened: int | None = None) -> Step | None:
    """Something that is neither text nor a file: the same question."""
    report_id = await writing(session, user_id=user_id, opened=opened, now=now)
    if report_id is None:
        return None
    found = await reports.report_for(session, user=await _person(session, user_id), report_id=report_id, leader_only=True)
    return await _step(session, found, problem=InvalidInput(TYPE_IT))
