"""/reportreview: staff open submitted project reports with their evidence and approve them or
send them back with a comment; an approved report can be reopened for changes (a reason, a
confirmation, once); and an approved report as a PDF, for leaders and staff. The buttons and
the conversation steps belong to the /report conversation (handlers/projects/reports.py), which
lists the callback data.
"""

from __future__ import annotations

from telegram import Update

from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone
from bot.people.authority import require_staff
from bot.projects import report_drafts, report_screens, reports
from bot.projects import review as reviewing
from bot.projects.models import Project, ProjectReport, ReportStatus
from bot.projects.review import REOPEN_CONFIRM, REOPEN_REASON, REVIEW_COMMENT
from handlers.common import (
    END,
    ask,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    reply,
)
from handlers.context import VocesContext
from handlers.projects.project_cards import (
    REPORT_FLOW as FLOW,
)
from handlers.projects.project_cards import (
    REPORT_STATUS,
    current_person,
    integer,
    period_text,
    report_card,
    staff_list,
    staff_list_page,
)
from handlers.projects.project_cards import (
    report_callback as callback,
)
from handlers.projects.show import say
from handlers.stored_files import send_stored_file

STAFF_STEPS = report_drafts.STAFF_STEPS  # steps of the /report conversation staff are at


# --- staff: review --------------------------------------------------------------------------------------------


async def show_review_list(update: Update, context: VocesContext, *, page: int) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        waiting = await reviewing.submitted_reports(session, staff=await current_person(session, context))
    if not waiting:
        await edit_or_reply(update, context, _("No project reports are waiting for review."))
        return

    def entry(waiting_report: tuple[ProjectReport, Project, str]) -> tuple[str, str, str, str]:
        report, project, name = waiting_report
        return name, project.title, ", " + period_text(context.i18n, report), callback("rv", report.id)

    lines, rows = staff_list_page(context, waiting, page=page, callback_prefix=callback("rl", "p"), entry=entry)
    await edit_or_reply(update, context, "\n".join([_("<b>Project reports waiting for review</b>"), "", *lines]), reply_markup=keyboard(rows))


review_list, review_page = staff_list(show_review_list)  # /reportreview and its pages


async def open_for_review(update: Update, context: VocesContext, args: list[str]) -> object:
    _ = context.gettext
    runtime = context.runtime
    report_id = integer(args[0])
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        await require_staff(session, user_id=person.id)
        found = await reports.report_for(session, user=person, report_id=report_id)
        evidence = await reports.evidence_of(session, report_id=report_id)
    assert update.effective_chat is not None
    report = found.report
    for stored in evidence:
        await send_stored_file(context, update.effective_chat.id, stored, organization=found.organization.name, report_number=report.number)
    text = f"<b>{escape(found.organization.name)}</b>\n" + report_card(context.i18n, report, found.project.title, len(evidence))
    text += "\n\n" + _("Status: %(status)s") % {"status": _(REPORT_STATUS[report.status])}
    rows = []
    if report.status is ReportStatus.SUBMITTED:
        rows.append([(_("✅ Approve"), callback("ok", report.id, report.version)), (_("✏️ Ask for changes"), callback("no", report.id, report.version))])
    if report.status is ReportStatus.APPROVED:
        rows.append([(_("📄 PDF"), callback("pdf", report.id)), (_("↩️ Reopen for changes"), callback("ro", report.id, report.version))])
    await reply(update, context, text, reply_markup=keyboard(rows) if rows else None)
    return None


async def approve(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        review = await reviewing.approve(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                       version=integer(args[1]), now=runtime.clock.now())
    await edit_or_reply(update, context, context.gettext("✅ Approved. I told the leaders of %(organization)s.") % {"organization": escape(review.found.organization.name)},
                        reply_markup=keyboard([[(context.gettext("📄 PDF"), callback("pdf", review.found.report.id))]]))
    return None


async def ask_for_changes(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        await reviewing.start_changes_comment(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                            version=integer(args[1]), store=runtime.files, now=runtime.clock.now())
    return await ask(update, context, flow=FLOW, step=REVIEW_COMMENT,
                     text=context.gettext("What must the leaders change? Write it: they will read it as you write it, with a button to reopen the report."))


async def staff_step(update: Update, context: VocesContext, step: report_drafts.StaffStep) -> object:
    """Staff's text could not be used (the same step again), or the reopening to confirm."""
    if step.problem is not None:
        return await ask(update, context, flow=FLOW, step=step.name, text="⚠️ " + error_text(context, step.problem))
    assert step.found is not None and step.reason is not None
    return await ask_to_confirm_reopening(update, context, step.found, step.reason)


async def changes_requested(update: Update, context: VocesContext, review: reviewing.Review) -> object:
    await reply(update, context, context.gettext("✏️ Sent. I asked the leaders of %(organization)s for the changes.") % {"organization": escape(review.found.organization.name)})
    return await leave(update, context, FLOW)


# --- reopening an approved report ---------------------------------------------------------------------------


async def start_reopening(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        await reviewing.start_reopening(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                      version=integer(args[1]), store=runtime.files, now=runtime.clock.now())
    return await ask(update, context, flow=FLOW, step=REOPEN_REASON, text=context.gettext(
        "Why reopen this approved report? Write what must be corrected: the leaders will read it as you write it, with a button to make the changes."))


async def ask_to_confirm_reopening(update: Update, context: VocesContext, found: reports.ReportContext, reason: str) -> object:
    _ = context.gettext
    report = found.report
    question = (_("Reopen the %(period)s of “%(title)s” (%(organization)s) for changes? The leaders will read:") % {
        "period": period_text(context.i18n, report), "title": escape(found.project.title), "organization": escape(found.organization.name)}
        + f"\n\n<i>{escape(reason)}</i>\n\n"
        + _("The approved version keeps counting in the totals until a new one is approved. To change the reason, write it again."))
    rows = [[(_("↩️ Yes, reopen it"), callback("rok", report.id, report.version)), (_("No, leave it approved"), callback("rox", report.id))]]
    return await ask(update, context, flow=FLOW, step=REOPEN_CONFIRM, text=question, reply_markup=keyboard(rows))


async def confirm_reopening(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            review = await reviewing.reopen(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                          version=integer(args[1]), now=runtime.clock.now())
    finally:
        await leave(update, context, FLOW)
    await edit_or_reply(update, context, context.gettext("↩️ Reopened for changes. I told the leaders of %(organization)s.") % {
        "organization": escape(review.found.organization.name)})
    return END


async def give_up_reopening(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        await reviewing.give_up_reopening(session, staff=await current_person(session, context), store=runtime.files)
    await leave(update, context, FLOW)
    await edit_or_reply(update, context, context.gettext("Nothing changed: the report stays approved."))
    return END


# --- the PDF ---------------------------------------------------------------------------------------------------


async def send_pdf(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    report_id = integer(args[0])
    async with runtime.database.session() as session:
        found = await reports.report_for(session, user=await current_person(session, context), report_id=report_id)
        evidence = await reports.evidence_of(session, report_id=report_id)
    if found.report.status is not ReportStatus.APPROVED:
        raise AlreadyDone(N_("Only an approved report can be downloaded as a PDF."))
    await say(update, context, report_screens.approved_pdf(context.i18n, found, evidence))
    return None


# rep:<action>:…, staff's and the PDF, routed with the report's own by handlers/projects/reports.py
BUTTONS = {
    "rl": review_page,
    "rv": open_for_review,
    "ok": approve,
    "no": ask_for_changes,
    "ro": start_reopening,
    "rok": confirm_reopening,
    "rox": give_up_reopening,
    "pdf": send_pdf,
}
