"""/org NAME and /pending: one organization's whole status, and everything waiting for staff."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot import ruos
from bot.console import console
from bot.console.audit import Viewer
from bot.console.models import ActivityState
from bot.core.textlimits import page_of, shorten
from bot.core.validation import IdDocumentType, format_phone_for_display
from bot.organizations import labels
from bot.organizations.models import BoardRole, LeaderRole, VerificationStatus
from bot.people.authority import NotAllowed
from bot.ruos.requirements import localized
from handlers.common import (
    ROWS_PER_PAGE,
    answer_button,
    edit_or_reply,
    escape,
    keyboard,
    page_navigation,
    page_number,
    reply,
)
from handlers.console.common import (
    ACTIVITY,
    KIND,
    KIND_ICON,
    console_viewer,
    district_name,
    refuse,
    scope_line,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_part
from handlers.projects import STATUS as PROJECT_STATUS
from handlers.projects.reports import REPORT_STATUS
from handlers.ruos import STAGE
from handlers.ruos.inscription import recorded_text

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
    rows = [[(f"{shorten(o.name, 40)} · {shorten(district_name(o.district_ubigeo), 18)}", f"con:org:{o.id}")] for o in found]
    await reply(update, context, _("Which one?"), reply_markup=keyboard(rows))


async def organization_button(update: Update, context: VocesContext) -> None:
    # Answered once the scope is checked: a refusal is an alert on the button itself.
    await show_status(update, context, button_part(update.callback_query.data, -1))  # type: ignore[union-attr]


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
    if found.inscription is not None:
        lines.append(recorded_text(context, found.inscription))
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
        lines.append(f"{number}. {KIND_ICON.get(entry.kind, '•')} {_(KIND.get(entry.kind, entry.kind))}{': ' + escape(entry.organization_name) if entry.organization_name else ''}"
                     f"{' — ' + escape(detail) if (detail := pending_detail(context, entry)) else ''} ({since})")
        # The button says what it opens by its icon, as the line above does in words, and for whom.
        icon = KIND_ICON.get(entry.kind, "•")
        rows.append([(f"{number}. {icon} {entry.organization_name or _(KIND.get(entry.kind, entry.kind))}", pending_action(who, entry))])
    rows += page_navigation(context, shown, callback_prefix="con:pending:p")
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))


def pending_detail(context: VocesContext, entry: console.PendingEntry) -> str | None:
    """What the entry is about, named for people: a RUOS item by its title in their language."""
    if entry.kind == "registration" or not entry.detail:
        return None
    if entry.kind == "ruos_item":
        procedure_code, _slash, item_code = entry.detail.partition("/")
        requirement = ruos.requirement_in(context.runtime.requirements, procedure_code, item_code)
        return localized(requirement.title, context.i18n.language) if requirement else item_code
    return entry.detail


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
    if entry.kind == "broadcast":  # coordinators approve broadcasts too
        return f"bc:show:{entry.ref_id}"
    if entry.kind == "question":  # coordinators answer questions too
        return f"ask:open:{entry.ref_id}"
    return f"con:org:{entry.organization_id}"
