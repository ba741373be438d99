"""/reportreview: staff open submitted project reports with their evidence and approve them or
send them back with a comment; an approved report can be reopened for changes (a reason, a
confirmation, once); and an approved report as a PDF, for leaders and staff. The buttons and
the conversation steps belong to the /report conversation (handlers/projects/reports.py), which
lists the callback data.
"""

from __future__ import annotations

from telegram import Update

from bot.core.i18n import N_
from bot.core.screens import Screen
from bot.core.transitions import AlreadyDone
from bot.people.authority import require_staff
from bot.projects import report_drafts, report_screens, reports
from bot.projects import review as reviewing
from bot.projects import staff_screens as staff_shown
from bot.projects.models import ReportStatus
from bot.projects.review import REOPEN_CONFIRM, REOPEN_REASON, REVIEW_COMMENT
from handlers import screens
from handlers.common import END, ButtonTable, ask, error_text, leave
from handlers.context import VocesContext
from handlers.projects.common import NUMBER
from handlers.projects.project_cards import REPORT_FLOW as FLOW
from handlers.projects.project_cards import current_person, integer, staff_list
from handlers.show import say
from handlers.stored_files import send_stored_file

STAFF_STEPS = report_drafts.STAFF_STEPS  # steps of the /report conversation staff are at


# --- staff: review --------------------------------------------------------------------------------------------


async def show_review_list(update: Update, context: VocesContext, *, page: int) -> None:
    async with context.runtime.database.session() as session:
        waiting = await reviewing.submitted_reports(session, staff=await current_person(session, context))
    await say(update, context, staff_shown.review_list(context.i18n, waiting, page=page), edit=True)


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
    await say(update, context, staff_shown.review_card(context.i18n, found, evidence=len(evidence)))
    return None


async def approve(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        review = await reviewing.approve(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                       version=integer(args[1]), now=runtime.clock.now())
    await say(update, context, staff_shown.approved(context.i18n, review.found), edit=True)
    return None


async def ask_for_changes(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        await reviewing.start_changes_comment(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                            version=integer(args[1]), store=runtime.files, now=runtime.clock.now())
    return await ask_screen(update, context, REVIEW_COMMENT, staff_shown.what_to_change(context.i18n))


async def ask_screen(update: Update, context: VocesContext, step: str, shown: Screen) -> object:
    """Record staff's step of the conversation, then show the screen that asks it."""
    text, markup = screens.render(shown)
    return await ask(update, context, flow=FLOW, step=step, text=text, reply_markup=markup)


async def staff_step(update: Update, context: VocesContext, step: report_drafts.StaffStep) -> object:
    """Staff's text could not be used (the same step again), or the reopening to confirm."""
    if step.problem is not None:
        return await ask(update, context, flow=FLOW, step=step.name, text="⚠️ " + error_text(context, step.problem))
    assert step.found is not None and step.reason is not None
    return await ask_to_confirm_reopening(update, context, step.found, step.reason)


async def changes_requested(update: Update, context: VocesContext, review: reviewing.Review) -> object:
    await say(update, context, staff_shown.changes_requested(context.i18n, review.found))
    return await leave(update, context, FLOW)


# --- reopening an approved report ---------------------------------------------------------------------------


async def start_reopening(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        await reviewing.start_reopening(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                      version=integer(args[1]), store=runtime.files, now=runtime.clock.now())
    return await ask_screen(update, context, REOPEN_REASON, staff_shown.why_reopen(context.i18n))


async def ask_to_confirm_reopening(update: Update, context: VocesContext, found: reports.ReportContext, reason: str) -> object:
    return await ask_screen(update, context, REOPEN_CONFIRM, staff_shown.reopen_for_changes(context.i18n, found, reason))


async def confirm_reopening(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            review = await reviewing.reopen(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                          version=integer(args[1]), now=runtime.clock.now())
    finally:
        await leave(update, context, FLOW)
    await say(update, context, staff_shown.reopened(context.i18n, review.found), edit=True)
    return END


async def give_up_reopening(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        await reviewing.give_up_reopening(session, staff=await current_person(session, context), store=runtime.files)
    await leave(update, context, FLOW)
    await say(update, context, staff_shown.kept_approved(context.i18n), edit=True)
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
VERSION = r"\d+:\d+"  # a report and the version its card showed
BUTTONS: ButtonTable = {
    "rl": (r"p\d+", review_page),
    "rv": (NUMBER, open_for_review),
    "ok": (VERSION, approve),
    "no": (VERSION, ask_for_changes),
    "ro": (VERSION, start_reopening),
    "rok": (VERSION, confirm_reopening),
    "rox": (NUMBER, give_up_reopening),
    "pdf": (NUMBER, send_pdf),
}
