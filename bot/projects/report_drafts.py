"""/report: the step machine over the report a leader is writing, and staff's typed steps of the
same conversation (a request for changes, the reason to reopen an approved report).

The draft is the report row (its `step` and `scratch`, bot/projects/reports.py); which report
a person is writing is a `ReportWriter` row, set when they open one and gone when they submit
it. (The chat kept that in its user data, `report_open`, before: a value from there is passed
as `opened` and adopted once, so someone halfway through when the bot is upgraded finishes.)
The questions' order (which comes next, the card after a part changed from it) and what each
accepts (dates within the period, splits that add up) are here too. Each function checks what
was typed, pressed or sent, saves it, and returns what to show next: a
`Step` (the report's question, with the problem of the last answer if it could not be used), or
what happened (`Submitted`, `Received`, staff's `review.Review` or `StaffStep`); None when there
is nothing to answer.

Choices (the code of a pressed button): `more`, `nomore`, `evdone`, `edit`, `edit:<part>`,
`summary`, `submit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, clean_text, parse_count, parse_date_within, parse_text
from bot.organizations import organizations
from bot.people import people
from bot.people.authority import NotAllowed, require_leader
from bot.people.models import User
from bot.projects import projects, reports
from bot.projects import review as reviewing
from bot.projects.drafts import BUTTONS_ONLY, TOO_LARGE, TYPE_IT, Upload
from bot.projects.models import Project, ProjectReport, ReportStatus, ReportWriter
from bot.projects.projects import LONG_TEXT_MAX, ProjectError, parse_soles
from bot.projects.reports import (
    ACTIVITY_DATE,
    ACTIVITY_MORE,
    ACTIVITY_PLACE,
    ACTIVITY_WHAT,
    AGE,
    AGE_GROUPS,
    COUNT,
    DIFFICULTIES,
    EDITABLE_STATUSES,
    EVIDENCE,
    LESSONS,
    NATIONALITIES,
    PLACE_MAX,
    SEX,
    SEXES,
    SPENT,
    SUMMARY,
    ReportContext,
    save_step,
)
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
    found: ReportContext  # staff are told through the outbox by reports.submit


@dataclass(frozen=True)
class Received:
    """A file sent as evidence: kept (`receipt`) or refused (`problem`, the step goes on)."""

    receipt: reports.EvidenceReceipt | None
    problem: InvalidInput | None = None


# --- the questions: their order, and what each accepts ------------------------------------------------
# The steps' names are in bot/projects/reports.py (ACTIVITY_DATE … SUMMARY, "count:<nationality>",
# "sex:<nationality>", "age:<nationality>:<sex>").

EDITABLE_PARTS = {"activities": ACTIVITY_DATE, "people": f"{COUNT}:peruvian", "spent": SPENT,
                  "difficulties": DIFFICULTIES, "lessons": LESSONS, "evidence": EVIDENCE}


class Mismatch(InvalidInput):
    """A split that does not add up to what it splits: the nationality's total (by sex) or one
    sex's count (by age, `sex` set). The chat layer names them and shows what was typed."""

    def __init__(self, *, nationality: str, dimension: str, total: int, counted: int, sex: str | None = None,
                 typed: list[int] | None = None) -> None:
        super().__init__(N_("The numbers do not add up."))
        self.nationality, self.dimension, self.total, self.counted = nationality, dimension, total, counted
        self.sex, self.typed = sex, typed or []


class AgesBySex(InvalidInput):
    """A draft begun when the ages were asked for everyone at once, answered that way."""

    def __init__(self) -> None:
        super().__init__(N_("I now ask the ages separately for each sex, so that the programme can count age and sex together. Please answer this question."))


class WrongCount(InvalidInput):
    """Not as many numbers as the split has parts."""

    def __init__(self, *, expected: int, got: int) -> None:
        super().__init__(N_("Send %(expected)s numbers separated by spaces; I read %(got)s."), expected=expected, got=got)


def _after(report: ProjectReport, step: str) -> str:
    """The step after `step`, or the summary card when the leader came from it to change one part.
    The people's steps go through `_after_nationality` (which sexes are asked depends on the answers)."""
    editing = report.scratch.get("editing")
    order = [ACTIVITY_DATE, ACTIVITY_PLACE, ACTIVITY_WHAT, ACTIVITY_MORE, f"{COUNT}:{NATIONALITIES[0]}",
             SPENT, DIFFICULTIES, LESSONS, EVIDENCE, SUMMARY]
    following = order[order.index(step) + 1]
    if editing and step in (SPENT, DIFFICULTIES, LESSONS, EVIDENCE, ACTIVITY_MORE):
        return SUMMARY
    return following


