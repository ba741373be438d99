"""/proposals: staff see the open projects and the people reached, move a project along,
comment on it and fund it; the leaders are told of each change in their language.
"""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_
from bot.models.people import Role
from bot.models.projects import ProjectDraft, ProjectStatus, ReportFrequency
from bot.services import project_reports, projects
from bot.services.authority import NotAllowed
from bot.services.projects import Step
from bot.services.transitions import AlreadyDone
from bot.textlimits import page_of, shorten
from bot.validation import InvalidInput
from handlers.common import (
    END,
    ROWS_PER_PAGE,
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
from handlers.guards import StaleButton
from handlers.project_cards import STATUS, current_person, integer, soles, totals_text
from handlers.projects.card import show_project
from handlers.projects.common import FLOW, OPEN_STATUSES, ask_current, callback


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
