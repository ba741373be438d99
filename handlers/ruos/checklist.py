"""/ruos: the organization's checklist for its district (or a formalization step after it) and
one requirement's card, as leaders and staff read them (bot/ruos/screens.py says what they show).
"""

from __future__ import annotations

from telegram import Update

from bot.core.validation import InvalidInput
from bot.ruos import Checklist, ItemView
from bot.ruos import conversation as flow
from bot.ruos import screens as shown
from handlers.common import END, error_text
from handlers.context import VocesContext
from handlers.guards import shows_current_card
from handlers.ruos.common import at, finish, integer, user_id
from handlers.show import replace, say


async def show_checklist(update: Update, context: VocesContext, organization_id: int, procedure_code: str | None, *, edit: bool) -> None:
    """The checklist as a message; for a leader it also plans the next weekly nudge."""
    async with context.runtime.database.session() as session:
        screen = await flow.checklist_screen(session, user_id=user_id(context), organization_id=organization_id,
                                             procedure_code=procedure_code, at=at(context))
    await (replace if edit else say)(update, context, shown.checklist(context.i18n, screen))


# --- /ruos ---------------------------------------------------------------------------------------


async def start(update: Update, context: VocesContext) -> int:
    """The checklist of the organization the leader acts for; staff add the organization's number."""
    async with context.runtime.database.session() as session:
        opened = await flow.open_ruos(session, user_id=user_id(context), args=list(context.args or []))
    if opened.organization_id is None:
        assert opened.refusal is not None
        await say(update, context, shown.said(context.i18n, opened.refusal))
        return await finish(update, context)
    await finish(update, context)
    try:
        await show_checklist(update, context, opened.organization_id, None, edit=False)
    except InvalidInput as error:
        await say(update, context, shown.refused(error_text(context, error)))
    return END


@shows_current_card("ruos")
async def current_checklist(update: Update, context: VocesContext) -> None:
    """After an old or forged /ruos button: the checklist as it is now, whatever step the person
    is at (an upload under way stays under way)."""
    async with context.runtime.database.session() as session:
        opened = await flow.current_checklist(session, user_id=user_id(context))
    if opened.organization_id is not None:
        await show_checklist(update, context, opened.organization_id, None, edit=False)
    else:
        assert opened.refusal is not None
        await say(update, context, shown.said(context.i18n, opened.refusal))


# --- the checklist's buttons ---------------------------------------------------------------------


async def open_list(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id, procedure_code = integer(args[0]), args[1]
    await show_checklist(update, context, organization_id, procedure_code, edit=True)
    return await finish(update, context)


async def item_of(context: VocesContext, args: list[str]) -> tuple[Checklist, ItemView]:
    """The checklist and the item a button names (`<org>:<procedure>:<item>`), for its leader or staff."""
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    async with context.runtime.database.session() as session:
        return await flow.item(session, user_id=user_id(context), organization_id=organization_id,
                               procedure_code=procedure_code, item_code=item_code, at=at(context))


async def open_item(update: Update, context: VocesContext, args: list[str]) -> int:
    checklist, view = await item_of(context, args)
    await replace(update, context, shown.item_card(context.i18n, checklist, view))
    return await finish(update, context)
