"""The /ruos conversation as a step machine: what comes next after a button, a typed answer or
a file, decided here and kept in the person's `ChecklistDraft` (its `step` is the question
being asked), so the channel only renders the `Turn` it gets back and opens no query.

Its steps (bot.ruos.shared.Step): ``upload`` (files for one requirement), the questions of a
registration-stage move, ``reason`` (staff rejecting a document) and the three questions of a
Registros Públicos inscription. Each function reads the person again (their role and
leadership as they are now) and returns a `Turn`: the question now asked, with what was wrong
with the last answer if anything, or how the conversation ended. A refusal that ends the
conversation (`Turn.ended`) leaves nothing of the attempt in the database.

An album of photos is one file per page: which album is being received, and the receipt the
channel shows for it, are kept in the draft too (`answers["album"]`), not in the chat's memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, parse_id
from bot.messaging.reminders import QuietHours
from bot.organizations import organizations
from bot.organizations.models import Organization
from bot.people import people
from bot.people.authority import NotAllowed
from bot.people.models import Role, User
from bot.ruos import public_registry
from bot.ruos.checklists import (
    Checklist,
    ItemView,
    checklist,
    next_procedure,
    requirement_of,
    ruos_procedure,
)
from bot.ruos.models import ChecklistDraft, RegistrationStage, RegistryInscription
from bot.ruos.reminders import plan_missing_nudges
from bot.ruos.requirements import Procedure, Requirement, RequirementsCatalogue
from bot.ruos.reviews import (
    ItemForReview,
    ReviewOutcome,
    WaitingItem,
    item_for_review,
    review,
    start_rejection,
    waiting_for_review,
)
from bot.ruos.shared import (
    RuosError,
    StageChanged,
    Step,
    drop_draft,
    is_leader,
    organization_for,
    own_organization,
)
from bot.ruos.stages import StageChange, allowed_stages, answer_stage_question, choose_stage
from bot.ruos.uploading import Upload, UploadReceipt, record_upload, start_upload, withdraw_pages

STAFF_ASK_NUMBER = N_("Send the organization's number after the command, for example /ruos 12. /review lists the documents waiting.")
NOT_A_LEADER = N_("You do not lead a registered organization yet. Register yours with /register, or ask its leader for an invitation.")
NO_LONGER_ACTIVE = N_("This button is no longer active.")


@dataclass(frozen=True)
class Catalogue:
    """What the conversation needs of the programme around it."""

    requirements: RequirementsCatalogue
    today: date
    now: datetime
    quiet: QuietHours | None


async def person(session: AsyncSession, *, user_id: int) -> User:
    found = await people.get(session, user_id)
    assert found is not None, "the gatekeeper creates the person before any handler runs"
    return found


# --- the checklist, as its leader or staff read it -------------------------------------------------


@dataclass(frozen=True)
class ChecklistScreen:
    checklist: Checklist
    ruos_code: str  # the organization's RUOS list, where a formalization step goes back to
    following: Procedure | None  # the procedure after this one, if any
    organization_name: str
    board_term_end: date
    moves: tuple[RegistrationStage, ...] = ()  # the registration moves the reader may record


async def checklist_screen(session: AsyncSession, *, user_id: int, organization_id: int, procedure_code: str | None,
                           at: Catalogue, plan: bool = True) -> ChecklistScreen:
    """The checklist for its leader or staff; a leader's look also plans the next weekly nudge
    (`plan`: the registration status, read from the same checklist, plans nothing)."""
    reader = await person(session, user_id=user_id)
    organization = await organization_for(session, user=reader, organization_id=organization_id)
    found = await checklist(session, catalogue=at.requirements, organization=organization, procedure_code=procedure_code, today=at.today)
    if plan and await is_leader(session, user_id=reader.id, organization_id=organization.id):
        await plan_missing_nudges(session, catalogue=at.requirements, organization=organization, now=at.now, quiet=at.quiet)
    moves = allowed_stages(found.registration.stage, user=reader) if found.registration is not None else ()
    return ChecklistScreen(found, ruos_procedure(at.requirements, organization)[0].code,
                           next_procedure(at.requirements, found.procedure), organization.name, organization.board_term_end, moves)


@dataclass(frozen=True)
class Opened:
    organization_id: int | None  # the checklist to show
    refusal: str | None = None  # or why there is none (an N_ msgid)


async def open_ruos(session: AsyncSession, *, user_id: int, args: list[str]) -> Opened:
    """/ruos [number]: the organization the leader acts for; staff name one by its number."""
    reader = await person(session, user_id=user_id)
    organization = await own_organization(session, user=reader)
    staff = reader.role is Role.STAFF
    asked = parse_id(args[0]) if staff and args else None
    if asked is not None:
        return Opened(asked)
    if organization is not None and not (staff and args):
        return Opened(organization.id)
    return Opened(None, STAFF_ASK_NUMBER if staff else NOT_A_LEADER)


async def current_checklist(session: AsyncSession, *, user_id: int) -> Opened:
    """After an old or forged button: the person's own checklist, whatever step they are at."""
    reader = await person(session, user_id=user_id)
    organization = await own_organization(session, user=reader)
    if organization is not None:
        return Opened(organization.id)
    return Opened(None, STAFF_ASK_NUMBER if reader.role is Role.STAFF else NOT_A_LEADER)


