"""/org NAME and /pending: one organization's whole status, and everything waiting for staff.
What each shows is bot/console/screens.py's."""

from __future__ import annotations

from telegram import Update

from bot.console import console
from bot.console import screens as shown
from bot.people.authority import NotAllowed
from handlers.common import answer_button, page_number
from handlers.console.common import console_viewer, refuse
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_part
from handlers.show import say

# --- /org NAME ------------------------------------------------------------------------------------


async def find_organization(update: Update, context: VocesContext) -> None:
    query = " ".join(context.args or []).strip()
    async with context.runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        if not query:
            await say(update, context, shown.org_usage(context.i18n))
            return
        found = await console.find(session, who=who, query=query)
    if not found:
        await say(update, context, shown.no_organization(context.i18n, query))
        return
    if len(found) == 1:
        await show_status(update, context, found[0].id)
        return
    await say(update, context, shown.which_organization(context.i18n, found))


async def organization_button(update: Update, context: VocesContext, args: list[str]) -> None:
    """con:org:<id>. Answered once the scope is checked: a refusal is an alert on the button itself."""
    await show_status(update, context, button_part(update.callback_query.data, -1))  # type: ignore[union-attr]


async def show_status(update: Update, context: VocesContext, organization_id: int) -> None:
    runtime = context.runtime
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        try:
            found = await console.status(session, who=who, organization_id=organization_id, catalogue=runtime.requirements,
                                         today=runtime.clock.now().astimezone(runtime.settings.zone).date(), now=runtime.clock.now())
        except NotAllowed as error:
            await refuse(update, context, error)
            return
    if found is None:
        raise StaleButton(organization_id)
    await answer_button(update, context)
    await say(update, context, shown.status(context.i18n, who, found, masked=runtime.cipher.masked))


# --- /pending -------------------------------------------------------------------------------------


async def list_pending(update: Update, context: VocesContext, args: list[str] | None = None) -> None:
    """/pending, and con:pending:p<n> (a page of it)."""
    await answer_button(update, context)
    page = page_number(update.callback_query.data if update.callback_query else None)
    runtime = context.runtime
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        waiting = await console.pending(session, who=who, now=runtime.clock.now())
    await say(update, context, shown.pending(context.i18n, who, waiting, page=page, requirements=runtime.requirements), edit=True)
