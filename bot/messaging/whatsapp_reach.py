"""Meta's messaging limit on WhatsApp: how many different people the business may reach
outside their 24-hour window (with a template) in any moving 24 hours. 250 for a new business
portfolio, then 2 000, 10 000, 100 000 (WHATSAPP_DAILY_LIMIT). People inside their window do
not count.

Kept in the database (`WhatsAppReach`, one row per person with the start of their current
conversation), so a restart forgets nobody. A place is taken before the template goes out, in
one statement that inserts only while the count is under the limit (PostgreSQL also takes a
transaction lock first, so two senders never both take the last place).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messaging.whatsapp_models import WhatsAppReach

PERIOD = timedelta(hours=24)
_LOCK_KEY = 0x5743_0024  # any constant: PostgreSQL's advisory lock for the count


async def take_place(session: AsyncSession, *, user_id: int, now: datetime, limit: int) -> datetime | None:
    """Count this person among those reached now. None: done (or they already count, a
    conversation opened within 24 hours); else the limit is reached, and this is when the
    oldest conversation counted leaves the moving 24 hours and frees a place."""
    since = now - PERIOD
    opened = await session.scalar(select(WhatsAppReach.opened_at).where(WhatsAppReach.user_id == user_id))
    if opened is not None and opened > since:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counted = select(func.count()).select_from(WhatsAppReach).where(WhatsAppReach.opened_at > since).scalar_subquery()
    statement = insert(WhatsAppReach).from_select(
        ["user_id", "opened_at"], select(literal(user_id), literal(now, WhatsAppReach.opened_at.type)).where(counted < limit),
    )
    statement = statement.on_conflict_do_update(index_elements=["user_id"], set_={"opened_at": statement.excluded.opened_at})
    done = await session.execute(statement)
    if done.rowcount:  # type: ignore[attr-defined]
        return None
    oldest = await session.scalar(select(func.min(WhatsAppReach.opened_at)).where(WhatsAppReach.opened_at > since))
    return (oldest or now) + PERIOD


async def give_back(session: AsyncSession, *, user_id: int, opened_at: datetime) -> None:
    """The template taken a place for did not go out: the place is free again."""
    await session.execute(delete(WhatsAppReach).where(WhatsAppReach.user_id == user_id, WhatsAppReach.opened_at == opened_at))


async def reached(session: AsyncSession, *, now: datetime) -> int:
    """People reached outside their window in the last 24 hours."""
    return await session.scalar(select(func.count()).select_from(WhatsAppReach).where(WhatsAppReach.opened_at > now - PERIOD)) or 0
