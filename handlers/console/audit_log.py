"""/audit (who read or changed what) and /scope (the districts each coordinator follows)."""

from __future__ import annotations

from telegram import Update

from bot.console import audit, console
from bot.console import screens as shown
from bot.core.districts import find_districts
from bot.core.validation import fold_text, parse_id
from bot.people.authority import NotAllowed
from handlers.common import ROWS_PER_PAGE, answer_button, page_number
from handlers.console.common import console_viewer, refuse
from handlers.context import VocesContext
from handlers.guards import button_number
from handlers.show import say

# --- /audit ---------------------------------------------------------------------------------------


async def show_audit(update: Update, context: VocesContext) -> None:
    """/audit: the newest entries; /audit NAME: those of an organization or a person."""
    query = " ".join(context.args or []).strip()
    runtime = context.runtime
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session, staff_only=True)
        if who is None:
            return
        if query:
            organizations = await console.find(session, who=who, query=query, limit=5)
            wanted = fold_text(query)
            persons = [p for p in await audit.console_people(session, staff=who) if wanted in fold_text(p.display_name or "")][:5]
            await say(update, context, shown.audit_whose(context.i18n, query, organizations, persons))
            return
    await audit_page(update, context, "a", 1)


async def audit_button(update: Update, context: VocesContext, args: list[str]) -> None:
    """con:audit:<a|o<organization>|u<person>>:p<page>."""
    await answer_button(update, context)
    await audit_page(update, context, args[0], page_number(args[1]))


async def audit_page(update: Update, context: VocesContext, target: str, page: int) -> None:
    runtime = context.runtime
    person_id = button_number(target[1:]) if target.startswith("u") else None
    organization_id = button_number(target[1:]) if target.startswith("o") else None
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session, staff_only=True)
        if who is None:
            return
        lines_found, total = await audit.entries(session, staff=who, person_id=person_id, organization_id=organization_id,
                                                 offset=(page - 1) * ROWS_PER_PAGE, limit=ROWS_PER_PAGE, now=runtime.clock.now())
    await say(update, context, shown.audit_page(context.i18n, lines_found, total, target=target, page=page), edit=True)


# --- /scope: the districts a coordinator follows --------------------------------------------------

ALL_DISTRICTS = ("all", "todos", "todas")


async def scope(update: Update, context: VocesContext) -> None:
    """/scope lists coordinators; /scope 12 callao, comas (or all) sets coordinator 12's districts."""
    runtime = context.runtime
    args = context.args or []
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session, staff_only=True)
        if who is None:
            return
        coordinator_id = parse_id(args[0].lstrip("#")) if args else None
        if coordinator_id is None:
            found = await audit.coordinators(session, staff=who)
            await say(update, context, shown.coordinators(context.i18n, found))
            return
        wanted = [part.strip() for part in " ".join(args[1:]).split(",") if part.strip()]
        codes: list[str] = []
        if not (len(wanted) == 1 and fold_text(wanted[0]) in ALL_DISTRICTS):
            for name in wanted:
                matches = find_districts(name, limit=1)
                if not matches:
                    await say(update, context, shown.unknown_district(context.i18n, name))
                    return
                codes.append(matches[0].ubigeo)
            if not codes:
                await say(update, context, shown.districts_missing(context.i18n))
                return
        try:
            coordinator = await audit.set_districts(session, staff=who, coordinator_id=coordinator_id, districts=codes, now=runtime.clock.now())
        except NotAllowed as error:
            await refuse(update, context, error)
            return
    await say(update, context, shown.scope_set(context.i18n, coordinator, codes))
