"""Meta's rules for a broadcast on WhatsApp (shared/reference/whatsapp.md), decided here; the
channel sends what is decided and reports the error codes Meta answers with.

- Inside the person's 24-hour window: the text, as on Telegram. Nothing below applies.
- Outside it, only an approved template, and a broadcast's is marketing (announcements,
  updates and invitations not tied to a transaction are, whatever their wording). Marketing
  goes only to people who opted in: who accepted the data notice on WhatsApp and have not
  switched announcements off in /settings (nor paused everything with /stop). The others are
  skipped, counted apart in the report.
- Each person reached outside the window counts against Meta's messaging limit, people in a
  moving 24 hours (`whatsapp_reach`, WHATSAPP_DAILY_LIMIT). Past it, recipients wait (still
  pending, not an attempt) until the oldest counted conversation leaves the 24 hours.
- What Meta answers: 131049 (its per-person marketing cap: "not delivered to maintain healthy
  ecosystem engagement") is not tried again for this broadcast (Meta: no sooner than 24 h) and
  is counted with its reason; 130429 (throughput), 80007 (account) and 131048 (spam rate) slow
  the channel's pace and try the person again shortly; 131056 (too many to this one person)
  tries them again after the pair rate's 6 seconds; 131026 (not on WhatsApp, old app, terms not
  accepted) marks them unreachable; 131047 (the window closed meanwhile) tries again, as a
  template then; 132001 / 132000 (no such template, wrong parameters) and other refusals fail
  with the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts.broadcasts import Recipient
from bot.broadcasts.models import (
    MARKETING_CAP,
    WAITING_FOR_DAILY_LIMIT,
    Broadcast,
    MessageKind,
    SkipReason,
)
from bot.core.config import Settings
from bot.core.screens import Screen
from bot.messaging import whatsapp_failures, whatsapp_reach, whatsapp_screens, window
from bot.messaging.broadcasting import Sent
from bot.messaging.reminders import DeliveryOutcome
from bot.messaging.whatsapp_failures import MARKETING_LIMIT, UNDELIVERABLE
from bot.people import notifications
from bot.people.models import User

MARKETING = "marketing"

THROUGHPUT = 130429
ACCOUNT_RATE = 80007
SPAM_RATE = 131048
PAIR_RATE = 131056
OUTSIDE_WINDOW = 131047

# Too fast for the number: slow the pace, and wait this long before sending again.
SLOW_DOWN = {THROUGHPUT: timedelta(seconds=1), ACCOUNT_RATE: timedelta(seconds=60), SPAM_RATE: timedelta(seconds=60)}
# Meta's pair rate: about one message every 6 seconds to the same person.
PAIR_WAIT = timedelta(seconds=6)
# Meta's side failed, or the window closed meanwhile: try again (it counts as an attempt).
TRY_AGAIN = frozenset({OUTSIDE_WINDOW, 0, 1, 2, 131000, 131016})
BAD_TOKEN = 190  # stop for a while (the channel alerts)


async def opted_in(session: AsyncSession, *, person: User) -> bool:
    """Whether marketing templates may go to the person: consent given on WhatsApp, and
    announcements neither switched off in /settings nor paused with /stop."""
    if person.consent_at is None or person.consent_withdrawn_at is not None:
        return False
    chosen = await notifications.settings_of(session, user_id=person.id)
    return chosen is None or chosen.wants(MessageKind.ANNOUNCEMENTS)


@dataclass(frozen=True)
class Planned:
    """A broadcast to send to a person on WhatsApp, as decided: the text (`SendNow`), the
    template (`SendTemplate`), or held (`Hold`, no template for it)."""

    person: User
    decision: window.Decision
    screen: Screen
    at: datetime  # when decided: a template's place in the daily limit was taken then


def broadcast_screen(broadcast: Broadcast, language: str) -> Screen:
    texts: dict[str, str] = broadcast.texts or {}
    return Screen(text=texts.get(language) or next(iter(texts.values()), ""))


def summary(text: str) -> str:
    """The first line of a message, without its markup: what a template says it is about."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return re.sub(r"<[^>]+>", "", first).strip()


