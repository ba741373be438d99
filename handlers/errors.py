"""The one error handler: log first with the update's context, then tell the person."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.people import people
from handlers.common import answer_button
from handlers.context import VocesContext
from handlers.guards import StaleButton, answer_stale_button

log = logging.getLogger("voces.errors")


async def on_error(update: object, context: VocesContext) -> None:
    error = context.error
    # What the failed update left uncommitted is not kept half-done (answers already
    # acknowledged were committed before the acknowledgement went out).
    await context.runtime.database.discard()
    if isinstance(error, StaleButton) and isinstance(update, Update):
        # An old or forged button: answered like every other one, and not a failure.
        await _speak_their_language(update, context)
        await answer_stale_button(update, context)
        return
    if isinstance(error, Forbidden):
        # 403: the person blocked the bot or deleted their account; stop writing to them.
        chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        log.info("person %s is unreachable: %s", await _person_id(update, context), error.message)
        if chat_id is not None:
            async with context.runtime.database.session() as session:
                await people.mark_unreachable(session, telegram_id=chat_id)
        return
    if isinstance(error, BadRequest):
        # Telegram refused what the bot sent (too long, a bad keyboard...): our bug, not the
        # network's. BadRequest is a NetworkError in PTB, so it is told apart first.
        log.error(
            "Telegram refused a request while handling update %s (person %s): %s",
            update.update_id if isinstance(update, Update) else None,
            await _person_id(update, context),
            error.message,
            exc_info=error,
        )
    elif isinstance(error, (RetryAfter, TimedOut, NetworkError)):
        # The rate limiter and PTB's polling already retried; this one ran out of retries.
        log.warning("Telegram could not be reached while handling update: %s", error)
    else:
        # Logs name people by our own id only: the database says who that is, to those
        # allowed to know, and a log that travels (to a chat, a ticket) says nothing more.
        log.error(
            "failed to handle update %s (person %s)",
            update.update_id if isinstance(update, Update) else None,
            await _person_id(update, context),
            exc_info=error,
        )
    if isinstance(update, Update) and update.effective_chat:
        await _speak_their_language(update, context)
        try:
            await answer_button(update, context)
        except Exception:  # noqa: BLE001 - the query may be too old; the message below still goes
            pass
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                context.gettext("Sorry, something failed on my side. What you entered so far is kept: try again in a moment, or send /cancel."),
            )
        except Exception:  # noqa: BLE001 - nothing more we can do; it is logged above
            log.warning("could not tell the user about the failure", exc_info=True)


async def _speak_their_language(update: Update, context: VocesContext) -> None:
    """PTB hands the error handler a fresh context: find the person's language again."""
    user = update.effective_user
    if user is None:
        return
    try:
        async with context.runtime.database.session() as session:
            person = await people.get_by_telegram_id(session, user.id)
    except Exception:  # noqa: BLE001 - the database may be what failed; Spanish is the default
        log.warning("could not read the person's language for the answer", exc_info=True)
        return
    if person is not None:
        context.person = person
        context.i18n = context.runtime.translator(person.language)


async def _person_id(update: object, context: VocesContext) -> int | None:
    """Who hit the failure, by internal id (PTB's fresh context no longer holds the person)."""
    user = update.effective_user if isinstance(update, Update) else None
    if user is None:
        return None
    try:
        async with context.runtime.database.session() as session:
            person = await people.get_by_telegram_id(session, user.id)
    except Exception:  # noqa: BLE001 - the database may be what failed; the log goes out anyway
        return None
    return person.id if person is not None else None
