"""The RUOS and formalization checklists: statuses, readiness, the next step, uploads, staff
review, where the RUOS request stands, and the reminders that follow it.

What each procedure asks for comes from the requirements catalogue (bot/requirements.py); the
district decides the RUOS list, and a district without a list of its own gets its province's,
which the checklist says (`Checklist.fallback`).

Readiness is the share of the procedure's *required* items that are done, where an item the
programme staff verified counts fully and an item uploaded but not yet reviewed counts half:
100 % means staff checked every required document. Missing and rejected items count nothing;
optional items do not count.

Identity documents: where the board holds documents other than the DNI and the procedure's
text names only the DNI, the checklist lists those documents (`id_documents_at_risk`) so the
leader is told early. Whether a municipality accepts them is not confirmed anywhere, and the
bot never says they are accepted.

Reminder keys (bot/reminders.py), each cancelled once its matter is done, and re-checked by
the renderer when due:
- ``ruos:missing:<org>:<user>``: weekly while required items are missing and the request is
  being prepared; planned again a week after each upload or view of the checklist.
- ``ruos:deadline:<org>:<user>``: the deadline to answer the municipality's observations.
- ``ruos:term:<org>:<days>:<user>:<term end>``: the board's term ends in 60 and 15 days.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import uploads
from bot.clock import SystemClock
from bot.i18n import N_
from bot.models.organizations import Leadership, Organization
from bot.models.people import Role, User
from bot.models.ruos import (
    ChecklistDraft,
    ChecklistItem,
    ItemStatus,
    RegistrationStage,
    RuosRegistration,
    StoredFile,
)
from bot.reminders import QuietHours, cancel_prefix, schedule
from bot.requirements import (
    IDENTITY_DOCUMENTS,
    FileFormat,
    PageCount,
    Procedure,
    ProcedureKind,
    Requirement,
    RequirementsCatalogue,
)
from bot.services import audit, organizations
from bot.services.authority import require_leader_or_staff, require_staff
from bot.services.transitions import AlreadyDone, transition
from bot.storage import FileStore
from bot.uploads import UPLOAD_LIMIT_BYTES
from bot.validation import InvalidInput, check_between, parse_date, parse_text, years_after

NUDGE_INTERVAL = timedelta(days=7)
BOARD_TERM_NOTICE_DAYS = (60, 15)
# A registered organization's board renewal is "due" this long before its term ends.
RENEWAL_WINDOW = timedelta(days=60)
OBSERVATION_NOTICE = timedelta(days=2)
# Reminders tied to a date go out in the morning, local time.
REMINDER_TIME = time(9, 0)

# Reminder kinds; handlers/ruos/reminders.py renders each.
MISSING_NUDGE = "ruos_missing"
OBSERVATION_DEADLINE = "ruos_deadline"
BOARD_TERM_ENDING = "ruos_term"

EXPEDIENTE_MAX = 40
RUOS_NUMBER_MAX = 40
OBSERVATIONS_MAX = 1000
REASON_MAX = 500


class RuosError(InvalidInput):
    """What a leader or staff member asked of a checklist cannot be done (the message says why)."""


class StageChanged(RuosError, AlreadyDone):
    """Someone else moved the registration status meanwhile: the move asked for no longer fits."""

    def __init__(self) -> None:
        super().__init__(N_("The registration status has changed since. Here it is as it stands now."))


# --- what was sent, and what it is (the upload rule: bot/uploads.py) ---------------------------

_KINDS = {FileFormat.PDF: uploads.Kind.PDF, FileFormat.PHOTO: uploads.Kind.IMAGE}


def _wrong_type(requirement: Requirement) -> RuosError:
    if requirement.accepts == {FileFormat.PDF}:
        return RuosError(N_("For this document I can keep only a PDF file. Save it as PDF and send it again."))
    if requirement.accepts == {FileFormat.PHOTO}:
        return RuosError(N_("For this document I can keep only photos. Take a photo of each page and send the photos."))
    return RuosError(
        N_("I can keep this document as a PDF file or as photos, not as other kinds of file. Save it as PDF, or take a photo of each page and send the photos.")
    )


def check_announced_file(requirement: Requirement, *, size: int | None) -> None:
    """Refuse, before downloading it, a file that Telegram says is empty or too large. What it
    is, the bytes say once downloaded (`accepted_upload`): a phone's announced type is no guide."""
    if size == 0:
        raise uploads.empty()
    if size is not None and size > UPLOAD_LIMIT_BYTES:
        raise too_large(size)


def too_large(size: int | None) -> RuosError:
    megabytes = math.ceil(size / 1024**2) if size else UPLOAD_LIMIT_BYTES // 1024**2 + 1
    return RuosError(
        N_("That file is %(size)s MB, and Telegram lets me receive files of up to 20 MB. Send a smaller PDF (for example one per part of the document), or photos of the pages."),
        size=megabytes,
    )


