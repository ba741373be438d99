"""The trainings' reminders as screens, built when one is due (bot/messaging/reminder_screens.py
delivers them on every channel): the 24 h and 1 h reminders, a held seat's offer and its
deadline, and the card a notice of a changed session carries (`training_card`).

Each builder reads the matter again and returns None when there is nothing left to remind (the
person left, the session was cancelled or moved, the seat was taken in time).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.screens import Screen
from bot.messaging.models import Reminder
from bot.trainings import screens, views
from bot.trainings import sessions as trainings


async def reminder(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    payload = reminder.payload
    async with runtime.database.session() as session:
        training = await trainings.reminder_still_due(
            session, session_id=payload["session_id"], user_id=reminder.recipient_id, starts_at=payload["starts_at"],
            now=runtime.clock.now(),
        )
    if training is None:
        return None  # they left, or it was cancelled or moved (the moved one has its own)
    return screens.reminder(i18n, training, before=payload["before"])


async def offer_expiry(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    """The claim deadline passed: the seat goes to the next in line, who is told at once."""
    async with runtime.database.session() as session:
        training = await views.expire_offer(session, session_id=reminder.payload["session_id"], user_id=reminder.recipient_id,
                                            now=runtime.clock.now(), claim=runtime.settings.training_claim)
    if training is None:
        return None  # taken or passed in time
    return screens.offer_expired(i18n, training)


async def offer(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    async with runtime.database.session() as session:
        held = await views.seat_held(session, session_id=reminder.payload["session_id"], user_id=reminder.recipient_id)
    return None if held is None else screens.offer(i18n, held.training, held.expires_at)


async def training_card(args: Mapping[str, Any], i18n: Translator, runtime: Runtime) -> str:
    """A session as it is now, for a notice that says it changed."""
    async with runtime.database.session() as session:
        training = await trainings.get_session(session, args["session_id"])
        topics = {topic.code: topic for topic in await trainings.topics(session)}
    assert training is not None
    return screens.session_text(i18n, training, topics)


SCREENS = {
    trainings.REMINDER_KIND: reminder,
    trainings.OFFER_EXPIRY_KIND: offer_expiry,
    trainings.OFFER_KIND: offer,
}
PARTS = {"training_card": training_card}
