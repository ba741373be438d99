"""/projects: the organization's projects; /propose: a leader proposes a community project,
one question at a time, with a summary card before sending; /proposals: staff see the projects,
comment (the leaders get it with a button to revise) and move them along: selected, funded
(amount and reporting schedule), implementing, closed, or not selected. The leaders are told
of every change. Reports per period are in handlers/project_reports.py.

Callback data (checked on arrival: the project must exist, the person lead it or be staff):

    prj:theme:<code> prj:district:<ubigeo> prj:skipdoc prj:edit[:<part>] prj:summary prj:send
    prj:resume prj:restart                 the proposal draft
    prj:rev:<project>                      leaders: revise a proposal after a comment
    prj:open:<project>                     the project's card
    prj:doc:<project>                      the proposal's document
    prj:list:p<n>                          staff: the list of projects, a page at a time
    prj:to:<project>:<status>              staff: move the project
    prj:cm:<project>                       staff: write a comment (asked next)
    prj:fund:<project>                     staff: fund it (amount asked next, then the schedule)
    prj:freq:<frequency>                   staff: the reporting schedule of the funding
    prj:totals                             staff: people reached programme-wide, by every dimension
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot.districts import find_districts
from bot.i18n import N_
from bot.models.people import Role
from bot.models.projects import (
    ProjectDraft,
    ProjectStatus,
    ReportFrequency,
    ReportStatus,
)
from bot.services import organizations, project_reports, projects
from bot.services.authority import NotAllowed
from bot.services.projects import Step
from bot.services.transitions import AlreadyDone
from bot.textlimits import page_of, shorten
from bot.validation import InvalidInput
from handlers.commands import command
from handlers.common import (
    END,
    ROWS_PER_PAGE,
    TYPE_IT,
    ask,
    dispatch_button,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    notify,
    page_navigation,
    page_number,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.project_cards import (
    REPORT_STATUS,
    STATUS,
    THEME,
    current_person,
    integer,
    project_text,
    proposal_card,
    soles,
    totals_text,
)

FLOW = "propose"
CALLBACK_DATA_LIMIT = 64

MOVE_BUTTON = {
    ProjectStatus.SELECTED: N_("⭐ Select"),
    ProjectStatus.NOT_SELECTED: N_("Not selected"),
    ProjectStatus.IMPLEMENTING: N_("🛠 Implementation started"),
    ProjectStatus.CLOSED: N_("🏁 Close"),
}
FREQUENCY = {
    ReportFrequency.MONTHLY: N_("Monthly reports"),
    ReportFrequency.QUARTERLY: N_("Quarterly reports"),
    ReportFrequency.FINAL: N_("One final report"),
}
QUESTION = {
    Step.TITLE: N_("What is the project called? A short title, for example: Huertos familiares en Carmen de la Legua."),
    Step.THEME: N_("What is its theme?"),
    Step.OBJECTIVE: N_("What is its objective? In two or three sentences: what will change, and for whom."),
    Step.POPULATION: N_("Who is it for (the target population)? For example: 40 Venezuelan and Peruvian mothers of the neighbourhood."),
    Step.DISTRICT: N_("In which district will it take place? Type part of the name, for example Comas or SJL."),
    Step.START: N_("When will it start? Send the full date, for example 01/02/2027."),
    Step.END: N_("When will it end? Send the full date, for example 31/07/2027."),
    Step.AMOUNT: N_("How much do you ask for, in soles? For example 2500."),
    Step.DOCUMENT: N_("If you have the full proposal as a document (PDF or Word), send it now. Otherwise tap Skip."),
    Step.COMMENT: N_("Write your comment for the leaders: they will read it as you write it, with a button to revise the proposal."),
    Step.FUND_AMOUNT: N_("How much is granted, in soles? For example 2500."),
}
OPEN_STATUSES = (ProjectStatus.PROPOSAL, ProjectStatus.SELECTED, ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING)


def callback(*parts: object) -> str:
    data = ":".join(["prj", *(str(part) for part in parts)])
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return data


# --- cards -------------------------------------------------------------------------------------------


# --- /projects -------------------------------------------------------------------------------------------


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


# --- /propose ----------------------------------------------------------------------------------------------


def question(context: VocesContext, draft: ProjectDraft):  # noqa: ANN201 - (text, markup)
    _ = context.gettext
    step = Step(draft.step)
    if step is Step.THEME:
        return _(QUESTION[step]), keyboard([[(_(label), callback("theme", theme.value))] for theme, label in THEME.items()])
    if step is Step.DOCUMENT:
        return _(QUESTION[step]), keyboard([[(_("Skip"), callback("skipdoc"))]])
    if step is Step.FUND_FREQUENCY:
        return _("How often will they report? Each report is due on the last day of its period."), keyboard(
            [[(_(label), callback("freq", frequency.value))] for frequency, label in FREQUENCY.items()])
    if step is Step.SUMMARY:
        card = proposal_card(context.i18n, projects.view(draft))
        return _("Please check the proposal:") + "\n\n" + card, keyboard(
            [[(_("✏️ Edit an answer"), callback("edit"))], [(_("✅ Send to the programme"), callback("send"))]])
    return _(QUESTION[step]), None


async def ask_current(update: Update, context: VocesContext, draft: ProjectDraft, *, problem: str | None = None) -> str:
    text, markup = question(context, draft)
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    return await ask(update, context, flow=FLOW, step=draft.step, text=text, reply_markup=markup)


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


async def load_draft(context: VocesContext):  # noqa: ANN201
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        return person, await projects.find_draft(session, user=person)


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
        return await ask_current(update, context, draft, problem=_("I found no district of Lima or Callao called “%(text)s”. Try part of the name, for example Comas or SJL.") % {"text": escape(text[:60])})
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
            person = await current_person(session, context)
            draft = await projects.find_draft(session, user=person)
            assert draft is not None
            await projects.attach_document(session, draft=draft, store=runtime.files, content=content, name=document.file_name,
                                           mime_type=document.mime_type, now=runtime.clock.now())
    except InvalidInput as error:
        return await ask_current(update, context, draft, problem=error_text(context, error))
    return await ask_current(update, context, draft)


# --- buttons ---------------------------------------------------------------------------------------------


async def on_button(update: Update, context: VocesContext) -> object:
    return await dispatch_button(update, context, BUTTONS)


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
            person = await current_person(session, context)
            draft = await projects.find_draft(session, user=person)
            assert draft is not None
            await projects.edit_field(session, draft=draft, field=value, now=runtime.clock.now())
        return await ask_current(update, context, draft)
    if action == "summary":
        async with runtime.database.session() as session:
            draft = await projects.find_draft(session, user=await current_person(session, context))
            assert draft is not None
            await projects.back_to_summary(session, draft=draft, now=runtime.clock.now())
        return await ask_current(update, context, draft)
    if action == "send" and step is Step.SUMMARY:
        return await send(update, context)
    if action == "freq" and step is Step.FUND_FREQUENCY:
        return await fund(update, context, draft, ReportFrequency(value) if value in set(ReportFrequency) else None)
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
            person = await current_person(session, context)
            draft = await projects.find_draft(session, user=person)
            assert draft is not None
            sent = await projects.send(session, draft=draft, user=person, now=runtime.clock.now())
            organization = await projects.organization_name(session, sent.project.organization_id)
            staff_members = await projects.staff_members(session)
    except (AlreadyDone, NotAllowed) as error:
        await leave(update, context, FLOW)
        await reply(update, context, "⚠️ " + error_text(context, error))
        return END
    except InvalidInput as error:
        _person, draft = await load_draft(context)
        assert draft is not None
        return await ask_current(update, context, draft, problem=error_text(context, error))
    await leave(update, context, FLOW)
    for member in staff_members:
        i18n = runtime.translator(member.language)
        await notify(context, member.telegram_id, i18n.gettext("📨 %(organization)s sent a project proposal: %(title)s") % {
            "organization": escape(organization), "title": escape(sent.project.title)},
            reply_markup=keyboard([[(i18n.gettext("📂 Open"), callback("open", sent.project.id))]]))
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


# --- a project's card ----------------------------------------------------------------------------------------


@shows_current_card("prj")
async def current_card(update: Update, context: VocesContext) -> None:
    await list_projects(update, context)


async def open_project(update: Update, context: VocesContext, args: list[str]) -> object:
    await show_project(update, context, integer(args[0]))
    return None


async def show_project(update: Update, context: VocesContext, project_id: int, *, edit: bool = True) -> None:
    _ = context.gettext
    i18n = context.i18n
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        project = await projects.for_reader(session, user=person, project_id=project_id)
        organization = await projects.organization_name(session, project.organization_id)
        document = await projects.proposal_document(session, project_id=project.id)
        events = await projects.history(session, project_id=project.id)
        reports = await project_reports.reports_of(session, project_id=project.id)
        totals = await project_reports.beneficiary_totals(session, project_id=project.id)
    staff = person.role is Role.STAFF
    lines = [_("<b>%(organization)s</b> · project") % {"organization": escape(organization)},
             _("Status: %(status)s") % {"status": _(STATUS[project.status])}, "",
             proposal_card(i18n, projects.project_view(project, document.original_name or "📎" if document else None))]
    if project.granted_cents is not None:
        lines.append(_("Granted: %(value)s") % {"value": soles(i18n, project.granted_cents)})
    if reports:
        lines += ["", _("<b>Reports</b>")]
        lines += [f"{r.number}. {i18n.date(r.period_start, 'short')}–{i18n.date(r.period_end, 'short')}: {_(REPORT_STATUS[r.status])}" for r in reports]
        lines.append(_("People reached (approved reports): %(count)s") % {"count": i18n.number(totals.total)})
    comments = [e for e in events if e.comment and e.to_status is None]
    if comments:
        lines += ["", _("<b>Comments</b>")] + [f"{i18n.date(e.at, 'short')}: <i>{escape(e.comment or '')}</i>" for e in comments[-5:]]
    moves = [e for e in events if e.to_status in set(ProjectStatus) and e.from_status != e.to_status]
    if moves:
        lines += ["", _("<b>History</b>")] + [f"{i18n.date(e.at, 'short')}: {_(STATUS[ProjectStatus(e.to_status)])}" for e in moves[-6:]]
    rows: list[list[tuple[str, str]]] = []
    due = next((r for r in reports if r.status in (ReportStatus.DUE, ReportStatus.CHANGES_REQUESTED)), None)
    if not staff and due is not None and project.status in (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING):
        rows.append([(_("📝 Write report %(number)s") % {"number": due.number}, f"rep:go:{due.id}")])
    if document is not None:
        rows.append([(_("📎 Proposal document"), callback("doc", project.id))])
    if staff:
        moves = [(status, label) for status, label in MOVE_BUTTON.items() if project.status in projects.MOVES[status]]
        if project.status is ProjectStatus.SELECTED:
            rows.append([(_("💰 Fund"), callback("fund", project.id))])
        rows += [[(_(label), callback("to", project.id, status.value))] for status, label in moves]
        rows.append([(_("💬 Comment"), callback("cm", project.id))])
        rows.append([(_("⬅️ All projects"), callback("list", "p1"))])
    elif project.status in projects.REVISABLE:
        rows.append([(_("✏️ Revise the proposal"), callback("rev", project.id))])
    approved = [r for r in reports if r.status is ReportStatus.APPROVED][-ROWS_PER_PAGE:]
    # Staff also open an approved report's card: its evidence, and reopening it for changes.
    rows[:0] = [[(_("📄 Report %(number)s (PDF)") % {"number": r.number}, f"rep:pdf:{r.id}"),
                 *([(_("📋 Open report %(number)s") % {"number": r.number}, f"rep:rv:{r.id}")] if staff else [])] for r in approved]
    markup = keyboard(rows) if rows else None
    if edit:
        await edit_or_reply(update, context, "\n".join(lines), reply_markup=markup)
    else:
        await reply(update, context, "\n".join(lines), reply_markup=markup)


async def send_document(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        project = await projects.for_reader(session, user=person, project_id=integer(args[0]))
        document = await projects.proposal_document(session, project_id=project.id)
    if document is None:
        raise StaleButton(args[0])
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, runtime.files.read(document.storage_path),
                                    filename=document.original_name or f"proposal-{project.id}.pdf")
    return None


# --- staff ----------------------------------------------------------------------------------------------------


async def proposals(update: Update, context: VocesContext) -> None:
    if context.person is None or context.person.role is not Role.STAFF:
        await reply(update, context, context.gettext("Only programme staff can do that."))
        return
    await show_staff_list(update, context, page=1)


async def list_page(update: Update, context: VocesContext, args: list[str]) -> object:
    await show_staff_list(update, context, page=page_number(":".join(args)))
    return None


async def show_staff_list(update: Update, context: VocesContext, *, page: int) -> None:
    _ = context.gettext
    i18n = context.i18n
    async with context.runtime.database.session() as session:
        found = await projects.for_staff(session, staff=await current_person(session, context), statuses=OPEN_STATUSES)
        totals = await project_reports.beneficiary_totals(session)
    header = _("<b>Projects</b>") + "\n" + _("People reached programme-wide (approved reports): %(count)s") % {"count": i18n.number(totals.total)}
    if not found:
        await edit_or_reply(update, context, header + "\n\n" + _("No projects are open."))
        return
    shown = page_of(found, page, size=ROWS_PER_PAGE)
    lines = [header, ""]
    rows = []
    for number, (project, name) in enumerate(shown.items, start=shown.first_index + 1):
        lines.append(f"{number}. {escape(name)} — {escape(project.title)} ({_(STATUS[project.status])})")
        rows.append([(shorten(f"{number}. {shorten(name, 20)} · {project.title}", 60), callback("open", project.id))])
    rows += page_navigation(context, shown, callback_prefix=callback("list", "p"))
    rows.append([(_("📊 People reached, in detail"), callback("totals"))])
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))


async def show_totals(update: Update, context: VocesContext, args: list[str]) -> object:
    """Programme-wide people reached by every dimension, from approved reports only."""
    async with context.runtime.database.session() as session:
        staff = await current_person(session, context)
        if staff.role is not Role.STAFF:
            raise NotAllowed(N_("Only programme staff can do that."))
        totals = await project_reports.beneficiary_totals(session)
    await reply(update, context, totals_text(context.i18n, totals), reply_markup=keyboard([[(context.gettext("⬅️ All projects"), callback("list", "p1"))]]))
    return None


async def move_project(update: Update, context: VocesContext, args: list[str]) -> object:
    project_id, value = integer(args[0]), args[1]
    if value not in set(ProjectStatus):
        raise StaleButton(value)
    runtime = context.runtime
    async with runtime.database.session() as session:
        decision = await projects.move(session, staff=await current_person(session, context), project_id=project_id,
                                       to=ProjectStatus(value), now=runtime.clock.now())
    await tell_leaders(context, decision)
    await show_project(update, context, project_id)
    return None


async def start_comment(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        draft = await projects.start_staff_step(session, staff=await current_person(session, context), project_id=integer(args[0]),
                                                step=Step.COMMENT, store=runtime.files, now=runtime.clock.now())
    return await ask_current(update, context, draft)


async def start_funding(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        draft = await projects.start_staff_step(session, staff=await current_person(session, context), project_id=integer(args[0]),
                                                step=Step.FUND_AMOUNT, store=runtime.files, now=runtime.clock.now())
    return await ask_current(update, context, draft)


async def staff_answer(update: Update, context: VocesContext, draft: ProjectDraft, text: str) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            staff = await current_person(session, context)
            draft = await projects.find_draft(session, user=staff)
            assert draft is not None
            if Step(draft.step) is Step.COMMENT:
                decision = await projects.comment(session, staff=staff, draft=draft, text=text, now=runtime.clock.now())
            else:
                await projects.fund_amount(session, staff=staff, draft=draft, text=text, now=runtime.clock.now())
                decision = None
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        return await ask_current(update, context, draft, problem=error_text(context, error))
    if decision is None:
        return await ask_current(update, context, draft)
    await leave(update, context, FLOW)
    await tell_leaders(context, decision)
    await reply(update, context, context.gettext("💬 Comment sent to the leaders of %(organization)s.") % {"organization": escape(decision.organization_name)})
    await show_project(update, context, decision.project.id, edit=False)
    return END


async def fund(update: Update, context: VocesContext, draft: ProjectDraft, frequency: ReportFrequency | None) -> object:
    if frequency is None:
        raise StaleButton("freq")
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            staff = await current_person(session, context)
            draft = await projects.find_draft(session, user=staff)
            assert draft is not None
            decision = await projects.fund(session, staff=staff, draft=draft, frequency=frequency, now=runtime.clock.now())
            await project_reports.plan_deadlines(session, project_id=decision.project.id, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    except (AlreadyDone, NotAllowed):
        await leave(update, context, FLOW)
        raise
    await leave(update, context, FLOW)
    await tell_leaders(context, decision)
    await show_project(update, context, decision.project.id, edit=False)
    return END


async def tell_leaders(context: VocesContext, decision: projects.Decision) -> None:
    """Each leader hears of the change in their own language, with the button that goes on."""
    project = decision.project
    for leader in decision.leaders:
        i18n = context.runtime.translator(leader.language)
        _ = i18n.gettext
        title = escape(project.title)
        if decision.comment is not None:
            text = _("💬 The programme staff commented on the project “%(title)s”:") % {"title": title} + f"\n\n<i>{escape(decision.comment)}</i>"
            rows = [[(_("✏️ Revise the proposal"), callback("rev", project.id))]] if project.status in projects.REVISABLE else [[(_("📂 Open"), callback("open", project.id))]]
        elif project.status is ProjectStatus.FUNDED:
            text = _("💰 The project “%(title)s” is funded: %(amount)s. The first report is due on %(date)s; send it with /report.") % {
                "title": title, "amount": soles(i18n, project.granted_cents),
                "date": i18n.date(project.report_due_on) if project.report_due_on else "—"}
            rows = [[(_("📂 Open"), callback("open", project.id))]]
        else:
            text = _("The project “%(title)s” is now: %(status)s.") % {"title": title, "status": _(STATUS[project.status])}
            rows = [[(_("📂 Open"), callback("open", project.id))]]
        await notify(context, leader.telegram_id, text, reply_markup=keyboard(rows))


# --- leaving ---------------------------------------------------------------------------------------------------


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


BUTTONS = {
    **{action: draft_action(action) for action in ("theme", "district", "skipdoc", "edit", "summary", "send", "resume", "restart", "freq")},
    "rev": revise,
    "open": open_project,
    "doc": send_document,
    "list": list_page,
    "to": move_project,
    "cm": start_comment,
    "fund": start_funding,
    "totals": show_totals,
}


def conversation() -> ConversationHandler:
    answers = [
        MessageHandler(filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(filters.Document.ALL | filters.PHOTO, on_file),
        MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_other),
    ]
    return ConversationHandler(
        entry_points=[command("propose", propose), CallbackQueryHandler(on_button, pattern=r"^prj:")],
        states={step.value: answers for step in Step},
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    application.add_handler(conversation())
    application.add_handlers([command("projects", list_projects), command("proposals", proposals)])
