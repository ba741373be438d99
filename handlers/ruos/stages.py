"""The registration status: the stage the RUOS request is at, the moves it allows, the
questions a move asks (expediente, dates, observations), and telling the other leaders.
"""

from __future__ import annotations

from telegram import Update

from bot import ruos
from bot.core.i18n import N_
from bot.core.validation import InvalidInput
from bot.people.authority import NotAllowed
from bot.ruos import Step
from bot.ruos.models import ChecklistDraft, RegistrationStage
from handlers.common import END, ask, edit_or_reply, error_text, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.ruos.checklist import build_checklist, show_checklist, stage_lines
from handlers.ruos.common import (
    FLOW,
    QUESTION,
    STAGE,
    callback,
    current_person,
    finish,
    integer,
    today_of,
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
        person = await current_person(session, context)
        organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
        checklist = await build_checklist(session, context, organization, None)
    registration = checklist.registration
    assert registration is not None
    lines = [_("<b>Registration status of %(organization)s</b>") % {"organization": escape(organization.name)}, ""]
    lines += stage_lines(context.i18n, checklist)
    lines.append(_("The board's term ends on %(date)s.") % {"date": context.i18n.date(organization.board_term_end)})
    moves = ruos.allowed_stages(registration.stage, user=person)
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
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
            change = await ruos.choose_stage(
                session, catalogue=runtime.requirements, user=person, organization=organization,
                target=target, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
            )
    except ruos.StageChanged as error:
        await finish(update, context)
        await show_status(update, context, organization_id, edit=False, problem=error_text(context, error))
        return END
    if change.draft is not None:
        return await ask(update, context, flow=FLOW, step=change.draft.step, text=context.gettext(QUESTION[Step(change.draft.step)]))
    return await stage_recorded(update, context, organization_id, change.stage)


async def answer_stage(update: Update, context: VocesContext, draft: ChecklistDraft, text: str) -> object:
    runtime = context.runtime
    organization_id, step = draft.organization_id, Step(draft.step)
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
            draft = await ruos.find_draft(session, user=person) or draft
            change = await ruos.answer_stage_question(
                session, catalogue=runtime.requirements, user=person, draft=draft, organization=organization,
                text=text, today=today_of(runtime), now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
            )
    except ruos.StageChanged as error:
        await finish(update, context)
        await show_status(update, context, organization_id, edit=False, problem=error_text(context, error))
        return END
    except NotAllowed as error:  # no longer a leader of it: no question again
        await finish(update, context)
        await reply(update, context, "⚠️ " + error_text(context, error))
        return END
    except InvalidInput as error:  # nothing was saved: the same question again
        question = context.gettext(QUESTION[step])
        return await ask(update, context, flow=FLOW, step=step.value, text=f"⚠️ {error_text(context, error)}\n\n{question}")
    if change.draft is not None:
        return await ask(update, context, flow=FLOW, step=change.draft.step, text=context.gettext(QUESTION[Step(change.draft.step)]))
    return await stage_recorded(update, context, organization_id, change.stage)


async def stage_recorded(update: Update, context: VocesContext, organization_id: int, stage: RegistrationStage) -> int:
    _ = context.gettext
    await finish(update, context)
    await reply(update, context, _("Saved. The registration is now: %(stage)s.") % {"stage": _(STAGE[stage])})
    await show_checklist(update, context, organization_id, None, edit=False)
    return END