def accepted_upload(requirement: Requirement, content: bytes) -> uploads.Accepted:
    """The file as kept (a photo without its metadata) if the requirement takes its kind;
    RuosError or UploadRefused for anything else."""
    if len(content) > UPLOAD_LIMIT_BYTES:
        raise too_large(len(content))
    return uploads.accept(
        content, allowed={_KINDS[f] for f in requirement.accepts}, wrong_kind=_wrong_type(requirement),
        unknown=RuosError(N_("That file does not look like a PDF or a photo: it may be damaged. Open it on your phone to check it, then send it again.")),
    )


# --- the checklist -------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    requirement: Requirement
    status: ItemStatus
    pages: int
    rejection_reason: str | None

    @property
    def outstanding(self) -> bool:
        """Required and nothing usable sent: missing, or rejected."""
        return self.requirement.required and self.status in (ItemStatus.MISSING, ItemStatus.REJECTED)


@dataclass(frozen=True)
class Readiness:
    required: int
    verified: int
    uploaded: int

    @property
    def fraction(self) -> float:
        """Verified items count fully, uploaded ones half (see the module docstring)."""
        if self.required == 0:
            return 1.0
        return (self.verified + self.uploaded / 2) / self.required

    @property
    def percent(self) -> int:
        # Rounded down, so 100 % is shown only when staff verified every required item.
        return math.floor(self.fraction * 100)


class NextStepKind(StrEnum):
    SEND_AGAIN = "send_again"  # a required item was rejected
    SEND = "send"  # a required item is missing
    WAIT_FOR_REVIEW = "wait_for_review"
    SUBMIT = "submit"  # every required item verified: hand in the request
    WAIT_FOR_MUNICIPALITY = "wait_for_municipality"
    ANSWER_OBSERVATIONS = "answer_observations"
    RENEW_BOARD = "renew_board"
    FORMALIZE = "formalize"  # registered in the RUOS: Registros Públicos and SUNAT come next
    COMPLETE = "complete"  # a formalization step with every item verified


@dataclass(frozen=True)
class NextStep:
    kind: NextStepKind
    requirement: Requirement | None = None
    by: date | None = None


@dataclass(frozen=True)
class RegistrationView:
    stage: RegistrationStage
    renewal_due: bool
    expediente: str | None = None
    submitted_on: date | None = None
    observations: str | None = None
    observation_deadline: date | None = None
    ruos_number: str | None = None
    resolution_date: date | None = None


@dataclass(frozen=True)
class Checklist:
    organization_id: int
    organization_name: str
    district_ubigeo: str
    board_term_end: date
    procedure: Procedure
    # The district has no list of its own: this is its province's, and the leader is told.
    fallback: bool
    items: tuple[ItemView, ...]
    readiness: Readiness
    # The board's documents other than the DNI, when the procedure's text names only the DNI.
    id_documents_at_risk: tuple[str, ...]
    registration: RegistrationView | None  # for the RUOS list only
    next_step: NextStep

    def item(self, code: str) -> ItemView:
        for view in self.items:
            if view.requirement.code == code:
                return view
        raise RuosError(N_("That requirement is no longer on the list. Open /ruos to see the current one."))


def ruos_procedure(catalogue: RequirementsCatalogue, organization: Organization) -> tuple[Procedure, bool]:
    return catalogue.ruos_for_district(organization.district_ubigeo)


def procedure_for(catalogue: RequirementsCatalogue, organization: Organization, code: str | None) -> tuple[Procedure, bool]:
    """The organization's RUOS list (code None), or one of the formalization procedures."""
    ruos, fallback = ruos_procedure(catalogue, organization)
    if code is None or code == ruos.code:
        return ruos, fallback
    for procedure in catalogue.formalization():
        if procedure.code == code:
            return procedure, False
    raise RuosError(N_("That list is no longer available. Open /ruos to see the current one."))


def next_procedure(catalogue: RequirementsCatalogue, procedure: Procedure) -> Procedure | None:
    """The formalization procedure that follows this one (the first, after the RUOS)."""
    steps = catalogue.formalization()
    if procedure.kind is ProcedureKind.RUOS:
        return steps[0] if steps else None
    position = steps.index(procedure)
    return steps[position + 1] if position + 1 < len(steps) else None


async def checklist(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    organization: Organization,
    procedure_code: str | None = None,
    today: date,
) -> Checklist:
    """One procedure's checklist for the organization (whose board must be loaded)."""
    procedure, fallback = procedure_for(catalogue, organization, procedure_code)
    rows = {
        row.item_code: row
        for row in await session.scalars(
            select(ChecklistItem).where(
                ChecklistItem.organization_id == organization.id,
                ChecklistItem.procedure_code == procedure.code,
            )
        )
    }
    pages = await _page_counts(session, organization.id, procedure.code)
    items = tuple(
        ItemView(
            requirement=requirement,
            status=rows[requirement.code].status if requirement.code in rows else ItemStatus.MISSING,
            pages=pages.get(requirement.code, 0),
            rejection_reason=rows[requirement.code].rejection_reason if requirement.code in rows else None,
        )
        for requirement in procedure.items
    )
    required = [view for view in items if view.requirement.required]
    readiness = Readiness(
        required=len(required),
        verified=sum(view.status is ItemStatus.VERIFIED for view in required),
        uploaded=sum(view.status is ItemStatus.UPLOADED for view in required),
    )
    registration = None
    if procedure.kind is ProcedureKind.RUOS:
        registration = _registration_view(
            await session.get(RuosRegistration, organization.id), organization, today
        )
    return Checklist(
        organization_id=organization.id,
        organization_name=organization.name,
        district_ubigeo=organization.district_ubigeo,
        board_term_end=organization.board_term_end,
        procedure=procedure,
        fallback=fallback,
        items=items,
        readiness=readiness,
        id_documents_at_risk=_id_documents_at_risk(procedure, organization),
        registration=registration,
        next_step=_next_step(items, registration, organization),
    )


