"""The data rights people exercise in the bot: see what is kept, erase it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.organizations import LeaderRole, Leadership, Organization, RegistrationDraft
from bot.services import conversations, organizations, people


@dataclass(frozen=True)
class PersonSummary:
    telegram_id: int
    display_name: str | None
    language: str
    consent_at: datetime | None
    first_seen: datetime
    organizations: list[str] = field(default_factory=list)
    drafts: int = 0


async def summarize_person(session: AsyncSession, *, telegram_id: int) -> PersonSummary:
    person = await people.get_by_telegram_id(session, telegram_id)
    assert person is not None, "the gatekeeper creates the person before any handler runs"
    led = await organizations.led_by(session, user=person)
    drafts = await session.scalar(select(func.count()).select_from(RegistrationDraft).where(RegistrationDraft.user_id == person.id))
    return PersonSummary(
        telegram_id=person.telegram_id,
        display_name=person.display_name,
        language=person.language,
        consent_at=person.consent_at if person.has_consented else None,
        first_seen=person.first_seen,
        organizations=[organization.name for organization, _role in led],
        drafts=drafts or 0,
    )


@dataclass(frozen=True)
class Erasure:
    """What erasing a person took with them, so the caller can remove stored files too."""

    organizations_erased: list[int]


async def erase_person(session: AsyncSession, *, telegram_id: int, now: datetime) -> Erasure:
    """Erase a person and what is theirs alone.

    Organizations they lead with nobody else go too (with their board, invitations, history,
    documents and projects, by cascade); where others lead with them, the longest-serving
    co-leader becomes owner. The person's row goes as well: their next message is a first
    contact. Training sessions they created stay, without their author (SET NULL).
    """
    person = await people.get_by_telegram_id(session, telegram_id)
    if person is None:
        return Erasure([])
    erased: list[int] = []
    for leadership in list(await session.scalars(select(Leadership).where(Leadership.user_id == person.id))):
        others = list(
            await session.scalars(
                select(Leadership)
                .where(Leadership.organization_id == leadership.organization_id, Leadership.user_id != person.id)
                .order_by(Leadership.joined_at)
            )
        )
        if not others:
            organization = await session.get(Organization, leadership.organization_id)
            if organization is not None:
                await session.delete(organization)
                erased.append(leadership.organization_id)
        elif leadership.role is LeaderRole.OWNER:
            others[0].role = LeaderRole.OWNER
    await conversations.forget_person_steps(session, telegram_id=telegram_id)
    await session.delete(person)
    return Erasure(erased)
