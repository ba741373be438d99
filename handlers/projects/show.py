"""Showing the projects' screens (bot/projects/screens.py, report_screens.py) on Telegram: the
text and its buttons through handlers/screens.render, then the screen's files (the report PDF)."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.core.screens import Screen
from handlers import screens
from handlers.common import edit_or_reply, reply
from handlers.context import VocesContext
from handlers.messaging.reminders import Rendered


async def say(update: Update, context: VocesContext, shown: Screen, *, edit: bool = False) -> None:
    """The screen as a new message (`edit`: in place of the one whose button was pressed), then
    its files; none when it is only files."""
    if shown.text:
        text, markup = screens.render(shown)
        if edit:
            await edit_or_reply(update, context, text, reply_markup=markup)
        else:
            await reply(update, context, text, reply_markup=markup)
    assert update.effective_chat is not None
    for file in shown.files:
        assert file.data is not None  # the projects' files are made on the spot
        await context.bot.send_document(update.effective_chat.id, InputFile(file.data, filename=file.name),
                                        caption=file.caption or None)


def rendered(shown: Screen) -> Rendered:
    """A screen told by the reminders engine (no files)."""
    text, markup = screens.render(shown)
    return Rendered(text, markup)  # type: ignore[arg-type]
