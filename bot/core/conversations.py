"""Storage for the chat layer's conversation steps and scratch data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.conversation_models import ChannelUserData, ConversationStep


def encode_key(key: tuple[int | str, ...]) -> str:
    return json.dumps(list(key))


def decode_key(key: str) -> tuple[int | str, ...]:
    return tuple(json.loads(key))


async def load_steps(session: AsyncSession, *, flow: str) -> dict[tuple[int | str, ...], Any]:
    rows = await session.scalars(select(ConversationStep).where(ConversationStep.flow == flow))
    return {decode_key(row.key): row.step for row in rows}


async def save_step(
    session: AsyncSession, *, flow: str, key: tuple[int | str, ...], step: Any, now: datetime
) -> None:
    """Record the step (None: the flow ended) for one chat."""
    encoded = encode_key(key)
    if step is None:
        await session.execute(
            delete(ConversationStep).where(ConversationStep.flow == flow, ConversationStep.key == encoded)
        )
        return
    # One statement for the usual case (a step within a flow already under way).
    updated = await session.execute(
        update(ConversationStep)
        .where(ConversationStep.flow == flow, ConversationStep.key == encoded)
        .values(step=step, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ConversationStep(flow=flow, key=encoded, step=step, updated_at=now))


async def forget_person_steps(session: AsyncSession, *, telegram_id: int) -> None:
    """Drop every flow step of a person (data erasure)."""
    candidates = await session.scalars(select(ConversationStep).where(ConversationStep.key.contains(str(telegram_id))))
    for row in candidates:
        if telegram_id in decode_key(row.key):
            await session.delete(row)
    await session.execute(delete(ChannelUserData).where(ChannelUserData.user_id == telegram_id))


async def load_user_data(session: AsyncSession) -> dict[int, dict[str, Any]]:
    return {row.user_id: dict(row.data) for row in await session.scalars(select(ChannelUserData))}


async def save_user_data(session: AsyncSession, *, user_id: int, data: dict[str, Any]) -> None:
    row = await session.get(ChannelUserData, user_id)
    if row is None:
        session.add(ChannelUserData(user_id=user_id, data=data))
    else:
        row.data = data


async def drop_user_data(session: AsyncSession, *, user_id: int) -> None:
    await session.execute(delete(ChannelUserData).where(ChannelUserData.user_id == user_id))
