"""Showing a domain screen on Telegram (bot/core/screens.py): the text and its buttons through
handlers/screens.render, then the screen's files (documents as documents, images as photos).
Every area renders through here (the people area keeps its own say/replace, whose /mydata sends
its files itself)."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.core.screens import Screen
from handlers import screens
from handlers.common import edit_or_reply, reply, send_charts
from handlers.context import VocesContext

IMAGES = frozenset({"image/png", "image/jpeg"})


async def say(update: Update, context: VocesContext, shown: Screen, *, edit: bool = False) -> None:
    """The screen as a new message (none when it is only files), then its files; `edit`: in
    place of the message whose button was pressed."""
    if edit:
        await replace(update, context, shown)
        return
    if shown.text:
        text, markup = screens.render(shown)
        await reply(update, context, text, reply_markup=markup)
    await send_files(update, context, shown)


async def replace(update: Update, context: VocesContext, shown: Screen) -> None:
    """The screen in place of the message whose button was pressed (else a new message)."""
    text, markup = screens.render(shown)
    await edit_or_reply(update, context, text, reply_markup=markup)
    await send_files(update, context, shown)


async def send_files(update: Update, context: VocesContext, shown: Screen) -> None:
    """Documents (the .ics, a certificate, an XLSX) as documents; images (a chart) as photos."""
    images = []
    for file in shown.files:
        assert file.data is not None  # the trainings' files are made on the spot
        if file.mime in IMAGES:
            images.append((file.data, file.caption))
            continue
        await context.bot.send_document(update.effective_chat.id, InputFile(file.data, filename=file.name),  # type: ignore[union-attr]
                                        caption=file.caption or None)
    if images:
        await send_charts(update, context, images)
