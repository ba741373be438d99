"""What every part of /ruos shares: its errors, the steps its conversation waits for and the
draft that keeps them, and who may see and change an organization's checklist.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.organizations import organizations
from bot.organizations.models import Leadership, Organization
from bot.people.models import Role, User
from bot.ruos.models import ChecklistDraft


class RuosError(InvalidInput):
    """What a leader or staff member asked of a checklist cannot be done (the message says why)."""


class StageChanged(RuosError, AlreadyDone):
    """Someone else moved the registration status meanwhile: the move asked for no longer fits."""

    def __init__(self) -> None:
        super().__init__(N_("The registration status has changed since. Here it is as it stands now."))


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


async def _leaders(session: AsyncSession, organization_id: int) -> list[User]:
    return [user for user, _role in await organizations.leaders_of(session, organization_id=organization_id)]


async def is_leader(session: AsyncSession, *, user_id: int, organization_id: int) -> bool:
    return await session.get(Leadership, (user_id, organization_id)) is not None


# --- the draft a /ruos conversation keeps -----------------------------------------------------


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
    # Registros Públicos: the inscription, recorded with its last step (bot/ruos/public_registry.py).
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

