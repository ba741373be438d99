"""The registration status: the stage the RUOS request is at, the moves it allows, the
questions a move asks (expediente, dates, observations), and telling the other leaders.
"""

from __future__ import annotations

from telegram import Update

from bot.core.i18n import N_
from bot.ruos import conversation as flow
from bot.ruos.models import RegistrationStage
from handlers.common import END, ask, edit_or_reply, error_text, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.ruos.checklist import show_checklist, stage_lines
from handlers.ruos.common import (
    FLOW,
    STAGE,
    at,
    callback,
    finish,
    integer,
    question,
    user_id,
)

STAGE_BUTTON = {
    RegistrationStage.PREPARING: N_("↩️ Back to preparing the documents"),
    RegistrationStage.SUBMITTED: N_("📨 We handed it in to the municipality"),
    RegistrationStage.OBSERVED: N_("📝 The municipality made observations"),
    RegistrationStage.REGISTERED: N_("🎉 The organization is registered"),
}
OBSERVATIONS_ANSWERED = N_("📨 We answered the observations")


async def open_status(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id = integer(args[0])
    await show_status(update, context, organization_id, edit=True)
    return await finish(update, context)


async def show_status(update: Update, context: VocesContext, organization_id: int, *, edit: bool, problem: str | None = None) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        screen = await flow.checklist_screen(session, user_id=user_id(context), organization_id=organization_id,
                                             procedure_code=None, at=at(context), plan=False)
    checklist = screen.checklist
    registration = checklist.registration
    assert registration is not None
    lines = [_("<b>Registration status of %(organization)s</b>") % {"organization": escape(screen.organization_name)}, ""]
    lines += stage_lines(context.i18n, checklist)
    lines.append(_("The board's term ends on %(date)s.") % {"date": context.i18n.date(screen.board_term_end)})
    moves = screen.moves
    rows = []
    for stage in moves:
        label = OBSERVATIONS_ANSWERED if (registration.stage, stage) == (RegistrationStage.OBSERVED, RegistrationStage.SUBMITTED) else STAGE_BUTTON[stage]
        rows.append([(_(label), callback("to", organization_id, stage.value))])
    if moves:
        lines += ["", _("What happened? Tap it below.")]
    rows.append([(_("⬅️ Back to the checklist"), callback("list", organization_id, checklist.procedure.code))])
    text = "\n".join(lines)
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    if edit:
        await edit_or_reply(update, context, text, reply_markup=keyboard(rows))
    else:
        await reply(update, context, text, reply_markup=keyboard(rows))


async def choose_stage(update: Update, context: VocesContext, args: list[str]) -> object:
    organization_id, target = integer(args[0]), args[1]
    async with context.runtime.database.session() as session:
        turn = await flow.move_stage(session, user_id=user_id(context), organization_id=organization_id, target=target, at=at(context))
    return await render_stage_turn(update, context, turn)


async def render_stage_turn(update: Update, context: VocesContext, turn: flow.Turn) -> object:
    """The next question of a registration move, or where it ended."""
    if turn.asks is not None:
        return await ask(update, context, flow=FLOW, step=turn.asks.value, text=question(context, turn))
    await finish(update, context)
    assert turn.organization_id is not None or turn.ended is not None
    if turn.stage_changed and turn.ended is not None and turn.organization_id is not None:
        await show_status(update, context, turn.organization_id, edit=False, problem=error_text(context, turn.ended))
        return END
    if turn.ended is not None:  # no longer a leader of it: no question again
        await reply(update, context, "⚠️ " + error_text(context, turn.ended))
        return END
    assert turn.stage is not None and turn.organization_id is not None
    return await stage_recorded(update, context, turn.organization_id, turn.stage)


async def stage_recorded(update: Update, context: VocesContext, organization_id: int, stage: RegistrationStage) -> int:
    _ = context.gettext
    await reply(update, context, _("Saved. The registration is now: %(stage)s.") % {"stage": _(STAGE[stage])})
    await show_checklist(update, context, organization_id, None, edit=False)
    return END
