"""Saved answers: short answers to common questions, one language each, that the team inserts
when answering; the most used are the "frequent questions" a leader sees before asking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.validation import parse_text
from bot.people.authority import require_coordinator
from bot.questions.models import QuestionMessage, SavedAnswer

TITLE_MAX = 60
FAQ_SIZE = 5


async def in_language(session: AsyncSession, *, language: str) -> list[SavedAnswer]:
    return list(await session.scalars(select(SavedAnswer).where(SavedAnswer.language == language)
                                      .order_by(SavedAnswer.uses.desc(), SavedAnswer.title)))


async def frequent(session: AsyncSession, *, language: str) -> list[SavedAnswer]:
    """The FAQ: the most used saved answers in the leader's language (used at least once)."""
    return list(await session.scalars(select(SavedAnswer).where(SavedAnswer.language == language, SavedAnswer.uses > 0)
                                      .order_by(SavedAnswer.uses.desc(), SavedAnswer.id).limit(FAQ_SIZE)))


async def get(session: AsyncSession, *, answer_id: int) -> SavedAnswer:
    found = await session.get(SavedAnswer, answer_id)
    if found is None:
        raise LookupError(answer_id)
    return found


async def used(session: AsyncSession, *, answer_id: int) -> None:
    await session.execute(update(SavedAnswer).where(SavedAnswer.id == answer_id).values(uses=SavedAnswer.uses + 1))


async def keep(session: AsyncSession, *, user_id: int, message_id: int, title: str, language: str, now: datetime) -> SavedAnswer:
    """Keep what the team wrote in a thread as a saved answer, under a short title."""
    await require_coordinator(session, user_id=user_id)
    words = parse_text(title, field_max=TITLE_MAX)
    message = await session.get(QuestionMessage, message_id)
    if message is None or not message.from_team or not message.text:
        raise LookupError(message_id)
    saved = SavedAnswer(language=language, title=words, text=message.text, uses=0, created_by_id=user_id, created_at=now)
    session.add(saved)
    await session.flush()
    return saved
