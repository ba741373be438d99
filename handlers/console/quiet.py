"""Quiet organizations (/quiet, marking them inactive or dissolved; the check-in's message is
bot/organizations/reminder_screens.py's) and the daily jobs: the follow-up sweep and the retention rules."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.ext import ContextTypes

from bot.console import screens as shown
from bot.console.models import ActivityState
from bot.core.runtime import Runtime
from bot.core.transitions import AlreadyDone
from bot.organizations import followup
from bot.people import retention
from bot.people.authority import NotAllowed
from handlers.common import answer_button, say_already_done
from handlers.console.common import console_viewer, refuse
from handlers.context import VocesContext
from handlers.guards import button_number
from handlers.show import say

log = logging.getLogger(__name__)


# --- quiet organizations -------------------------------------------------------------------------


async def quiet(update: Update, context: VocesContext) -> None:
    runtime = context.runtime
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        found = await followup.listed(session, who=who, now=runtime.clock.now())
    await say(update, context, shown.quiet(context.i18n, who, found))


async def mark(update: Update, context: VocesContext, args: list[str]) -> None:
    """con:mark:<organization>:<active|inactive|dissolved>."""
    organization_id, state = button_number(args[0]), ActivityState(args[1])
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            who = await console_viewer(update, context, session, staff_only=True)
            if who is None:
                return
            organization = await followup.mark(session, who=who, organization_id=organization_id, state=state, now=runtime.clock.now())
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return
    except NotAllowed as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await say(update, context, shown.marked(context.i18n, organization, state))


# --- the daily jobs -------------------------------------------------------------------------------


async def run_followup(runtime: Runtime) -> followup.SweepReport:
    """Check on quiet organizations now (the daily job; tests call it on an advanced clock)."""
    settings = runtime.settings
    async with runtime.database.session() as session:
        report = await followup.sweep(session, now=runtime.clock.now(), quiet_after=timedelta(days=settings.quiet_after_days),
                                      listing_after=timedelta(days=settings.quiet_listing_days))
    log.info("follow-up: %d organizations checked on, %d listed for staff", len(report.checked_in), len(report.listed))
    return report


async def run_retention(runtime: Runtime) -> retention.RetentionReport:
    """Delete what outlived its purpose; files go once the rows that referred to them are gone."""
    from bot.people import privacy

    async with runtime.database.session() as session:
        report = await retention.run(session, settings=runtime.settings, now=runtime.clock.now())
    async with runtime.database.session() as session:
        removable = await privacy.unreferenced(session, report.files)
    for path in removable:
        runtime.files.delete(path)
    log.info("retention: %d uploads, %d audit entries, %d organization changes, %d reminders, %d people erased, %d files",
             report.uploads, report.audit_entries, report.organization_changes, report.reminders, report.people_erased, len(removable))
    return report


async def daily(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime = context.application.runtime  # type: ignore[attr-defined]
    await run_followup(runtime)
    await run_retention(runtime)
