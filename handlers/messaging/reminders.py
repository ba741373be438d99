"""Delivering reminders and notices through Telegram: the periodic job, and the deliverer that
renders each one's screen (built in the domain, bot/messaging/reminder_screens.py) as a message
with its inline keyboard (handlers/screens.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.core.textlimits import split_message
from bot.messaging import reminder_screens
from bot.messaging.models import Reminder
from bot.messaging.reminders import DeliveryOutcome
from handlers import screens
from handlers.context import VocesApplication

log = logging.getLogger(__name__)


def deliverer(application: VocesApplication) -> Callable[[Reminder], Awaitable[DeliveryOutcome]]:
    """Telegram's deliverer (bot.messaging.channels.Deliverer): the reminder's screen in the
    recipient's language, sent to their chat."""
    runtime = application.runtime

    async def deliver(reminder: Reminder) -> DeliveryOutcome:
        recipient = reminder.recipient
        i18n = runtime.translator(recipient.language)
        try:
            shown = await reminder_screens.build(reminder, i18n, runtime)
        except reminder_screens.UnknownKind:
            log.error("no screen for reminder kind %s (id %s): not sent", reminder.kind, reminder.id)
            return DeliveryOutcome.SENT
        except Exception:
            # Nothing went out yet (the database failed while the message was being put
            # together, say): the engine tries again later, a bounded number of times.
            log.warning("could not render reminder %s (%s); it will be retried", reminder.id, reminder.kind, exc_info=True)
            return DeliveryOutcome.RETRY_LATER
        if shown is None:
            log.info("reminder %s (%s) no longer applies", reminder.id, reminder.kind)
            return DeliveryOutcome.SENT
        # A reminder that asks for something carries "done" and "remind me tomorrow".
        text, markup = screens.render(reminder_screens.with_answers(reminder, shown, i18n))
        # A text too long for one message (a notice with a card or a help) goes in several, the
        # buttons on the last; once one part went out, a failure may not repeat it (uncertain).
        *first, last = split_message(text)
        try:
            for number, part in enumerate([*first, last]):
                try:
                    await application.bot.send_message(recipient.telegram_id, part, reply_markup=markup if number == len(first) else None)
                except TelegramError:
                    if number:
                        raise RuntimeError("a later part of a long message failed") from None
                    raise
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


async def start_engine(application: VocesApplication) -> None:
    """Telegram's deliverer beside the other channels', then what the bot sends on its own
    started (once per process, whichever channel starts first: bot.messaging.running)."""
    application.runtime.channels.add("telegram", deliverer(application))
    await application.runtime.outgoing.start()
