"""/propose and staff's typed steps on a project (a comment, funding): the step machine over
the person's `ProjectDraft`.

The draft's `step` (a `projects.Step`) is the question being asked, committed with the answer
that led to it; it is also the chat's conversation state, so a conversation saved by any version
goes on where the draft is. Each function reads the person's draft, checks what they typed or
pressed, saves it and returns what to show next: a `Step` (a question, with the problem of the
last answer if it could not be used), or what happened (`Sent`, `projects.Decision`); None when
the person has no draft. The rules themselves stay in bot/projects/projects.py.

Choices (the code of a pressed button): `theme:<code>`, `district:<ubigeo>`, `skipdoc`,
`edit`, `edit:<part>`, `summary`, `send`, `resume`, `restart`, `freq:<frequency>`,
`fundok:<frequency>`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.districts import District, find_districts
from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.textlimits import shorten
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.messaging.reminders import QuietHours
from bot.organizations import organizations
from bot.organizations.cautions import NeedsConfirmation
from bot.people import people
from bot.people.authority import NotAllowed
from bot.people.models import User
from bot.projects import projects, reports
from bot.projects.models import ProjectDraft, ReportFrequency
from bot.projects.projects import PROPOSAL_ORDER, ProjectError
from bot.projects.projects import Step as Question

# What a Step shows: the draft's question, or one of these screens over it.
QUESTION = "question"
RESUME = "resume"  # a proposal under way: continue, or start over?
PARTS = "parts"  # from the summary card: which answer to change?
DISTRICTS = "districts"  # the districts matching what was typed: which one?
CAUTIONS = "cautions"  # staff funding an organization with reasons to think twice: fund it anyway?

BUTTONS_ONLY = N_("Please answer with the buttons below.")
EARLIER = N_("That button belongs to an earlier question.")
TYPE_IT = N_("I can only read typed text here. Please write your answer.")
NOT_A_PHOTO = N_("Send the proposal as a document (PDF or Word), not as a photo.")
NO_DISTRICT = N_("I found no district of Lima or Callao called “%(text)s”. Try part of the name, for example Comas or SJL.")
TOO_LARGE = N_("That file is too large: the limit is 20 MB.")


class NotAChoice(Exception):  # noqa: N818 - it names what the press is
    """The choice is no button this flow ever offered (an old or forged one)."""


@dataclass(frozen=True)
class Step:
    """What to show next. `name` is the draft's step, the question and the conversation state."""

    name: str
    view: projects.ProposalView
    screen: str = QUESTION
    problem: InvalidInput | None = None  # the last answer could not be used: say so, ask again
    districts: tuple[District, ...] = ()
    organization: str | None = None  # a proposal just started, for this organization
    project_id: int | None = None  # the project staff are acting on
    cautions: NeedsConfirmation | None = None
    frequency: ReportFrequency | None = None  # the schedule staff chose, to confirm


@dataclass(frozen=True)
class Sent:
    """The proposal went to the programme (staff are told through the outbox by projects.send)."""

    sent: projects.Sent
    organization: str


@dataclass(frozen=True)
class Upload:
    """A file the person sent: its size and name as announced, and how to fetch its bytes
    (fetched only once the step takes a file)."""

    size: int | None
    name: str | None
    fetch: Callable[[], Awaitable[bytes]]
    document: bool = True  # False: a photo


async def _person(session: AsyncSession, user_id: int) -> User:
    person = await people.get(session, user_id)
    assert person is not None, "the gatekeeper creates the person before any handler runs"
    return person


def _step(draft: ProjectDraft, screen: str = QUESTION, **extra: object) -> Step:
    return Step(draft.step, projects.view(draft), screen, project_id=draft.project_id, **extra)  # type: ignore[arg-type]


async def propose(session: AsyncSession, *, user_id: int, store: FileStore, now: datetime) -> Step | None:
    """/propose: a proposal under way asks whether to continue; otherwise a new one for the
    organization the person leads (None: they lead none)."""
    person = await _person(session, user_id)
    draft = await projects.find_draft(session, user=person)
    if draft is not None and Question(draft.step) in PROPOSAL_ORDER:
        return _step(draft, RESUME)
    acting = await organizations.acting_for(session, user=person)
    if acting is None:
        return None
    draft = await projects.start_proposal(session, user=person, organization_id=acting[0].id, store=store, now=now)
    return _step(draft, organization=acting[0].name)


async def revise(session: AsyncSession, *, user_id: int, project_id: int, store: FileStore, now: datetime) -> Step:
    """The proposal as it was sent, on its summary card, to change and send again."""
    draft = await projects.start_revision(session, user=await _person(session, user_id), project_id=project_id, store=store, now=now)
    return _step(draft)


async def start_staff_step(session: AsyncSession, *, user_id: int, project_id: int, step: Question, store: FileStore,
                           now: datetime) -> Step:
    """Staff about to comment on a project (`Question.COMMENT`) or fund it (`FUND_AMOUNT`)."""
    draft = await projects.start_staff_step(session, staff=await _person(session, user_id), project_id=project_id, step=step,
                                            store=store, now=now)
    return _step(draft)


async def _answer(session: AsyncSession, draft: ProjectDraft, value: str, now: datetime) -> Step:
    """The value for the draft's step, saved (the next question) or refused (the same again)."""
    try:
        await projects.answer(session, draft=draft, value=value, now=now)
    except InvalidInput as error:
        return _step(draft, problem=error)
    return _step(draft)


