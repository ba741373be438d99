"""Registros Públicos: when staff verify the last step of an association's checklist, they are
offered to record its inscription (date, registry office, partida electrónica), three questions
in /ruos's conversation (bot/ruos/public_registry.py keeps the answers and the rules).

    ruos:rp:<org>    staff: record the inscription of this organization
"""

from __future__ import annotations

from telegram import Update

from bot.ruos import conversation as flow
from bot.ruos.models import RegistryInscription
from handlers.common import ask, error_text, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.ruos.common import FLOW, at, callback, finish, integer, question, user_id


async def offer(update: Update, context: VocesContext, organization_id: int, name: str) -> None:
    _ = context.gettext
    await reply(update, context, _("That was the last step of Registros Públicos for %(organization)s. Record its inscription now: the date, the registry office and the partida electrónica.") % {"organization": escape(name)},
                reply_markup=keyboard([[(_("📝 Record the inscription"), callback("rp", organization_id))]]))


async def start_recording(update: Update, context: VocesContext, args: list[str]) -> object:
    organization_id = integer(args[0])
    async with context.runtime.database.session() as session:
        turn = await flow.begin_inscription(session, user_id=user_id(context), organization_id=organization_id, at=at(context))
    return await render(update, context, turn)


async def render(update: Update, context: VocesContext, turn: flow.Turn) -> object:
    """The inscription's next question, or how it ended."""
    if turn.asks is not None:
        return await ask(update, context, flow=FLOW, step=turn.asks.value, text=question(context, turn))
    if turn.ended is not None:
        await reply(update, context, "⚠️ " + error_text(context, turn.ended))
    else:
        assert turn.inscription is not None
        await reply(update, context, recorded_text(context, turn.inscription))
    return await finish(update, context)


def recorded_text(context: VocesContext, inscription: RegistryInscription) -> str:
    return context.gettext("📜 Inscribed in Registros Públicos on %(date)s, %(office)s, partida electrónica %(partida)s.") % {
        "date": context.i18n.date(inscription.inscribed_on, "medium"), "office": escape(inscription.office),
        "partida": escape(inscription.partida)}
