"""Registros Públicos: when staff verify the last step of an association's checklist, they are
offered to record its inscription (date, registry office, partida electrónica), three questions
in /ruos's conversation (bot/ruos/public_registry.py keeps the answers and the rules).

    ruos:rp:<org>    staff: record the inscription of this organization
"""

from __future__ import annotations

from telegram import Update

from bot.ruos import conversation as flow
from bot.ruos import screens as shown
from bot.ruos.models import RegistryInscription
from handlers.common import error_text
from handlers.context import VocesContext
from handlers.ruos.common import ask_screen, at, finish, integer, question, user_id
from handlers.show import say


async def offer(update: Update, context: VocesContext, organization_id: int, name: str) -> None:
    await say(update, context, shown.inscription_offer(context.i18n, organization_id, name))


async def start_recording(update: Update, context: VocesContext, args: list[str]) -> object:
    organization_id = integer(args[0])
    async with context.runtime.database.session() as session:
        turn = await flow.begin_inscription(session, user_id=user_id(context), organization_id=organization_id, at=at(context))
    return await render(update, context, turn)


async def render(update: Update, context: VocesContext, turn: flow.Turn) -> object:
    """The inscription's next question, or how it ended."""
    if turn.asks is not None:
        return await ask_screen(update, context, turn.asks, question(context, turn))
    if turn.ended is not None:
        await say(update, context, shown.refused(error_text(context, turn.ended)))
    else:
        assert turn.inscription is not None
        await say(update, context, shown.inscription_recorded(context.i18n, turn.inscription))
    return await finish(update, context)


def recorded_text(context: VocesContext, inscription: RegistryInscription) -> str:
    """The inscription as a line (an organization's card and the console show it too)."""
    return shown.inscription_recorded(context.i18n, inscription).text
