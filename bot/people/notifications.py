"""What each person chose to receive (/settings, /stop), asked by broadcasts and reminders
right before they send.

Answers to a person's own messages are never held back: only what the bot sends on its own
(broadcasts, reminders) reads these choices.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts.models import MessageKind, NotificationSettings
from bot.core.i18n import N_
from bot.core.validation import InvalidInput
from bot.messaging import reminders
from bot.messaging.models import Reminder
from bot.messaging.reminders import QuietHours

# Reminder kinds start with their area (see the services that schedule them); a kind not
# listed here still stops with /stop, whatever it is about.
REMINDER_KINDS = {"ruos": MessageKind.RUOS, "training": MessageKind.TRAININGS, "report": MessageKind.REPORTS,
                  "project": MessageKind.REPORTS}


def reminder_kind(kind: str) -> MessageKind | None:
    for prefix, message_kind in REMINDER_KINDS.items():
        if kind.startswith(prefix):
            return message_kind
    return None


async def settings_of(session: AsyncSession, *, user_id: int) -> NotificationSettings | None:
    return await session.get(NotificationSettings, user_id)


async def _row(session: AsyncSession, *, user_id: int, now: datetime) -> NotificationSettings:
    row = await session.get(NotificationSettings, user_id, with_for_update=True)
    if row is None:
        row = NotificationSettings(user_id=user_id, muted=[], updated_at=now)
        session.add(row)
    row.updated_at = now
    return row


async def toggle_kind(session: AsyncSession, *, user_id: int, kind: MessageKind, now: datetime) -> bool:
    """Switch receiving `kind` on or off; returns True if it is received now."""
    row = await _row(session, user_id=user_id, now=now)
    muted = set(row.muted)
    muted.symmetric_difference_update({kind.value})
    row.muted = sorted(muted)  # a new list, so the JSON column is seen as changed
    return kind.value not in muted


async def set_quiet_hours(session: AsyncSession, *, user_id: int, start: time | None, end: time | None, now: datetime) -> None:
    """Own quiet hours (start == end: none at all); None for both: the programme's."""
    row = await _row(session, user_id=user_id, now=now)
    row.quiet_start, row.quiet_end = start, end


async def pause(session: AsyncSession, *, user_id: int, now: datetime) -> bool:
    """/stop; False if it was paused already."""
    row = await _row(session, user_id=user_id, now=now)
    if row.paused_at is not None:
        return False
    row.paused_at = now
    return True


async def resume(session: AsyncSession, *, user_id: int, now: datetime) -> bool:
    """/start after /stop; False if nothing was paused."""
    row = await session.get(NotificationSettings, user_id, with_for_update=True)
    if row is None or row.paused_at is None:
        return False
    row.paused_at, row.updated_at = None, now
    return True


async def wants(session: AsyncSession, *, user_id: int, kind: MessageKind | None) -> bool:
    """Whether the person receives messages of `kind` now (None: any non-essential message)."""
    row = await settings_of(session, user_id=user_id)
    if row is None:
        return True
    if kind is None:
        return row.paused_at is None
    return row.wants(kind)


def quiet_hours_for(row: NotificationSettings | None, programme: QuietHours) -> QuietHours:
    if row is None or row.quiet_start is None or row.quiet_end is None:
        return programme
    return QuietHours(row.quiet_start, row.quiet_end, programme.zone)


# --- answering a reminder that asks for something ------------------------------------------------


class ReminderGone(InvalidInput):
    """The reminder is not the person's, or no longer exists."""


async def reminder_done(session: AsyncSession, *, reminder_id: int, user_id: int) -> int:
    """"Done": the series this reminder belongs to stops (its key, and what was put off with
    "tomorrow"). Returns how many pending reminders were cancelled."""
    reminder = await _own_reminder(session, reminder_id=reminder_id, user_id=user_id)
    series = reminder.key.split(LATER_SEPARATOR, 1)[0]
    cancelled = int(await reminders.cancel(session, key=series))
    cancelled += await reminders.cancel_prefix(session, prefix=series + LATER_SEPARATOR)
    return cancelled


async def remind_tomorrow(session: AsyncSession, *, reminder_id: int, user_id: int, now: datetime, quiet: QuietHours) -> datetime:
    """"Remind me tomorrow": the same reminder a day from now (after quiet hours)."""
    reminder = await _own_reminder(session, reminder_id=reminder_id, user_id=user_id)
    series = reminder.key.split(LATER_SEPARATOR, 1)[0]
    due = quiet.next_allowed(now + timedelta(days=1))
    await reminders.schedule(
        session, key=f"{series}{LATER_SEPARATOR}{due.date().isoformat()}", recipient_id=user_id, kind=reminder.kind,
        payload=reminder.payload, due_at=due, replace=True,
    )
    return due


LATER_SEPARATOR = ":later:"
GONE = N_("This reminder is no longer active.")


async def _own_reminder(session: AsyncSession, *, reminder_id: int, user_id: int) -> Reminder:
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None or reminder.recipient_id != user_id:
        raise ReminderGone(GONE)
    return reminder