def _after_nationality(report: ProjectReport, nationality: str) -> str:
    """Once a nationality is complete: the next one's total, then the money (or back to the card)."""
    index = NATIONALITIES.index(nationality)
    if index + 1 < len(NATIONALITIES):
        return f"{COUNT}:{NATIONALITIES[index + 1]}"
    return SUMMARY if report.scratch.get("editing") else SPENT


def _next_ages(entry: dict[str, Any]) -> str | None:
    """The first sex of a nationality with someone in it whose ages are still to be given."""
    done = entry.get("sex_age") or {}
    return next((sex for sex in SEXES if int((entry.get("sex") or {}).get(sex, 0)) > 0 and sex not in done), None)


def current_step(report: ProjectReport) -> str:
    """The report's step, with a draft saved at the older "age:<nationality>" step (ages for all
    sexes at once) read as the new question for the first sex still without ages."""
    step = report.step or ACTIVITY_DATE
    part, _sep, rest = step.partition(":")
    if part != AGE or ":" in rest:
        return step
    entry = report.beneficiaries.get(rest) or {}
    if "sex" not in entry:
        return f"{SEX}:{rest}"
    sex = _next_ages(entry)
    return f"{AGE}:{rest}:{sex}" if sex else _after_nationality(report, rest)


def _numbers(text: str, expected: int) -> list[int]:
    parts = clean_text(text).replace(",", " ").replace(";", " ").replace("-", " ").split()
    if len(parts) != expected:
        raise WrongCount(expected=expected, got=len(parts))
    return [parse_count(part) for part in parts]


async def _still_editable(session: AsyncSession, *, user: User, report: ProjectReport) -> Project:
    """The report's project, once the user still leads its organization and the report was not sent."""
    project = await session.get(Project, report.project_id)
    assert project is not None
    await require_leader(session, user_id=user.id, organization_id=project.organization_id)
    if report.status not in EDITABLE_STATUSES:
        raise AlreadyDone(N_("This report was already sent to the programme."))
    return project


