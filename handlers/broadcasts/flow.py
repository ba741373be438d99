"""/broadcast's one small flow of typed answers, and what its buttons share: which broadcast a
button names and who may use it, one change in its own unit of work, asking for a typed answer
and reading it. handlers/broadcasts/compose.py (texts, file, buttons, audience) and
handlers/broadcasts/release.py (preview, sending, scheduling, approval) both use these; neither
is imported here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.broadcasts import approval as broadcast_approval
from bot.broadcasts import broadcasts
from bot.broadcasts.models import EDITABLE, Broadcast
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people import authority
from handlers.common import answer_button, ask, error_text, remember, reply, say_already_done
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_part

FLOW = "broadcast"
TEXT, DISTRICT, FILE, BUTTONS, WHEN = "text", "district", "file", "buttons", "when"
ASKED_FROM = "broadcast_card_message"  # the card (or picker) whose button asked for a typed answer
Result = TypeVar("Result")


def person_id(context: VocesContext) -> int:
    assert context.person is not None
    return context.person.id


def data_parts(update: Update) -> list[str]:
    return (update.callback_query.data or "").split(":") if update.callback_query else []  # type: ignore[union-attr]


def button_broadcast_id(update: Update) -> int:
    return button_part(update.callback_query.data if update.callback_query else None, 2)


async def load(update: Update, context: VocesContext, *, to_change: bool = False) -> Broadcast:
    """The broadcast a button names, for a coordinator or staff member who may see it (its
    author, staff, a coordinator of every district it reaches); `to_change`: for its author or
    staff only (a step that changes it asks nobody else to type an answer)."""
    refused = None
    async with context.runtime.database.session() as session:
        if not await authority.is_coordinator(session, user_id=person_id(context)):
            raise StaleButton("bc")  # a role taken away since, or a forged button
        broadcast = await broadcasts.get(session, button_broadcast_id(update))
        if broadcast is not None and to_change and not await broadcasts.may_change(session, broadcast=broadcast, user_id=person_id(context)):
            refused = AlreadyDone(broadcasts.NOT_EDITABLE) if broadcast.state not in EDITABLE else authority.NotAllowed(authority.ONLY_AUTHOR)
        elif broadcast is not None and not await broadcast_approval.may_see(session, broadcast=broadcast, user_id=person_id(context)):
            refused = authority.NotAllowed(broadcast_approval.NOT_IN_YOUR_DISTRICTS)
    if broadcast is None:
        raise StaleButton(update.callback_query.data if update.callback_query else "")
    if refused is not None:  # an old card's button, or a forged one: said, and nothing asked
        await say_already_done(update, context, refused)
        raise ApplicationHandlerStop
    return broadcast


async def apply_change(
    update: Update, context: VocesContext, change: Callable[[AsyncSession], Awaitable[Result]]
) -> Result | None:
    """Run one change of the draft in its own unit of work; None, after a translated answer
    (an alert on a second tap), if it may not be made."""
    try:
        async with context.runtime.database.session() as session:
            return await change(session)
    except AlreadyDone as error:
        await say_already_done(update, context, error)
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
    return None


async def ask_typed(update: Update, context: VocesContext, step: str, text: str) -> str:
    """A button that asks for one typed answer about its broadcast: remember which one, then ask."""
    await answer_button(update, context)
    broadcast = await load(update, context, to_change=True)
    await remember(update, context, broadcast_id=broadcast.id, **{ASKED_FROM: pressed_message(update)})
    return await ask(update, context, flow=FLOW, step=step, text=text)


def pressed_message(update: Update) -> int | None:
    """The id of the message whose button was pressed (None for a typed command)."""
    query = update.callback_query
    return query.message.message_id if query is not None and query.message is not None else None


async def retire_asked_card(update: Update, context: VocesContext) -> None:
    """Once the card is shown again below a typed answer, take away the one the question was
    asked from, so cards do not pile up in the chat and the current one is the last. A message
    Telegram no longer lets the bot delete (older than two days) is left: its buttons are
    checked at press time like any old card's."""
    assert context.user_data is not None and update.effective_chat is not None
    message_id = context.user_data.get(ASKED_FROM)
    await remember(update, context, **{ASKED_FROM: None})
    if message_id is not None:
        try:
            await context.bot.delete_message(update.effective_chat.id, message_id)
        except TelegramError:
            pass


def asked_about(context: VocesContext) -> int | None:
    """The broadcast a typed answer is for: the one remembered when it was asked (None when
    there is none any more; the flow is then left)."""
    assert context.user_data is not None
    return context.user_data.get("broadcast_id")


async def read_typed(update: Update, context: VocesContext, parse: Callable[[str], Result]) -> Result | None:
    """What parse makes of the typed text; None, after saying why, when it cannot be read."""
    assert update.effective_message is not None
    try:
        return parse(update.effective_message.text or "")
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return None