async def _page_counts(session: AsyncSession, organization_id: int, procedure_code: str) -> dict[str, int]:
    rows = await session.execute(
        select(StoredFile.item_code, func.count())
        .where(
            StoredFile.organization_id == organization_id,
            StoredFile.procedure_code == procedure_code,
            StoredFile.superseded_at.is_(None),
        )
        .group_by(StoredFile.item_code)
    )
    return {code: count for code, count in rows.all()}


def _id_documents_at_risk(procedure: Procedure, organization: Organization) -> tuple[str, ...]:
    if not procedure.names_only_dni:
        return ()
    held = {member.id_document_type for member in organization.board}
    return tuple(code for code in IDENTITY_DOCUMENTS if code in held and code != "DNI")


def _registration_view(row: RuosRegistration | None, organization: Organization, today: date) -> RegistrationView:
    if row is None:
        return RegistrationView(stage=RegistrationStage.PREPARING, renewal_due=False)
    return RegistrationView(
        stage=row.stage,
        renewal_due=row.stage is RegistrationStage.REGISTERED
        and today >= organization.board_term_end - RENEWAL_WINDOW,
        expediente=row.expediente,
        submitted_on=row.submitted_on,
        observations=row.observations,
        observation_deadline=row.observation_deadline,
        ruos_number=row.ruos_number,
        resolution_date=row.resolution_date,
    )


def _next_step(items: Sequence[ItemView], registration: RegistrationView | None, organization: Organization) -> NextStep:
    if registration is not None:
        if registration.stage is RegistrationStage.REGISTERED:
            if registration.renewal_due:
                return NextStep(NextStepKind.RENEW_BOARD, by=organization.board_term_end)
            return NextStep(NextStepKind.FORMALIZE)
        if registration.stage is RegistrationStage.OBSERVED:
            return NextStep(NextStepKind.ANSWER_OBSERVATIONS, by=registration.observation_deadline)
        if registration.stage is RegistrationStage.SUBMITTED:
            return NextStep(NextStepKind.WAIT_FOR_MUNICIPALITY)
    required = [view for view in items if view.requirement.required]
    for status, kind in ((ItemStatus.REJECTED, NextStepKind.SEND_AGAIN), (ItemStatus.MISSING, NextStepKind.SEND)):
        first = next((view for view in required if view.status is status), None)
        if first is not None:
            return NextStep(kind, requirement=first.requirement)
    if any(view.status is ItemStatus.UPLOADED for view in required):
        return NextStep(NextStepKind.WAIT_FOR_REVIEW)
    return NextStep(NextStepKind.SUBMIT if registration is not None else NextStepKind.COMPLETE)


# --- who may see and change an organization's checklist ---------------------------------------


async def organization_for(session: AsyncSession, *, user: User, organization_id: int) -> Organization:
    """The organization (board loaded) if the person leads it or is programme staff."""
    if user.role is not Role.STAFF and await session.get(Leadership, (user.id, organization_id)) is None:
        raise RuosError(N_("You are not a leader of that organization."))
    organization = await organizations.load(session, organization_id)
    if organization is None:
        raise RuosError(N_("That organization no longer exists."))
    return organization


async def own_organization(session: AsyncSession, *, user: User) -> Organization | None:
    """The organization the person acts for now (board loaded), if they lead one."""
    acting = await organizations.acting_for(session, user=user)
    return None if acting is None else await organizations.load(session, acting[0].id)


# --- uploads ------------------------------------------------------------------------------------


class Step(StrEnum):
    """What a `ChecklistDraft` waits for; also the /ruos conversation's step."""

    UPLOAD = "upload"
    EXPEDIENTE = "expediente"
    SUBMITTED_ON = "submitted_on"
    OBSERVATIONS = "observations"
    DEADLINE = "deadline"
    RUOS_NUMBER = "ruos_number"
    RESOLUTION_DATE = "resolution_date"
    REASON = "reason"
    # Registros Públicos: the inscription, recorded with its last step (bot/services/public_registry.py).
    INSCRIBED_ON = "rp_date"
    REGISTRY_OFFICE = "rp_office"
    PARTIDA = "rp_partida"


async def find_draft(session: AsyncSession, *, user: User) -> ChecklistDraft | None:
    return await session.get(ChecklistDraft, user.id)


async def drop_draft(session: AsyncSession, *, user: User) -> None:
    draft = await session.get(ChecklistDraft, user.id)
    if draft is not None:
        await session.delete(draft)


