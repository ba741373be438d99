"""The reminders engine's deliverer: one per channel, chosen by the recipient's channel.

The engine (bot/messaging/reminders.py) hands every due reminder and notice to `Channels`, which does
what holds for every channel (nobody who withdrew consent is written to; /stop and the kinds
switched off in /settings hold reminders back; the recipient's own quiet hours move what is
not urgent to their morning) and then passes it to the deliverer of the recipient's channel
(`User.channel`). A channel adds its deliverer when it starts, without the domain knowing it:

    runtime.channels.add("whatsapp", WhatsAppDeliverer(...))
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.core.clock import Clock
from bot.core.db import Database
from bot.messaging import notices
from bot.messaging import reminders as engine
from bot.messaging.models import Reminder
from bot.messaging.reminders import DeliveryOutcome, QuietHours
from bot.people import notifications
from bot.people.models import Role
from bot.trainings import sessions as trainings

log = logging.getLogger(__name__)


class Deliverer(Protocol):
    """One channel's sending. It receives the reminder with `recipient` loaded, writes it in the
    recipient's language (a notice through bot.messaging.render) and returns what became of it;
    it raises only when it cannot tell whether the message went out (see ReminderEngine)."""

    async def __call__(self, reminder: Reminder) -> DeliveryOutcome: ...


class Channels:
    def __init__(self, database: Database, *, clock: Clock, quiet_hours: QuietHours) -> None:
        self._database = database
        self._clock = clock
        self._quiet_hours = quiet_hours
        self._deliverers: dict[str, Deliverer] = {}

    def add(self, channel: str, deliverer: Deliverer) -> None:
        self._deliverers[channel] = deliverer

    async def __call__(self, reminder: Reminder) -> DeliveryOutcome:
        recipient = reminder.recipient
        if not recipient.reachable:
            return DeliveryOutcome.RECIPIENT_UNREACHABLE
        if not recipient.has_consented and recipient.role is not Role.STAFF:
            # Withdrawing consent stops every message: nothing is said until they come back.
            log.info("reminder %s (%s) not sent: the recipient withdrew consent", reminder.id, reminder.kind)
            return DeliveryOutcome.SENT
        if await self._held_by_settings(reminder):
            return DeliveryOutcome.SENT  # nothing went out; a reminder moved past quiet hours is pending again
        deliverer = self._deliverers.get(recipient.channel)
        if deliverer is None:
            # The channel is not running in this process (yet): tried again, a bounded number of times.
            log.warning("reminder %s (%s): no deliverer for channel %s", reminder.id, reminder.kind, recipient.channel)
            return DeliveryOutcome.RETRY_LATER
        return await deliverer(reminder)

    async def _held_by_settings(self, reminder: Reminder) -> bool:
        """The person's /settings: paused (/stop) or this kind switched off, nothing is sent; in
        their own quiet hours, the reminder waits for their morning (a notice, also in the
        programme's, which the engine leaves to this check)."""
        async with self._database.session() as session:
            choices = await notifications.settings_of(session, user_id=reminder.recipient_id)
            if choices is None and reminder.kind != notices.KIND:
                return False  # the engine held it through the programme's quiet hours
            kind = notifications.reminder_kind(reminder.kind)
            # A notice (a seat offered is one) is held by quiet hours only: it is about
            # something that just happened.
            if choices is not None and reminder.kind not in (notices.KIND, trainings.OFFER_KIND) and (choices.paused_at is not None or (kind is not None and not choices.wants(kind))):
                log.info("reminder %s (%s) not sent: its recipient paused or switched off such messages", reminder.id, reminder.kind)
                return True
            now = self._clock.now()
            quiet = notifications.quiet_hours_for(choices, self._quiet_hours)
            if reminder.urgent or not quiet.contains(now):
                return False
            await engine.schedule(
                session, key=reminder.key, recipient_id=reminder.recipient_id, kind=reminder.kind, payload=reminder.payload,
                due_at=quiet.next_allowed(now), replace=True, clock=self._clock,
            )
            log.info("reminder %s (%s) waits for the end of its recipient's quiet hours", reminder.id, reminder.kind)
            return True