async def item(session: AsyncSession, *, user_id: int, organization_id: int, procedure_code: str, item_code: str,
               at: Catalogue) -> tuple[Checklist, ItemView]:
    """One requirement of a checklist, for its leader or staff (RuosError: not in the list)."""
    reader = await person(session, user_id=user_id)
    organization = await organization_for(session, user=reader, organization_id=organization_id)
    found = await checklist(session, catalogue=at.requirements, organization=organization, procedure_code=procedure_code, today=at.today)
    return found, found.item(item_code)


async def end(session: AsyncSession, *, user_id: int) -> None:
    """Whatever the person was doing in /ruos ends (what they sent is kept)."""
    await drop_draft(session, user=await person(session, user_id=user_id))


# --- the turns of the conversation ---------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """What the conversation does next, for the channel to show."""

    asks: Step | None = None  # the question now asked: the draft is at this step
    problem: InvalidInput | None = None  # why the last answer was not used (the same question again)
    ended: InvalidInput | None = None  # the conversation ended on this refusal
    organization_id: int | None = None
    requirement: Requirement | None = None  # asks for an upload: the document expected
    not_text: bool = False  # something other than text came while a question waits
    stage: RegistrationStage | None = None  # the registration moved to this stage: done
    stage_changed: bool = False  # with `ended`: someone moved it meanwhile, show the status as it stands
    review: ReviewOutcome | None = None  # a document reviewed: done
    inscription_next: bool = False  # with a verified review: the inscription can be recorded now
    inscription: RegistryInscription | None = None  # the inscription recorded: done
    done_uploading: tuple[int, str] | None = None  # "Done": back to this checklist (organization, procedure)


async def _ending(session: AsyncSession, attempt: Any, *endings: type[Exception]) -> Any:
    """Run `attempt`; a refusal among `endings` undoes what it wrote and is returned instead."""
    try:
        async with session.begin_nested():
            return await attempt()
    except endings as error:
        return error


def _after_stage(change: StageChange, organization_id: int) -> Turn:
    if change.draft is not None:
        return Turn(asks=Step(change.draft.step), organization_id=organization_id)
    return Turn(stage=change.stage, organization_id=organization_id)


async def begin_upload(session: AsyncSession, *, user_id: int, organization_id: int, procedure_code: str, item_code: str,
                       at: Catalogue) -> Turn:
    reader = await person(session, user_id=user_id)
    organization = await organization_for(session, user=reader, organization_id=organization_id)
    _draft, requirement = await start_upload(session, user=reader, catalogue=at.requirements, organization=organization,
                                             procedure_code=procedure_code, item_code=item_code, now=at.now)
    return Turn(asks=Step.UPLOAD, organization_id=organization_id, requirement=requirement)


