"""Coordinators (and staff) create a session with /newtraining, a guided conversation whose
answers are kept in the person's `TrainingDraft` (and the step with them), ending on a summary
card with a button per field; the same card edits an existing session (trc:edit:<session>).
The steps, their checks and the draft are the domain's (bot/trainings/drafts.py), and so is
what each step shows (bot/trainings/draft_screens.py): each handler here parses, calls one of
its functions and renders the screen of the `Step` it returns.
Running sessions, lists, check-in and votes: handlers/trainings/runs.py.

Callback data, checked on arrival (the person must be a coordinator or staff now; the draft
and the session must exist):

    trc:topic:<code> / trc:prereq:<code|none> / trc:mode:<online|place> / trc:skip / trc:district:<ubigeo>
    trc:save / trc:discard / trc:field:<name>       the conversation's buttons
    trc:edit:<session>                                 an existing session into the draft
"""

from __future__ import annotations

from telegram import Update

from bot.core.validation import InvalidInput
from bot.people import authority
from bot.people.authority import NotAllowed
from bot.trainings import draft_screens as shown
from bot.trainings import drafts as training_drafts
from handlers import screens
from handlers.common import (
    END,
    TYPE_IT,
    answer_button,
    ask,
    error_text,
    leave,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.show import replace, say
from handlers.trainings.browse import (
    session_id_of,
    training_link,
)

FLOW = "training_session"


async def coordinator_only(update: Update, context: VocesContext) -> bool:
    async with context.runtime.database.session() as session:
        allowed = context.person is not None and await authority.is_coordinator(session, user_id=context.person.id)
    if not allowed:
        await answer_button(update, context)
        await reply(update, context, context.gettext(authority.ONLY_COORDINATORS))
    return allowed


# --- rendering the domain's steps ---------------------------------------------------------------


async def render(update: Update, context: VocesContext, step: training_drafts.Step) -> str:
    """Ask the step's question (after its problem, if the last answer could not be used)."""
    if step.problem is not None:
        await reply(update, context, error_text(context, step.problem))
    text, markup = screens.render(shown.question(context.i18n, step))
    return await ask(update, context, flow=FLOW, step=shown.step_name(step), text=text, reply_markup=markup)


async def new_training(update: Update, context: VocesContext) -> str | int:
    """/newtraining, or the "➕ New session" button under /sessions."""
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return END
    async with context.runtime.database.session() as session:
        step = await training_drafts.start(session, user_id=context.person.id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    return await render(update, context, step)


async def edit_session(update: Update, context: VocesContext) -> str | int:
    """An existing session into the draft, then the summary with a button per field."""
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return END
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            step = await training_drafts.edit(session, user_id=context.person.id, session_id=session_id,  # type: ignore[union-attr]
                                              now=context.runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return END
    if step is None:
        raise StaleButton(session_id)
    return await render(update, context, step)


async def button_answer(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
    data = update.callback_query.data or ""  # type: ignore[union-attr]
    async with context.runtime.database.session() as session:
        step = await training_drafts.press(session, user_id=context.person.id, choice=data.removeprefix("trc:"),  # type: ignore[union-attr]
                                           now=context.runtime.clock.now())
    if step is None:
        raise StaleButton(data)
    return await render(update, context, step)


def typed_answer_for(step: str):  # noqa: ANN201
    async def typed(update: Update, context: VocesContext) -> str | int:
        return await typed_answer(update, context, step)

    return typed


def not_typed_for(step: str):  # noqa: ANN201
    async def not_typed(update: Update, context: VocesContext) -> str:
        await say(update, context, shown.type_it(context.i18n, step, TYPE_IT))
        return step

    return not_typed


async def typed_answer(update: Update, context: VocesContext, state: str) -> str | int:
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await training_drafts.answer(session, user_id=context.person.id, value=update.message.text or "",  # type: ignore[union-attr]
                                            now=runtime.clock.now(), zone=runtime.settings.zone, at=state)
    if step is None:
        return await leave(update, context, FLOW)
    return await render(update, context, step)


async def change_field(update: Update, context: VocesContext) -> str:
    await answer_button(update, context)
    name = (update.callback_query.data or "").rsplit(":", 1)[1]  # type: ignore[union-attr]
    async with context.runtime.database.session() as session:
        step = await training_drafts.change_field(session, user_id=context.person.id, name=name,  # type: ignore[union-attr]
                                                  now=context.runtime.clock.now())
    if step is None:
        raise StaleButton(name)
    return await render(update, context, step)


async def save(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            saved = await training_drafts.save(session, user_id=context.person.id, now=runtime.clock.now(),  # type: ignore[union-attr]
                                               claim=runtime.settings.training_claim, quiet=runtime.reminders.quiet_hours)
    except NotAllowed as error:
        await reply(update, context, error_text(context, error))
        return await leave(update, context, FLOW)
    if saved is None:
        raise StaleButton("no draft")
    if isinstance(saved, training_drafts.Step):
        return await render(update, context, saved)
    await leave(update, context, FLOW)
    training, changed = saved.training, saved.changed
    if changed is None:
        await replace(update, context, shown.created(context.i18n, training, share_link=training_link(context, training.id)))
        return END
    await replace(update, context, shown.changes_saved(context.i18n, training, told=bool(changed.told)))
    return END


async def discard(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        await training_drafts.discard(session, user_id=context.person.id)  # type: ignore[union-attr]
    await replace(update, context, shown.discarded(context.i18n))
    return await leave(update, context, FLOW)


async def cancel_flow(update: Update, context: VocesContext) -> int:
    await say(update, context, shown.stopped(context.i18n))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    """Another command inside the flow ends it and reaches its own handler."""
    await leave(update, context, FLOW)
    context.voces.dispatch_again(update)
    return END
