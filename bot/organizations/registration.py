"""Registering an organization: a draft answered one question at a time, then submitted.

Each answer is validated here and saved with the step that comes next, in one transaction,
before the bot asks that next question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.crypto import IdNumberCipher
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_
from bot.core.validation import (
    BOARD_FULL,
    BOARD_MAX,
    IdDocumentType,
    InvalidInput,
    PartialDate,
    check_term_dates,
    check_term_start,
    normalize_id_number,
    parse_count,
    parse_date,
    parse_past_date,
    parse_phone,
    parse_text,
)
from bot.messaging import notices
from bot.organizations.models import (
    BoardMember,
    BoardRole,
    FocusArea,
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    RegistrationDraft,
    VerificationStatus,
)
from bot.people.models import User

NAME_MAX = 120
ADDRESS_MAX = 200
PERSON_NAME_MAX = 120


class Step(StrEnum):
    NAME = "name"
    KIND = "kind"
    DISTRICT = "district"
    ADDRESS = "address"
    FOUNDED = "founded"
    MEMBERS_PERUVIAN = "members_pe"
    MEMBERS_VENEZUELAN = "members_ve"
    MEMBERS_OTHER = "members_other"
    FOCUS = "focus"
    PHONE = "phone"
    BOARD_ROLE = "board_role"
    BOARD_NAME = "board_name"
    BOARD_DOCUMENT_TYPE = "board_doc_type"
    BOARD_DOCUMENT_NUMBER = "board_doc_number"
    BOARD_MORE = "board_more"
    TERM_START = "term_start"
    TERM_END = "term_end"
    SUMMARY = "summary"


ORDER = list(Step)
# Steps after which a correction made from the summary card goes back to the card.
LAST_OF_GROUP = {
    Step.NAME, Step.KIND, Step.DISTRICT, Step.ADDRESS, Step.FOUNDED, Step.MEMBERS_OTHER,
    Step.FOCUS, Step.PHONE, Step.BOARD_MORE, Step.TERM_END,
}
# What "edit a field" on the summary card jumps to.
EDITABLE_FIELDS = {
    "name": Step.NAME,
    "kind": Step.KIND,
    "district": Step.DISTRICT,
    "address": Step.ADDRESS,
    "founded": Step.FOUNDED,
    "members": Step.MEMBERS_PERUVIAN,
    "focus": Step.FOCUS,
    "phone": Step.PHONE,
    "board": Step.BOARD_ROLE,
    "term": Step.TERM_START,
}

ADD_ANOTHER_MEMBER = "add"
BOARD_COMPLETE = "done"
FOCUS_COMPLETE = "done"


class RegistrationError(InvalidInput):
    """Something about the draft as a whole that the leader must fix."""


@dataclass(frozen=True)
class BoardEntry:
    role: BoardRole
    full_name: str
    document_type: IdDocumentType
    id_number_encrypted: str


@dataclass(frozen=True)
class OrganizationDetails:
    """The answers so far, typed, for the summary card."""

    name: str | None
    kind: OrganizationKind | None
    district_ubigeo: str | None
    address: str | None
    founded: PartialDate | None
    members_peruvian: int | None
    members_venezuelan: int | None
    members_other: int | None
    focus_areas: list[FocusArea]
    phone: str | None
    board: list[BoardEntry]
    term_start: date | None
    term_end: date | None

    @property
    def members_total(self) -> int:
        return sum(n or 0 for n in (self.members_peruvian, self.members_venezuelan, self.members_other))


def view(draft: RegistrationDraft) -> OrganizationDetails:
    a = draft.answers
    founded = a.get("founded")
    return OrganizationDetails(
        name=a.get("name"),
        kind=OrganizationKind(a["kind"]) if "kind" in a else None,
        district_ubigeo=a.get("district"),
        address=a.get("address"),
        founded=PartialDate(**founded) if founded else None,
        members_peruvian=a.get("members_pe"),
        members_venezuelan=a.get("members_ve"),
        members_other=a.get("members_other"),
        focus_areas=[FocusArea(code) for code in a.get("focus", [])],
        phone=a.get("phone"),
        board=[_board_entry(entry) for entry in a.get("board", [])],
        term_start=date.fromisoformat(a["term_start"]) if "term_start" in a else None,
        term_end=date.fromisoformat(a["term_end"]) if "term_end" in a else None,
    )


def _board_entry(entry: dict[str, Any]) -> BoardEntry:
    return BoardEntry(
        role=BoardRole(entry["role"]),
        full_name=entry["full_name"],
        document_type=IdDocumentType(entry["document_type"]),
        id_number_encrypted=entry["id_number"],
    )


async def find_draft(session: AsyncSession, *, user: User) -> RegistrationDraft | None:
    return await session.get(RegistrationDraft, user.id)


async def start_draft(session: AsyncSession, *, user: User, now: datetime) -> RegistrationDraft:
    """A fresh draft, replacing any unfinished one."""
    draft = await session.get(RegistrationDraft, user.id)
    if draft is None:
        draft = RegistrationDraft(user_id=user.id, created_at=now)
        session.add(draft)
    draft.step = Step.NAME
    draft.answers = {}
    draft.returning_to_summary = False
    draft.updated_at = now
    return draft


def _store(draft: RegistrationDraft, now: datetime, **values: Any) -> None:
    # A new dict, so that SQLAlchemy sees the JSON column change.
    draft.answers = {**draft.answers, **values}
    draft.updated_at = now


def _advance(draft: RegistrationDraft, step: Step) -> Step:
    if draft.returning_to_summary and step in LAST_OF_GROUP:
        following = Step.SUMMARY
    else:
        following = ORDER[ORDER.index(step) + 1]
    draft.step = following
    if following is Step.SUMMARY:
        draft.returning_to_summary = False
    return following


async def answer(
    session: AsyncSession,
    *,
    draft: RegistrationDraft,
    value: str,
    today: date,
    now: datetime,
    cipher: IdNumberCipher,
) -> Step:
    """Validate the answer to the draft's current step, save it, and move to the next step.

    `value` is what the person typed, or the code behind the button they pressed.
    Raises InvalidInput (nothing is saved) when the answer cannot be used.
    """
    step = Step(draft.step)
    if step is Step.NAME:
        _store(draft, now, name=parse_text(value, field_max=NAME_MAX, min_length=3))
    elif step is Step.KIND:
        _store(draft, now, kind=_choice(OrganizationKind, value))
    elif step is Step.DISTRICT:
        if district_by_ubigeo(value) is None:
            raise InvalidInput(N_("Choose the district with one of the buttons, or type part of its name."))
        _store(draft, now, district=value)
    elif step is Step.ADDRESS:
        _store(draft, now, address=parse_text(value, field_max=ADDRESS_MAX, min_length=3))
    elif step is Step.FOUNDED:
        founded = parse_past_date(value, today=today)
        _store(draft, now, founded={"year": founded.year, "month": founded.month, "day": founded.day})
    elif step in (Step.MEMBERS_PERUVIAN, Step.MEMBERS_VENEZUELAN, Step.MEMBERS_OTHER):
        _store(draft, now, **{step.value: parse_count(value)})
        if step is Step.MEMBERS_OTHER and view(draft).members_total == 0:
            raise RegistrationError(N_("An organization needs at least one member. Send the number of members again."))
    elif step is Step.FOCUS:
        if value != FOCUS_COMPLETE:
            raise InvalidInput(N_("Tap the areas your organization works on, then tap Done."))
        if not draft.answers.get("focus"):
            raise InvalidInput(N_("Choose at least one area, then tap Done."))
    elif step is Step.PHONE:
        _store(draft, now, phone=parse_phone(value))
    elif step is Step.BOARD_ROLE:
        _store(draft, now, pending_member={"role": _choice(BoardRole, value)})
    elif step is Step.BOARD_NAME:
        name = parse_text(value, field_max=PERSON_NAME_MAX, min_length=3)
        _store(draft, now, pending_member={**draft.answers.get("pending_member", {}), "full_name": name})
    elif step is Step.BOARD_DOCUMENT_TYPE:
        document_type = _choice(IdDocumentType, value)
        _store(draft, now, pending_member={**draft.answers.get("pending_member", {}), "document_type": document_type})
    elif step is Step.BOARD_DOCUMENT_NUMBER:
        pending = dict(draft.answers.get("pending_member", {}))
        number = normalize_id_number(IdDocumentType(pending["document_type"]), value)
        pending["id_number"] = cipher.encrypt(number)
        board = [*draft.answers.get("board", []), pending]
        _store(draft, now, board=board, pending_member={})
    elif step is Step.BOARD_MORE:
        if value == ADD_ANOTHER_MEMBER:
            if len(draft.answers.get("board", [])) >= BOARD_MAX:
                raise InvalidInput(BOARD_FULL, maximum=BOARD_MAX)
            draft.step = Step.BOARD_ROLE
            draft.updated_at = now
            return Step.BOARD_ROLE
        if value != BOARD_COMPLETE:
            raise InvalidInput(N_("Tap one of the buttons: add another member, or that is the whole board."))
    elif step is Step.TERM_START:
        start = parse_date(value)
        check_term_start(start, today=today)
        _store(draft, now, term_start=start.isoformat())
    elif step is Step.TERM_END:
        end = parse_date(value)
        check_term_dates(date.fromisoformat(draft.answers["term_start"]), end)
        _store(draft, now, term_end=end.isoformat())
    else:
        raise InvalidInput(N_("Check the summary, then tap Confirm or Edit a field."))
    return _advance(draft, step)


def _choice(enum: type[StrEnum], value: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise InvalidInput(N_("Choose one of the options with the buttons.")) from None


async def toggle_focus(session: AsyncSession, *, draft: RegistrationDraft, area: str, now: datetime) -> list[FocusArea]:
    chosen = list(draft.answers.get("focus", []))
    code = _choice(FocusArea, area)
    chosen.remove(code) if code in chosen else chosen.append(code)
    _store(draft, now, focus=chosen)
    return [FocusArea(c) for c in chosen]


async def remove_board_member(session: AsyncSession, *, draft: RegistrationDraft, index: int, now: datetime) -> None:
    board = list(draft.answers.get("board", []))
    if 0 <= index < len(board):
        board.pop(index)
        _store(draft, now, board=board)


async def edit_field(session: AsyncSession, *, draft: RegistrationDraft, field: str, now: datetime) -> Step:
    """Jump from the summary card to one field; answering it returns to the card."""
    step = EDITABLE_FIELDS.get(field)
    if step is None:
        raise InvalidInput(N_("Choose one of the options with the buttons."))
    draft.step = step
    draft.returning_to_summary = True
    draft.updated_at = now
    return step


async def back_to_summary(session: AsyncSession, *, draft: RegistrationDraft, now: datetime) -> Step:
    draft.step = Step.SUMMARY
    draft.returning_to_summary = False
    draft.updated_at = now
    return Step.SUMMARY


async def submit(session: AsyncSession, *, draft: RegistrationDraft, user: User, now: datetime) -> Organization:
    """Turn a complete draft into an organization pending staff verification; the person who
    registered it becomes its owner and acts for it."""
    answers = view(draft)
    missing = [step for step, value in _required(answers) if value in (None, [], "")]
    if missing:
        draft.step = missing[0]
        raise RegistrationError(N_("Some answers are missing. Let us complete them."))
    assert answers.founded and answers.term_start and answers.term_end and answers.kind
    organization = Organization(
        name=answers.name,
        kind=answers.kind,
        district_ubigeo=answers.district_ubigeo,
        address=answers.address,
        founded_year=answers.founded.year,
        founded_month=answers.founded.month,
        founded_day=answers.founded.day,
        members_peruvian=answers.members_peruvian,
        members_venezuelan=answers.members_venezuelan,
        members_other=answers.members_other,
        focus_areas=[area.value for area in answers.focus_areas],
        contact_phone=answers.phone,
        board_term_start=answers.term_start,
        board_term_end=answers.term_end,
        status=VerificationStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    organization.board = [
        BoardMember(
            position=position,
            role=entry.role,
            full_name=entry.full_name,
            id_document_type=entry.document_type.value,
            id_number_encrypted=entry.id_number_encrypted,
        )
        for position, entry in enumerate(answers.board)
    ]
    session.add(organization)
    await session.flush()
    await session.execute(update(Leadership).where(Leadership.user_id == user.id).values(acting=False))
    session.add(Leadership(user_id=user.id, organization_id=organization.id, role=LeaderRole.OWNER, joined_at=now, acting=True))
    await session.delete(draft)
    # Staff hear of a new registration as they hear of a new report or proposal.
    district = district_by_ubigeo(organization.district_ubigeo)
    await notices.tell_staff(
        session, about="organization.registered", now=now,
        says=[notices.line(N_("🆕 %(organization)s (%(district)s) registered in Voces and waits for verification."),
                           organization=organization.name, district=district.name if district else organization.district_ubigeo)],
        choices=[[notices.choice(f"org:view:{organization.id}", N_("📂 Open"))]])
    return organization


def _required(answers: OrganizationDetails) -> list[tuple[Step, object]]:
    return [
        (Step.NAME, answers.name),
        (Step.KIND, answers.kind),
        (Step.DISTRICT, answers.district_ubigeo),
        (Step.ADDRESS, answers.address),
        (Step.FOUNDED, answers.founded),
        (Step.MEMBERS_PERUVIAN, answers.members_peruvian),
        (Step.MEMBERS_VENEZUELAN, answers.members_venezuelan),
        (Step.MEMBERS_OTHER, answers.members_other),
        (Step.FOCUS, answers.focus_areas),
        (Step.PHONE, answers.phone),
        (Step.BOARD_ROLE, answers.board),
        (Step.TERM_START, answers.term_start),
        (Step.TERM_END, answers.term_end),
    ]
