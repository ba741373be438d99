"""Small pieces every handler module uses: asking the next question durably, replying,
keyboards, and turning domain errors into the user's language."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import Forbidden, TelegramError
from telegram.ext import ConversationHandler, filters

from bot.i18n import N_
from bot.services import people
from handlers.context import VocesContext

END = ConversationHandler.END
State = TypeVar("State")
Callback = Callable[[Update, VocesContext], Awaitable[Any]]

escape = html.escape
log = logging.getLogger(__name__)

# Whatever a person can send that is not a typed answer: stickers, photos, files, voice notes,
# locations... A flow that waits for text answers these with the same question again.
NOT_TYPED = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL & ~filters.CONTACT
TYPE_IT = N_("I can only read typed text here. Please write your answer.")


def conversation_key(update: Update) -> tuple[int, int]:
    """The key PTB's ConversationHandler uses with its defaults (per chat and per user)."""
    assert update.effective_chat and update.effective_user
    return (update.effective_chat.id, update.effective_user.id)


async def remember_step(update: Update, context: VocesContext, flow: str, step: object | None) -> None:
    """Commit the step this person is at before the bot says anything more (see persistence)."""
    persistence = context.application.persistence
    if persistence is not None:
        await persistence.update_conversation(flow, conversation_key(update), step)


async def ask(
    update: Update,
    context: VocesContext,
    *,
    flow: str,
    step: State,
    text: str,
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> State:
    """Record the step, then ask its question. Returns the step for the ConversationHandler."""
    await remember_step(update, context, flow, step)
    await reply(update, context, text, reply_markup=reply_markup)
    return step


async def leave(update: Update, context: VocesContext, flow: str) -> int:
    await remember_step(update, context, flow, None)
    return END


async def reply(
    update: Update,
    context: VocesContext,
    text: str,
    *,
    reply_markup: Any = None,
) -> Message:
    """Send a message to the chat the update came from (a message or a button press)."""
    assert update.effective_chat
    return await context.bot.send_message(update.effective_chat.id, text, reply_markup=reply_markup)


async def edit_or_reply(update: Update, context: VocesContext, text: str, *, reply_markup: Any = None) -> None:
    """Replace the message whose button was pressed, so a chat does not fill with old menus."""
    query = update.callback_query
    if query is not None and query.message is not None and getattr(query.message, "text", None):
        if query.message.text_html == text and query.message.reply_markup == reply_markup:
            return  # Telegram refuses an edit that changes nothing
        await query.edit_message_text(text, reply_markup=reply_markup)
        return
    await reply(update, context, text, reply_markup=reply_markup)


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def error_text(context: VocesContext, error: Exception) -> str:
    """A domain error's message (an N_-marked msgid with %(name)s parameters), translated."""
    message = getattr(error, "message", None) or N_("That did not work. Please try again.")
    params = getattr(error, "params", None) or {}
    return context.gettext(message) % params if params else context.gettext(message)


def needs_consent(callback: Callback) -> Callback:
    """Features that keep personal data run only for people who accepted the notice."""

    @wraps(callback)
    async def guarded(update: Update, context: VocesContext) -> Any:
        if context.person is not None and context.person.has_consented:
            return await callback(update, context)
        _ = context.gettext
        await answer_button(update, context)
        await reply(
            update,
            context,
            _("To use this you first need to accept how Voces looks after your data."),
            reply_markup=keyboard([[(_("Read the data notice"), "consent:show")]]),
        )
        return END

    return guarded


async def answer_button(update: Update, context: VocesContext | None = None) -> None:
    """Acknowledge a button press at once: Telegram shows a spinner until we do.

    Telegram accepts one answer per press; a handler that hands over to another one that
    answers too must not fail for it, so the answer is remembered on the per-update context.
    """
    query = update.callback_query
    if query is None or (context is not None and context.button_answered):
        return
    await query.answer()
    if context is not None:
        context.button_answered = True


async def remember(update: Update, context: VocesContext, **values: Any) -> None:
    """Keep small flow details in user_data and commit them now, not at PTB's next flush."""
    assert context.user_data is not None and update.effective_user is not None
    for name, value in values.items():
        if value is None:
            context.user_data.pop(name, None)
        else:
            context.user_data[name] = value
    if context.application.persistence is not None:
        await context.application.persistence.update_user_data(update.effective_user.id, context.user_data)


async def notify(context: VocesContext, telegram_id: int, text: str, *, reply_markup: Any = None) -> None:
    """Tell someone other than the person writing; a blocked chat must not fail the action."""
    try:
        await context.bot.send_message(telegram_id, text, reply_markup=reply_markup)
    except Forbidden:
        async with context.runtime.database.session() as session:
            await people.mark_unreachable(session, telegram_id=telegram_id)
    except TelegramError:
        log.info("could not notify chat %s", telegram_id, exc_info=True)
