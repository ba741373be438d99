"""Registros Públicos (SUNARP): the outcome of the formalization's first procedure. When staff
verify the last step of an association's checklist, they record its inscription: the day, the
registry office and the partida electrónica number as it appears on the registry's record
(checked for shape, kept as typed). The organization's card shows it and the figures count it
(bot/console/figures/public_registry.py).

The three answers are asked in /ruos's conversation, kept in the staff member's
`ChecklistDraft` (steps `Step.INSCRIBED_ON`, `REGISTRY_OFFICE`, `PARTIDA`), so nothing typed is
lost; the inscription is written once (a second tap, or another staff member first, is
`AlreadyDone`).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, clean_text, parse_date, parse_text
from bot.people.authority import require_staff
from bot.people.models import User
from bot.ruos import RuosError, Step
from bot.ruos.models import ChecklistDraft, ChecklistItem, ItemStatus, RegistryInscription
from bot.ruos.requirements import RequirementsCatalogue

PROCEDURE = "sunarp-asociacion"
STEPS = (Step.INSCRIBED_ON, Step.REGISTRY_OFFICE, Step.PARTIDA)
OFFICE_MAX = 80
PARTIDA_MAX = 32
ALREADY_RECORDED = N_("The inscription of %(name)s is already recorded. Nothing was changed.")
# "11223344", "N° 11223344", "P.E. 11223344", "Partida 11 223 344": 8 to 11 digits, as SUNARP numbers them.
_PREFIX = re.compile(r"^(partida( electr[oó]nica)?|p\.?\s?e\.?|n[°ºo]\.?)\s*", re.IGNORECASE)
_NUMBER = re.compile(r"^[0-9][0-9 .\-]*$")


def parse_partida(text: str) -> str:
    """The partida electrónica number as typed (cleaned), if it has the shape of one."""
    typed = clean_text(text)
    number = _PREFIX.sub("", typed).strip()
    while _PREFIX.match(number) and number:  # "Partida N° 1122…"
        number = _PREFIX.sub("", number).strip()
    digits = re.sub(r"\D", "", number)
    if not _NUMBER.fullmatch(number) or not 8 <= len(digits) <= 11 or len(typed) > PARTIDA_MAX:
        raise InvalidInput(N_("That does not look like a partida electrónica number: it has 8 digits (sometimes up to 11), for example 11223344. Send it as it appears on the registry's record."))
    return typed


async def last_step_done(session: AsyncSession, *, catalogue: RequirementsCatalogue, organization_id: int) -> bool:
    """Every required step of the organization's Registros Públicos checklist is verified."""
    procedure = next((p for p in catalogue.formalization() if p.code == PROCEDURE), None)
    if procedure is None:
        return False
    verified = set(await session.scalars(
        select(ChecklistItem.item_code).where(ChecklistItem.organization_id == organization_id, ChecklistItem.procedure_code == PROCEDURE,
                                             ChecklistItem.status == ItemStatus.VERIFIED)
    ))
    return all(item.code in verified for item in procedure.items if item.required)


async def inscription_of(session: AsyncSession, organization_id: int) -> RegistryInscription | None:
    return await session.get(RegistryInscription, organization_id)


async def waits_for_inscription(session: AsyncSession, *, catalogue: RequirementsCatalogue, organization_id: int, procedure_code: str) -> bool:
    """After a verification: is it the last step of Registros Públicos, with no inscription yet?"""
    return (procedure_code == PROCEDURE and await inscription_of(session, organization_id) is None
            and await last_step_done(session, catalogue=catalogue, organization_id=organization_id))


async def start(session: AsyncSession, *, catalogue: RequirementsCatalogue, staff: User, organization_id: int, now: datetime) -> ChecklistDraft:
    """Staff begin recording the inscription: the first question is its date."""
    await require_staff(session, user_id=staff.id)
    organization = await audit.organization_in_scope(session, await audit.staff_viewer(session, user_id=staff.id), organization_id)
    if organization is None:
        raise RuosError(N_("That organization no longer exists."))
    if await inscription_of(session, organization_id) is not None:
        raise AlreadyDone(ALREADY_RECORDED, name=organization.name)
    if not await last_step_done(session, catalogue=catalogue, organization_id=organization_id):
        raise RuosError(N_("The inscription is recorded once every step of the Registros Públicos checklist is verified."))
    draft = await session.get(ChecklistDraft, staff.id)
    if draft is None:
        draft = ChecklistDraft(user_id=staff.id)
        session.add(draft)
    draft.organization_id, draft.step, draft.answers, draft.updated_at = organization_id, Step.INSCRIBED_ON, {}, now
    draft.procedure_code, draft.item_code, draft.checklist_item_id, draft.checklist_item_revision = PROCEDURE, None, None, None
    await session.flush()
    return draft


async def answer(session: AsyncSession, *, staff: User, draft: ChecklistDraft, text: str, today: date, now: datetime) -> RegistryInscription | None:
    """One answer: the next question is the draft's step, or the inscription once recorded.
    A bad answer raises InvalidInput and the draft stays at the same question."""
    await require_staff(session, user_id=staff.id)
    step = Step(draft.step)
    if step is Step.INSCRIBED_ON:
        day = parse_date(text)
        if day > today:
            raise RuosError(N_("That date is in the future. Send the day the association was inscribed, for example 18/11/2026."))
        draft.answers, draft.step = {**draft.answers, "date": day.isoformat()}, Step.REGISTRY_OFFICE
    elif step is Step.REGISTRY_OFFICE:
        office = parse_text(text, field_max=OFFICE_MAX, min_length=2)
        draft.answers, draft.step = {**draft.answers, "office": office}, Step.PARTIDA
    else:
        return await _record(session, staff=staff, draft=draft, partida=parse_partida(text), now=now)
    draft.updated_at = now
    await session.flush()
    return None


async def _record(session: AsyncSession, *, staff: User, draft: ChecklistDraft, partida: str, now: datetime) -> RegistryInscription:
    organization_id = draft.organization_id
    inscription = RegistryInscription(organization_id=organization_id, inscribed_on=date.fromisoformat(draft.answers["date"]),
                                      office=draft.answers["office"], partida=partida, recorded_at=now, recorded_by_id=staff.id)
    try:
        async with session.begin_nested():  # another staff member recorded it a moment ago: once only
            session.add(inscription)
    except IntegrityError:
        await session.delete(draft)
        raise AlreadyDone(N_("The inscription was recorded a moment ago by someone else. Nothing was changed.")) from None
    await session.delete(draft)
    audit.record(session, staff.id, "registry.inscribed", now=now, organization_id=organization_id)
    await session.flush()
    return inscription
