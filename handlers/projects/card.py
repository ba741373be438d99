"""A project's card, for its leaders and for staff (with the moves staff can make), and its
proposal document.
"""

from __future__ import annotations

from telegram import Update

from bot.core import uploads
from bot.core.i18n import N_
from bot.people.models import Role
from bot.projects import projects
from bot.projects import reports as project_reports
from bot.projects.models import ProjectFile, ProjectStatus, ReportStatus
from handlers.common import ROWS_PER_PAGE, edit_or_reply, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.projects.common import callback
from handlers.projects.project_cards import (
    REPORT_STATUS,
    STATUS,
    current_person,
    integer,
    proposal_card,
    soles,
)
from handlers.stored_files import file_words, send_stored_file

MOVE_BUTTON = {
    ProjectStatus.SELECTED: N_("⭐ Select"),
    ProjectStatus.NOT_SELECTED: N_("Not selected"),
    ProjectStatus.IMPLEMENTING: N_("🛠 Implementation started"),
    ProjectStatus.CLOSED: N_("🏁 Close"),
}


async def open_project(update: Update, context: VocesContext, args: list[str]) -> object:
    await show_project(update, context, integer(args[0]))
    return None


async def show_project(update: Update, context: VocesContext, project_id: int, *, edit: bool = True) -> None:
    _ = context.gettext
    i18n = context.i18n
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        project = await projects.for_reader(session, user=person, project_id=project_id)
        organization = await projects.organization_name(session, project.organization_id)
        document = await projects.proposal_document(session, project_id=project.id)
        events = await projects.history(session, project_id=project.id)
        reports = await project_reports.reports_of(session, project_id=project.id)
        totals = await project_reports.beneficiary_totals(session, project_id=project.id)
    staff = person.role is Role.STAFF
    lines = [_("<b>%(organization)s</b> · project") % {"organization": escape(organization)},
             _("Status: %(status)s") % {"status": _(STATUS[project.status])}, "",
             proposal_card(i18n, projects.project_view(project, document_name(document, organization, file_words(i18n))))]
    if project.granted_cents is not None:
        lines.append(_("Granted: %(value)s") % {"value": soles(i18n, project.granted_cents)})
    if reports:
        lines += ["", _("<b>Reports</b>")]
        lines += [f"{r.number}. {i18n.date(r.period_start, 'short')}–{i18n.date(r.period_end, 'short')}: {_(REPORT_STATUS[r.status])}" for r in reports]
        lines.append(_("People reached (approved reports): %(count)s") % {"count": i18n.number(totals.total)})
    comments = [e for e in events if e.comment and e.to_status is None]
    if comments:
        lines += ["", _("<b>Comments</b>")] + [f"{i18n.date(e.at, 'short')}: <i>{escape(e.comment or '')}</i>" for e in comments[-5:]]
    moves = [e for e in events if e.to_status in set(ProjectStatus) and e.from_status != e.to_status]
    if moves:
        lines += ["", _("<b>History</b>")] + [f"{i18n.date(e.at, 'short')}: {_(STATUS[ProjectStatus(e.to_status)])}" for e in moves[-6:]]
    rows: list[list[tuple[str, str]]] = []
    due = next((r for r in reports if r.status in (ReportStatus.DUE, ReportStatus.CHANGES_REQUESTED)), None)
    if not staff and due is not None and project.status in (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING):
        rows.append([(_("📝 Write report %(number)s") % {"number": due.number}, f"rep:go:{due.id}")])
    if document is not None:
        rows.append([(_("📎 Proposal document"), callback("doc", project.id))])
    if staff:
        moves = [(status, label) for status, label in MOVE_BUTTON.items() if project.status in projects.MOVES[status]]
        if project.status is ProjectStatus.SELECTED:
            rows.append([(_("💰 Fund"), callback("fund", project.id))])
        rows += [[(_(label), callback("to", project.id, status.value))] for status, label in moves]
        rows.append([(_("💬 Comment"), callback("cm", project.id))])
        rows.append([(_("⬅️ All projects"), callback("list", "p1"))])
    elif project.status in projects.REVISABLE:
        rows.append([(_("✏️ Revise the proposal"), callback("rev", project.id))])
    approved = [r for r in reports if r.status is ReportStatus.APPROVED][-ROWS_PER_PAGE:]
    # Staff also open an approved report's card: its evidence, and reopening it for changes.
    rows[:0] = [[(_("📄 Report %(number)s (PDF)") % {"number": r.number}, f"rep:pdf:{r.id}"),
                 *([(_("📋 Open report %(number)s") % {"number": r.number}, f"rep:rv:{r.id}")] if staff else [])] for r in approved]
    markup = keyboard(rows) if rows else None
    if edit:
        await edit_or_reply(update, context, "\n".join(lines), reply_markup=markup)
    else:
        await reply(update, context, "\n".join(lines), reply_markup=markup)


def document_name(document: ProjectFile | None, organization: str, words: dict[str, str]) -> str | None:
    """The proposal document as the card names it: the bot's name, then the sender's as a label."""
    if document is None:
        return None
    shown = uploads.label(document.original_name)
    return uploads.stored_file_name(document, organization=organization, words=words) + (f" (“{shown}”)" if shown else "")


async def send_document(update: Update, context: VocesContext, args: list[str]) -> object:
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        project = await projects.for_reader(session, user=person, project_id=integer(args[0]))
        document = await projects.proposal_document(session, project_id=project.id)
        organization = await projects.organization_name(session, project.organization_id)
    if document is None:
        raise StaleButton(args[0])
    assert update.effective_chat is not None
    await send_stored_file(context, update.effective_chat.id, document, organization=organization)
    return None