async def _new_draft(session: AsyncSession, *, user: User, organization_id: int, step: Step, now: datetime) -> ChecklistDraft:
    """A fresh draft replacing whatever the person was doing in /ruos before."""
    draft = await session.get(ChecklistDraft, user.id)
    if draft is None:
        draft = ChecklistDraft(user_id=user.id)
        session.add(draft)
    draft.organization_id = organization_id
    draft.step = step
    draft.procedure_code = draft.item_code = None
    draft.checklist_item_id = draft.checklist_item_revision = None
    draft.answers = {}
    draft.updated_at = now
    return draft


async def start_upload(
    session: AsyncSession,
    *,
    user: User,
    catalogue: RequirementsCatalogue,
    organization: Organization,
    procedure_code: str,
    item_code: str,
    now: datetime,
) -> tuple[ChecklistDraft, Requirement]:
    await require_leader_or_staff(session, user_id=user.id, organization_id=organization.id)
    procedure, _fallback = procedure_for(catalogue, organization, procedure_code)
    requirement = requirement_of(procedure, item_code)
    draft = await _new_draft(session, user=user, organization_id=organization.id, step=Step.UPLOAD, now=now)
    draft.procedure_code, draft.item_code = procedure.code, requirement.code
    return draft, requirement


def requirement_of(procedure: Procedure, item_code: str) -> Requirement:
    for requirement in procedure.items:
        if requirement.code == item_code:
            return requirement
    raise RuosError(N_("That requirement is no longer on the list. Open /ruos to see the current one."))


@dataclass(frozen=True)
class Upload:
    content: bytes
    original_name: str | None
    telegram_file_id: str | None
    media_group_id: str | None


@dataclass(frozen=True)
class UploadReceipt:
    pages: int  # the item's pages now
    album_pages: int  # of those, how many came in this upload's album (0 outside an album)
    duplicate: bool  # the same bytes were already among the item's pages: nothing was added


async def record_upload(
    session: AsyncSession,
    *,
    store: FileStore,
    organization_id: int,
    procedure: Procedure,
    requirement: Requirement,
    upload: Upload,
    uploader: User,
    now: datetime,
) -> UploadReceipt:
    """Keep one file (a PDF or one page's photo) for the item; it waits for staff review.

    A rejected item's old pages, and a one-page item's previous page, are superseded by the
    first new file. Adding pages to a verified item sends it back to review. The uploader
    must lead the organization (or be staff) now, not only when the upload step began.
    """
    await require_leader_or_staff(session, user_id=uploader.id, organization_id=organization_id)
    accepted = await asyncio.to_thread(accepted_upload, requirement, upload.content)
    item = await _locked_item(session, organization_id, procedure.code, requirement.code, now)
    current = _current_files(organization_id, procedure.code, requirement.code)
    saved = await asyncio.to_thread(store.save, accepted.content)
    duplicate = await session.scalar(select(StoredFile.id).where(*current, StoredFile.sha256 == saved.sha256))
    if duplicate is None:
        if item.status is ItemStatus.REJECTED or requirement.pages is PageCount.ONE:
            await session.execute(update(StoredFile).where(*current).values(superseded_at=now))
        session.add(
            StoredFile(
                organization_id=organization_id,
                procedure_code=procedure.code,
                item_code=requirement.code,
                sha256=saved.sha256,
                size=saved.size,
                mime_type=accepted.mime_type,
                storage_path=saved.path,
                original_name=uploads.label(upload.original_name),
                telegram_file_id=upload.telegram_file_id,
                media_group_id=upload.media_group_id,
                uploaded_by_id=uploader.id,
                uploaded_at=now,
            )
        )
        item.status = ItemStatus.UPLOADED
        item.revision += 1
        item.rejection_reason = None
        item.uploaded_at = item.updated_at = now
        item.reviewed_at = item.reviewed_by_id = None
        await session.flush()
    pages = await session.scalar(select(func.count()).select_from(StoredFile).where(*current)) or 0
    album_pages = 0
    if upload.media_group_id is not None:
        album_pages = await session.scalar(
            select(func.count()).select_from(StoredFile).where(*current, StoredFile.media_group_id == upload.media_group_id)
        ) or 0
    return UploadReceipt(pages=pages, album_pages=album_pages, duplicate=duplicate is not None)


