"""The buttons under reminders that ask for something (bot.messaging.reminder_screens.with_answers):
"✅ Done" stops that series of reminders, "⏰ Remind me tomorrow" puts this one off by a day."""

from __future__ import annotations

from telegram import Update

from bot.core.validation import InvalidInput
from bot.people import notifications
from handlers.common import ButtonTable, answer_button, area_buttons, error_text, reply
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_number


def _reminder_id(update: Update) -> int:
    data = update.callback_query.data if update.callback_query else ""
    return button_number((data or "").rsplit(":", 1)[-1])


async def done(update: Update, context: VocesContext) -> None:
    reminder_id = _reminder_id(update)
    assert context.person is not None
    try:
        async with context.runtime.database.session() as session:
            await notifications.reminder_done(session, reminder_id=reminder_id, user_id=context.person.id)
    except InvalidInput as error:
        raise StaleButton(error_text(context, error)) from error
    await answer_button(update, context)
    await reply(update, context, context.gettext("✅ Noted: I will not remind you of this again."))


async def later(update: Update, context: VocesContext) -> None:
    reminder_id = _reminder_id(update)
    assert context.person is not None
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            due = await notifications.remind_tomorrow(session, reminder_id=reminder_id, user_id=context.person.id,
                                                      now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    except InvalidInput as error:
        raise StaleButton(error_text(context, error)) from error
    await answer_button(update, context)
    await reply(update, context, context.gettext("⏰ I will remind you again on %(when)s.") % {
        "when": context.i18n.datetime(due, "short")})


# rem:done:<reminder>, rem:later:<reminder>
REM: ButtonTable = {"done": (r"\d+", done), "later": (r"\d+", later)}


def register(application) -> None:  # noqa: ANN001
    application.add_handler(area_buttons("rem", REM))
