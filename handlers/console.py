"""The staff console in chat: /org, /pending, /stats, /indicators, /export, /quiet, /audit.

Staff and coordinators use it; a coordinator scoped to some districts sees only those
organizations, everywhere (bot/services/audit.py decides, from the database, at every press).
Every read of personal data and every change is in the audit log. Buttons carry ``con:…``
data, checked on arrival: a leader or an out-of-scope coordinator pressing a crafted one is
refused like the command itself.

Also here: the daily jobs that follow quiet organizations up and apply the retention rules.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.districts import district_by_ubigeo, find_districts
from bot.documents import charts, workbook
from bot.i18n import N_, Translator
from bot.models.console import ActivityState
from bot.models.organizations import BoardRole, LeaderRole, VerificationStatus
from bot.models.reminders import Reminder
from bot.models.ruos import RegistrationStage
from bot.runtime import Runtime
from bot.services import audit, console, exports, followup, retention
from bot.services.audit import Viewer
from bot.services.authority import NotAllowed
from bot.services.transitions import AlreadyDone
from bot.textlimits import page_of
from bot.validation import IdDocumentType, fold_text, format_phone_for_display
from handlers import labels, project_reports
from handlers.commands import command
from handlers.common import (
    ROWS_PER_PAGE,
    answer_button,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    page_navigation,
    page_number,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.project_reports import REPORT_STATUS
from handlers.projects import STATUS as PROJECT_STATUS
from handlers.reminders import Rendered, renders
from handlers.ruos import STAGE

log = logging.getLogger(__name__)

ACTIVITY = {
    ActivityState.ACTIVE: N_("active"),
    ActivityState.INACTIVE: N_("inactive"),
    ActivityState.DISSOLVED: N_("dissolved"),
}
NO_STAGE = N_("not started")
KIND = {
    "registration": N_("Registration to verify"),
    "ruos_item": N_("RUOS document to review"),
    "proposal": N_("Project proposal"),
    "report": N_("Project report to review"),
}
# The reports' own words for who was reached.
NATIONALITY, SEX, AGE = project_reports.NATIONALITY, project_reports.SEX_LABEL, project_reports.AGE_LABEL


async def console_viewer(update: Update, context: VocesContext, session, *, staff_only: bool = False) -> Viewer | None:  # noqa: ANN001
    """Who is using the console, read now; a refusal in their language (and None) otherwise."""
    try:
        if staff_only:
            return await audit.staff_viewer(session, user_id=context.person.id)  # type: ignore[union-attr]
        return await audit.viewer(session, user_id=context.person.id)  # type: ignore[union-attr]
    except NotAllowed as error:
        await refuse(update, context, error)
        return None


async def refuse(update: Update, context: VocesContext, error: Exception) -> None:
    text = error_text(context, error)
    query = update.callback_query
    if query is not None and not context.button_answered:
        context.button_answered = True
        await query.answer(text[:200], show_alert=True)
    await reply(update, context, text)


def district_name(code: str) -> str:
    district = district_by_ubigeo(code)
    return district.name if district else code


def scope_line(i18n: Translator, who: Viewer) -> str:
    if who.districts is None:
        return i18n.gettext("All districts")
    return i18n.gettext("Your districts: %(names)s") % {"names": ", ".join(escape(district_name(c)) for c in sorted(who.districts))}


# --- /org NAME ------------------------------------------------------------------------------------


async def find_organization(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    query = " ".join(context.args or []).strip()
    async with context.runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        if not query:
            await reply(update, context, _("Write /org and part of the organization's name, for example: /org emprendedoras"))
            return
        found = await console.find(session, who=who, query=query)
    if not found:
        await reply(update, context, _("No organization in your districts has “%(query)s” in its name.") % {"query": escape(query)})
        return
    if len(found) == 1:
        await show_status(update, context, found[0].id)
        return
    rows = [[(f"{o.name[:40]} · {district_name(o.district_ubigeo)[:18]}", f"con:org:{o.id}")] for o in found]
    await reply(update, context, _("Which one?"), reply_markup=keyboard(rows))


async def organization_button(update: Update, context: VocesContext) -> None:
    # Answered once the scope is checked: a refusal is an alert on the button itself.
    await show_status(update, context, int(update.callback_query.data.rsplit(":", 1)[1]))  # type: ignore[union-attr]


async def show_status(update: Update, context: VocesContext, organization_id: int) -> None:
    _ = context.gettext
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
    await reply(update, context, status_text(context, found), reply_markup=status_keyboard(context, who, found))


def status_text(context: VocesContext, found: console.OrganizationStatus) -> str:
    _ = context.gettext
    i18n = context.i18n
    cipher = context.runtime.cipher
    o = found.organization
    lines = [
        f"<b>{escape(o.name)}</b>",
        f"{_(labels.KIND[o.kind])} · {escape(district_name(o.district_ubigeo))}",
        _("Verification: %(status)s") % {"status": _(labels.STATUS[o.status])},
        _("Follow-up: %(state)s") % {"state": _(ACTIVITY[found.activity])},
        _("Address: %(address)s") % {"address": escape(o.address)},
        _("Founded: %(year)s") % {"year": o.founded_year},
        _("Members: %(total)s (%(pe)s Peruvian, %(ve)s Venezuelan, %(other)s other)") % {
            "total": o.members_total, "pe": o.members_peruvian, "ve": o.members_venezuelan, "other": o.members_other},
        _("Contact phone: %(phone)s") % {"phone": format_phone_for_display(o.contact_phone)},
        _("Board term: until %(date)s") % {"date": i18n.date(o.board_term_end)},
        "",
        _("<b>Board</b>"),
    ]
    for member in o.board:
        lines.append(f"• {_(labels.BOARD_ROLE[BoardRole(member.role)])}: {escape(member.full_name)}, "
                     f"{_(labels.DOCUMENT.get(IdDocumentType(member.id_document_type), member.id_document_type))} "
                     f"{cipher.masked(member.id_number_encrypted)}")
    lines += ["", _("<b>Leaders in the bot</b>")]
    if not found.leaders:
        lines.append(_("Nobody leads it in the bot any more."))
    for leader in found.leaders:
        role = _("owner") if leader.role is LeaderRole.OWNER else _("co-leader")
        name = escape(leader.name) if leader.consented and leader.name else _("(withdrew consent)")
        lines.append(f"• {name} ({role}) — " + _("last message %(date)s") % {"date": i18n.date(leader.last_seen, 'medium')})
    checklist = found.checklist
    lines += ["", _("<b>RUOS</b>"), _("Documents ready: %(percent)s%%") % {"percent": checklist.readiness.percent}]
    if checklist.registration is not None:
        lines.append(_("Registration: %(stage)s") % {"stage": _(STAGE[checklist.registration.stage])})
        if checklist.registration.ruos_number:
            lines.append(_("RUOS number: %(number)s") % {"number": escape(checklist.registration.ruos_number)})
    lines += ["", _("<b>Trainings attended</b>")]
    if found.trainings_attended:
        lines += [f"• {escape(title)} ({i18n.date(at, 'medium')}) — {escape(name or _('(withdrew consent)'))}"
                  for name, title, at in found.trainings_attended]
    else:
        lines.append(_("None recorded yet."))
    lines += ["", _("<b>Projects</b>")]
    if found.projects:
        for project in found.projects:
            lines.append(f"• {escape(project.title)} — {_(PROJECT_STATUS[project.status])} "
                         f"({i18n.date(project.starts_on, 'medium')} – {i18n.date(project.ends_on, 'medium')})")
            for report in found.reports.get(project.id, []):
                lines.append("   " + _("Report %(number)s (due %(date)s): %(status)s") % {
                    "number": report.number, "date": i18n.date(report.due_on, "medium"), "status": _(REPORT_STATUS[report.status])})
    else:
        lines.append(_("None yet."))
    lines += ["", _("Last activity: %(date)s") % {"date": i18n.date(found.last_activity, "medium")} if found.last_activity
              else _("Last activity: never")]
    return "\n".join(lines)


def status_keyboard(context: VocesContext, who: Viewer, found: console.OrganizationStatus) -> InlineKeyboardMarkup | None:
    if not who.is_staff:
        return None
    _ = context.gettext
    organization_id = found.organization.id
    rows = []
    if found.organization.status is not VerificationStatus.VERIFIED:
        rows.append([(_("Review the registration"), f"org:view:{organization_id}")])
    if found.activity is ActivityState.ACTIVE:
        rows.append([(_("Mark inactive"), f"con:mark:{organization_id}:inactive"), (_("Mark dissolved"), f"con:mark:{organization_id}:dissolved")])
    else:
        rows.append([(_("Mark active again"), f"con:mark:{organization_id}:active")])
    rows.append([(_("Audit log"), f"con:audit:o{organization_id}:p1")])
    return keyboard(rows)


# --- /pending -------------------------------------------------------------------------------------


async def list_pending(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    _ = context.gettext
    page = page_number(update.callback_query.data if update.callback_query else None)
    runtime = context.runtime
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session)
        if who is None:
            return
        waiting = await console.pending(session, who=who, now=runtime.clock.now())
    if not waiting:
        await edit_or_reply(update, context, _("Nothing is waiting for staff."))
        return
    shown = page_of(waiting, page, size=ROWS_PER_PAGE)
    lines = [_("<b>Waiting for staff</b>") + f" ({len(waiting)})", scope_line(context.i18n, who), ""]
    rows = []
    for number, entry in enumerate(shown.items, start=shown.first_index + 1):
        since = context.i18n.date(entry.since, "medium") if entry.since else ""
        lines.append(f"{number}. {_(KIND.get(entry.kind, entry.kind))}: {escape(entry.organization_name)}"
                     f"{' — ' + escape(entry.detail) if entry.kind != 'registration' and entry.detail else ''} ({since})")
        rows.append([(f"{number}. {entry.organization_name[:30]}", pending_action(who, entry))])
    rows += page_navigation(context, shown, callback_prefix="con:pending:p")
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))


def pending_action(who: Viewer, entry: console.PendingEntry) -> str:
    """Staff act on it where its area does; a coordinator opens the organization's status."""
    if who.is_staff and entry.kind == "registration":
        return f"org:view:{entry.ref_id}"
    if who.is_staff and entry.kind == "ruos_item":
        return f"ruos:rv:{entry.ref_id}"
    if who.is_staff and entry.kind == "proposal":
        return f"prj:open:{entry.ref_id}"
    if who.is_staff and entry.kind == "report":
        return f"rep:rv:{entry.ref_id}"
    return f"con:org:{entry.organization_id}"


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
    if figures.trained_by_topic:
        lines.append("  " + " · ".join(f"{escape(topic_name(context, figures, code))} {n(count)}"
                                       for code, count in sorted(figures.trained_by_topic.items())))
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
        charts.Bars(_("Organizations by district"), [(district_name(code)[:28], count) for code, count in by_district]),
        charts.Bars(_("Organizations by RUOS status"), [(strip_emoji(stage_label(context, code)), count) for code, count in by_stage]),
    ]
    # Drawing takes a moment of CPU: off the event loop, so other people are answered meanwhile.
    image = await asyncio.to_thread(charts.bar_charts, panels, title=_("Voces — organizations"), empty=_("No data yet"))
    assert update.effective_chat is not None
    await context.bot.send_photo(update.effective_chat.id, image, caption=_("Organizations by district and by RUOS status"))


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
    since = context.i18n.date(period.start, "medium") if period.start else _("the start")
    heading = _("Indicators from %(start)s to %(end)s") % {"start": since, "end": context.i18n.date(period.end, "medium")}
    await edit_or_reply(update, context, f"<b>{heading}</b>\n{scope_line(context.i18n, who)}\n\n" + "\n".join(figures_lines(context, figures)))
    sheet = indicator_sheet(context, figures, heading)
    content = workbook.workbook([sheet], zone=runtime.settings.zone)
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
    rows += [[_("Trained in %(topic)s") % {"topic": topic_name(context, figures, code)}, count]
             for code, count in sorted(figures.trained_by_topic.items())]
    rows += [[_("District: %(name)s") % {"name": district_name(code)}, count] for code, count in sorted(figures.by_district.items())]
    rows += [[_("RUOS: %(stage)s") % {"stage": strip_emoji(stage_label(context, code))}, count] for code, count in sorted(figures.by_ruos_stage.items())]
    return workbook.Sheet(_("Indicators"), (_("Indicator"), _("Value")), rows)


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
    content = await asyncio.to_thread(workbook.workbook, sheets, zone=runtime.settings.zone)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, content, filename=f"voces-export-{today.isoformat()}.xlsx",
                                    caption=_("Identity numbers are masked. Keep this file as carefully as the data it holds."))


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
            organization = await followup.mark(session, who=who, organization_id=int(organization_id), state=ActivityState(state),
                                               now=runtime.clock.now())
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return
    except NotAllowed as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await reply(update, context, _("Done: %(name)s is now %(state)s.") % {"name": escape(organization.name), "state": _(ACTIVITY[ActivityState(state)])})