async def _locked_item(session: AsyncSession, organization_id: int, procedure_code: str, item_code: str, now: datetime) -> ChecklistItem:
    """The item's row, made at its first upload and locked until the upload commits.

    Two co-leaders sending pages for the same document at the same moment then add their pages
    one after the other: neither page is lost and the revision counts both (on PostgreSQL the
    row lock orders them; SQLite has one writer at a time anyway).
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(ChecklistItem)
        .values(organization_id=organization_id, procedure_code=procedure_code, item_code=item_code,
                status=ItemStatus.MISSING, revision=0, updated_at=now)
        .on_conflict_do_nothing()
    )
    item = await session.scalar(
        select(ChecklistItem)
        .where(
            ChecklistItem.organization_id == organization_id,
            ChecklistItem.procedure_code == procedure_code,
            ChecklistItem.item_code == item_code,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert item is not None
    return item


async def withdraw_pages(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    user: User,
    organization: Organization,
    procedure_code: str,
    item_code: str,
    now: datetime,
    quiet: QuietHours | None,
) -> int:
    """Take back an item's pages before staff look at them (a wrong photo among them, say).

    The files stay in the store, superseded, as replaced ones do; the item is missing again,
    so the weekly nudge resumes. Returns how many pages were withdrawn.
    """
    await require_leader_or_staff(session, user_id=user.id, organization_id=organization.id)
    procedure, _fallback = procedure_for(catalogue, organization, procedure_code)
    requirement = requirement_of(procedure, item_code)
    item = await session.scalar(
        select(ChecklistItem).where(
            ChecklistItem.organization_id == organization.id,
            ChecklistItem.procedure_code == procedure.code,
            ChecklistItem.item_code == requirement.code,
        )
    )
    not_waiting = AlreadyDone(N_("Only pages still waiting for the programme's review can be taken back."))
    if item is None or item.status is not ItemStatus.UPLOADED:
        raise not_waiting
    # The pages the leader saw: a review, or new pages, since then and nothing is taken back.
    await transition(
        session, ChecklistItem, where={"id": item.id, "status": ItemStatus.UPLOADED, "revision": item.revision},
        # A new revision: a review opened on the old pages no longer applies.
        values={"status": ItemStatus.MISSING, "revision": item.revision + 1, "uploaded_at": None, "updated_at": now},
        already=not_waiting,
    )
    current = _current_files(organization.id, procedure.code, requirement.code)
    withdrawn = await session.execute(update(StoredFile).where(*current).values(superseded_at=now))
    await plan_missing_nudges(session, catalogue=catalogue, organization=organization, now=now, quiet=quiet)
    return withdrawn.rowcount  # type: ignore[attr-defined, no-any-return]


def _current_files(organization_id: int, procedure_code: str, item_code: str) -> tuple[ColumnElement[bool], ...]:
    """The conditions selecting an item's files that were not replaced since."""
    return (
        StoredFile.organization_id == organization_id,
        StoredFile.procedure_code == procedure_code,
        StoredFile.item_code == item_code,
        StoredFile.superseded_at.is_(None),
    )


# --- staff review -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingItem:
    item: ChecklistItem
    organization_name: str
    requirement: Requirement | None  # None if the catalogue no longer lists it


@dataclass(frozen=True)
class ItemForReview:
    item: ChecklistItem
    organization: Organization
    requirement: Requirement | None
    files: list[StoredFile]


@dataclass(frozen=True)
class ReviewOutcome:
    organization: Organization
    procedure_code: str
    item_code: str
    requirement: Requirement | None
    status: ItemStatus
    reason: str | None
    leaders: list[User]  # the organization's leaders to tell, reachable and consenting


async def _require_staff(session: AsyncSession, user: User) -> None:
    await require_staff(session, user_id=user.id)  # the role as it is now, not as the flow began


def requirement_in(catalogue: RequirementsCatalogue, procedure_code: str, item_code: str) -> Requirement | None:
    try:
        return requirement_of(catalogue.procedure(procedure_code), item_code)
    except (KeyError, RuosError):
        return None


async def waiting_for_review(session: AsyncSession, *, catalogue: RequirementsCatalogue, staff: User, limit: int = 10) -> list[WaitingItem]:
    """Items uploaded and not yet reviewed, the longest waiting first."""
    await _require_staff(session, staff)
    rows = await session.execute(
        select(ChecklistItem, Organization.name)
        .join(Organization, Organization.id == ChecklistItem.organization_id)
        .where(ChecklistItem.status == ItemStatus.UPLOADED)
        .order_by(ChecklistItem.uploaded_at, ChecklistItem.id)
        .limit(limit)
    )
    return [
        WaitingItem(item, name, requirement_in(catalogue, item.procedure_code, item.item_code))
        for item, name in rows.all()
    ]


async def _item(session: AsyncSession, item_id: int) -> ChecklistItem:
    item = await session.get(ChecklistItem, item_id)
    if item is None:
        raise RuosError(N_("That document is no longer in the checklist."))
    return item


async def item_for_review(session: AsyncSession, *, catalogue: RequirementsCatalogue, staff: User, item_id: int,
                          now: datetime | None = None) -> ItemForReview:
    """The item and its current pages, for staff to open; the read is in the audit log."""
    await _require_staff(session, staff)
    item = await _item(session, item_id)
    if now is not None:
        audit.record(session, staff.id, "ruos.item.read", now=now, organization_id=item.organization_id, detail=item.item_code)
    organization = await organizations.load(session, item.organization_id)
    assert organization is not None  # the item would have gone with it (ON DELETE CASCADE)
    files = await session.scalars(
        select(StoredFile)
        .where(*_current_files(item.organization_id, item.procedure_code, item.item_code))
        .order_by(StoredFile.uploaded_at, StoredFile.id)
    )
    return ItemForReview(item, organization, requirement_in(catalogue, item.procedure_code, item.item_code), list(files))


ALREADY_REVIEWED = N_("This document was already reviewed, or has nothing to review. Nothing was changed, and nobody was told again.")


