"""The data rights people exercise in the bot: see what is kept, erase it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import conversations, people


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
    return PersonSummary(
        telegram_id=person.telegram_id,
        display_name=person.display_name,
        language=person.language,
        consent_at=person.consent_at if person.has_consented else None,
        first_seen=person.first_seen,
    )


async def erase_person(session: AsyncSession, *, telegram_id: int, now: datetime) -> None:
    """Erase a person and what is theirs alone. The row itself goes too: the next message
    starts from first contact again."""
    person = await people.get_by_telegram_id(session, telegram_id)
    if person is None:
        return
    await conversations.forget_person_steps(session, telegram_id=telegram_id)
    await session.delete(person)
