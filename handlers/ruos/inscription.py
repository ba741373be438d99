"""Registros Públicos: when staff verify the last step of an association's checklist, they are
offered to record its inscription (date, registry office, partida electrónica), three questions
in /ruos's conversation (bot/ruos/public_registry.py keeps the answers and the rules).

    ruos:rp:<org>    staff: record the inscription of this organization
"""

from __future__ import annotations

from telegram import Update

from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people.authority import NotAllowed
from bot.ruos import RuosError, Step, public_registry
from bot.ruos.models import ChecklistDraft, RegistryInscription
from handlers.common import ask, error_text, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.ruos.common import FLOW, QUESTION, callback, current_person, finish, integer, today_of


async def offer(update: Update, context: VocesContext, organization_id: int, name: str) -> None:
    _ = context.gettext
    await reply(update, context, _("That was the last step of Registros Públicos for %(organization)s. Record its inscription now: the date, the registry office and the partida electrónica.") % {"organization": escape(name)},
                reply_markup=keyboard([[(_("📝 Record the inscription"), callback("rp", organization_id))]]))


async def start_recording(update: Update, context: VocesContext, args: list[str]) -> object:
    organization_id = integer(args[0])
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            draft = await public_registry.start(session, catalogue=runtime.requirements, staff=await current_person(session, context),
                                                organization_id=organization_id, now=runtime.clock.now())
    except (AlreadyDone, NotAllowed, RuosError) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await finish(update, context)
    return await ask(update, context, flow=FLOW, step=draft.step, text=context.gettext(QUESTION[Step(draft.step)]))


async def answer(update: Update, context: VocesContext, draft: ChecklistDraft, text: str) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            recorded = await public_registry.answer(session, staff=await current_person(session, context), draft=draft, text=text,
                                                    today=today_of(runtime), now=runtime.clock.now())
            step = draft.step
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await finish(update, context)
    except InvalidInput as error:  # the same question again, with what was wrong
        return await ask(update, context, flow=FLOW, step=draft.step,
                         text=f"⚠️ {error_text(context, error)}\n\n{context.gettext(QUESTION[Step(draft.step)])}")
    if recorded is None:
        return await ask(update, context, flow=FLOW, step=step, text=context.gettext(QUESTION[Step(step)]))
    await reply(update, context, recorded_text(context, recorded))
    return await finish(update, context)


def recorded_text(context: VocesContext, inscription: RegistryInscription) -> str:
    return context.gettext("📜 Inscribed in Registros Públicos on %(date)s, %(office)s, partida electrónica %(partida)s.") % {
        "date": context.i18n.date(inscription.inscribed_on, "medium"), "office": escape(inscription.office),
        "partida": escape(inscription.partida)}
