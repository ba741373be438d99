"""What the bot starts on its own, on WhatsApp: notices and reminders (the deliverer that
bot.messaging.channels hands each due one to, for people whose channel is WhatsApp) and
broadcasts (a BroadcastChannel), each through the 24-hour window (bot.messaging.window.gate):
inside it, the message itself; outside, the kind's template, whose "Ver mensaje" button
(`wa:show:<id>`) brings the whole message (`show_held`); with no template, it waits.

What a reminder says is written once, as a screen, by its kind's builder in the domain
(bot/messaging/reminder_screens.py), whose choices carry the ids Telegram's buttons carry, so
the router answers them as on Telegram.
"""

from __future__ import annotations

import logging

from bot.broadcasts import broadcasts
from bot.broadcasts.models import Broadcast
from bot.core.db import DbSession
from bot.core.runtime import Runtime
from bot.core.screens import Screen
from bot.core.sendbudget import sending_bulk
from bot.messaging import marketing, reminder_screens, whatsapp_reach, window
from bot.messaging import reminders as messaging_reminders
from bot.messaging.broadcasting import Recipient, Sent, Tally
from bot.messaging.models import Reminder
from bot.messaging.reminders import DeliveryOutcome
from bot.people.models import User
from handlers.whatsapp.client import (
    AuthFailed,
    BackOff,
    BadRequest,
    OutsideWindow,
    Unavailable,
    Unreachable,
    WhatsAppApiError,
)
from handlers.whatsapp.outgoing import send_screen, send_shown
from handlers.whatsapp.ports import Sender
from handlers.whatsapp.render import template_message
from handlers.whatsapp.reply import Shown

log = logging.getLogger(__name__)

NOTICE_KINDS = frozenset({"notice"})


class WhatsAppDeliverer:
    """The deliverer for people on WhatsApp (`runtime.channels.add("whatsapp", …)`)."""

    def __init__(self, runtime: Runtime, sender: Sender) -> None:
        self.runtime = runtime
        self.sender = sender

    async def screen(self, reminder: Reminder) -> Screen | None:
        """The reminder's screen in the recipient's language (the domain's builder of its
        kind), or None when it no longer applies or no builder knows its kind. A reminder that
        asks for something carries "✅ Done" and "⏰ Remind me tomorrow", as on Telegram
        (handlers/whatsapp/reminder_answers.py answers them)."""
        i18n = self.runtime.translator(reminder.recipient.language)
        try:
            shown = await reminder_screens.build(reminder, i18n, self.runtime)
        except reminder_screens.UnknownKind:
            log.error("no screen for reminder kind %s (id %s): not sent", reminder.kind, reminder.id)
            return None
        return reminder_screens.with_answers(reminder, shown, i18n) if shown is not None else None

    async def __call__(self, reminder: Reminder) -> DeliveryOutcome:
        person = reminder.recipient
        try:
            shown = await self.screen(reminder)
        except Exception:
            log.warning("could not render reminder %s (%s); it will be retried", reminder.id, reminder.kind, exc_info=True)
            return DeliveryOutcome.RETRY_LATER
        if shown is None:
            return DeliveryOutcome.SENT
        kind = window.OutboundKind.NOTICE if reminder.kind in NOTICE_KINDS else window.OutboundKind.REMINDER
        return await deliver(self.runtime, self.sender, person=person, shown=shown, kind=kind, ref=str(reminder.id))