async def _reviewable(session: AsyncSession, *, staff: User, item_id: int, revision: int) -> ChecklistItem:
    await _require_staff(session, staff)
    item = await _item(session, item_id)
    if item.status is not ItemStatus.UPLOADED:
        raise AlreadyDone(ALREADY_REVIEWED)
    if item.revision != revision:
        raise RuosError(N_("The leader sent new pages after you opened this document. Open it again from /review."))
    return item


async def start_rejection(session: AsyncSession, *, staff: User, item_id: int, revision: int, now: datetime) -> ChecklistDraft:
    """Staff chose to reject an item: the draft waits for the reason."""
    item = await _reviewable(session, staff=staff, item_id=item_id, revision=revision)
    draft = await _new_draft(session, user=staff, organization_id=item.organization_id, step=Step.REASON, now=now)
    draft.checklist_item_id, draft.checklist_item_revision = item.id, item.revision
    return draft


async def review(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    staff: User,
    item_id: int,
    revision: int,
    verified: bool,
    reason: str | None = None,
    now: datetime,
    quiet: QuietHours | None,
) -> ReviewOutcome:
    """Verify an uploaded item, or reject it with a reason the leaders will read."""
    item = await _reviewable(session, staff=staff, item_id=item_id, revision=revision)
    reason = None if verified else parse_text(reason or "", field_max=REASON_MAX, min_length=3, multiline=True)
    # Exactly the pages staff opened, still waiting: a second tap, another staff member first,
    # or new pages since, and nothing changes.
    await transition(
        session, ChecklistItem, where={"id": item.id, "status": ItemStatus.UPLOADED, "revision": revision},
        values={
            "status": ItemStatus.VERIFIED if verified else ItemStatus.REJECTED, "rejection_reason": reason,
            "reviewed_at": now, "reviewed_by_id": staff.id, "updated_at": now,
        },
        already=AlreadyDone(ALREADY_REVIEWED),
    )
    await drop_draft(session, user=staff)
    audit.record(session, staff.id, "ruos.item.verified" if verified else "ruos.item.rejected", now=now,
                 organization_id=item.organization_id, detail=item.item_code)
    organization = await organizations.load(session, item.organization_id)
    assert organization is not None
    leaders = await _leaders(session, organization.id)
    if not verified:
        # A required item is missing again: the weekly nudge resumes.
        await plan_missing_nudges(session, catalogue=catalogue, organization=organization, now=now, quiet=quiet)
    return ReviewOutcome(
        organization=organization,
        procedure_code=item.procedure_code,
        item_code=item.item_code,
        requirement=requirement_in(catalogue, item.procedure_code, item.item_code),
        status=item.status,
        reason=item.rejection_reason,
        leaders=[leader for leader in leaders if leader.reachable and leader.has_consented],
    )


async def _leaders(session: AsyncSession, organization_id: int) -> list[User]:
    return [user for user, _role in await organizations.leaders_of(session, organization_id=organization_id)]


# --- where the RUOS request stands ---------------------------------------------------------------

TRANSITIONS: Mapping[RegistrationStage, tuple[RegistrationStage, ...]] = {
    RegistrationStage.PREPARING: (RegistrationStage.SUBMITTED,),
    RegistrationStage.SUBMITTED: (RegistrationStage.OBSERVED, RegistrationStage.REGISTERED, RegistrationStage.PREPARING),
    RegistrationStage.OBSERVED: (RegistrationStage.SUBMITTED, RegistrationStage.REGISTERED, RegistrationStage.PREPARING),
    RegistrationStage.REGISTERED: (),
}
# Staff may also undo a registration recorded by mistake.
STAFF_TRANSITIONS: Mapping[RegistrationStage, tuple[RegistrationStage, ...]] = {
    **TRANSITIONS,
    RegistrationStage.REGISTERED: (RegistrationStage.PREPARING,),
}
_DATE_STEPS = {Step.SUBMITTED_ON, Step.DEADLINE, Step.RESOLUTION_DATE}


def allowed_stages(current: RegistrationStage, *, user: User) -> tuple[RegistrationStage, ...]:
    return (STAFF_TRANSITIONS if user.role is Role.STAFF else TRANSITIONS)[current]


def stage_questions(current: RegistrationStage, target: RegistrationStage) -> tuple[Step, ...]:
    """What to ask before recording the move; nothing for going back or answered observations."""
    if target is RegistrationStage.SUBMITTED:
        return () if current is RegistrationStage.OBSERVED else (Step.EXPEDIENTE, Step.SUBMITTED_ON)
    if target is RegistrationStage.OBSERVED:
        return (Step.OBSERVATIONS, Step.DEADLINE)
    if target is RegistrationStage.REGISTERED:
        return (Step.RUOS_NUMBER, Step.RESOLUTION_DATE)
    return ()


@dataclass(frozen=True)
class StageChange:
    """A stage chosen: either recorded (`draft` None) or waiting for the answers in `draft`."""

    stage: RegistrationStage
    draft: ChecklistDraft | None


