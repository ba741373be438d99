"""What every part of the console shares: who is using it, and the refusal when nobody may."""

from __future__ import annotations

from telegram import Update

from bot.console import audit
from bot.console.audit import Viewer
from bot.people.authority import NotAllowed
from handlers.common import (
    answer_button,
    error_text,
    reply,
)
from handlers.context import VocesContext


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
