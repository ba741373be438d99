"""The data rights people exercise in the bot: see what is kept, withdraw consent, erase it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.broadcasts.models import (
    Broadcast,
    BroadcastComposing,
    BroadcastDelivery,
    DeliveryState,
    NotificationSettings,
)
from bot.console.figures import erased as erased_figures
from bot.core import conversations
from bot.core.transitions import AlreadyDone, transition
from bot.core.uploads import label, stored_file_name
from bot.core.validation import parse_text
from bot.messaging import whatsapp_inbox
from bot.messaging.models import Reminder, ReminderState
from bot.organizations.models import (
    Invite,
    LeaderRole,
    Leadership,
    Organization,
    RegistrationDraft,
)
from bot.people import people
from bot.people.models import Nationality, Sex, User
from bot.projects.models import ProjectDraft, ProjectFile, ProjectReport, ReportWriter
from bot.questions import questions
from bot.questions.models import QuestionMessage
from bot.ruos.models import ChecklistDraft, StoredFile
from bot.trainings import sessions as trainings
from bot.trainings.models import Enrollment, EnrollmentState
from bot.trainings.records import forget_training_draft, training_history


@dataclass(frozen=True)
class BoardEntryView:
    role: str
    full_name: str
    id_document_type: str
    id_number_encrypted: str


@dataclass(frozen=True)
class LedOrganization:
    name: str
    role: LeaderRole
    contact_phone: str
    board: list[BoardEntryView]


@dataclass(frozen=True)
class UploadView:
    organization: str
    file_name: str  # the bot's name for it (bot/core/uploads.py), as staff received it
    label: str | None  # what the person called it, cleaned
    uploaded_at: datetime
    current: bool


@dataclass(frozen=True)
class InviteView:
    organization: str
    created_at: datetime
    used: bool
    expires_at: datetime


@dataclass(frozen=True)
class PersonSummary:
    """Everything the bot holds on one person, as /mydata shows it."""

    telegram_id: int | None
    display_name: str | None
    language: str
    role: str
    consent_at: datetime | None
    first_seen: datetime
    last_seen: datetime
    organizations: list[LedOrganization] = field(default_factory=list)
    uploads: list[UploadView] = field(default_factory=list)
    invites: list[InviteView] = field(default_factory=list)
    drafts: int = 0
    pending_reminders: int = 0
    trainings: list[tuple[str, str, bool]] = field(default_factory=list)  # title, enrollment state, certificate
    muted: list[str] = field(default_factory=list)  # kinds of message switched off in /settings
    paused: bool = False  # /stop
    broadcasts_received: int = 0
    sex: Sex | None = None  # as they declared it, if they did (None: never answered)
    nationality: Nationality | None = None
    whatsapp: str | None = None  # the number (or the business-scoped id) on WhatsApp


async def summarize_person(session: AsyncSession, *, telegram_id: int | None = None, user_id: int | None = None,
                           file_words: Mapping[str, str] | None = None) -> PersonSummary:
    """The person named by their Telegram id, or by `user_id` on any channel."""
    person = await _person(session, telegram_id=telegram_id, user_id=user_id)
    assert person is not None, "the gatekeeper creates the person before any handler runs"
    led = await session.execute(
        select(Organization, Leadership.role)
        .join(Leadership, Leadership.organization_id == Organization.id)
        .where(Leadership.user_id == person.id)
        .options(selectinload(Organization.board))
        .order_by(Organization.name)
    )
    organizations = [
        LedOrganization(
            name=organization.name,
            role=role,
            contact_phone=organization.contact_phone,
            board=[BoardEntryView(m.role, m.full_name, m.id_document_type, m.id_number_encrypted) for m in organization.board],
        )
        for organization, role in led.all()
    ]
    ruos_files = await session.execute(
        select(StoredFile, Organization.name)
        .join(Organization, Organization.id == StoredFile.organization_id)
        .where(StoredFile.uploaded_by_id == person.id)
    )
    project_files = await session.execute(
        select(ProjectFile, Organization.name, ProjectReport.number)
        .join(Organization, Organization.id == ProjectFile.organization_id)
        .outerjoin(ProjectReport, ProjectReport.id == ProjectFile.report_id)
        .where(ProjectFile.uploaded_by_id == person.id)
    )
    uploads = [
        UploadView(name, stored_file_name(f, organization=name, words=file_words), label(f.original_name), f.uploaded_at, f.superseded_at is None)
        for f, name in ruos_files.all()
    ] + [
        UploadView(name, stored_file_name(f, organization=name, report_number=number, words=file_words), label(f.original_name), f.uploaded_at, True)
        for f, name, number in project_files.all()
    ]
    invites = await session.execute(
        select(Invite, Organization.name)
        .join(Organization, Organization.id == Invite.organization_id)
        .where(Invite.created_by_id == person.id)
        .order_by(Invite.created_at)
    )
    registration_drafts = await session.scalar(
        select(func.count()).select_from(RegistrationDraft).where(RegistrationDraft.user_id == person.id)
    )
    checklist_drafts = await session.scalar(
        select(func.count()).select_from(ChecklistDraft).where(ChecklistDraft.user_id == person.id)
    )
    project_drafts = await session.scalar(
        select(func.count()).select_from(ProjectDraft).where(ProjectDraft.user_id == person.id)
    )
    reminders = await session.scalar(
        select(func.count())
        .select_from(Reminder)
        .where(Reminder.recipient_id == person.id, Reminder.state.in_((ReminderState.PENDING, ReminderState.HELD)))
    )
    choices = await session.get(NotificationSettings, person.id)
    received = await session.scalar(
        select(func.count()).select_from(BroadcastDelivery)
        .where(BroadcastDelivery.user_id == person.id, BroadcastDelivery.state == DeliveryState.DELIVERED)
    )
    return PersonSummary(
        telegram_id=person.telegram_id,
        whatsapp=person.wa_id or person.bsuid,
        display_name=person.display_name,
        language=person.language,
        role=person.role.value,
        consent_at=person.consent_at if person.has_consented else None,
        first_seen=person.first_seen,
        last_seen=person.last_seen,
        organizations=organizations,
        uploads=sorted(uploads, key=lambda upload: upload.uploaded_at),
        invites=[InviteView(name, i.created_at, i.used_at is not None, i.expires_at) for i, name in invites.all()],
        drafts=(registration_drafts or 0) + (checklist_drafts or 0) + (project_drafts or 0),
        pending_reminders=reminders or 0,
        trainings=await training_history(session, user_id=person.id),
        muted=list(choices.muted) if choices else [],
        paused=choices is not None and choices.paused_at is not None,
        broadcasts_received=received or 0,
        sex=person.sex,
        nationality=person.nationality,
    )


@dataclass(frozen=True)
class Withdrawal:
    had_consented: bool  # until now
    trainings_left: int  # upcoming sessions they held a seat or a place in line in


async def withdraw_consent(
    session: AsyncSession, *, telegram_id: int | None = None, user_id: int | None = None, now: datetime, claim: timedelta,
) -> Withdrawal:
    """Declining (or withdrawing) consent: no name kept, every unfinished draft discarded, and
    their seats in sessions to come handed to the next in line (`claim`: how long one is held).
    The person is named by their Telegram id, or by `user_id` on any channel.

    What was registered with consent (the organization, its documents, trainings attended)
    stays with the programme until the person erases it.
    """
    if telegram_id is not None:
        person = await people.get_by_telegram_id(session, telegram_id)
    else:
        person = None if user_id is None else await people.get(session, user_id)
    if person is None:
        return Withdrawal(False, 0)
    had_consented = person.has_consented
    left = await trainings.release_upcoming(session, user_id=person.id, now=now, claim=claim)
    await people.decline_consent(session, user=person, now=now)
    await session.execute(delete(RegistrationDraft).where(RegistrationDraft.user_id == person.id))
    await session.execute(delete(ChecklistDraft).where(ChecklistDraft.user_id == person.id))
    await forget_training_draft(session, user_id=person.id)
    await session.execute(delete(ProjectDraft).where(ProjectDraft.user_id == person.id))
    await session.execute(delete(ReportWriter).where(ReportWriter.user_id == person.id))
    await session.execute(delete(BroadcastComposing).where(BroadcastComposing.user_id == person.id))
    if person.telegram_id is not None:
        await conversations.forget_person_steps(session, telegram_id=person.telegram_id)
    return Withdrawal(had_consented, left)


@dataclass(frozen=True)
class Erasure:
    """What erasing a person took with them, so the caller can remove stored files too.

    `files` are the stored paths that rows referred to; remove from disk those that no row
    refers to any more (the store keeps identical bytes once), after the erasure committed.
    """

    organizations_erased: list[int]
    files: list[str]


async def erase_person(
    session: AsyncSession, *, telegram_id: int | None = None, user_id: int | None = None, now: datetime, zone: tzinfo,
    claim: timedelta,
) -> Erasure:
    """Erase a person and what is theirs alone.

    Organizations they lead with nobody else go too (with their board, invitations, history,
    documents — current, superseded and withdrawn — and projects, by cascade); where others
    lead with them, the longest-serving co-leader becomes owner. The person's row goes as
    well, and with it (by cascade) their drafts, leaderships and reminders: their next
    message is a first contact. Rows that only pointed at them (who uploaded, reviewed,
    created) keep their content without the pointer (SET NULL), so anonymous counts stay.
    The person is named by their Telegram id, or by `user_id` on any channel.
    """
    if telegram_id is not None:
        person = await people.get_by_telegram_id(session, telegram_id)
    else:
        person = None if user_id is None else await people.get(session, user_id)
    if person is None:
        return Erasure([], [])
    erased: list[int] = []
    # A proposal document uploaded into a draft never sent is theirs alone (read now: the
    # draft goes with the organization).
    drafts = await session.scalars(select(ProjectDraft).where(ProjectDraft.user_id == person.id))
    draft_files = [d.answers["document"]["path"] for d in drafts if (d.answers or {}).get("document")]
    for leadership in list(await session.scalars(select(Leadership).where(Leadership.user_id == person.id))):
        others = list(
            await session.scalars(
                select(Leadership)
                .where(Leadership.organization_id == leadership.organization_id, Leadership.user_id != person.id)
                .order_by(Leadership.joined_at)
            )
        )
        if not others:
            erased.append(leadership.organization_id)
        elif leadership.role is LeaderRole.OWNER:
            others[0].role = LeaderRole.OWNER
    files: list[str] = []
    # Programme totals outlive the erasure as anonymous counts.
    await erased_figures.tally_person_before_erasure(session, person.id, zone)
    await erased_figures.tally_before_erasure(session, erased, zone)
    # Their seats in sessions to come go to the next in line, who are told.
    await trainings.release_upcoming(session, user_id=person.id, now=now, claim=claim)
    if erased:
        files = list(
            await session.scalars(
                select(StoredFile.storage_path).where(StoredFile.organization_id.in_(erased)).distinct()
            )
        )
        # A project's proposal and report evidence go with its organization too.
        files += list(
            await session.scalars(
                select(ProjectFile.storage_path).where(ProjectFile.organization_id.in_(erased)).distinct()
            )
        )
        for organization_id in erased:
            organization = await session.get(Organization, organization_id)
            if organization is not None:
                await session.delete(organization)
    files += draft_files
    # The files of their broadcasts go too (a broadcast without its author reaches nobody).
    theirs = list(await session.scalars(select(Broadcast).where(Broadcast.author_id == person.id, Broadcast.attachment_path.is_not(None))))
    for broadcast in theirs:
        files.append(broadcast.attachment_path)
        broadcast.attachment_path = broadcast.attachment_kind = broadcast.attachment_file_id = None
    # The files of the questions they asked go with their threads (the rows by cascade).
    files += await questions.files_of_person(session, user_id=person.id)
    if person.telegram_id is not None:
        await conversations.forget_person_steps(session, telegram_id=person.telegram_id)
    await whatsapp_inbox.forget_person(session, wa_id=person.wa_id, bsuid=person.bsuid)
    await session.delete(person)
    await session.flush()
    return Erasure(erased, files)


async def unreferenced(session: AsyncSession, paths: list[str]) -> list[str]:
    """Of these stored paths, the ones no stored-file row refers to any more."""
    if not paths:
        return []
    still = set(await session.scalars(select(StoredFile.storage_path).where(StoredFile.storage_path.in_(paths))))
    still |= set(await session.scalars(select(ProjectFile.storage_path).where(ProjectFile.storage_path.in_(paths))))
    still |= set(await session.scalars(select(Broadcast.attachment_path).where(Broadcast.attachment_path.in_(paths))))
    still |= set(await session.scalars(select(QuestionMessage.file_path).where(QuestionMessage.file_path.in_(paths))))
    return [path for path in paths if path not in still]


# --- everything held on a person, record by record (/mydata's file) ----------------------------

# Columns never handed out, even to the person: the bot's own secrets and storage details.
WITHHELD_COLUMNS = frozenset({"token_hash", "storage_path", "telegram_file_id", "sha256", "attachment_path", "attachment_file_id"})
# PTB's scratch data is keyed by the Telegram id, without a foreign key.
KEYED_BY_TELEGRAM_ID = {"channel_user_data": "user_id"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


async def records_of(session: AsyncSession, *, telegram_id: int | None = None, user_id: int | None = None,
                     mask: Callable[[str], str]) -> dict[str, list[dict[str, Any]]]:
    """Every row the bot holds on the person, table by table, as plain values.

    Found from the schema itself, so a table an area adds later is included without changes
    here: every row with a foreign key to the person (their drafts, enrollments, uploads,
    reminders, the audit entries about them…), and every row of the organizations they lead
    (the board they entered, its documents' records, projects). Encrypted identity numbers
    come masked (****5678): the file travels through Telegram, and a board lists other
    people's numbers too.
    """
    from bot.core.db import Base

    person = await _person(session, telegram_id=telegram_id, user_id=user_id)
    telegram_id = person.telegram_id
    led = list(await session.scalars(select(Leadership.organization_id).where(Leadership.user_id == person.id)))
    result: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        conditions = []
        if table.name == "users":
            conditions.append(table.c.id == person.id)
        elif table.name == "organizations":
            conditions.append(table.c.id.in_(led))
        elif table.name in KEYED_BY_TELEGRAM_ID and telegram_id is not None:
            conditions.append(table.c[KEYED_BY_TELEGRAM_ID[table.name]] == telegram_id)
        for column in table.columns:
            for foreign_key in column.foreign_keys:
                if foreign_key.column.table.name == "users":
                    conditions.append(column == person.id)
                elif foreign_key.column.table.name == "organizations" and led:
                    conditions.append(column.in_(led))
        if not conditions:
            continue
        rows = (await session.execute(select(table).where(or_(*conditions)))).mappings().all()
        if not rows:
            continue
        result[table.name] = [
            {
                (name.removesuffix("_encrypted") + "_masked" if name.endswith("_encrypted") else name):
                    (mask(value) if name.endswith("_encrypted") and value else _plain(value))
                for name, value in row.items() if name not in WITHHELD_COLUMNS
            }
            for row in rows
        ]
    return result


async def correct_name(session: AsyncSession, *, telegram_id: int | None = None, user_id: int | None = None, text: str) -> str:
    """Rectification: the name the bot keeps, as the person writes it (cleaned like any answer).
    The person named by their Telegram id, or by `user_id` on any channel."""
    person = await _person(session, telegram_id=telegram_id, user_id=user_id)
    person.display_name = parse_text(text, field_max=128, min_length=2)
    return person.display_name



# --- what a person says of themselves, if they wish ----------------------------------------------


async def declare_about_me(
    session: AsyncSession, *, telegram_id: int | None = None, user_id: int | None = None, now: datetime,
    sex: Sex | None = None, nationality: Nationality | None = None,
) -> User:
    """Rectification of what the person declared (either, or both): saying it again replaces
    it. Only the programme's anonymous totals read it (bot/console/figures/)."""
    person = await _person(session, telegram_id=telegram_id, user_id=user_id)
    if sex is not None:
        person.sex = sex
    if nationality is not None:
        person.nationality = nationality
    person.about_asked_at = person.about_asked_at or now  # answered from /correct: no need to ask
    await session.flush()
    return person


async def claim_about_me_question(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> bool:
    """Whether to ask the person about themselves now: once, when they hold a seat in a
    training session and were never asked (nor answered in /correct). The claim is one
    conditional UPDATE, so a double tap asks once."""
    seated = await session.scalar(
        select(Enrollment.id).where(Enrollment.user_id == user_id, Enrollment.session_id == session_id,
                                    Enrollment.state == EnrollmentState.ENROLLED)
    )
    if seated is None:
        return False
    try:
        await transition(session, User, where={"id": user_id, "about_asked_at": None}, values={"about_asked_at": now})
    except AlreadyDone:
        return False
    return True


async def _person(session: AsyncSession, *, telegram_id: int | None, user_id: int | None) -> User:
    person = await (people.get_by_telegram_id(session, telegram_id) if telegram_id is not None
                    else session.get(User, user_id))
    assert person is not None, "the gatekeeper creates the person before any handler runs"
    return person
