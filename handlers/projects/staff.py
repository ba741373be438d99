"""/proposals: staff see the open projects and the people reached, move a project along,
comment on it and fund it; the leaders are told of each change in their language.
"""

from __future__ import annotations

from telegram import Update

from bot.console import figures
from bot.projects import drafts, projects
from bot.projects import staff_screens as shown
from bot.projects.models import ProjectStatus
from bot.projects.projects import Step
from bot.projects.reports import BeneficiaryTotals
from handlers.common import END, ButtonTable, cautions_text, leave
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.projects.card import show_project
from handlers.projects.common import CODE, FLOW, NUMBER, OPEN_STATUSES, ask_current
from handlers.projects.project_cards import current_person, integer, staff_list
from handlers.show import say


async def reached_so_far(context: VocesContext, session, staff_id: int) -> BeneficiaryTotals:  # noqa: ANN001
    """The registry's "people reached" since the start, as /stats and /indicators count it."""
    runtime = context.runtime
    zone = runtime.settings.zone
    return await figures.people_reached_so_far(session, staff_id=staff_id, today=runtime.clock.now().astimezone(zone).date(),
                                               zone_of=lambda moment: moment.astimezone(zone).date())


async def show_staff_list(update: Update, context: VocesContext, *, page: int) -> None:
    async with context.runtime.database.session() as session:
        staff = await current_person(session, context)
        found = await projects.for_staff(session, staff=staff, statuses=OPEN_STATUSES)
        totals = await reached_so_far(context, session, staff.id)
    await say(update, context, shown.proposals(context.i18n, found, reached=totals.total, page=page), edit=True)


proposals, list_page = staff_list(show_staff_list)  # /proposals and its pages


async def show_totals(update: Update, context: VocesContext, args: list[str]) -> object:
    """Programme-wide people reached by every dimension, from approved reports only."""
    async with context.runtime.database.session() as session:
        totals = await reached_so_far(context, session, (await current_person(session, context)).id)
    await say(update, context, shown.reached(context.i18n, totals))
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
        asked = await drafts.start_staff_step(session, user_id=context.person.id, project_id=project_id, step=step,  # type: ignore[union-attr]
                                              store=runtime.files, now=runtime.clock.now())
    return await ask_current(update, context, asked)


async def commented(update: Update, context: VocesContext, decision: projects.Decision) -> object:
    await leave(update, context, FLOW)
    await say(update, context, shown.commented(context.i18n, decision.organization_name))
    await show_project(update, context, decision.project.id, edit=False)
    return END


async def confirm_funding(update: Update, context: VocesContext, step: drafts.Step) -> object:
    """The reasons to think twice before funding, and whether to fund it anyway."""
    assert step.cautions is not None and step.frequency is not None and step.project_id is not None
    await say(update, context, shown.fund_anyway(context.i18n, cautions_text(context, step.cautions), project_id=step.project_id,
                                                 frequency=step.frequency))
    return Step.FUND_FREQUENCY.value


async def funded(update: Update, context: VocesContext, decision: projects.Decision) -> object:
    await leave(update, context, FLOW)
    await show_project(update, context, decision.project.id, edit=False)
    return END


# prj:<action>:<shape>, routed by handlers/projects/__init__.py
BUTTONS: ButtonTable = {"list": (r"p\d+", list_page), "to": (rf"{NUMBER}:{CODE}", move_project), "cm": (NUMBER, start_comment),
                        "fund": (NUMBER, start_funding), "totals": (None, show_totals)}
