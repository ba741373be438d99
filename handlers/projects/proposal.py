"""/projects, and /propose: a leader writes a proposal one question at a time, with a summary
card before sending, revises it after a comment; pausing and leaving the conversation.
"""

from __future__ import annotations

from telegram import Update

from bot.core.transitions import AlreadyDone
from bot.organizations import organizations
from bot.people.authority import NotAllowed
from bot.people.models import Role
from bot.projects import drafts, projects
from bot.projects import screens as shown
from handlers.common import (
    END,
    ButtonTable,
    answer_button,
    error_text,
    leave,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.projects.common import CODE, FLOW, NUMBER, ask_current, ask_screen, upload_of
from handlers.projects.project_cards import current_person, integer
from handlers.projects.staff import (
    commented,
    confirm_funding,
    funded,
    show_staff_list,
)
from handlers.ruos.common import today_of
from handlers.show import say


async def list_projects(update: Update, context: VocesContext) -> None:
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        if person.role is Role.STAFF:
            await show_staff_list(update, context, page=1)
            return
        acting = await organizations.acting_for(session, user=person)
        organization = acting[0] if acting else None
        found = await projects.projects_of(session, organization_id=organization.id) if organization else []
    if organization is None:
        await say(update, context, shown.not_leading(context.i18n))
        return
    await say(update, context, shown.projects_of(context.i18n, organization.name, found))


@shows_current_card("prj")
async def current_card(update: Update, context: VocesContext) -> None:
    await list_projects(update, context)


async def propose(update: Update, context: VocesContext) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await drafts.propose(session, user_id=context.person.id, store=runtime.files, now=runtime.clock.now())  # type: ignore[union-attr]
    if step is None:
        await say(update, context, shown.not_leading(context.i18n))
        return await leave(update, context, FLOW)
    if step.organization is not None:
        await say(update, context, shown.proposal_begun(context.i18n, step.organization))
    return await render(update, context, step)


async def render(update: Update, context: VocesContext, step: drafts.Step) -> object:
    """Show what the draft's step asks: its question, or one of the screens over it."""
    if step.screen == drafts.CAUTIONS:
        return await confirm_funding(update, context, step)
    if step.screen == drafts.QUESTION:
        return await ask_current(update, context, step)
    return await ask_screen(update, context, step, shown.proposal_step(context.i18n, step))


async def on_text(update: Update, context: VocesContext) -> object:
    message = update.effective_message
    assert message is not None
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            result = await drafts.answer(session, user_id=context.person.id, value=message.text or "", now=runtime.clock.now())  # type: ignore[union-attr]
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    if result is None:
        return await leave(update, context, FLOW)
    if isinstance(result, projects.Decision):
        return await commented(update, context, result)
    return await render(update, context, result)


async def on_file(update: Update, context: VocesContext) -> object:
    """The full proposal as a document, at the document step."""
    message = update.effective_message
    assert message is not None
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await drafts.attach(session, user_id=context.person.id, upload=upload_of(context, message), store=runtime.files,  # type: ignore[union-attr]
                                   now=runtime.clock.now())
    if step is None:
        return await leave(update, context, FLOW)
    return await render(update, context, step)


async def draft_button(update: Update, context: VocesContext, args: list[str], action: str) -> object:
    runtime = context.runtime
    choice = ":".join([action, *args])
    try:
        async with runtime.database.session() as session:
            result = await drafts.press(session, user_id=context.person.id, choice=choice, store=runtime.files,  # type: ignore[union-attr]
                                        now=runtime.clock.now(), today=today_of(runtime), quiet=runtime.reminders.quiet_hours)
    except drafts.NotAChoice:
        raise StaleButton(choice) from None
    except (AlreadyDone, NotAllowed) as error:
        if action not in ("send", "freq", "fundok"):
            raise
        await leave(update, context, FLOW)
        if action != "send":
            raise  # answered on the button
        await reply(update, context, "⚠️ " + error_text(context, error))
        return END
    if result is None:
        await reply(update, context, context.gettext("This button is no longer active."))
        return await leave(update, context, FLOW)
    if isinstance(result, drafts.Sent):
        return await sent(update, context, result)
    if isinstance(result, projects.Decision):
        return await funded(update, context, result)
    if result.problem is not None:
        await answer_button(update, context)
    return await render(update, context, result)


def draft_action(action: str):  # noqa: ANN201
    async def handler(update: Update, context: VocesContext, args: list[str]) -> object:
        return await draft_button(update, context, args, action)
    return handler


DRAFT_ACTIONS = ("theme", "district", "skipdoc", "edit", "summary", "send", "resume", "restart", "freq", "fundok")


async def sent(update: Update, context: VocesContext, result: drafts.Sent) -> object:
    await leave(update, context, FLOW)
    await say(update, context, shown.proposal_sent(context.i18n, revised=result.sent.revised))
    return END


async def revise(update: Update, context: VocesContext, args: list[str]) -> object:
    project_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await drafts.revise(session, user_id=context.person.id, project_id=project_id, store=runtime.files,  # type: ignore[union-attr]
                                   now=runtime.clock.now())
    return await render(update, context, step)


async def cancel(update: Update, context: VocesContext) -> int:
    await say(update, context, shown.proposal_paused(context.i18n))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


async def on_other(update: Update, context: VocesContext) -> object:
    async with context.runtime.database.session() as session:
        step = await drafts.not_typed(session, user_id=context.person.id)  # type: ignore[union-attr]
    if step is None:
        return await leave(update, context, FLOW)
    return await render(update, context, step)


# prj:<action>:…, routed by handlers/projects/__init__.py: the draft's choices (bot/projects/drafts.py), and
# revising; each with the shape of what follows it (handlers.common.ButtonTable).
DRAFT_SHAPES = {"theme": CODE, "district": r"\d{6}", "edit": "?" + CODE, "freq": CODE, "fundok": CODE}
BUTTONS: ButtonTable = {**{action: (DRAFT_SHAPES.get(action), draft_action(action)) for action in DRAFT_ACTIONS},
                        "rev": (NUMBER, revise)}