async def done_uploading(session: AsyncSession, *, user_id: int) -> Turn:
    """"Done": the conversation ends and the checklist shows (`ended` when no upload was under way)."""
    reader = await person(session, user_id=user_id)
    draft = await session.get(ChecklistDraft, reader.id)
    await drop_draft(session, user=reader)
    if draft is None or draft.step != Step.UPLOAD or draft.procedure_code is None:
        return Turn(ended=RuosError(NO_LONGER_ACTIVE))
    return Turn(done_uploading=(draft.organization_id, draft.procedure_code))


async def withdraw(session: AsyncSession, *, user_id: int, organization_id: int, procedure_code: str, item_code: str,
                   at: Catalogue) -> int:
    """Take back an item's pages before the review: how many were taken back."""
    reader = await person(session, user_id=user_id)
    organization = await organization_for(session, user=reader, organization_id=organization_id)
    return await withdraw_pages(session, catalogue=at.requirements, user=reader, organization=organization,
                                procedure_code=procedure_code, item_code=item_code, now=at.now, quiet=at.quiet)


async def move_stage(session: AsyncSession, *, user_id: int, organization_id: int, target: str, at: Catalogue) -> Turn:
    """A registration move pressed: recorded, or its first question asked."""
    reader = await person(session, user_id=user_id)
    organization = await organization_for(session, user=reader, organization_id=organization_id)

    async def attempt() -> StageChange:
        return await choose_stage(session, catalogue=at.requirements, user=reader, organization=organization,
                                  target=target, now=at.now, quiet=at.quiet)

    outcome = await _ending(session, attempt, StageChanged)
    if isinstance(outcome, StageChanged):
        await drop_draft(session, user=reader)
        return Turn(ended=outcome, stage_changed=True, organization_id=organization_id)
    return _after_stage(outcome, organization_id)


async def ask_reason(session: AsyncSession, *, user_id: int, item_id: int, revision: int, at: Catalogue) -> Turn:
    """Staff ask for changes: the reason is asked next."""
    draft = await start_rejection(session, staff=await person(session, user_id=user_id), item_id=item_id, revision=revision, now=at.now)
    return Turn(asks=Step(draft.step), organization_id=draft.organization_id)


async def verify(session: AsyncSession, *, user_id: int, item_id: int, revision: int, at: Catalogue) -> Turn:
    """Staff verify a document; the conversation ends (offering the inscription after the last step)."""
    staff = await person(session, user_id=user_id)
    outcome = await review(session, catalogue=at.requirements, staff=staff, item_id=item_id, revision=revision,
                           verified=True, now=at.now, quiet=at.quiet)
    inscription_next = await public_registry.waits_for_inscription(
        session, catalogue=at.requirements, organization_id=outcome.organization.id, procedure_code=outcome.procedure_code)
    await drop_draft(session, user=staff)
    return Turn(review=outcome, inscription_next=inscription_next, organization_id=outcome.organization.id)


async def begin_inscription(session: AsyncSession, *, user_id: int, organization_id: int, at: Catalogue) -> Turn:
    staff = await person(session, user_id=user_id)

    async def attempt() -> ChecklistDraft:
        return await public_registry.start(session, catalogue=at.requirements, staff=staff, organization_id=organization_id, now=at.now)

    outcome = await _ending(session, attempt, AlreadyDone, NotAllowed, RuosError)
    if isinstance(outcome, InvalidInput):
        await drop_draft(session, user=staff)
        return Turn(ended=outcome)
    return Turn(asks=Step(outcome.step), organization_id=organization_id)


