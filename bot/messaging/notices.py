"""Notices: what the bot tells someone on its own because of what someone else did (a status
change, a review, a rating question, "verified", "approved"). They respect the recipient's
quiet hours, their own or the programme's, as broadcasts and reminders do: a notice that
arrives in quiet hours is put in the reminders engine's outbox, already written in the
recipient's language, and goes out when their quiet hours end. Urgent ones (a seat held for a
few hours, a session cancelled or moved) go at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.messaging import reminders
from bot.messaging.reminders import QuietHours
from bot.people import notifications
from bot.people.models import User

KIND = "notice"


async def hold_if_quiet(session: AsyncSession, *, telegram_id: int, text: str, markup: Mapping[str, Any] | None,
                        programme: QuietHours, clock: Clock) -> datetime | None:
    """If the recipient is in their quiet hours now, keep the notice for their morning and
    return when it goes out; None: send it now."""
    user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    if user_id is None:
        return None
    now = clock.now()
    quiet = notifications.quiet_hours_for(await notifications.settings_of(session, user_id=user_id), programme)
    if not quiet.contains(now):
        return None
    due = quiet.next_allowed(now)
    await reminders.schedule(session, key=f"{KIND}:{user_id}:{secrets.token_hex(8)}", recipient_id=user_id, kind=KIND,
                             due_at=due, payload={"text": text, "markup": dict(markup) if markup else None}, clock=clock)
    return due
