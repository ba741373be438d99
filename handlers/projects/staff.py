"""/proposals: staff see the open projects and the people reached, move a project along,
comment on it and fund it; the leaders are told of each change in their language.
"""

from __future__ import annotations

from telegram import Update

from bot.console import figures
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.organizations.cautions import NeedsConfirmation
from bot.people.authority import NotAllowed
from bot.projects import projects
from bot.projects import reports as project_reports
from bot.projects.models import Project, ProjectDraft, ProjectStatus, ReportFrequency
from bot.projects.projects import Step
from bot.projects.reports import BeneficiaryTotals
from handlers.common import (
    END,
    answer_button,
    cautions_text,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.projects.card import show_project
from handlers.projects.common import FLOW, OPEN_STATUSES, ask_current, callback
from handlers.projects.project_cards import (
    STATUS,
    current_person,
    integer,
    person_and_draft,
    staff_list,
    staff_list_page,
    totals_text,
)
from handlers.ruos.common import today_of


async def reached_so_far(context: VocesContext, session, staff_id: int) -> BeneficiaryTotals:  # noqa: ANN001
    """The registry's "people reached" since the start, as /stats and /indicators count it."""
    runtime = context.runtime
    zone = runtime.settings.zone
    return await figures.people_reached_so_far(session, staff_id=staff_id, today=runtime.clock.now().astimezone(zone).date(),
                                               zone_of=lambda moment: moment.astimezone(zone).date())


async def show_staff_list(update: Update, context: VocesContext, *, page: int) -> None:
    _ = context.gettext
    i18n = context.i18n
    async with context.runtime.database.session() as session:
        staff = await current_person(session, context)
        found = await projects.for_staff(session, staff=staff, statuses=OPEN_STATUSES)
        totals = await reached_so_far(context, session, staff.id)
    header = _("<b>Projects</b>") + "\n" + _("People reached: %(count)s") % {"count": i18n.number(totals.total)}
    if not found:
        await edit_or_reply(update, context, header + "\n\n" + _("No projects are open."))
        return

    def entry(listed: tuple[Project, str]) -> tuple[str, str, str, str]:
        project, name = listed
        return name, project.title, f" ({_(STATUS[project.status])})", callback("open", project.id)

    lines, rows = staff_list_page(context, found, page=page, callback_prefix=callback("list", "p"), entry=entry)
    rows.append([(_("📊 People reached, in detail"), callback("totals"))])
    await edit_or_reply(update, context, "\n".join([header, "", *lines]), reply_markup=keyboard(rows))


proposals, list_page = staff_list(show_staff_list)  # /proposals and its pages


async def show_totals(update: Update, context: VocesContext, args: list[str]) -> object:
    """Programme-wide people reached by every dimension, from approved reports only."""
    async with context.runtime.database.session() as session:
        totals = await reached_so_far(context, session, (await current_person(session, context)).id)
    await reply(update, context, totals_text(context.i18n, totals), reply_markup=keyboard([[(context.gettext("⬅️ All projects"), callback("list", "p1"))]]))
    return None


async def move_project(update: Update, context: VocesContext, args: list[str]) -> object:
    project_id, value = integer(args[0]), args[1]
    if value not in set(ProjectStatus):
        raise StaleButton(value)
    runtime = context.runtime
    async with runtime.database.session() as session:
        await projects.move(session, staff=await current_person(session, context), project_id=project_id,
                                       to=ProjectStatus(value), now=runtime.clock.now())
    await show_project(update, context, project_id)
    return None


async def start_comment(update: Update, context: VocesContext, args: list[str]) -> object:
    return await start_step(update, context, integer(args[0]), Step.COMMENT)


async def start_funding(update: Update, context: VocesContext, args: list[str]) -> object:
    return await start_step(update, context, integer(args[0]), Step.FUND_AMOUNT)


async def start_step(update: Update, context: VocesContext, project_id: int, step: Step) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        draft = await projects.start_staff_step(session, staff=await current_person(session, context), project_id=project_id,
                                                step=step, store=runtime.files, now=runtime.clock.now())
    return await ask_current(update, context, draft)


async def staff_answer(update: Update, context: VocesContext, draft: ProjectDraft, text: str) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            staff, draft = await person_and_draft(session, context)
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
    await reply(update, context, context.gettext("💬 Comment sent to the leaders of %(organization)s.") % {"organization": escape(decision.organization_name)})
    await show_project(update, context, decision.project.id, edit=False)
    return END


async def fund(update: Update, context: VocesContext, draft: ProjectDraft, frequency: ReportFrequency | None, *,
               confirmed: bool = False) -> object:
    if frequency is None:
        raise StaleButton("freq")
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            staff, draft = await person_and_draft(session, context)
            decision = await projects.fund(session, staff=staff, draft=draft, frequency=frequency, now=runtime.clock.now(),
                                           today=today_of(runtime), confirmed=confirmed)
            await project_reports.plan_deadlines(session, project_id=decision.project.id, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    except NeedsConfirmation as error:
        _ = context.gettext
        await reply(update, context, _("⚠️ Before you fund it:") + "\n" + cautions_text(context, error) + "\n\n" + _("Fund it anyway?"),
                    reply_markup=keyboard([[(_("✅ Yes, fund it"), callback("fundok", frequency.value)),
                                            (_("No"), callback("open", draft.project_id))]]))
        return Step.FUND_FREQUENCY.value
    except (AlreadyDone, NotAllowed):
        await leave(update, context, FLOW)
        raise
    except InvalidInput as error:  # too many reports for how often: the same question again
        await answer_button(update, context)
        return await ask_current(update, context, draft, problem=error_text(context, error))
    await leave(update, context, FLOW)
    await show_project(update, context, decision.project.id, edit=False)
    return END
