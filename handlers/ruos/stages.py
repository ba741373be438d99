"""The registration status: the stage the RUOS request is at, the moves it allows, the
questions a move asks (expediente, dates, observations), and telling the other leaders.
bot/ruos/screens.py says what each shows.
"""

from __future__ import annotations

from telegram import Update

from bot.ruos import conversation as flow
from bot.ruos import screens as shown
from bot.ruos.models import RegistrationStage
from handlers.common import END, error_text
from handlers.context import VocesContext
from handlers.ruos.checklist import show_checklist
from handlers.ruos.common import ask_screen, at, finish, integer, question, user_id
from handlers.show import replace, say


async def open_status(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id = integer(args[0])
    await show_status(update, context, organization_id, edit=True)
    return await finish(update, context)


async def show_status(update: Update, context: VocesContext, organization_id: int, *, edit: bool, problem: str | None = None) -> None:
    async with context.runtime.database.session() as session:
        screen = await flow.checklist_screen(session, user_id=user_id(context), organization_id=organization_id,
                                             procedure_code=None, at=at(context), plan=False)
    await (replace if edit else say)(update, context, shown.status(context.i18n, screen, problem=problem))


async def choose_stage(update: Update, context: VocesContext, args: list[str]) -> object:
    organization_id, target = integer(args[0]), args[1]
    async with context.runtime.database.session() as session:
        turn = await flow.move_stage(session, user_id=user_id(context), organization_id=organization_id, target=target, at=at(context))
    return await render_stage_turn(update, context, turn)


async def render_stage_turn(update: Update, context: VocesContext, turn: flow.Turn) -> object:
    """The next question of a registration move, or where it ended."""
    if turn.asks is not None:
        return await ask_screen(update, context, turn.asks, question(context, turn))
    await finish(update, context)
    assert turn.organization_id is not None or turn.ended is not None
    if turn.stage_changed and turn.ended is not None and turn.organization_id is not None:
        await show_status(update, context, turn.organization_id, edit=False, problem=error_text(context, turn.ended))
        return END
    if turn.ended is not None:  # no longer a leader of it: no question again
        await say(update, context, shown.refused(error_text(context, turn.ended)))
        return END
    assert turn.stage is not None and turn.organization_id is not None
    return await stage_recorded(update, context, turn.organization_id, turn.stage)


async def stage_recorded(update: Update, context: VocesContext, organization_id: int, stage: RegistrationStage) -> int:
    await say(update, context, shown.stage_saved(context.i18n, stage))
    await show_checklist(update, context, organization_id, None, edit=False)
    return END
