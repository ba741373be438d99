"""What every update passes before a feature sees it, and how old buttons are answered.

- The consent gate (group -5, right after the gatekeeper learns who is talking): whatever needs
  consent — a command, a button from any message however old, a flow step, a file — reaches
  the features only from someone who has consented now. Everyone else gets the consent prompt
  and nothing of what they sent is kept. A new flow gets this without doing anything.
- `end_flows_of`: withdrawing consent or erasing ends every flow of the person, in PTB's memory
  and in the database, and drops PTB's user and chat data for them.
- `StaleButton` (defined in handlers/common.py, which needs nothing of this module): a button
  handler that finds its callback data unknown, or its record gone, raises it; the error
  handler answers every such press the same way (a short alert and the current card of its
  area, or /help), so no old or forged button goes unanswered or crashes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ConversationHandler, TypeHandler

from bot.core.i18n import N_
from bot.core.validation import parse_id
from bot.people.models import Role
from handlers.commands import english_name
from handlers.common import StaleButton, answer_button, keyboard
from handlers.context import VocesApplication, VocesContext

log = logging.getLogger(__name__)

# What someone who has not consented (or withdrew) may still do: read, decide, choose the
# language, see and erase what little is kept, and leave.
# /trainings only reads the public schedule.
COMMANDS_WITHOUT_CONSENT = frozenset({"start", "help", "language", "mydata", "deletedata", "cancel", "trainings",
                                      "verify"})
# Browsing the calendar is reading it too; enrolling needs consent.
BUTTONS_WITHOUT_CONSENT = ("consent:", "lang:", "privacy:", "tr:list:", "tr:open:")

CONSENT_FIRST = N_("To use this you first need to accept how Voces looks after your data.")
BUTTON_GONE = N_("This button is no longer active.")


def _command_of(update: Update) -> str | None:
    message = update.effective_message
    text = message.text if message is not None and message.text else None
    if not text or not text.startswith("/"):
        return None
    return english_name(text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower())


def passes_without_consent(update: Update) -> bool:
    if update.callback_query is not None:
        return (update.callback_query.data or "").startswith(BUTTONS_WITHOUT_CONSENT)
    return _command_of(update) in COMMANDS_WITHOUT_CONSENT


async def consent_gate(update: Update, context: VocesContext) -> None:
    person = context.person
    # Programme staff act for the programme (ADMIN_IDS grants it, and takes it back): the
    # notice is for the people the programme serves. Everyone else passes only with consent.
    if person is None or person.role is Role.STAFF or person.has_consented or passes_without_consent(update):
        return
    _ = context.gettext
    try:
        await answer_button(update, context, _(CONSENT_FIRST), alert=True)
    except TelegramError:
        log.info("could not answer a button press of user %s", person.id)
    if update.effective_chat is not None:

        await context.bot.send_message(
            update.effective_chat.id,
            _(CONSENT_FIRST),
            reply_markup=keyboard([[(_("Read the data notice"), "consent:show")]]),
        )
    raise ApplicationHandlerStop


def end_flows_of(application: VocesApplication, telegram_id: int) -> None:
    """End every flow this person is in, in PTB's memory (the database rows go with the
    domain's own forgetting), and drop PTB's user and chat data for them."""
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler):
                for key in [key for key in handler._conversations if telegram_id in key]:  # noqa: SLF001 - PTB offers no public way
                    handler._update_state(ConversationHandler.END, key)  # noqa: SLF001
    application.drop_user_data(telegram_id)
    application.drop_chat_data(telegram_id)  # a private chat's id is the person's id


# --- old and forged buttons ------------------------------------------------------------------------


def button_number(value: str | None, *, minimum: int = 1) -> int:
    """A number a button carries (an id, a page, a position), read by `bot.core.validation.parse_id`
    in every area: one out of what the database holds, or not a number, is a forged button."""
    number = parse_id(value, minimum=minimum)
    if number is None:
        raise StaleButton(value)
    return number


def button_part(data: str | None, position: int) -> int:
    """The number at `position` of callback data split at its colons (`bc:aud:12` → 12 at 2)."""
    parts = (data or "").split(":")
    return button_number(parts[position] if -len(parts) <= position < len(parts) else None)


CurrentCard = Callable[[Update, VocesContext], Awaitable[object]]
CURRENT_CARDS: dict[str, CurrentCard] = {}
# What an area without a card of its own shows: /help, which handlers/people/onboarding.py registers.
OTHER_AREAS = "*"


def shows_current_card(area: str) -> Callable[[CurrentCard], CurrentCard]:
    """Register what an old button of `area` (the callback data's prefix) shows instead."""

    def register(card: CurrentCard) -> CurrentCard:
        CURRENT_CARDS[area] = card
        return card

    return register


async def answer_stale_button(update: Update, context: VocesContext) -> None:
    """A short alert, then the area's current card (or help), so the person can go on."""
    query = update.callback_query
    if query is None:
        return
    try:
        answered_here = await answer_button(update, context, context.gettext(BUTTON_GONE), alert=True)
    except TelegramError:
        log.info("could not answer an old button press")
        answered_here = True
    if not answered_here and update.effective_chat is not None:
        # The feature acknowledged the press before finding it stale: say it in the chat.
        await context.bot.send_message(update.effective_chat.id, context.gettext(BUTTON_GONE))
    area = (query.data or "").split(":", 1)[0]
    card = CURRENT_CARDS.get(area) or CURRENT_CARDS[OTHER_AREAS]
    await card(update, context)


def register(application: VocesApplication) -> None:
    application.add_handler(TypeHandler(Update, consent_gate), group=-5)