class WhatsAppRules:
    """The broadcaster's rules for WhatsApp (`Broadcaster(rules={"whatsapp": …})`), applied in
    the transaction that claims each recipient: one trip to the database per message, which
    counts at 80 messages a second."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings  # read at each message: WHATSAPP_DAILY_LIMIT may change

    async def plan(self, session: AsyncSession, *, broadcast: Broadcast, recipient: Recipient, now: datetime) -> Planned | Sent:
        person = await session.get(User, recipient.user_id)
        if person is None:
            return Sent(DeliveryOutcome.RECIPIENT_UNREACHABLE)
        screen = broadcast_screen(broadcast, recipient.language)
        decided = await plan(session, person=person, now=now, daily_limit=self.settings.whatsapp_daily_limit,
                             message_ref=f"b{broadcast.id}", screen=screen,
                             parameters={"name": person.display_name or "", "summary": summary(screen.text)})
        return decided if isinstance(decided, Sent) else Planned(person, decided, screen, now)

    async def settle(self, session: AsyncSession, *, broadcast_id: int) -> None:
        # Meta's report that a message failed often comes before its delivery is recorded.
        await whatsapp_failures.settle(session, broadcast_id=broadcast_id)


async def plan(session: AsyncSession, *, person: User, now: datetime, daily_limit: int, message_ref: str,
               screen: Screen, parameters: dict[str, str]) -> window.Decision | Sent:
    """What to do with a broadcast for a person on WhatsApp: a `window.Decision` to send (the
    text, kept as the last screen she sees; or the template, its place in the daily limit
    taken), or the outcome of not sending it now (skipped, or waiting for the limit). In the
    caller's one transaction: at WhatsApp's 80 a second every round trip to the database counts."""
    decision = window.gate(channel=window.WHATSAPP, last_inbound=person.last_inbound_at, now=now,
                           kind=window.OutboundKind.BROADCAST, language=person.language, message_ref=message_ref,
                           parameters=parameters)
    if isinstance(decision, window.SendNow):
        await whatsapp_screens.remember_in_one_statement(session, user_id=person.id, screen=screen, now=now)
    if not isinstance(decision, window.SendTemplate):
        return decision
    if decision.category == MARKETING and not await opted_in(session, person=person):
        return Sent(DeliveryOutcome.REFUSED, skip=SkipReason.NO_WHATSAPP_OPT_IN)
    frees_at = await whatsapp_reach.take_place(session, user_id=person.id, now=now, limit=daily_limit)
    if frees_at is not None:
        return Sent(DeliveryOutcome.RETRY_LATER, WAITING_FOR_DAILY_LIMIT, not_before=frees_at)
    return decision


async def refused(session: AsyncSession, *, person: User, code: int, decision: window.Decision, decided_at: datetime,
                  now: datetime, message: str = "") -> Sent:
    """What Meta's error `code` means for this delivery (see the module's docstring). A
    template that did not go out gives its place in the daily limit back."""
    if isinstance(decision, window.SendTemplate):
        await whatsapp_reach.give_back(session, user_id=person.id, opened_at=decided_at)
    if code in SLOW_DOWN:
        return Sent(DeliveryOutcome.RETRY_LATER, f"too fast ({code})", not_before=now + SLOW_DOWN[code], slow_down=SLOW_DOWN[code])
    if code == PAIR_RATE:
        return Sent(DeliveryOutcome.RETRY_LATER, f"too many to this person ({code})", not_before=now + PAIR_WAIT)
    if code == MARKETING_LIMIT:
        return Sent(DeliveryOutcome.REFUSED, MARKETING_CAP)
    if code == UNDELIVERABLE:
        return Sent(DeliveryOutcome.RECIPIENT_UNREACHABLE)
    if code == BAD_TOKEN:
        return Sent(DeliveryOutcome.RETRY_LATER, f"WhatsApp {code}", not_before=now + SLOW_DOWN[SPAM_RATE],
                    slow_down=SLOW_DOWN[SPAM_RATE])
    if code in TRY_AGAIN or 500 <= code < 600:
        return Sent(DeliveryOutcome.RETRY_LATER, f"WhatsApp {code} {message}".strip()[:200])
    return Sent(DeliveryOutcome.REFUSED, f"WhatsApp {code} {message}".strip()[:200])
