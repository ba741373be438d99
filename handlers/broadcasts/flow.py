"""/broadcast's one small flow of typed answers, and what its buttons share: which broadcast a
button names and who may use it (bot/broadcasts/composing.viewable decides), one change in its
own unit of work, asking for a typed answer. The steps and their checks are the domain's
(bot/broadcasts/composing.py); what stays here is the chat's own: which message a question was
asked from, so the card posted again below the answer can take its place.
handlers/broadcasts/compose.py (texts, file, buttons, audience) and
handlers/broadcasts/release.py (preview, sending, scheduling, approval) both use these; neither
is imported here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.broadcasts import composing
from bot.broadcasts.models import Broadcast
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people.labels import LANGUAGE_IN_A_SENTENCE
from handlers.common import answer_button, error_text, remember, reply, say_already_done
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_part

FLOW = "broadcast"
TEXT, DISTRICT, FILE, BUTTONS, WHEN = composing.TEXT, composing.DISTRICT, composing.FILE, composing.BUTTONS, composing.WHEN
ASKED_FROM = "broadcast_card_message"  # the card (or picker) whose button asked for a typed answer
# What versions before the domain kept the question left in user data (read by `asked`).
OLD_BROADCAST, OLD_LANGUAGE = "broadcast_id", "broadcast_language"
Result = TypeVar("Result")


def person_id(context: VocesContext) -> int:
    assert context.person is not None
    return context.person.id


def data_parts(update: Update) -> list[str]:
    return (update.callback_query.data or "").split(":") if update.callback_query else []  # type: ignore[union-attr]


def button_broadcast_id(update: Update) -> int:
    return button_part(update.callback_query.data if update.callback_query else None, 2)


async def load(update: Update, context: VocesContext, *, to_change: bool = False) -> Broadcast:
    """The broadcast a button names, for whoever may see it (`to_change`: change it); an old
    card's button, or a forged one, is said to be refused and nothing is asked."""
    broadcast_id = button_broadcast_id(update)
    try:
        async with context.runtime.database.session() as session:
            broadcast = await composing.viewable(session, user_id=person_id(context), broadcast_id=broadcast_id, to_change=to_change)
    except InvalidInput as refused:  # AlreadyDone, NotAllowed
        await say_already_done(update, context, refused)
        raise ApplicationHandlerStop from None
    if broadcast is None:
        raise StaleButton(update.callback_query.data if update.callback_query else "")
    return broadcast


async def apply_change(update: Update, context: VocesContext, change: Callable[[Any], Awaitable[Result]]) -> Result | None:
    """Run one domain change, given the update's session, in its own unit of work; None, after
    a translated answer (an alert on a second tap), if it may not be made."""
    try:
        async with context.runtime.database.session() as session:
            return await change(session)
    except AlreadyDone as error:
        await say_already_done(update, context, error)
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, problem_text(context, error))
    return None


async def ask_typed(update: Update, context: VocesContext, question: str, *, language: str | None = None) -> composing.Step:
    """A button that asks for one typed answer about its broadcast: the domain keeps which one
    and which question; the chat, the message it was asked from."""
    await answer_button(update, context)
    broadcast_id = button_broadcast_id(update)
    try:
        async with context.runtime.database.session() as session:
            step = await composing.ask(session, user_id=person_id(context), broadcast_id=broadcast_id, question=question,
                                       language=language, now=context.runtime.clock.now())
    except InvalidInput as refused:  # AlreadyDone, NotAllowed
        await say_already_done(update, context, refused)
        raise ApplicationHandlerStop from None
    if step is None:
        raise StaleButton(update.callback_query.data if update.callback_query else "")
    await remember(update, context, **{OLD_BROADCAST: None, OLD_LANGUAGE: None, ASKED_FROM: pressed_message(update)})
    return step


def asked(context: VocesContext) -> composing.Asked | None:
    """What an older version remembered of the question (None: nothing; the domain knows)."""
    data = context.user_data or {}
    return composing.Asked(data[OLD_BROADCAST], data.get(OLD_LANGUAGE)) if data.get(OLD_BROADCAST) else None


async def forget_old_question(update: Update, context: VocesContext) -> None:
    """An older version's record of the question, once the answer has used it."""
    if context.user_data and (OLD_BROADCAST in context.user_data or OLD_LANGUAGE in context.user_data):
        await remember(update, context, **{OLD_BROADCAST: None, OLD_LANGUAGE: None})


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
    await remember(update, context, **{ASKED_FROM: None, OLD_BROADCAST: None, OLD_LANGUAGE: None})
    if message_id is not None:
        try:
            await context.bot.delete_message(update.effective_chat.id, message_id)
        except TelegramError:
            pass


async def end_question(update: Update, context: VocesContext) -> None:
    """/cancel, or another command, while a question is asked: nothing is asked any more (the
    card it was asked from stays)."""
    async with context.runtime.database.session() as session:
        await composing.discard(session, user_id=person_id(context))
    await remember(update, context, **{ASKED_FROM: None, OLD_BROADCAST: None, OLD_LANGUAGE: None})


def problem_text(context: VocesContext, error: InvalidInput) -> str:
    """A refusal as the person reads it (the language a broadcast needs, named in theirs)."""
    if "%(language)s" in (error.message or "") and isinstance(error.params.get("language"), str):
        code = error.params["language"]
        if code in LANGUAGE_IN_A_SENTENCE:
            error.params = {**error.params, "language": context.gettext(LANGUAGE_IN_A_SENTENCE[code])}
    return error_text(context, error)
