"""Delivering reminders through Telegram: the periodic job, and one renderer per kind.

Features register a renderer for each reminder kind they schedule. A renderer looks at the
matter again when the reminder is due and returns the message, or None when there is nothing
left to remind (the document was uploaded, the person left the session): then nothing is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.messaging import notices
from bot.messaging import reminders as engine
from bot.messaging.models import Reminder
from bot.messaging.reminders import DeliveryOutcome
from bot.people import notifications
from bot.people.models import Role
from handlers.context import VocesApplication
from handlers.messaging import reminder_answers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


Renderer = Callable[[Reminder, Translator, Runtime], Awaitable[Rendered | None]]
RENDERERS: dict[str, Renderer] = {}


def renders(kind: str) -> Callable[[Renderer], Renderer]:
    def register(renderer: Renderer) -> Renderer:
        RENDERERS[kind] = renderer
        return renderer

    return register


def deliverer(application: VocesApplication) -> Callable[[Reminder], Awaitable[DeliveryOutcome]]:
    runtime = application.runtime

    async def deliver(reminder: Reminder) -> DeliveryOutcome:
        recipient = reminder.recipient
        if not recipient.reachable:
            return DeliveryOutcome.RECIPIENT_UNREACHABLE
        if not recipient.has_consented and recipient.role is not Role.STAFF:
            # Withdrawing consent stops every message: nothing is said until they come back.
            log.info("reminder %s (%s) not sent: the recipient withdrew consent", reminder.id, reminder.kind)
            return DeliveryOutcome.SENT
        if await _held_by_settings(runtime, reminder):
            return DeliveryOutcome.SENT  # nothing went out; a reminder moved past quiet hours is pending again
        renderer = RENDERERS.get(reminder.kind)
        if renderer is None:
            log.error("no renderer for reminder kind %s (id %s): not sent", reminder.kind, reminder.id)
            return DeliveryOutcome.SENT
        try:
            rendered = await renderer(reminder, runtime.translator(recipient.language), runtime)
        except Exception:
            # Nothing went out yet (the database failed while the message was being put
            # together, say): the engine tries again later, a bounded number of times.
            log.warning("could not render reminder %s (%s); it will be retried", reminder.id, reminder.kind, exc_info=True)
            return DeliveryOutcome.RETRY_LATER
        if rendered is None:
            log.info("reminder %s (%s) no longer applies", reminder.id, reminder.kind)
            return DeliveryOutcome.SENT
        try:
            # A reminder that asks for something carries "done" and "remind me tomorrow".
            markup = reminder_answers.with_answers(reminder, rendered.reply_markup, runtime.translator(recipient.language))
            await application.bot.send_message(recipient.telegram_id, rendered.text, reply_markup=markup)
        except Forbidden:
            return DeliveryOutcome.RECIPIENT_UNREACHABLE
        except TimedOut:
            raise  # it may have gone out: the engine marks it uncertain rather than repeat it
        except BadRequest as error:
            # Telegram refused this message (BadRequest is a NetworkError in PTB): sending it
            # again would be refused again.
            log.error("Telegram refused reminder %s (%s): %s", reminder.id, reminder.kind, error.message)
            return DeliveryOutcome.REFUSED
        except (RetryAfter, NetworkError):
            return DeliveryOutcome.RETRY_LATER
        return DeliveryOutcome.SENT

    return deliver


async def _held_by_settings(runtime: Runtime, reminder: Reminder) -> bool:
    """The person's /settings: paused (/stop) or this kind switched off, nothing is sent; in
    their own quiet hours, the reminder waits for their morning."""
    async with runtime.database.session() as session:
        choices = await notifications.settings_of(session, user_id=reminder.recipient_id)
        if choices is None:
            return False
        kind = notifications.reminder_kind(reminder.kind)
        # A notice kept for the morning is held by quiet hours only, as it would have gone out at once.
        if reminder.kind != notices.KIND and (choices.paused_at is not None or (kind is not None and not choices.wants(kind))):
            log.info("reminder %s (%s) not sent: its recipient paused or switched off such messages", reminder.id, reminder.kind)
            return True
        now = runtime.clock.now()
        quiet = notifications.quiet_hours_for(choices, runtime.reminders.quiet_hours)
        if reminder.urgent or not quiet.contains(now):
            return False
        await engine.schedule(
            session, key=reminder.key, recipient_id=reminder.recipient_id, kind=reminder.kind, payload=reminder.payload,
            due_at=quiet.next_allowed(now), replace=True, clock=runtime.clock,
        )
        log.info("reminder %s (%s) waits for the end of its recipient's quiet hours", reminder.id, reminder.kind)
        return True


async def run_due_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.application.runtime.reminders.run_due()  # type: ignore[attr-defined]


async def start_engine(application: VocesApplication) -> None:
    """Settle what the last run left, then claim due reminders every few seconds."""
    engine = application.runtime.reminders
    engine.set_deliverer(deliverer(application))
    report = await engine.recover_on_start()
    log.info("reminders after restart: %s uncertain, %s dropped", report.uncertain, report.dropped)
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        run_due_reminders,
        interval=application.runtime.settings.reminder_interval_seconds,
        first=1,
        name="reminders",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )


@renders(notices.KIND)
async def render_notice(reminder: Reminder, _i18n: Translator, _runtime: Runtime) -> Rendered:
    """A notice kept through quiet hours: written, with its buttons, when it happened."""
    markup = reminder.payload.get("markup")
    return Rendered(reminder.payload["text"], InlineKeyboardMarkup.de_json(markup, None) if markup else None)
