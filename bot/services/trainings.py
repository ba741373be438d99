"""Training sessions: which ones people can still attend.

Enrollment, the waitlist, calendar files, check-in, certificates and topic votes build on this.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.trainings import TrainingSession


async def upcoming_sessions(session: AsyncSession, *, now: datetime, limit: int = 10) -> list[TrainingSession]:
    """Sessions not cancelled that have not started yet, soonest first."""
    query = (
        select(TrainingSession)
        .where(TrainingSession.cancelled_at.is_(None), TrainingSession.starts_at > now)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(limit)
    )
    return list(await session.scalars(query))
