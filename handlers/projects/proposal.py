"""/projects, and /propose: a leader writes a proposal one question at a time, with a summary
card before sending, revises it after a comment; pausing and leaving the conversation.
"""

from __future__ import annotations

from telegram import Update

from bot.core.textlimits import shorten
from bot.core.transitions import AlreadyDone
from bot.organizations import organizations
from bot.people.authority import NotAllowed
from bot.people.models import Role
from bot.projects import drafts, projects
from handlers.common import (
    END,
    ROWS_PER_PAGE,
    answer_button,
    ask,
    error_text,
    escape,
    keyboard,
    leave,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.projects.common import FLOW, ask_current, callback, upload_of
from handlers.projects.project_cards import current_person, integer, project_text
from handlers.projects.staff import (
    commented,
    confirm_funding,
    funded,
    show_staff_list,
)
from handlers.ruos.common import today_of


async def list_projects(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        if person.role is Role.STAFF:
            await show_staff_list(update, context, page=1)
            return
        acting = await organizations.acting_for(session, user=person)
        organization = acting[0] if acting else None
        found = await projects.projects_of(session, organization_id=organization.id) if organization else []
    if organization is None:
        await reply(update, context, _("You do not lead an organization in Voces yet. Register one with /register."))
        return
    name = escape(organization.name)
    if not found:
        await reply(update, context, _("<b>%(name)s</b> has no projects in Voces yet.") % {"name": name}
                    + "\n\n" + _("Propose one with /propose."))
        return
    parts = [_("<b>Projects of %(name)s</b>") % {"name": name}, *(project_text(context.i18n, project) for project in found)]
    rows = [[(f"📂 {shorten(project.title, 50)}", callback("open", project.id))] for project in found[:ROWS_PER_PAGE]]
    await reply(update, context, "\n\n".join(parts), reply_markup=keyboard(rows))


@shows_current_card("prj")
async def current_card(update: Update, context: VocesContext) -> None:
    await list_projects(update, context)


async def propose(update: Update, context: VocesContext) -> object:
    _ = context.gettext
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await drafts.propose(session, user_id=context.person.id, store=runtime.files, now=runtime.clock.now())  # type: ignore[union-attr]
    if step is None:
        await reply(update, context, _("You do not lead an organization in Voces yet. Register one with /register."))
        return await leave(update, context, FLOW)
    if step.organization is not None:
        await reply(update, context, _("Let us write the project proposal of %(name)s. I save every answer as you go: you can stop and continue later with /propose.") % {"name": escape(step.organization)})
    return await render(update, context, step)


async def render(update: Update, context: VocesContext, step: drafts.Step) -> object:
    """Show what the draft's step asks: its question, or one of the screens over it."""
    _ = context.gettext
    if step.screen == drafts.RESUME:
        return await ask(update, context, flow=FLOW, step=step.name,
                         text=_("You have a proposal in progress. Continue where you left off, or start over?"),
                         reply_markup=keyboard([[(_("Continue"), callback("resume")), (_("Start over"), callback("restart"))]]))
    if step.screen == drafts.DISTRICTS:
        rows = [[(f"{d.name} ({d.province})", callback("district", d.ubigeo))] for d in step.districts]
        return await ask(update, context, flow=FLOW, step=step.name, text=_("Which of these is it? If it is not here, type the name again."), reply_markup=keyboard(rows))
    if step.screen == drafts.PARTS:
        parts = [("title", _("Title")), ("theme", _("Theme")), ("objective", _("Objective")), ("population", _("Target population")),
                 ("district", _("District")), ("dates", _("Dates")), ("amount", _("Amount")), ("document", _("Document"))]
        rows = [[(label, callback("edit", code)) for code, label in parts[i:i + 2]] for i in range(0, len(parts), 2)]
        rows.append([(_("⬅️ Back to the summary"), callback("summary"))])
        return await ask(update, context, flow=FLOW, step=step.name, text=_("Which answer do you want to change?"), reply_markup=keyboard(rows))
    if step.screen == drafts.CAUTIONS:
        return await confirm_funding(update, context, step)
    return await ask_current(update, context, step)


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
    _ = context.gettext
    await leave(update, context, FLOW)
    text = _("📨 The proposal was sent again to the programme.") if result.sent.revised else _("📨 Proposal sent. The programme staff will read it; I will tell you here about every comment and decision.")
    await reply(update, context, text + "\n\n" + _("See your projects with /projects."))
    return END


async def revise(update: Update, context: VocesContext, args: list[str]) -> object:
    project_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await drafts.revise(session, user_id=context.person.id, project_id=project_id, store=runtime.files,  # type: ignore[union-attr]
                                   now=runtime.clock.now())
    return await render(update, context, step)


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Paused. Your answers are saved: send /propose to continue."))
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


# prj:<action>:…, routed by handlers/projects/__init__.py: the draft's choices (bot/projects/drafts.py), and revising
BUTTONS = {**{action: draft_action(action) for action in DRAFT_ACTIONS}, "rev": revise}
