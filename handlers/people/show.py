"""Showing the people area's screens (bot/people/screens.py, rights_screens.py) on Telegram."""

from __future__ import annotations

from telegram import Update

from bot.core.screens import Screen
from handlers import screens
from handlers.commands import localized
from handlers.common import edit_or_reply, reply
from handlers.context import VocesContext


async def say(update: Update, context: VocesContext, shown: Screen) -> None:
    """The screen as a new message."""
    text, markup = screens.render(shown)
    await reply(update, context, text, reply_markup=markup)


async def replace(update: Update, context: VocesContext, shown: Screen) -> None:
    """The screen in place of the message whose button was pressed (else a new message)."""
    text, markup = screens.render(shown)
    await edit_or_reply(update, context, text, reply_markup=markup)


def command_names(language: str):  # noqa: ANN201 - bot.people.screens.CommandName
    """How a person of `language` types each command on Telegram (for /help's list)."""
    return lambda name: localized(name, language)
