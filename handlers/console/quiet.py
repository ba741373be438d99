"""Quiet organizations (/quiet, marking them inactive or dissolved; the check-in's message is
bot/organizations/reminder_screens.py's) and the daily jobs: the follow-up sweep and the retention rules."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.ext import ContextTypes

from bot.console.models import ActivityState
from bot.core.runtime import Runtime
from bot.core.transitions import AlreadyDone
from bot.organizations import followup
from bot.people import retention
from bot.people.authority import NotAllowed
from handlers.common import (
    ROWS_PER_PAGE,
    answer_button,
    escape,
    keyboard,
    reply,
    say_already_done,
)
from handlers.console.common import (
    ACTIVITY,
    console_viewer,
    district_name,
    refuse,
)
from handlers.context import VocesContext
from handlers.guards import button_number

log = logging.getLogger(__name__)


# --- quiet organizations -------------------------------------------------------------------------


async def quiet(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    runtime = context.runtime
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        found = await followup.listed(session, who=who, now=runtime.clock.now())
    if not found:
        await reply(update, context, _("No organization has gone quiet after its check-in."))
        return
    lines = [_("<b>Quiet organizations</b>"), _("None of their leaders answered the check-in:"), ""]
    rows = []
    for number, entry in enumerate(found[:ROWS_PER_PAGE], start=1):
        last = context.i18n.date(entry.last_contact, "medium") if entry.last_contact else _("never")
        lines.append(f"{number}. <b>{escape(entry.name)}</b> ({escape(district_name(entry.district_ubigeo))}) — " + _("last contact %(date)s") % {"date": last})
        if who.is_staff:
            rows.append([(f"{number}. " + _("Inactive"), f"con:mark:{entry.organization_id}:inactive"),
                         (f"{number}. " + _("Dissolved"), f"con:mark:{entry.organization_id}:dissolved"),
                         (f"{number}. " + _("Open"), f"con:org:{entry.organization_id}")])
    if len(found) > ROWS_PER_PAGE:
        lines.append(_("…and %(count)s more: mark these first.") % {"count": len(found) - ROWS_PER_PAGE})
    await reply(update, context, "\n".join(lines), reply_markup=keyboard(rows) if rows else None)


async def mark(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    _area, _action, organization_id, state = update.callback_query.data.split(":")  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            who = await console_viewer(update, context, session, staff_only=True)
            if who is None:
                return
            organization = await followup.mark(session, who=who, organization_id=button_number(organization_id), state=ActivityState(state),
                                               now=runtime.clock.now())
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return
    except NotAllowed as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await reply(update, context, _("Done: %(name)s is now %(state)s.") % {"name": escape(organization.name), "state": _(ACTIVITY[ActivityState(state)])})


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