async def answer(session: AsyncSession, *, user_id: int, value: str | None, at: Catalogue) -> Turn | None:
    """What the person typed (`value`; None: a sticker, a voice note…) for the step the draft is
    at. None: no /ruos conversation is under way."""
    reader = await person(session, user_id=user_id)
    draft = await session.get(ChecklistDraft, reader.id)
    if draft is None:
        return None
    step, organization_id = Step(draft.step), draft.organization_id
    if step is Step.UPLOAD:  # a file is awaited, not text
        target = await upload_target(session, user_id=user_id, catalogue=at.requirements)
        return Turn(asks=step, organization_id=organization_id, requirement=target[2] if target else None)
    if value is None:
        return Turn(asks=step, organization_id=organization_id, not_text=True)
    if step is Step.REASON:
        return await _reason(session, reader, draft, value, at)
    if step in public_registry.STEPS:
        return await _inscription(session, reader, draft, value, at)
    return await _stage_answer(session, reader, draft, value, at)


async def _reason(session: AsyncSession, staff: User, draft: ChecklistDraft, value: str, at: Catalogue) -> Turn:
    assert draft.checklist_item_id is not None and draft.checklist_item_revision is not None
    item_id, revision = draft.checklist_item_id, draft.checklist_item_revision

    async def attempt() -> ReviewOutcome:
        return await review(session, catalogue=at.requirements, staff=staff, item_id=item_id, revision=revision,
                            verified=False, reason=value, now=at.now, quiet=at.quiet)

    outcome = await _ending(session, attempt, RuosError, AlreadyDone, NotAllowed, InvalidInput)
    if isinstance(outcome, (RuosError, AlreadyDone, NotAllowed)):  # nothing to ask again: nobody is told
        await drop_draft(session, user=staff)
        return Turn(ended=outcome)
    if isinstance(outcome, InvalidInput):
        return Turn(asks=Step.REASON, problem=outcome, organization_id=draft.organization_id)
    return Turn(review=outcome, organization_id=outcome.organization.id)


async def _inscription(session: AsyncSession, staff: User, draft: ChecklistDraft, value: str, at: Catalogue) -> Turn:
    organization_id = draft.organization_id

    async def attempt() -> RegistryInscription | None:
        return await public_registry.answer(session, staff=staff, draft=draft, text=value, today=at.today, now=at.now)

    outcome = await _ending(session, attempt, AlreadyDone, NotAllowed, InvalidInput)
    if isinstance(outcome, (AlreadyDone, NotAllowed)):
        await drop_draft(session, user=staff)
        return Turn(ended=outcome)
    if isinstance(outcome, InvalidInput):  # the same question again, with what was wrong
        return Turn(asks=Step(draft.step), problem=outcome, organization_id=organization_id)
    if outcome is None:
        return Turn(asks=Step(draft.step), organization_id=organization_id)
    return Turn(inscription=outcome, organization_id=organization_id)


async def _stage_answer(session: AsyncSession, reader: User, draft: ChecklistDraft, value: str, at: Catalogue) -> Turn:
    organization_id, step = draft.organization_id, Step(draft.step)

    organization = await organization_for(session, user=reader, organization_id=organization_id)

    async def attempt() -> StageChange:
        return await answer_stage_question(session, catalogue=at.requirements, user=reader, draft=draft, organization=organization,
                                           text=value, today=at.today, now=at.now, quiet=at.quiet)

    outcome = await _ending(session, attempt, StageChanged, NotAllowed, InvalidInput)
    if isinstance(outcome, StageChanged):
        await drop_draft(session, user=reader)
        return Turn(ended=outcome, stage_changed=True, organization_id=organization_id)
    if isinstance(outcome, NotAllowed):  # no longer a leader of it: no question again
        await drop_draft(session, user=reader)
        return Turn(ended=outcome)
    if isinstance(outcome, InvalidInput):  # nothing was saved: the same question again
        return Turn(asks=step, problem=outcome, organization_id=organization_id)
    return _after_stage(outcome, organization_id)


# --- receiving files --------------------------------------------------------------------------------


