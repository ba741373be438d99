"""The one error handler: log first with the update's context, then tell the person."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.services import people
from handlers.context import VocesContext

log = logging.getLogger("voces.errors")


async def on_error(update: object, context: VocesContext) -> None:
    error = context.error
    # What the failed update left uncommitted is not kept half-done (answers already
    # acknowledged were committed before the acknowledgement went out).
    await context.runtime.database.discard()
    if isinstance(error, Forbidden):
        # 403: the person blocked the bot or deleted their account; stop writing to them.
        chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        log.info("chat %s is unreachable: %s", chat_id, error.message)
        if chat_id is not None:
            async with context.runtime.database.session() as session:
                await people.mark_unreachable(session, telegram_id=chat_id)
        return
    if isinstance(error, (RetryAfter, TimedOut, NetworkError)):
        # The rate limiter and PTB's polling already retried; this one ran out of retries.
        log.warning("Telegram could not be reached while handling update: %s", error)
    else:
        log.error(
            "failed to handle update %s (user %s, chat %s)",
            update.update_id if isinstance(update, Update) else None,
            update.effective_user.id if isinstance(update, Update) and update.effective_user else None,
            update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None,
            exc_info=error,
        )
    if isinstance(update, Update) and update.effective_chat:
        if update.callback_query and not context.button_answered:
            try:
                await update.callback_query.answer()
            except Exception:  # noqa: BLE001 - the query may be too old; the message below still goes
                pass
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                context.gettext("Sorry, something failed on my side. What you entered so far is kept: try again in a moment, or send /cancel."),
            )
        except Exception:  # noqa: BLE001 - nothing more we can do; it is logged above
            log.warning("could not tell the user about the failure", exc_info=True)
