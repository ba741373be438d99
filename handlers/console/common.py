"""What every part of the console shares: who is using it (and the refusal when nobody may), and
a screen of the console (bot/console/screens.py) said in the chat."""

from __future__ import annotations

from telegram import Update

from bot.console import audit
from bot.console.audit import Viewer
from bot.core.screens import Screen
from bot.people.authority import NotAllowed
from handlers.common import (
    answer_button,
    edit_or_reply,
    error_text,
    reply,
)
from handlers.context import VocesContext
from handlers.screens import render


async def console_viewer(update: Update, context: VocesContext, session, *, staff_only: bool = False) -> Viewer | None:  # noqa: ANN001
    """Who is using the console, read now; a refusal in their language (and None) otherwise."""
    try:
        if staff_only:
            return await audit.staff_viewer(session, user_id=context.person.id)  # type: ignore[union-attr]
        return await audit.viewer(session, user_id=context.person.id)  # type: ignore[union-attr]
    except NotAllowed as error:
        await refuse(update, context, error)
        return None


async def refuse(update: Update, context: VocesContext, error: Exception) -> None:
    text = error_text(context, error)
    await answer_button(update, context, text, alert=True)
    await reply(update, context, text)


async def show(update: Update, context: VocesContext, screen: Screen, *, edit: bool = False) -> None:
    """A console screen below (or, `edit`, in place of the message whose button was pressed)."""
    text, markup = render(screen)
    if edit:
        await edit_or_reply(update, context, text, reply_markup=markup)
    else:
        await reply(update, context, text, reply_markup=markup)