async def deliver(runtime: Runtime, sender: Sender, *, person: User, shown: Screen, kind: window.OutboundKind,
                  ref: str) -> DeliveryOutcome:
    """One message the bot starts, through the window: itself, its template, or held."""
    decision = window.gate(channel="whatsapp", last_inbound=person.last_inbound_at, now=runtime.clock.now(), kind=kind,
                           language=person.language, message_ref=ref,
                           parameters={"name": person.display_name or "", "summary": marketing.summary(shown.text)})
    try:
        if isinstance(decision, window.Hold):
            log.info("message %s for person %s held: %s", ref, person.id, decision.reason)
            # A reminder or notice waits, untouched, until the person writes (the worker then
            # has the engine release it); a broadcast is the broadcaster's to retry.
            return DeliveryOutcome.RETRY_LATER if kind is window.OutboundKind.BROADCAST else DeliveryOutcome.HELD
        if isinstance(decision, window.SendTemplate):
            # A template opens a conversation Meta counts against the daily limit of people
            # reached (a broadcast's place was taken when it was claimed): past it, the message
            # waits for the person as one with no template does.
            opened_at = runtime.clock.now()
            async with runtime.database.session() as session:
                full = await whatsapp_reach.take_place(session, user_id=person.id, now=opened_at,
                                                       limit=runtime.settings.whatsapp_daily_limit)
            if full is not None:
                log.info("message %s for person %s held: the daily limit of people reached is full", ref, person.id)
                return DeliveryOutcome.HELD
            address = person.wa_id or person.bsuid
            assert address is not None
            try:
                await sender.send(address, template_message(address, decision))
            except WhatsAppApiError:
                async with runtime.database.session() as session:  # not sent: the place is free again
                    await whatsapp_reach.give_back(session, user_id=person.id, opened_at=opened_at)
                raise
        else:
            await send_screen(runtime, sender, person=person, screen=shown)
    except Unreachable:
        return DeliveryOutcome.RECIPIENT_UNREACHABLE
    except (BackOff, Unavailable, OutsideWindow):
        return DeliveryOutcome.RETRY_LATER
    except BadRequest as error:
        log.error("WhatsApp refused message %s for person %s: %s", ref, person.id, error)
        return DeliveryOutcome.REFUSED
    return DeliveryOutcome.SENT


async def held_screen(session: DbSession, runtime: Runtime, *, person: User, ref: str) -> Screen | None:
    """The template's "Ver mensaje" pressed (`wa:show:<ref>`): the whole message, now that the
    window is open; None when there is nothing to show (gone, or someone else's). Read in the
    answer's own session (a second one would wait for its lock)."""
    if ref.startswith("b") and ref[1:].isdigit():
        broadcast = await broadcasts.sent_to(session, broadcast_id=int(ref[1:]), user_id=person.id)
        return broadcast_screen(broadcast, person.language) if broadcast is not None else None
    reminder = await messaging_reminders.get(session, int(ref)) if ref.isdigit() and len(ref) < 10 else None
    if reminder is None or reminder.recipient_id != person.id:
        return None
    return await WhatsAppDeliverer(runtime, None).screen(reminder)  # type: ignore[arg-type] - no sending here


broadcast_screen = marketing.broadcast_screen


class WhatsAppBroadcasts:
    """WhatsApp's side of broadcasts (bot.messaging.broadcasting.BroadcastChannel): what Meta's
    rules allow (bot.messaging.marketing decides: the text inside the window, else the marketing
    template to those who opted in, within the daily limit) goes out; Meta's refusals go back
    to the domain as their codes."""

    def __init__(self, runtime: Runtime, sender: Sender) -> None:
        self.runtime = runtime
        self.sender = sender

    async def send(self, broadcast: Broadcast, recipient: Recipient) -> Sent:
        now = self.runtime.clock.now()
        planned = recipient.plan
        if not isinstance(planned, marketing.Planned):  # decided in the claim's transaction, else here
            async with self.runtime.database.session() as session:
                planned = await marketing.WhatsAppRules(self.runtime.settings).plan(session, broadcast=broadcast,
                                                                                     recipient=recipient, now=now)
            if isinstance(planned, Sent):
                return planned
        person, decision = planned.person, planned.decision
        if isinstance(decision, window.Hold):
            log.info("broadcast %d for person %s held: %s", broadcast.id, person.id, decision.reason)
            return Sent(DeliveryOutcome.RETRY_LATER, decision.reason)
        address = person.wa_id or person.bsuid
        assert address is not None
        bulk = sending_bulk.set(True)  # people's answers go first in the number's 80 a second
        try:
            if isinstance(decision, window.SendTemplate):
                sent = [await self.sender.send(address, template_message(address, decision))]
            else:  # kept as her last screen by the rules
                sent = await send_shown(self.runtime, self.sender, to=address, shown=[Shown(planned.screen)],
                                        language=person.language)
        except WhatsAppApiError as error:
            if isinstance(error, AuthFailed):
                log.error("WhatsApp refused the token while sending broadcast %d: %s", broadcast.id, error)
            async with self.runtime.database.session() as session:
                return await marketing.refused(session, person=person, code=error.code, decision=decision,
                                               decided_at=planned.at, now=self.runtime.clock.now(), message=error.message)
        finally:
            sending_bulk.reset(bulk)
        return Sent(DeliveryOutcome.SENT, message_id=next((wamid for wamid in sent if wamid), None))

    async def report(self, author: User, tally: Tally, *, final: bool, replacing: int | None) -> int | None:
        return None  # authors write from Telegram, whose channel reports
