"""/settings: the language, which kinds of message a person receives, quiet hours; /stop
pauses everything the bot sends on its own (broadcasts, reminders) until /start.

Answers to what the person writes are never held back: these choices are read only by what
the bot sends unasked (handlers/broadcasts/delivery.py, handlers/messaging/reminders.py).
"""

from __future__ import annotations

from datetime import time

from telegram import Update
from telegram.ext import CommandHandler

from bot.broadcasts.models import MessageKind
from bot.people import notifications
from bot.people import screens as shown
from bot.people.screens import QUIET_CHOICES
from handlers.commands import command
from handlers.common import ButtonTable, answer_button, area_buttons
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.people.show import replace, say


def _who(context: VocesContext) -> int:
    assert context.person is not None
    return context.person.id


def programme_quiet_hours(context: VocesContext) -> tuple[time, time]:
    settings = context.runtime.settings
    return settings.quiet_hours_start, settings.quiet_hours_end


async def settings_card(update: Update, context: VocesContext, *, edit: bool) -> None:
    async with context.runtime.database.session() as session:
        row = await notifications.settings_of(session, user_id=_who(context))
    person = context.person
    assert person is not None
    card = shown.settings(context.i18n, row, language=person.language, programme=programme_quiet_hours(context))
    await (replace if edit else say)(update, context, card)


@shows_current_card("set")
async def show_settings(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await settings_card(update, context, edit=False)


async def toggle_kind(update: Update, context: VocesContext) -> None:
    value = (update.callback_query.data or "").rsplit(":", 1)[-1]  # type: ignore[union-attr]
    if value not in {kind.value for kind in MessageKind}:
        raise StaleButton(value)
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        await notifications.toggle_kind(session, user_id=_who(context), kind=MessageKind(value), now=context.runtime.clock.now())
    await settings_card(update, context, edit=True)


async def language(update: Update, context: VocesContext) -> None:
    """The language picker in place of the settings card, with a way back to it."""
    await answer_button(update, context)
    await replace(update, context, shown.language_picker(context.i18n, back=True))


async def back_to_settings(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await settings_card(update, context, edit=True)


async def quiet_menu(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await replace(update, context, shown.quiet_menu(context.i18n, programme=programme_quiet_hours(context)))


async def quiet_chosen(update: Update, context: VocesContext) -> None:
    code = (update.callback_query.data or "").rsplit(":", 1)[-1]  # type: ignore[union-attr]
    if code not in QUIET_CHOICES:
        raise StaleButton(code)
    await answer_button(update, context)
    hours = QUIET_CHOICES[code]
    async with context.runtime.database.session() as session:
        await notifications.set_quiet_hours(session, user_id=_who(context), start=hours[0] if hours else None,
                                            end=hours[1] if hours else None, now=context.runtime.clock.now())
    await settings_card(update, context, edit=True)


async def stop(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        newly = await notifications.pause(session, user_id=_who(context), now=context.runtime.clock.now())
    if update.callback_query is not None:
        await settings_card(update, context, edit=True)
    await say(update, context, shown.paused(context.i18n, newly=newly))


async def resume(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        await notifications.resume(session, user_id=_who(context), now=context.runtime.clock.now())
    await settings_card(update, context, edit=True)


async def start_resumes(update: Update, context: VocesContext) -> None:
    """/start after /stop: messages again. /start itself goes on to its own handler."""
    if context.person is None:
        return
    async with context.runtime.database.session() as session:
        resumed = await notifications.resume(session, user_id=context.person.id, now=context.runtime.clock.now())
        announcements = resumed and await notifications.wants(session, user_id=context.person.id, kind=MessageKind.ANNOUNCEMENTS)
    if resumed:  # announcements stay off if the person chose so in /settings
        await say(update, context, shown.resumed(context.i18n, announcements=announcements))


async def quiet(update: Update, context: VocesContext) -> None:
    """set:quiet opens the quiet hours' menu; set:quiet:<code> is a choice on it."""
    data = update.callback_query.data or ""  # type: ignore[union-attr]
    await (quiet_chosen if data.count(":") == 2 else quiet_menu)(update, context)


# set:kind:<kind>  set:lang  set:back  set:quiet[:<code>]  set:pause  set:resume
SET: ButtonTable = {
    "kind": (r"[a-z]+", toggle_kind),
    "lang": (None, language),
    "back": (None, back_to_settings),
    "quiet": (r"?[a-z0-9]+", quiet),
    "pause": (None, stop),
    "resume": (None, resume),
}


def register(application) -> None:  # noqa: ANN001
    # Before the features' group, which answers /start as always.
    application.add_handler(CommandHandler("start", start_resumes), group=-1)
    application.add_handlers([
        command("settings", show_settings),
        command("stop", stop),
        area_buttons("set", SET),
    ])
