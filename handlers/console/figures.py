"""/stats (numbers and a chart), /indicators (a period's sheet) and /export (the workbook): every
figure from the one registry (bot/console/figures/), named and explained alike everywhere."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from telegram import Update

from bot.console import exports
from bot.console import figures as programme
from bot.console import screens as shown
from bot.console.audit import Viewer
from bot.console.sheets import beneficiaries_sheet, export_sheets, indicator_sheet
from bot.core.i18n import N_
from bot.documents import charts, workbook
from handlers.common import answer_button, send_charts
from handlers.console.common import console_viewer
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.show import say

# --- /stats and /indicators -----------------------------------------------------------------------


async def compute_figures(context: VocesContext, session, who: Viewer, period: programme.Period) -> programme.Figures:  # noqa: ANN001
    runtime = context.runtime
    zone = runtime.settings.zone
    return await programme.compute(session, who=who, period=period, zone_of=lambda moment: moment.astimezone(zone).date(),
                                   now=runtime.clock.now())


async def stats(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    runtime = context.runtime
    today = runtime.clock.now().astimezone(runtime.settings.zone).date()
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        figures = await compute_figures(context, session, who, programme.Period(None, today))
    await say(update, context, shown.stats(context.i18n, who, figures))
    panels = shown.stats_charts(context.i18n, figures)
    # Drawing takes a moment of CPU: off the event loop, so other people are answered meanwhile.
    images = await asyncio.to_thread(charts.phone_charts, panels, empty=_("No data yet"))
    await send_charts(update, context, [(image, panel.title) for image, panel in zip(images, panels, strict=True)])


PERIODS = shown.PERIODS
# File names, in the reader's words.
PERIOD_FILE = {"month": N_("this-month"), "lastmonth": N_("last-month"), "year": N_("this-year"), "all": N_("since-the-start")}


def period_of(code: str, today: date) -> programme.Period:
    if code == "month":
        return programme.Period(today.replace(day=1), today)
    if code == "lastmonth":
        end = today.replace(day=1) - timedelta(days=1)
        return programme.Period(end.replace(day=1), end)
    if code == "year":
        return programme.Period(today.replace(month=1, day=1), today)
    return programme.Period(None, today)


async def indicators(update: Update, context: VocesContext) -> None:
    async with context.runtime.database.session() as session:
        if await console_viewer(update, context, session) is None:
            return
    await say(update, context, shown.periods(context.i18n))


async def indicators_for(update: Update, context: VocesContext, args: list[str]) -> None:
    """con:ind:<period>: the period's figures, and its sheet."""
    await answer_button(update, context)
    _ = context.gettext
    code = args[0]
    if code not in PERIODS:
        raise StaleButton(code)
    runtime = context.runtime
    today = runtime.clock.now().astimezone(runtime.settings.zone).date()
    period = period_of(code, today)
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        figures = await compute_figures(context, session, who, period)
    await say(update, context, shown.indicators(context.i18n, who, figures, period), edit=True)
    sheet = indicator_sheet(context.i18n, figures, shown.indicators_heading(context.i18n, period))
    content = workbook.workbook([sheet, beneficiaries_sheet(context.i18n, figures)], zone=runtime.settings.zone)
    assert update.effective_chat is not None
    name = _("voces-indicators-%(period)s-%(date)s.xlsx") % {"period": _(PERIOD_FILE[code]), "date": today.isoformat()}
    await context.bot.send_document(update.effective_chat.id, content, filename=name)


# --- /export --------------------------------------------------------------------------------------


async def export(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    runtime = context.runtime
    today = runtime.clock.now().astimezone(runtime.settings.zone).date()
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        tables = await exports.tables(session, who=who, mask=runtime.cipher.masked, now=runtime.clock.now())
        figures = await compute_figures(context, session, who, programme.Period(None, today))
    sheets = export_sheets(context.i18n, tables, figures.topics)
    sheets.append(indicator_sheet(context.i18n, figures, _("Totals until %(date)s") % {"date": context.i18n.date(today, "medium")}))
    sheets.append(beneficiaries_sheet(context.i18n, figures))
    content = await asyncio.to_thread(workbook.workbook, sheets, zone=runtime.settings.zone)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, content, filename=_("voces-export-%(date)s.xlsx") % {"date": today.isoformat()},
                                    caption=_("Identity numbers are masked. Keep this file as carefully as the data it holds."))