async def _save_answer(session: AsyncSession, *, user: User, report: ProjectReport, value: str, now: datetime) -> None:
    """Validate one typed answer for the report's step, save it, and move on."""
    await _still_editable(session, user=user, report=report)
    step = current_step(report)
    scratch = dict(report.scratch)
    if step == ACTIVITY_DATE:
        day = parse_date_within(value, first=report.period_start, last=report.period_end)
        scratch["activity"] = {"date": day.isoformat()}
        save_step(report, now, ACTIVITY_PLACE, scratch=scratch)
    elif step == ACTIVITY_PLACE:
        scratch["activity"] = {**scratch.get("activity", {}), "place": parse_text(value, field_max=PLACE_MAX, min_length=2)}
        save_step(report, now, ACTIVITY_WHAT, scratch=scratch)
    elif step == ACTIVITY_WHAT:
        activity = {**scratch.pop("activity", {}), "what": parse_text(value, field_max=LONG_TEXT_MAX, min_length=3, multiline=True)}
        save_step(report, now, ACTIVITY_MORE, scratch=scratch, activities=[*report.activities, activity])
    elif step.startswith(f"{COUNT}:"):
        nationality = step.split(":", 1)[1]
        total = parse_count(value)
        people = dict(report.beneficiaries)
        if total == 0:  # nobody: no split is asked
            people[nationality] = {"total": 0, "sex": dict.fromkeys(SEXES, 0), "sex_age": {s: dict.fromkeys(AGE_GROUPS, 0) for s in SEXES},
                                   "age": dict.fromkeys(AGE_GROUPS, 0)}
            following = _after_nationality(report, nationality)
        else:
            people[nationality] = {"total": total}
            following = f"{SEX}:{nationality}"
        save_step(report, now, following, beneficiaries=people)
    elif step.startswith(f"{SEX}:"):
        nationality = step.split(":", 1)[1]
        counts = _numbers(value, len(SEXES))
        total = int(report.beneficiaries[nationality]["total"])
        if sum(counts) != total:
            raise Mismatch(nationality=nationality, dimension=SEX, total=total, counted=sum(counts), typed=counts)
        by_sex = dict(zip(SEXES, counts, strict=True))
        # A sex with nobody in it has no ages to ask: zeros at once.
        entry = {"total": total, "sex": by_sex, "sex_age": {s: dict.fromkeys(AGE_GROUPS, 0) for s in SEXES if by_sex[s] == 0}}
        people = {**report.beneficiaries, nationality: entry}
        save_step(report, now, f"{AGE}:{nationality}:{_next_ages(entry)}", beneficiaries=people)
    elif step.startswith(f"{AGE}:"):
        _dimension, nationality, sex = step.split(":", 2)
        counts = _numbers(value, len(AGE_GROUPS))
        entry = dict(report.beneficiaries[nationality])
        expected = int(entry["sex"][sex])
        if sum(counts) != expected:
            if report.step != step and sum(counts) == int(entry["total"]):
                raise AgesBySex()  # the answer to the older question, ages of everyone at once
            raise Mismatch(nationality=nationality, dimension=AGE, sex=sex, total=expected, counted=sum(counts), typed=counts)
        entry["sex_age"] = {**(entry.get("sex_age") or {}), sex: dict(zip(AGE_GROUPS, counts, strict=True))}
        following_sex = _next_ages(entry)
        if following_sex is None:
            given = entry["sex_age"]
            entry["sex_age"] = {s: given.get(s) or dict.fromkeys(AGE_GROUPS, 0) for s in SEXES}
            entry["age"] = {a: sum(int(entry["sex_age"][s][a]) for s in SEXES) for a in AGE_GROUPS}
            following = _after_nationality(report, nationality)
        else:
            following = f"{AGE}:{nationality}:{following_sex}"
        save_step(report, now, following, beneficiaries={**report.beneficiaries, nationality: entry})
    elif step == SPENT:
        save_step(report, now, _after(report, step), spent_cents=parse_soles(value, allow_zero=True))
    elif step == DIFFICULTIES:
        save_step(report, now, _after(report, step), difficulties=parse_text(value, field_max=LONG_TEXT_MAX, min_length=2, multiline=True))
    elif step == LESSONS:
        save_step(report, now, _after(report, step), lessons=parse_text(value, field_max=LONG_TEXT_MAX, min_length=2, multiline=True))
    else:
        raise ProjectError(N_("Please answer with the buttons below."))
    await session.flush()


async def _save_tap(session: AsyncSession, *, user: User, report: ProjectReport, action: str, now: datetime) -> None:
    """The buttons of the draft: another activity or not, evidence done, edit a part, back."""
    await _still_editable(session, user=user, report=report)
    scratch = dict(report.scratch)
    if action == "more" and report.step == ACTIVITY_MORE:
        save_step(report, now, ACTIVITY_DATE)
    elif action == "nomore" and report.step == ACTIVITY_MORE:
        save_step(report, now, _after(report, ACTIVITY_MORE))
    elif action == "evdone" and report.step == EVIDENCE:
        save_step(report, now, SUMMARY)
    elif action == "summary":
        scratch.pop("editing", None)
        scratch.pop("activity", None)
        save_step(report, now, SUMMARY, scratch=scratch)
    elif action.startswith("edit_") and report.step == SUMMARY and action[5:] in EDITABLE_PARTS:
        part = action[5:]
        scratch["editing"] = True
        changes: dict[str, Any] = {"scratch": scratch}
        if part == "activities":
            changes["activities"] = []  # the activities are entered again, all of them
        if part == "people":
            changes["beneficiaries"] = {}
        save_step(report, now, EDITABLE_PARTS[part], **changes)
    else:
        raise ProjectError(N_("That button belongs to an earlier question."))
    await session.flush()


# --- the machine -----------------------------------------------------------------------------------------


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
    return Step(current_step(found.report), found.report, found.project.title, evidence, screen, **extra)  # type: ignore[arg-type]


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
        await _save_answer(session, user=person, report=found.report, value=value, now=now)
    except (AlreadyDone, NotAllowed):
        raise
    except InvalidInput as error:  # a `Mismatch` names what does not add up
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
        return Submitted(found)
    found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
    if action == "edit" and not part:
        return await _step(session, found, PARTS)
    try:
        await _save_tap(session, user=person, report=found.report, action=f"edit_{part}" if action == "edit" else action, now=now)
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
