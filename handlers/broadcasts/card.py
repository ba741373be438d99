"""/broadcast's card on Telegram: its figures and names read for the person looking
(bot/broadcasts/composing.card), the screen built by bot/broadcasts/screens.card_screen (what
it says, who it reaches and how many, the buttons the person may use), rendered here."""

from __future__ import annotations

from telegram import Update

from bot.broadcasts import composing
from bot.broadcasts import screens as shown
from bot.broadcasts.models import Broadcast
from handlers.context import VocesContext
from handlers.show import say


async def card_of(context: VocesContext, broadcast: Broadcast) -> composing.Card:
    """Its figures and names, read for the person looking (bot/broadcasts/composing.card)."""
    async with context.runtime.database.session() as session:
        return await composing.card(session, broadcast=broadcast, user_id=context.person.id,  # type: ignore[union-attr]
                                    language=context.i18n.language)


async def show_card(update: Update, context: VocesContext, broadcast: Broadcast, *, edit: bool = True,
                    card: composing.Card | None = None, with_decision: bool = False) -> None:
    card = card or await card_of(context, broadcast)
    await say(update, context, shown.card_screen(context.i18n, card, default_language=context.runtime.settings.default_language,
                                                  with_decision=with_decision), edit=edit)
