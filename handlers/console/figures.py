"""/stats (numbers and a chart), /indicators (a period's sheet) and /export (the workbook): every
figure from the one registry (bot/console/figures/), named and explained alike everywhere."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from telegram import Update

from bot.console import exports
from bot.console import figures as programme
from bot.console.audit import Viewer
from bot.core.i18n import N_
from bot.documents import charts, workbook
from bot.projects.reports import AGE_GROUPS, NATIONALITIES, SEXES, UNSPLIT
from handlers.common import (
    answer_button,
    edit_or_reply,
    keyboard,
    reply,
    send_charts,
)
from handlers.console.common import (
    AGE,
    NATIONALITY,
    SEX,
    console_viewer,
    district_name,
    scope_line,
)
from handlers.console.export_labels import export_sheets
from handlers.console.figure_labels import (
    PEOPLE_SEX,
    message_lines,
    sheet_rows,
    stage_label,
    strip_emoji,
    topic_name,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton

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
    lines = [_("<b>Programme figures</b>"), scope_line(context.i18n, who), "", *message_lines(context, figures)]
    await reply(update, context, "\n".join(lines))
    by_district = figures.by_district.most_common()
    by_stage = sorted(figures.by_ruos_stage.items())
    panels = [
        charts.Bars(_("Organizations by district"), [(district_name(code), count) for code, count in by_district]),
        charts.Bars(_("Organizations by RUOS status"), [(strip_emoji(stage_label(context, code)), count) for code, count in by_stage]),
    ]
    if figures.trained_by_topic:
        panels.append(charts.StackedBars(_("People trained by topic and sex"), [_(label) for label in PEOPLE_SEX.values()], [
            (topic_name(context, figures, code), [figures.trained_by_topic_sex[code, sex] for sex in PEOPLE_SEX])
            for code, _count in figures.trained_by_topic.most_common()]))
    if figures.beneficiaries.total:
        people = figures.beneficiaries
        panels.append(charts.Bars(_("People reached by nationality and sex"), [
            (f"{_(NATIONALITY.get(nationality, nationality))}, {_(SEX.get(sex, sex))}", count)
            for (nationality, sex), count in sorted(people.by_nationality_sex.items()) if count]))
    # Drawing takes a moment of CPU: off the event loop, so other people are answered meanwhile.
    images = await asyncio.to_thread(charts.phone_charts, panels, empty=_("No data yet"))
    await send_charts(update, context, [(image, panel.title) for image, panel in zip(images, panels, strict=True)])


PERIODS = ("month", "lastmonth", "year", "all")
PERIOD_LABEL = {"month": N_("This month"), "lastmonth": N_("Last month"), "year": N_("This year"), "all": N_("Since the start")}
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
    _ = context.gettext
    async with context.runtime.database.session() as session:
        if await console_viewer(update, context, session) is None:
            return
    rows = [[(_(PERIOD_LABEL[code]), f"con:ind:{code}")] for code in PERIODS]
    await reply(update, context, _("Which period should the indicator sheet cover?"), reply_markup=keyboard(rows))


async def indicators_for(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    _ = context.gettext
    code = update.callback_query.data.rsplit(":", 1)[1]  # type: ignore[union-attr]
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
    end = context.i18n.date(period.end, "medium")
    heading = (_("Indicators from %(start)s to %(end)s") % {"start": context.i18n.date(period.start, "medium"), "end": end}
               if period.start else _("Indicators from the start to %(end)s") % {"end": end})
    await edit_or_reply(update, context, f"<b>{heading}</b>\n{scope_line(context.i18n, who)}\n\n" + "\n".join(message_lines(context, figures)))
    sheet = indicator_sheet(context, figures, heading)
    content = workbook.workbook([sheet, beneficiaries_sheet(context, figures)], zone=runtime.settings.zone)
    assert update.effective_chat is not None
    name = _("voces-indicators-%(period)s-%(date)s.xlsx") % {"period": _(PERIOD_FILE[code]), "date": today.isoformat()}
    await context.bot.send_document(update.effective_chat.id, content, filename=name)


def indicator_sheet(context: VocesContext, figures: programme.Figures, heading: str) -> workbook.Sheet:
    _ = context.gettext
    rows: list[list[workbook.Cell]] = [[heading, None, None], *sheet_rows(context, figures)]
    return workbook.Sheet(_("Indicators"), (_("Indicator"), _("Value"), _("How this is counted")), rows)


UNSPLIT_LABEL = N_("age not split by sex")


def beneficiaries_sheet(context: VocesContext, figures: programme.Figures) -> workbook.Sheet:
    """People reached by nationality × sex × age group, one row per nationality and sex. Reports
    approved before the ages were asked per sex have a row of their own per nationality
    ("age not split by sex"), so the table adds up to the total and no sex is guessed."""
    _ = context.gettext
    people = figures.beneficiaries
    cross = people.by_nationality_sex_age
    sexes = [*SEXES, UNSPLIT] if people.unsplit else list(SEXES)
    rows: list[list[workbook.Cell]] = []
    for nationality in NATIONALITIES:
        for sex in sexes:
            ages = [cross.get((nationality, sex, age), 0) for age in AGE_GROUPS]
            label = _(UNSPLIT_LABEL) if sex == UNSPLIT else _(SEX[sex])
            rows.append([_(NATIONALITY[nationality]), label, *ages, sum(ages)])
    by_age = [sum(n for (_nationality, _sex, age), n in cross.items() if age == group) for group in AGE_GROUPS]
    rows.append([_("Total"), None, *by_age, sum(by_age)])
    rows += [[], [_(programme.BY_KEY["people_reached"].rule)]]
    if people.unsplit:
        rows.append([_("“Age not split by sex”: people of reports approved before Voces asked the ages of each sex. Their sex is counted in the split by sex, but cannot be crossed with their age.")])
    headers = [_("Nationality"), _("Sex"), *(_(AGE[age]) for age in AGE_GROUPS), _("Total")]
    return workbook.Sheet(_("Nationality × sex × age"), headers, rows)


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
    sheets = export_sheets(context, tables, figures.topics)
    sheets.append(indicator_sheet(context, figures, _("Totals until %(date)s") % {"date": context.i18n.date(today, "medium")}))
    sheets.append(beneficiaries_sheet(context, figures))
    content = await asyncio.to_thread(workbook.workbook, sheets, zone=runtime.settings.zone)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, content, filename=_("voces-export-%(date)s.xlsx") % {"date": today.isoformat()},
                                    caption=_("Identity numbers are masked. Keep this file as carefully as the data it holds."))