async def answer(session: AsyncSession, *, user_id: int, value: str, now: datetime) -> Step | projects.Decision | None:
    """What the person typed, for the step their draft is at. A district asks which of those
    matching it; staff's comment is made at once (a `Decision`). Raises AlreadyDone or
    NotAllowed when staff may no longer act (nothing changed)."""
    person = await _person(session, user_id)
    draft = await projects.find_draft(session, user=person)
    if draft is None:
        return None
    step = Question(draft.step)
    if step is Question.DISTRICT:
        matches = find_districts(value)
        if not matches:
            return _step(draft, problem=ProjectError(NO_DISTRICT, text=shorten(value, 60)))
        return _step(draft, DISTRICTS, districts=tuple(matches))
    if step is Question.COMMENT:
        try:
            return await projects.comment(session, staff=person, draft=draft, text=value, now=now)
        except (AlreadyDone, NotAllowed):
            raise
        except InvalidInput as error:
            return _step(draft, problem=error)
    if step is Question.FUND_AMOUNT:
        try:
            await projects.fund_amount(session, staff=person, draft=draft, text=value, now=now)
        except NotAllowed:
            raise
        except InvalidInput as error:
            return _step(draft, problem=error)
        return _step(draft)
    if step in (Question.THEME, Question.SUMMARY, Question.FUND_FREQUENCY, Question.DOCUMENT):
        return _step(draft, problem=InvalidInput(BUTTONS_ONLY))
    return await _answer(session, draft, value, now)


async def not_typed(session: AsyncSession, *, user_id: int) -> Step | None:
    """Something that is neither text nor a file (a sticker, a location): the same question."""
    draft = await projects.find_draft(session, user=await _person(session, user_id))
    return _step(draft, problem=InvalidInput(TYPE_IT)) if draft is not None else None


async def attach(session: AsyncSession, *, user_id: int, upload: Upload, store: FileStore, now: datetime) -> Step | None:
    """The full proposal as a document, at the document step (a photo, or a file at another
    step, is refused with the same question)."""
    draft = await projects.find_draft(session, user=await _person(session, user_id))
    if draft is None:
        return None
    step = Question(draft.step)
    if step is not Question.DOCUMENT or not upload.document:
        if step is Question.DOCUMENT:
            problem = NOT_A_PHOTO
        elif step in (Question.THEME, Question.SUMMARY, Question.FUND_FREQUENCY):
            problem = BUTTONS_ONLY
        else:
            problem = TYPE_IT
        return _step(draft, problem=InvalidInput(problem))
    try:
        if (upload.size or 0) > projects.PROPOSAL_FILE_MAX:
            raise ProjectError(TOO_LARGE)
        content = await upload.fetch()
        await projects.attach_document(session, draft=draft, store=store, content=content, name=upload.name, now=now)
    except InvalidInput as error:
        return _step(draft, problem=error)
    return _step(draft)


async def press(session: AsyncSession, *, user_id: int, choice: str, store: FileStore, now: datetime, today: date,
                quiet: QuietHours) -> Step | Sent | projects.Decision | None:
    """The button pressed (see the module's docstring); None: no draft. A button of another
    step says so and asks the draft's question again. Raises NotAChoice for a frequency no
    button offers, and AlreadyDone / NotAllowed when the person may no longer act."""
    person = await _person(session, user_id)
    draft = await projects.find_draft(session, user=person)
    if draft is None:
        return None
    action, _colon, value = choice.partition(":")
    step = Question(draft.step)
    if action == "resume":
        return _step(draft)
    if action == "restart":
        assert draft.organization_id is not None
        draft = await projects.start_proposal(session, user=person, organization_id=draft.organization_id, store=store, now=now)
        return _step(draft)
    if action == "theme" and step is Question.THEME or action == "district" and step is Question.DISTRICT:
        return await _answer(session, draft, value, now)
    if action == "skipdoc" and step is Question.DOCUMENT:
        return await _answer(session, draft, "", now)
    if action == "edit" and step is Question.SUMMARY:
        if not value:
            return _step(draft, PARTS)
        await projects.edit_field(session, draft=draft, field=value, now=now)  # an unknown part: ProjectError
        return _step(draft)
    if action == "summary":
        await projects.back_to_summary(session, draft=draft, now=now)
        return _step(draft)
    if action == "send" and step is Question.SUMMARY:
        return await _send(session, person, draft, now)
    if action in ("freq", "fundok") and step is Question.FUND_FREQUENCY:
        if value not in set(ReportFrequency):
            raise NotAChoice(choice)
        return await _fund(session, person, draft, ReportFrequency(value), now=now, today=today, quiet=quiet,
                           confirmed=action == "fundok")
    return _step(draft, problem=InvalidInput(EARLIER))


async def _send(session: AsyncSession, person: User, draft: ProjectDraft, now: datetime) -> Step | Sent:
    try:
        sent = await projects.send(session, draft=draft, user=person, now=now)
    except (AlreadyDone, NotAllowed):
        raise
    except InvalidInput as error:
        return _step(draft, problem=error)
    return Sent(sent, await projects.organization_name(session, sent.project.organization_id))


async def _fund(session: AsyncSession, staff: User, draft: ProjectDraft, frequency: ReportFrequency, *, now: datetime,
                today: date, quiet: QuietHours, confirmed: bool) -> Step | projects.Decision:
    """Funded with that schedule (and its deadline reminders planned), or the reasons to think
    twice before, or a schedule that cannot be kept (the same question again)."""
    try:
        decision = await projects.fund(session, staff=staff, draft=draft, frequency=frequency, now=now, today=today,
                                       confirmed=confirmed)
    except NeedsConfirmation as error:
        return _step(draft, CAUTIONS, cautions=error, frequency=frequency)
    except (AlreadyDone, NotAllowed):
        raise
    except InvalidInput as error:
        return _step(draft, problem=error)
    await reports.plan_deadlines(session, project_id=decision.project.id, now=now, quiet=quiet)
    return decision

