"""The playground's broadcast: Luis has one scheduled for tomorrow morning to the leaders of
Callao, in Spanish and English, which he can open with /broadcast, preview, change or cancel."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts.models import Broadcast, BroadcastState, MessageKind
from bot.people.models import User

CALLAO = "070101"
TEXTS = {
    "es": "📣 El sábado a las 10:00 hay taller de liderazgo en la Municipalidad del Callao. ¡Te esperamos!",
    "en": "📣 Leadership workshop on Saturday at 10:00 at the Callao municipality. See you there!",
}


async def add_missing(session: AsyncSession, *, coordinator: User, now: datetime, zone: ZoneInfo) -> None:
    if await session.scalar(select(Broadcast.id).where(Broadcast.author_id == coordinator.id).limit(1)) is not None:
        return
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    session.add(Broadcast(
        author_id=coordinator.id, state=BroadcastState.SCHEDULED, kind=MessageKind.TRAININGS, texts=dict(TEXTS),
        audience={"leaders": ["yes"], "district": [CALLAO]}, buttons=[], created_at=now,
        send_at=datetime.combine(tomorrow, time(10, 0), tzinfo=zone),
    ))