@renders(followup.CHECKIN_KIND)
async def render_checkin(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    async with runtime.database.session() as session:
        organization = await followup.still_quiet(session, int(reminder.payload["organization_id"]))
    if organization is None:
        return None
    text = i18n.gettext("👋 Hello from the programme! We have not heard from <b>%(name)s</b> for a while. How is the organization doing? "
                        "Write us a line here, or see what is new with /myorg, /ruos and /trainings.") % {"name": escape(organization.name)}
    return Rendered(text)


# --- /audit ---------------------------------------------------------------------------------------

AUDIT_ACTION = {
    "org.read": N_("read the status of"),
    "pending.read": N_("read the pending list"),
    "figures.read": N_("read the figures"),
    "export": N_("exported the workbook"),
    "quiet.read": N_("read the quiet organizations"),
    "audit.read": N_("read the audit log"),
    "org.mark_inactive": N_("marked inactive"),
    "org.mark_dissolved": N_("marked dissolved"),
    "org.mark_active": N_("marked active again"),
    "scope.set": N_("set the districts of a coordinator"),
    "org.review.read": N_("opened the registration of"),
    "org.verified": N_("verified"),
    "org.needs_changes": N_("asked for changes to"),
    "ruos.item.read": N_("opened a RUOS document of"),
    "ruos.item.verified": N_("verified a RUOS document of"),
    "ruos.item.rejected": N_("asked for changes to a RUOS document of"),
    "ruos.stage": N_("recorded the RUOS stage of"),
}


async def show_audit(update: Update, context: VocesContext) -> None:
    """/audit: the newest entries; /audit NAME: those of an organization or a person."""
    _ = context.gettext
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
            rows = [[(f"🏠 {o.name[:40]}", f"con:audit:o{o.id}:p1")] for o in organizations]
            rows += [[(f"👤 {(p.display_name or str(p.id))[:40]}", f"con:audit:u{p.id}:p1")] for p in persons]
            if not rows:
                await reply(update, context, _("No organization or staff member matches “%(query)s”.") % {"query": escape(query)})
                return
            await reply(update, context, _("Whose audit log?"), reply_markup=keyboard(rows))
            return
    await audit_page(update, context, "a", 1)


async def audit_button(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    _area, _action, target, page = update.callback_query.data.split(":")  # type: ignore[union-attr]
    await audit_page(update, context, target, page_number(page))


async def audit_page(update: Update, context: VocesContext, target: str, page: int) -> None:
    _ = context.gettext
    runtime = context.runtime
    person_id = int(target[1:]) if target.startswith("u") else None
    organization_id = int(target[1:]) if target.startswith("o") else None
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session, staff_only=True)
        if who is None:
            return
        lines_found, total = await audit.entries(session, staff=who, person_id=person_id, organization_id=organization_id,
                                                 offset=(page - 1) * ROWS_PER_PAGE, limit=ROWS_PER_PAGE, now=runtime.clock.now())
    if not lines_found:
        await edit_or_reply(update, context, _("The audit log has no entries for that."))
        return
    text = [_("<b>Audit log</b>") + f" ({total})", ""]
    for line in lines_found:
        actor = escape(line.actor_name) if line.actor_name else _("(person %(id)s)") % {"id": line.actor_id} if line.actor_id else _("(erased)")
        what = _(AUDIT_ACTION.get(line.action, line.action))
        target_name = f" <b>{escape(line.organization_name)}</b>" if line.organization_name else ""
        subject = " " + _("(person %(id)s)") % {"id": line.subject_id} if line.subject_id else ""
        text.append(f"• {context.i18n.datetime(line.at, 'short')} — {actor}: {what}{target_name}{subject}")
    shown = page_of(range(total), page, size=ROWS_PER_PAGE)
    rows = page_navigation(context, shown, callback_prefix=f"con:audit:{target}:p")
    await edit_or_reply(update, context, "\n".join(text), reply_markup=keyboard(rows) if rows else None)


# --- /scope: the districts a coordinator follows --------------------------------------------------

ALL_DISTRICTS = ("all", "todos", "todas")


async def scope(update: Update, context: VocesContext) -> None:
    """/scope lists coordinators; /scope 12 callao, comas (or all) sets coordinator 12's districts."""
    _ = context.gettext
    runtime = context.runtime
    args = context.args or []
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session, staff_only=True)
        if who is None:
            return
        if not args or not args[0].lstrip("#").isdigit():
            found = await audit.coordinators(session, staff=who)
            lines = [_("<b>Coordinators and their districts</b>"), ""]
            for person, districts in found:
                names = ", ".join(escape(district_name(code)) for code in districts) or _("all districts")
                lines.append(f"• #{person.id} {escape(person.display_name or '')}: {names}")
            if not found:
                lines.append(_("Nobody is a coordinator yet: make someone one with /role."))
            lines += ["", _("To change them: /scope 12 callao, comas — or /scope 12 all")]
            await reply(update, context, "\n".join(lines))
            return
        coordinator_id = int(args[0].lstrip("#"))
        wanted = [part.strip() for part in " ".join(args[1:]).split(",") if part.strip()]
        codes: list[str] = []
        if not (len(wanted) == 1 and fold_text(wanted[0]) in ALL_DISTRICTS):
            for name in wanted:
                matches = find_districts(name, limit=1)
                if not matches:
                    await reply(update, context, _("I do not know the district “%(name)s”. Write it as it is usually called, for example: Comas, Callao, San Juan de Lurigancho.") % {"name": escape(name)})
                    return
                codes.append(matches[0].ubigeo)
            if not codes:
                await reply(update, context, _("Write the districts after the number, separated by commas, or “all”."))
                return
        try:
            coordinator = await audit.set_districts(session, staff=who, coordinator_id=coordinator_id, districts=codes, now=runtime.clock.now())
        except NotAllowed as error:
            await refuse(update, context, error)
            return
    names = ", ".join(escape(district_name(code)) for code in sorted(set(codes))) or _("all districts")
    await reply(update, context, _("Done: %(name)s now follows %(districts)s.") % {"name": escape(coordinator.display_name or f"#{coordinator.id}"), "districts": names})


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
    from bot.services import privacy

    async with runtime.database.session() as session:
        report = await retention.run(session, settings=runtime.settings, now=runtime.clock.now())
    async with runtime.database.session() as session:
        removable = await privacy.unreferenced(session, report.files)
    for path in removable:
        runtime.files.delete(path)
    log.info("retention: %d uploads, %d audit entries, %d reminders, %d people erased, %d files",
             report.uploads, report.audit_entries, report.reminders, report.people_erased, len(removable))
    return report


async def daily(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime = context.application.runtime  # type: ignore[attr-defined]
    await run_followup(runtime)
    await run_retention(runtime)


def register(application) -> None:  # noqa: ANN001
    application.add_handlers([
        command("org", find_organization),
        command("pending", list_pending),
        command("stats", stats),
        command("indicators", indicators),
        command("export", export),
        command("quiet", quiet),
        command("audit", show_audit),
        command("scope", scope),
        CallbackQueryHandler(organization_button, pattern=r"^con:org:\d+$"),
        CallbackQueryHandler(list_pending, pattern=r"^con:pending:p\d+$"),
        CallbackQueryHandler(indicators_for, pattern=r"^con:ind:[a-z]+$"),
        CallbackQueryHandler(mark, pattern=r"^con:mark:\d+:(active|inactive|dissolved)$"),
        CallbackQueryHandler(audit_button, pattern=r"^con:audit:[aou]\d*:p\d+$"),
    ])
    if application.job_queue is not None:
        # Every few hours (cheap: a query per table); the first pass a while after start.
        application.job_queue.run_repeating(daily, interval=timedelta(hours=6), first=timedelta(minutes=10), name="follow-up and retention",
                                            job_kwargs={"max_instances": 1, "coalesce": True})