async def _registration_row(session: AsyncSession, organization_id: int, now: datetime) -> RuosRegistration:
    """The organization's row, made at its first move: two leaders making it at the same moment
    make one (INSERT … ON CONFLICT DO NOTHING), and the stage transition decides between them."""
    row = await session.get(RuosRegistration, organization_id)
    if row is None:
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(RuosRegistration)
            .values(organization_id=organization_id, stage=RegistrationStage.PREPARING, updated_at=now)
            .on_conflict_do_nothing()
        )
        row = await session.get(RuosRegistration, organization_id)
        assert row is not None
    return row


async def choose_stage(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    user: User,
    organization: Organization,
    target: str,
    now: datetime,
    quiet: QuietHours | None,
) -> StageChange:
    """Move the request to `target`, or start the questions that must be answered first."""
    await require_leader_or_staff(session, user_id=user.id, organization_id=organization.id)
    row = await _registration_row(session, organization.id, now)
    try:
        stage = RegistrationStage(target)
    except ValueError:
        raise RuosError(N_("Choose one of the options with the buttons.")) from None
    if stage not in allowed_stages(row.stage, user=user):
        raise StageChanged()
    questions = stage_questions(row.stage, stage)
    if not questions:
        await _apply_stage(session, catalogue=catalogue, row=row, organization=organization, user=user, current=row.stage,
                           stage=stage, answers={}, now=now, quiet=quiet)
        await drop_draft(session, user=user)
        return StageChange(stage, None)
    draft = await _new_draft(session, user=user, organization_id=organization.id, step=questions[0], now=now)
    draft.answers = {"from": row.stage.value, "stage": stage.value}
    return StageChange(stage, draft)


async def answer_stage_question(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    user: User,
    draft: ChecklistDraft,
    organization: Organization,
    text: str,
    today: date,
    now: datetime,
    quiet: QuietHours | None,
) -> StageChange:
    """Validate and keep one answer; after the last one, record the move."""
    await require_leader_or_staff(session, user_id=user.id, organization_id=organization.id)
    row = await _registration_row(session, organization.id, now)
    current, stage = RegistrationStage(draft.answers["from"]), RegistrationStage(draft.answers["stage"])
    if row.stage is not current:
        raise StageChanged()
    step = Step(draft.step)
    submitted_on = draft.answers.get(Step.SUBMITTED_ON) or (row.submitted_on.isoformat() if row.submitted_on else None)
    value = _parse_answer(step, text, today=today, submitted_on=date.fromisoformat(submitted_on) if submitted_on else None)
    answers = {**draft.answers, step.value: value}
    questions = stage_questions(current, stage)
    following = questions.index(step) + 1
    if following < len(questions):
        draft.answers, draft.step, draft.updated_at = answers, questions[following], now
        return StageChange(stage, draft)
    await _apply_stage(session, catalogue=catalogue, row=row, organization=organization, user=user, current=current,
                       stage=stage, answers=answers, now=now, quiet=quiet)
    await session.delete(draft)
    return StageChange(stage, None)


def _parse_answer(step: Step, text: str, *, today: date, submitted_on: date | None) -> str:
    if step is Step.EXPEDIENTE:
        return parse_text(text, field_max=EXPEDIENTE_MAX)
    if step is Step.RUOS_NUMBER:
        return parse_text(text, field_max=RUOS_NUMBER_MAX)
    if step is Step.OBSERVATIONS:
        return parse_text(text, field_max=OBSERVATIONS_MAX, min_length=3, multiline=True)
    if step not in _DATE_STEPS:
        raise RuosError(N_("Choose one of the options with the buttons."))
    day = check_between(parse_date(text), earliest=years_after(today, -10), latest=years_after(today, 1), message=N_(
        "Send a date of this registration, from %(earliest)s to %(latest)s."))
    if step in (Step.SUBMITTED_ON, Step.RESOLUTION_DATE) and day > today:
        raise RuosError(N_("That date is in the future. Send the date it happened, for example 18/11/2026."))
    if submitted_on is not None and day < submitted_on:
        raise RuosError(N_("That date is before the day the request was handed in. Check it and send it again."))
    return day.isoformat()


async def _apply_stage(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    row: RuosRegistration,
    organization: Organization,
    user: User,
    current: RegistrationStage,
    stage: RegistrationStage,
    answers: Mapping[str, str],
    now: datetime,
    quiet: QuietHours | None,
) -> None:
    """Move the row from `current` to `stage`; StageChanged if it is no longer at `current`."""

    def day(step: Step) -> date:
        return date.fromisoformat(answers[step])

    values: dict[str, object] = {}
    if stage is RegistrationStage.PREPARING:
        values.update(expediente=None, submitted_on=None, observations=None, observation_deadline=None,
                      ruos_number=None, resolution_date=None)
    elif stage is RegistrationStage.SUBMITTED and Step.EXPEDIENTE in answers:
        values.update(expediente=answers[Step.EXPEDIENTE], submitted_on=day(Step.SUBMITTED_ON),
                      observations=None, observation_deadline=None)
    elif stage is RegistrationStage.SUBMITTED:
        values.update(observation_deadline=None)  # the observations were answered; the text stays on record
    elif stage is RegistrationStage.OBSERVED:
        values.update(observations=answers[Step.OBSERVATIONS], observation_deadline=day(Step.DEADLINE))
    elif stage is RegistrationStage.REGISTERED:
        values.update(ruos_number=answers[Step.RUOS_NUMBER], resolution_date=day(Step.RESOLUTION_DATE),
                      observation_deadline=None)
    values.update(stage=stage, updated_at=now, updated_by_id=user.id)
    if user.role is not Role.LEADER:  # staff recording it for the organization
        audit.record(session, user.id, "ruos.stage", now=now, organization_id=organization.id, detail=stage.value)
    await session.flush()  # a row made just now exists before it moves on
    await transition(
        session, RuosRegistration, where={"organization_id": row.organization_id, "stage": current}, values=values,
        already=StageChanged(),
    )
    await plan_observation_reminders(session, organization=organization, deadline=row.observation_deadline, now=now, quiet=quiet)
    await plan_missing_nudges(session, catalogue=catalogue, organization=organization, now=now, quiet=quiet)
    if stage is RegistrationStage.REGISTERED:
        await plan_board_term_reminders(session, organization=organization, quiet=quiet, now=now)


