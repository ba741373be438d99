"""/projects, and /propose: a leader writes a proposal one question at a time, with a summary
card before sending, revises it after a comment; pausing and leaving the conversation.
"""

from __future__ import annotations

from telegram import Update

from bot.core.districts import find_districts
from bot.core.i18n import N_
from bot.core.textlimits import shorten
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.organizations import organizations
from bot.people.authority import NotAllowed
from bot.people.models import Role
from bot.projects import projects
from bot.projects.models import ProjectDraft, ReportFrequency
from bot.projects.projects import Step
from handlers.common import (
    END,
    ROWS_PER_PAGE,
    TYPE_IT,
    ask,
    error_text,
    escape,
    keyboard,
    leave,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import shows_current_card
from handlers.projects.common import FLOW, ask_current, callback, load_draft
from handlers.projects.project_cards import current_person, integer, person_and_draft, project_text
from handlers.projects.staff import fund, show_staff_list, staff_answer


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
        person = await current_person(session, context)
        draft = await projects.find_draft(session, user=person)
        if draft is not None and Step(draft.step) in projects.PROPOSAL_ORDER:
            return await ask(update, context, flow=FLOW, step=draft.step,
                             text=_("You have a proposal in progress. Continue where you left off, or start over?"),
                             reply_markup=keyboard([[(_("Continue"), callback("resume")), (_("Start over"), callback("restart"))]]))
        acting = await organizations.acting_for(session, user=person)
        if acting is None:
            await reply(update, context, _("You do not lead an organization in Voces yet. Register one with /register."))
            return await leave(update, context, FLOW)
        draft = await projects.start_proposal(session, user=person, organization_id=acting[0].id, store=runtime.files, now=runtime.clock.now())
    await reply(update, context, _("Let us write the project proposal of %(name)s. I save every answer as you go: you can stop and continue later with /propose.") % {"name": escape(acting[0].name)})
    return await ask_current(update, context, draft)


async def on_text(update: Update, context: VocesContext) -> object:
    message = update.effective_message
    assert message is not None
    person, draft = await load_draft(context)
    if draft is None:
        return await leave(update, context, FLOW)
    step = Step(draft.step)
    text = message.text or ""
    if step is Step.DISTRICT:
        return await search_district(update, context, draft, text)
    if step in (Step.COMMENT, Step.FUND_AMOUNT):
        return await staff_answer(update, context, draft, text)
    if step in (Step.THEME, Step.SUMMARY, Step.FUND_FREQUENCY, Step.DOCUMENT):
        return await ask_current(update, context, draft, problem=context.gettext("Please answer with the buttons below."))
    return await save(update, context, text)


async def save(update: Update, context: VocesContext, value: str) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            draft = await projects.find_draft(session, user=person)
            if draft is None:
                return await leave(update, context, FLOW)
            await projects.answer(session, draft=draft, value=value, now=runtime.clock.now())
    except InvalidInput as error:
        _person, draft = await load_draft(context)
        assert draft is not None
        return await ask_current(update, context, draft, problem=error_text(context, error))
    return await ask_current(update, context, draft)


async def search_district(update: Update, context: VocesContext, draft: ProjectDraft, text: str) -> str:
    _ = context.gettext
    matches = find_districts(text)
    if not matches:
        return await ask_current(update, context, draft, problem=_("I found no district of Lima or Callao called “%(text)s”. Try part of the name, for example Comas or SJL.") % {"text": escape(shorten(text, 60))})
    rows = [[(f"{d.name} ({d.province})", callback("district", d.ubigeo))] for d in matches]
    return await ask(update, context, flow=FLOW, step=draft.step, text=_("Which of these is it? If it is not here, type the name again."), reply_markup=keyboard(rows))


async def on_file(update: Update, context: VocesContext) -> object:
    """The full proposal as a document, at the document step."""
    message = update.effective_message
    assert message is not None
    _person, draft = await load_draft(context)
    if draft is None:
        return await leave(update, context, FLOW)
    if Step(draft.step) is not Step.DOCUMENT or message.document is None:
        if Step(draft.step) is Step.DOCUMENT:
            problem = context.gettext("Send the proposal as a document (PDF or Word), not as a photo.")
        elif Step(draft.step) in (Step.THEME, Step.SUMMARY, Step.FUND_FREQUENCY):
            problem = context.gettext("Please answer with the buttons below.")
        else:
            problem = context.gettext(TYPE_IT)
        return await ask_current(update, context, draft, problem=problem)
    runtime = context.runtime
    document = message.document
    try:
        if (document.file_size or 0) > projects.PROPOSAL_FILE_MAX:
            raise projects.ProjectError(N_("That file is too large: the limit is 20 MB."))
        content = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
        async with runtime.database.session() as session:
            _person, draft = await person_and_draft(session, context)
            await projects.attach_document(session, draft=draft, store=runtime.files, content=content, name=document.file_name,
                                           now=runtime.clock.now())
    except InvalidInput as error:
        return await ask_current(update, context, draft, problem=error_text(context, error))
    return await ask_current(update, context, draft)


async def draft_button(update: Update, context: VocesContext, args: list[str], action: str) -> object:
    _person, draft = await load_draft(context)
    if draft is None:
        await reply(update, context, context.gettext("This button is no longer active."))
        return await leave(update, context, FLOW)
    step = Step(draft.step)
    runtime = context.runtime
    value = args[0] if args else ""
    if action == "resume":
        return await ask_current(update, context, draft)
    if action == "restart":
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            assert draft.organization_id is not None
            draft = await projects.start_proposal(session, user=person, organization_id=draft.organization_id, store=runtime.files,
                                                  now=runtime.clock.now())
        return await ask_current(update, context, draft)
    if action == "theme" and step is Step.THEME or action == "district" and step is Step.DISTRICT:
        return await save(update, context, value)
    if action == "skipdoc" and step is Step.DOCUMENT:
        return await save(update, context, "")
    if action == "edit" and step is Step.SUMMARY:
        if not value:
            _ = context.gettext
            parts = [("title", _("Title")), ("theme", _("Theme")), ("objective", _("Objective")), ("population", _("Target population")),
                     ("district", _("District")), ("dates", _("Dates")), ("amount", _("Amount")), ("document", _("Document"))]
            rows = [[(label, callback("edit", code)) for code, label in parts[i:i + 2]] for i in range(0, len(parts), 2)]
            rows.append([(_("⬅️ Back to the summary"), callback("summary"))])
            return await ask(update, context, flow=FLOW, step=draft.step, text=_("Which answer do you want to change?"), reply_markup=keyboard(rows))
        async with runtime.database.session() as session:
            _person, draft = await person_and_draft(session, context)
            await projects.edit_field(session, draft=draft, field=value, now=runtime.clock.now())
        return await ask_current(update, context, draft)
    if action == "summary":
        async with runtime.database.session() as session:
            _person, draft = await person_and_draft(session, context)
            await projects.back_to_summary(session, draft=draft, now=runtime.clock.now())
        return await ask_current(update, context, draft)
    if action == "send" and step is Step.SUMMARY:
        return await send(update, context)
    if action in ("freq", "fundok") and step is Step.FUND_FREQUENCY:
        frequency = ReportFrequency(value) if value in set(ReportFrequency) else None
        return await fund(update, context, draft, frequency, confirmed=action == "fundok")
    return await ask_current(update, context, draft, problem=context.gettext("That button belongs to an earlier question."))


def draft_action(action: str):  # noqa: ANN201
    async def handler(update: Update, context: VocesContext, args: list[str]) -> object:
        return await draft_button(update, context, args, action)
    return handler


async def send(update: Update, context: VocesContext) -> object:
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person, draft = await person_and_draft(session, context)
            sent = await projects.send(session, draft=draft, user=person, now=runtime.clock.now())
    except (AlreadyDone, NotAllowed) as error:
        await leave(update, context, FLOW)
        await reply(update, context, "⚠️ " + error_text(context, error))
        return END
    except InvalidInput as error:
        _person, draft = await load_draft(context)
        assert draft is not None
        return await ask_current(update, context, draft, problem=error_text(context, error))
    await leave(update, context, FLOW)
    text = _("📨 The proposal was sent again to the programme.") if sent.revised else _("📨 Proposal sent. The programme staff will read it; I will tell you here about every comment and decision.")
    await reply(update, context, text + "\n\n" + _("See your projects with /projects."))
    return END


async def revise(update: Update, context: VocesContext, args: list[str]) -> object:
    project_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        draft = await projects.start_revision(session, user=person, project_id=project_id, store=runtime.files, now=runtime.clock.now())
    return await ask_current(update, context, draft)


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Paused. Your answers are saved: send /propose to continue."))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


async def on_other(update: Update, context: VocesContext) -> object:
    _person, draft = await load_draft(context)
    if draft is None:
        return await leave(update, context, FLOW)
    return await ask_current(update, context, draft, problem=context.gettext("I can only read typed text here. Please write your answer."))
