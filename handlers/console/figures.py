"""/stats (numbers and a chart), /indicators (a period's sheet) and /export (the workbook), all
from one figures service (bot/services/console.py)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from telegram import Update

from bot.documents import charts, workbook
from bot.i18n import N_
from bot.models.ruos import RegistrationStage
from bot.services import console, exports
from bot.services.audit import Viewer
from bot.services.project_reports import AGE_GROUPS, NATIONALITIES, SEXES, UNSPLIT
from handlers.common import (
    answer_button,
    edit_or_reply,
    escape,
    keyboard,
    reply,
    send_charts,
)
from handlers.console.common import (
    AGE,
    NATIONALITY,
    NO_STAGE,
    SEX,
    console_viewer,
    district_name,
    scope_line,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.ruos import STAGE

# Leaders trained, by what they declared of themselves ("unstated": not said or never asked).
TRAINED_SEX = {"female": N_("women"), "male": N_("men"), "other": N_("other"), "unstated": N_("not stated")}
TRAINED_NATIONALITY = {"venezuelan": N_("Venezuelans"), "peruvian": N_("Peruvians"), "other": N_("other nationalities"),
                       "unstated": N_("not stated")}

# --- /stats and /indicators -----------------------------------------------------------------------


def stage_label(context: VocesContext, code: str) -> str:
    return context.gettext(NO_STAGE) if code == console.NO_STAGE else context.gettext(STAGE[RegistrationStage(code)])


def figures_lines(context: VocesContext, figures: console.Figures) -> list[str]:
    _ = context.gettext
    n = context.i18n.number
    activity = figures.by_activity
    lines = [
        _("Organizations supported: %(count)s (%(verified)s verified)") % {"count": n(figures.organizations), "verified": n(figures.verified)},
        _("Active %(active)s · inactive %(inactive)s · dissolved %(dissolved)s") % {
            "active": n(activity["active"]), "inactive": n(activity["inactive"]), "dissolved": n(activity["dissolved"])},
        _("Registered in the RUOS: %(count)s") % {"count": n(figures.registered_in_ruos)},
        _("Members: %(pe)s Peruvian, %(ve)s Venezuelan, %(other)s other") % {
            "pe": n(figures.members["peruvian"]), "ve": n(figures.members["venezuelan"]), "other": n(figures.members["other"])},
        _("Projects: %(count)s (%(funded)s funded)") % {"count": n(figures.projects), "funded": n(figures.projects_funded)},
    ]
    lines.append(_("Leaders trained: %(count)s") % {"count": n(figures.leaders_trained)})
    if figures.leaders_trained:
        lines.append("  " + " · ".join(f"{_(label)} {n(figures.trained_by_sex[code])}" for code, label in TRAINED_SEX.items()))
        lines.append("  " + " · ".join(f"{_(label)} {n(figures.trained_by_nationality[code])}"
                                       for code, label in TRAINED_NATIONALITY.items()))
    for code, count in sorted(figures.trained_by_topic.items()):
        split = ", ".join(f"{_(label)} {n(figures.trained_by_topic_sex[code, sex])}"
                          for sex, label in TRAINED_SEX.items() if figures.trained_by_topic_sex[code, sex])
        lines.append(f"  • {escape(topic_name(context, figures, code))}: {n(count)}" + (f" ({split})" if split else ""))
    people = figures.beneficiaries
    lines.append(_("Beneficiaries (approved reports): %(total)s") % {"total": n(people.total)})
    if people.total:
        lines.append("  " + " · ".join(f"{_(NATIONALITY[k])} {n(v)}" for k, v in people.by_nationality.items() if v))
        lines.append("  " + " · ".join(f"{_(SEX.get(k, k))} {n(v)}" for k, v in people.by_sex.items() if v))
        lines.append("  " + " · ".join(f"{_(AGE.get(k, k))} {n(v)}" for k, v in people.by_age.items() if v))
    return lines


def topic_name(context: VocesContext, figures: console.Figures, code: str) -> str:
    topic = figures.topics.get(code)
    return topic.name(context.i18n.language) if topic else code


async def compute_figures(context: VocesContext, session, who: Viewer, period: console.Period) -> console.Figures:  # noqa: ANN001
    runtime = context.runtime
    zone = runtime.settings.zone
    return await console.figures(session, who=who, period=period, zone_of=lambda moment: moment.astimezone(zone).date(),
                                 now=runtime.clock.now())


async def stats(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    runtime = context.runtime
    today = runtime.clock.now().astimezone(runtime.settings.zone).date()
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        figures = await compute_figures(context, session, who, console.Period(None, today))
    lines = [_("<b>Programme figures</b>"), scope_line(context.i18n, who), "", *figures_lines(context, figures), "", _("<b>By district</b>")]
    by_district = figures.by_district.most_common()
    lines += [f"• {escape(district_name(code))}: {count}" for code, count in by_district]
    lines += ["", _("<b>By RUOS status</b>")]
    by_stage = sorted(figures.by_ruos_stage.items())
    lines += [f"• {stage_label(context, code)}: {count}" for code, count in by_stage]
    await reply(update, context, "\n".join(lines))
    panels = [
        charts.Bars(_("Organizations by district"), [(district_name(code), count) for code, count in by_district]),
        charts.Bars(_("Organizations by RUOS status"), [(strip_emoji(stage_label(context, code)), count) for code, count in by_stage]),
    ]
    if figures.trained_by_topic:
        panels.append(charts.StackedBars(_("Leaders trained by topic and sex"), [_(label) for label in TRAINED_SEX.values()], [
            (topic_name(context, figures, code), [figures.trained_by_topic_sex[code, sex] for sex in TRAINED_SEX])
            for code, _count in figures.trained_by_topic.most_common()]))
    if figures.beneficiaries.total:
        people = figures.beneficiaries
        panels.append(charts.Bars(_("Beneficiaries by nationality and sex"), [
            (f"{_(NATIONALITY.get(nationality, nationality))}, {_(SEX.get(sex, sex))}", count)
            for (nationality, sex), count in sorted(people.by_nationality_sex.items()) if count]))
    # Drawing takes a moment of CPU: off the event loop, so other people are answered meanwhile.
    images = await asyncio.to_thread(charts.phone_charts, panels, empty=_("No data yet"))
    await send_charts(update, context, [(image, panel.title) for image, panel in zip(images, panels, strict=True)])


def strip_emoji(label: str) -> str:
    # The chart's font has no emoji: "🛠 preparing" is drawn as "preparing".
    return label.split(" ", 1)[1] if label and not label[0].isalnum() and " " in label else label


PERIODS = ("month", "lastmonth", "year", "all")
PERIOD_LABEL = {"month": N_("This month"), "lastmonth": N_("Last month"), "year": N_("This year"), "all": N_("Since the start")}


def period_of(code: str, today: date) -> console.Period:
    if code == "month":
        return console.Period(today.replace(day=1), today)
    if code == "lastmonth":
        end = today.replace(day=1) - timedelta(days=1)
        return console.Period(end.replace(day=1), end)
    if code == "year":
        return console.Period(today.replace(month=1, day=1), today)
    return console.Period(None, today)


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
    await edit_or_reply(update, context, f"<b>{heading}</b>\n{scope_line(context.i18n, who)}\n\n" + "\n".join(figures_lines(context, figures)))
    sheet = indicator_sheet(context, figures, heading)
    content = workbook.workbook([sheet, beneficiaries_sheet(context, figures)], zone=runtime.settings.zone)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, content, filename=f"voces-indicators-{code}-{today.isoformat()}.xlsx")


def indicator_sheet(context: VocesContext, figures: console.Figures, heading: str) -> workbook.Sheet:
    _ = context.gettext
    rows: list[list[workbook.Cell]] = [
        [heading, None],
        [_("Organizations supported"), figures.organizations],
        [_("New organizations in the period"), figures.new_organizations],
        [_("Verified by the programme"), figures.verified],
        [_("Registered in the RUOS"), figures.registered_in_ruos],
        [_("Active"), figures.by_activity["active"]],
        [_("Inactive"), figures.by_activity["inactive"]],
        [_("Dissolved"), figures.by_activity["dissolved"]],
        [_("Peruvian members"), figures.members["peruvian"]],
        [_("Venezuelan members"), figures.members["venezuelan"]],
        [_("Other members"), figures.members["other"]],
        [_("Leaders trained"), figures.leaders_trained],
        *([_("Leaders trained by sex: %(group)s") % {"group": _(label)}, figures.trained_by_sex[code]] for code, label in TRAINED_SEX.items()),
        *([_("Leaders trained by nationality: %(group)s") % {"group": _(label)}, figures.trained_by_nationality[code]]
          for code, label in TRAINED_NATIONALITY.items()),
        [_("Projects"), figures.projects],
        [_("Projects funded"), figures.projects_funded],
        [_("Beneficiaries"), figures.beneficiaries.total],
    ]
    people = figures.beneficiaries
    rows += [[_("Beneficiaries: %(nationality)s") % {"nationality": _(NATIONALITY[k])}, v] for k, v in people.by_nationality.items()]
    rows += [[_("Beneficiaries: %(nationality)s, %(sex)s") % {"nationality": _(NATIONALITY.get(k[0], k[0])), "sex": _(SEX.get(k[1], k[1]))}, v]
             for k, v in sorted(people.by_nationality_sex.items())]
    rows += [[_("Beneficiaries: %(nationality)s, %(age)s") % {"nationality": _(NATIONALITY.get(k[0], k[0])), "age": _(AGE.get(k[1], k[1]))}, v]
             for k, v in sorted(people.by_nationality_age.items())]
    if people.unsplit:
        rows.append([_("Beneficiaries whose age is not split by sex (reports approved before it was asked)"), people.unsplit])
    for code, count in sorted(figures.trained_by_topic.items()):
        rows.append([_("Trained in %(topic)s") % {"topic": topic_name(context, figures, code)}, count])
        rows += [[_("Trained in %(topic)s: %(sex)s") % {"topic": topic_name(context, figures, code), "sex": _(label)},
                  figures.trained_by_topic_sex[code, sex]] for sex, label in TRAINED_SEX.items()]
    rows += [[_("District: %(name)s") % {"name": district_name(code)}, count] for code, count in sorted(figures.by_district.items())]
    rows += [[_("RUOS: %(stage)s") % {"stage": strip_emoji(stage_label(context, code))}, count] for code, count in sorted(figures.by_ruos_stage.items())]
    return workbook.Sheet(_("Indicators"), (_("Indicator"), _("Value")), rows)


UNSPLIT_LABEL = N_("age not split by sex")


def beneficiaries_sheet(context: VocesContext, figures: console.Figures) -> workbook.Sheet:
    """Beneficiaries by nationality × sex × age group, one row per nationality and sex. Reports
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
    if people.unsplit:
        rows += [[], [_("“Age not split by sex”: people of reports approved before Voces asked the ages of each sex. Their sex is counted in the split by sex, but cannot be crossed with their age.")]]
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
        figures = await compute_figures(context, session, who, console.Period(None, today))
    sheets = [workbook.Sheet(_(t.title), [_(h) for h in t.headers], t.rows) for t in tables]
    sheets.append(indicator_sheet(context, figures, _("Totals until %(date)s") % {"date": context.i18n.date(today, "medium")}))
    sheets.append(beneficiaries_sheet(context, figures))
    content = await asyncio.to_thread(workbook.workbook, sheets, zone=runtime.settings.zone)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, content, filename=f"voces-export-{today.isoformat()}.xlsx",
                                    caption=_("Identity numbers are masked. Keep this file as carefully as the data it holds."))