# --- reminders ------------------------------------------------------------------------------------


def _morning_of(day: date, quiet: QuietHours | None) -> datetime:
    zone = quiet.zone if quiet is not None else UTC
    return datetime.combine(day, REMINDER_TIME, tzinfo=zone).astimezone(UTC)


async def plan_missing_nudges(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    organization: Organization,
    now: datetime,
    quiet: QuietHours | None,
) -> bool:
    """Nudge every leader a week from now while required RUOS items are missing and the
    request is being prepared; otherwise cancel the nudges. Returns whether one is planned."""
    prefix = f"ruos:missing:{organization.id}:"
    procedure, _fallback = ruos_procedure(catalogue, organization)
    row = await session.get(RuosRegistration, organization.id)
    preparing = row is None or row.stage is RegistrationStage.PREPARING
    missing = preparing and await _has_outstanding(session, organization.id, procedure)
    if not missing:
        await cancel_prefix(session, prefix=prefix)
        return False
    for leader in await _leaders(session, organization.id):
        # replace=True: last week's nudge was sent, and this is the next one.
        await schedule(
            session, key=f"{prefix}{leader.id}", recipient_id=leader.id, kind=MISSING_NUDGE,
            due_at=now + NUDGE_INTERVAL, payload={"organization_id": organization.id},
            quiet=quiet, replace=True,
        )
    return True


async def _has_outstanding(session: AsyncSession, organization_id: int, procedure: Procedure) -> bool:
    done = set(
        await session.scalars(
            select(ChecklistItem.item_code).where(
                ChecklistItem.organization_id == organization_id,
                ChecklistItem.procedure_code == procedure.code,
                ChecklistItem.status.in_((ItemStatus.UPLOADED, ItemStatus.VERIFIED)),
            )
        )
    )
    return any(item.required and item.code not in done for item in procedure.items)


async def plan_observation_reminders(
    session: AsyncSession,
    *,
    organization: Organization,
    deadline: date | None,
    now: datetime,
    quiet: QuietHours | None,
) -> None:
    """Remind the leaders two days before the deadline to answer the observations (or on the
    day, if that is already too close); no deadline cancels it."""
    prefix = f"ruos:deadline:{organization.id}:"
    await cancel_prefix(session, prefix=prefix)
    if deadline is None:
        return
    due = next(
        (moment for moment in (_morning_of(deadline - OBSERVATION_NOTICE, quiet), _morning_of(deadline, quiet)) if moment > now),
        None,
    )
    if due is None:
        return
    for leader in await _leaders(session, organization.id):
        await schedule(
            session, key=f"{prefix}{leader.id}", recipient_id=leader.id, kind=OBSERVATION_DEADLINE,
            due_at=due, payload={"organization_id": organization.id, "deadline": deadline.isoformat()},
            quiet=quiet, replace=True,
        )


async def plan_board_term_reminders(
    session: AsyncSession,
    *,
    organization: Organization,
    quiet: QuietHours | None,
    now: datetime | None = None,
) -> None:
    """Tell every leader 60 and 15 days before the board's term ends (in the morning).

    Call it when an organization is registered, when its term changes and when a leader
    joins, with `now` from the runtime's clock (the system clock if None). Reminders already
    past are skipped; the term's end is part of the key, so a new term gets its own reminders
    while those of the old one that went out stay sent.
    """
    now = now or SystemClock().now()
    await cancel_prefix(session, prefix=f"ruos:term:{organization.id}:")
    end = organization.board_term_end
    leaders = await _leaders(session, organization.id)
    for days in BOARD_TERM_NOTICE_DAYS:
        due = _morning_of(end - timedelta(days=days), quiet)
        if due <= now:
            continue
        for leader in leaders:
            await schedule(
                session, key=f"ruos:term:{organization.id}:{days}:{leader.id}:{end.isoformat()}",
                recipient_id=leader.id, kind=BOARD_TERM_ENDING, due_at=due,
                payload={"organization_id": organization.id, "term_end": end.isoformat(), "days": days},
                quiet=quiet,
            )


async def is_leader(session: AsyncSession, *, user_id: int, organization_id: int) -> bool:
    return await session.get(Leadership, (user_id, organization_id)) is not None
