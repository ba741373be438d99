"""Delivering reminders through Telegram: the periodic job, and one renderer per kind.

Features register a renderer for each reminder kind they schedule. A renderer looks at the
matter again when the reminder is due and returns the message, or None when there is nothing
left to remind (the document was uploaded, the person left the session): then nothing is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.textlimits import split_message
from bot.messaging import notices
from bot.messaging.models import Reminder
from bot.messaging.reminders import DeliveryOutcome
from bot.messaging.render import render
from handlers.common import keyboard
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


# Parts of a notice only the channel writes (bot.messaging.notices.part): its help, a card.
PartWriter = Callable[[Mapping[str, Any], Translator, Runtime], Awaitable[str]]
PARTS: dict[str, PartWriter] = {}


def writes_part(name: str) -> Callable[[PartWriter], PartWriter]:
    def register(writer: PartWriter) -> PartWriter:
        PARTS[name] = writer
        return writer

    return register


def deliverer(application: VocesApplication) -> Callable[[Reminder], Awaitable[DeliveryOutcome]]:
    """Telegram's deliverer (bot.messaging.channels.Deliverer): the reminder written by its
    kind's renderer in the recipient's language, sent to their chat."""
    runtime = application.runtime

    async def deliver(reminder: Reminder) -> DeliveryOutcome:
        recipient = reminder.recipient
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
        # A reminder that asks for something carries "done" and "remind me tomorrow".
        markup = reminder_answers.with_answers(reminder, rendered.reply_markup, runtime.translator(recipient.language))
        # A text too long for one message (a notice with a card or a help) goes in several, the
        # buttons on the last; once one part went out, a failure may not repeat it (uncertain).
        *first, last = split_message(rendered.text)
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


async def _with_runtime(writer: PartWriter, runtime: Runtime, args: Mapping[str, Any], i18n: Translator) -> str:
    return await writer(args, i18n, runtime)


@renders(notices.KIND)
async def render_notice(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered:
    """A notice from the outbox, written now in the recipient's language, its choices as buttons
    whose callback data are the choices' ids."""
    payload = reminder.payload
    if "says" not in payload:  # kept through quiet hours before the outbox: written back then
        markup = payload.get("markup")
        return Rendered(payload["text"], InlineKeyboardMarkup.de_json(markup, None) if markup else None)
    parts = {name: partial(_with_runtime, writer, runtime) for name, writer in PARTS.items()}
    screen = await render(payload, i18n, parts)
    return Rendered(screen.text, keyboard(screen.choices) if screen.choices else None)