async def upload_target(session: AsyncSession, *, user_id: int,
                        catalogue: RequirementsCatalogue) -> tuple[ChecklistDraft, Procedure, Requirement] | None:
    """The requirement a file sent now is for (None: no upload is under way, or it left the list)."""
    draft = await session.get(ChecklistDraft, user_id)
    if draft is None or draft.step != Step.UPLOAD or draft.procedure_code is None or draft.item_code is None:
        return None
    try:
        procedure = catalogue.procedure(draft.procedure_code)
        return draft, procedure, requirement_of(procedure, draft.item_code)
    except (KeyError, InvalidInput):
        return None


@dataclass(frozen=True)
class Received:
    receipt: UploadReceipt
    requirement: Requirement
    album_receipt: Any | None  # the receipt already shown for this file's album: update it, not a new one


async def receive_file(session: AsyncSession, *, user_id: int, upload: Upload, store: FileStore, at: Catalogue) -> Received | None:
    """Keep one file for the requirement being uploaded (None: no upload is under way). Raises
    NotAllowed (no longer a leader: the conversation ends) or InvalidInput (this file refused)."""
    target = await upload_target(session, user_id=user_id, catalogue=at.requirements)
    if target is None:
        return None
    draft, procedure, requirement = target
    receipt = await record_upload(session, store=store, organization_id=draft.organization_id, procedure=procedure,
                                  requirement=requirement, upload=upload, uploader=await person(session, user_id=user_id), now=at.now)
    album = draft.answers.get("album") or {}
    same = upload.media_group_id is not None and album.get("group") == upload.media_group_id
    return Received(receipt, requirement, album.get("receipt") if same else None)


async def remember_album_receipt(session: AsyncSession, *, user_id: int, media_group_id: str, receipt: Any) -> None:
    """The receipt the channel showed for an album's first page: its later pages update it."""
    draft = await session.get(ChecklistDraft, user_id)
    if draft is not None and draft.step == Step.UPLOAD:
        draft.answers = {**draft.answers, "album": {"group": media_group_id, "receipt": receipt}}


async def stage_audience(session: AsyncSession, *, organization_id: int,
                         catalogue: RequirementsCatalogue) -> tuple[Organization, list[User], str] | None:
    """Who hears that the registration moved: the organization, its leaders and its RUOS list
    (None: the organization is gone)."""
    organization = await session.get(Organization, organization_id)
    if organization is None:
        return None
    leaders = [leader for leader, _role in await organizations.leaders_of(session, organization_id=organization_id)]
    return organization, leaders, ruos_procedure(catalogue, organization)[0].code


# --- staff: what waits for review, and opening one --------------------------------------------------


async def waiting(session: AsyncSession, *, user_id: int, catalogue: RequirementsCatalogue, limit: int) -> list[WaitingItem]:
    return await waiting_for_review(session, catalogue=catalogue, staff=await person(session, user_id=user_id), limit=limit)


async def open_for_review(session: AsyncSession, *, user_id: int, item_id: int, at: Catalogue) -> ItemForReview:
    """The item and its pages; the read is in the audit log."""
    return await item_for_review(session, catalogue=at.requirements, staff=await person(session, user_id=user_id),
                                 item_id=item_id, now=at.now)


# --- what a reminder re-reads when it is due ---------------------------------------------------------


async def led_organization(session: AsyncSession, *, user_id: int, organization_id: int) -> Organization | None:
    """The organization, if it still exists and the person still leads it."""
    if not await is_leader(session, user_id=user_id, organization_id=organization_id):
        return None
    return await organizations.load(session, organization_id)


async def reminded_checklist(session: AsyncSession, *, user_id: int, organization_id: int, at: Catalogue,
                             nudge: bool = False) -> tuple[Organization, Checklist] | None:
    """The RUOS checklist a reminder speaks of, for a leader of it (None: the reminder no longer
    applies). `nudge`: the weekly nudge plans next week's too, or stops when nothing is missing."""
    organization = await led_organization(session, user_id=user_id, organization_id=organization_id)
    if organization is None:
        return None
    if nudge and not await plan_missing_nudges(session, catalogue=at.requirements, organization=organization, now=at.now, quiet=at.quiet):
        return None
    return organization, await checklist(session, catalogue=at.requirements, organization=organization, today=at.today)
