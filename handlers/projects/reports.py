"""/report: the leaders of a funded project file the report of each period in a conversation
(activities, people reached as counts, money spent, difficulties, lessons, photos and
documents), see it on a card and submit it; the deadline reminders' messages. Staff's
/reportreview and the PDF are in handlers/projects/review.py, on this conversation's buttons.

The draft is the report row (its step and scratch, bot/projects/reports.py), so it
survives /cancel, restarts and days of silence; the chat data only says which report the
person has open. Callback data:

    rep:go:<report>            write (or continue, or reopen) a report
    rep:more | rep:nomore      another activity, or that was all
    rep:evdone                 done sending evidence
    rep:edit[:<part>]          change a part, from the summary card
    rep:summary | rep:submit   back to the card; submit
    rep:rl:p<n>                staff: submitted reports, a page at a time
    rep:rv:<report>            staff: open one, with its evidence
    rep:ok:<report>:<version>  staff: approve that version
    rep:no:<report>:<version>  staff: ask for changes (the comment is asked next)
    rep:ro:<report>:<version>  staff: reopen an approved report for changes (the reason is asked next)
    rep:rok:<report>:<version> staff: yes, reopen it | rep:rox: no, leave it approved
    rep:pdf:<report>           the approved report as a PDF

Staff's review (and the PDF) are in handlers/projects/review.py; their steps are this
conversation's states.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot.core.i18n import N_, Translator
from bot.core.runtime import Runtime
from bot.core.textlimits import shorten
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, day_text
from bot.messaging.models import Reminder
from bot.organizations import organizations
from bot.people.authority import NotAllowed
from bot.projects import reports
from bot.projects.models import ProjectReport, ReportStatus
from bot.projects.reports import (
    ACTIVITY_DATE,
    ACTIVITY_MORE,
    ACTIVITY_PLACE,
    ACTIVITY_WHAT,
    AGE,
    COUNT,
    DIFFICULTIES,
    EVIDENCE,
    LESSONS,
    NATIONALITIES,
    SEX,
    SEXES,
    SPENT,
    SUMMARY,
    Mismatch,
)
from handlers.commands import command
from handlers.common import (
    END,
    ROWS_PER_PAGE,
    ask,
    dispatch_button,
    error_text,
    escape,
    keyboard,
    leave,
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.messaging.reminders import Rendered, renders
from handlers.projects import review
from handlers.projects.project_cards import (
    AGE_LABEL,  # noqa: F401 - the staff console reads these four from here
    GROUP,
    NATIONALITY,  # noqa: F401
    NATIONALITY_TOTAL,
    REPORT_STATUS,  # noqa: F401
    SEX_LABEL,  # noqa: F401
    current_person,
    integer,
    period_text,
    report_card,
)
from handlers.projects.project_cards import REPORT_FLOW as FLOW
from handlers.projects.project_cards import report_callback as callback

OPEN = "report_open"  # chat data: the report the person is writing
ALBUM = "report_album"  # chat data: the receipt of the album being received
# "age:<nationality>" stays a state: a conversation saved there before the ages were asked per sex.
STEPS = [ACTIVITY_DATE, ACTIVITY_PLACE, ACTIVITY_WHAT, ACTIVITY_MORE,
         *(f"{part}:{n}" for n in NATIONALITIES for part in (COUNT, SEX, AGE)),
         *(f"{AGE}:{n}:{s}" for n in NATIONALITIES for s in SEXES),
         SPENT, DIFFICULTIES, LESSONS, EVIDENCE, SUMMARY, *review.STAFF_STEPS]


# --- the questions -----------------------------------------------------------------------------------------


def question(context: VocesContext, report: ProjectReport, title: str, evidence: int) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = context.gettext
    step = reports.current_step(report)
    if step == ACTIVITY_DATE:
        return _("Activity %(number)s: on what date did it take place? Send a date from %(first)s to %(last)s.") % {
            "number": len(report.activities) + 1, "first": day_text(report.period_start), "last": day_text(report.period_end)}, None
    if step == ACTIVITY_PLACE:
        return _("Where did it take place?"), None
    if step == ACTIVITY_WHAT:
        return _("What was done? A few sentences are enough."), None
    if step == ACTIVITY_MORE:
        listing = "\n".join(f"• {escape(a['place'])}: {escape(shorten(a['what'], 80))}" for a in report.activities)
        return _("Activities so far:") + "\n" + listing + "\n\n" + _("Was there another activity in this period?"), keyboard(
            [[(_("➕ Add another activity"), callback("more"))], [(_("That is all"), callback("nomore"))]])
    part, _sep, nationality = step.partition(":")
    nationality, _sep, sex = nationality.partition(":")
    if part == COUNT:
        intro = _("Now the people reached, as numbers only: no names.") + "\n\n" if nationality == NATIONALITIES[0] else ""
        return intro + _("How many <b>%(who)s</b> took part? Send a number (0 if none).") % {"who": _(NATIONALITY_TOTAL[nationality])}, None
    if part == SEX:
        total = report.beneficiaries[nationality]["total"]
        return _("Of those %(total)s %(who)s, how many were <b>female, male, and other or not stated</b>? Send three numbers separated by spaces, for example 6 4 0.") % {
            "total": total, "who": _(NATIONALITY_TOTAL[nationality])}, None
    if part == AGE:
        count = report.beneficiaries[nationality]["sex"][sex]
        return _("<b>%(who)s</b> (%(count)s): how many were <b>0–11, 12–17, 18–59 and 60 or more</b>? Send four numbers, for example 2 3 4 1; together they make %(count)s.") % {
            "who": _(GROUP[nationality, sex]), "count": count}, None
    if step == SPENT:
        return _("How much money did you spend in this period, in soles? For example 850.50 (0 if nothing)."), None
    if step == DIFFICULTIES:
        return _("What difficulties did you have?"), None
    if step == LESSONS:
        return _("What did you learn (lessons learned)?"), None
    if step == EVIDENCE:
        return (_("Send photos and documents of the activities: you can send several photos at once. I remove the location and other hidden data from photos.")
                + "\n\n" + _("⚠️ Do not send photos in which children can be recognised unless their parents or guardians agreed.")
                + "\n\n" + _("When you are done, tap Done.")), keyboard([[(_("✅ Done"), callback("evdone"))]])
    return _("Please check the report:") + "\n\n" + report_card(context.i18n, report, title, evidence), keyboard(
        [[(_("✏️ Change a part"), callback("edit"))], [(_("✅ Submit to the programme"), callback("submit"))]])


async def ask_current(update: Update, context: VocesContext, report_id: int, *, problem: str | None = None) -> object:
    async with context.runtime.database.session() as session:
        found = await reports.report_for(session, user=await current_person(session, context), report_id=report_id, leader_only=True)
        evidence = await reports.evidence_count(session, report_id=report_id)
    text, markup = question(context, found.report, found.project.title, evidence)
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    return await ask(update, context, flow=FLOW, step=reports.current_step(found.report), text=text, reply_markup=markup)


def mismatch_text(context: VocesContext, error: Mismatch) -> str:
    """Which split does not add up, for which nationality (and sex), and what was typed."""
    _ = context.gettext
    if error.sex is not None:
        message = _("%(who)s: their ages add up to %(counted)s, but you said there were %(total)s. Check the numbers and send them again.") % {
            "who": _(GROUP[error.nationality, error.sex]), "counted": error.counted, "total": error.total}
    else:
        message = _("The split by sex adds up to %(counted)s, but you said %(total)s %(who)s took part. Check the numbers and send them again.") % {
            "counted": error.counted, "total": error.total, "who": _(NATIONALITY_TOTAL[error.nationality])}
    if error.typed:
        message += "\n" + _("You sent: %(numbers)s") % {"numbers": " ".join(str(n) for n in error.typed)}
    return message


# --- /report ------------------------------------------------------------------------------------------------


async def start(update: Update, context: VocesContext) -> object:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        led = [organization.id for organization, _role in await organizations.led_by(session, user=person)]
        found = await reports.open_reports(session, organization_ids=led)
    if not found:
        await reply(update, context, _("No report is waiting for your projects now. Funded projects and their reports are in /projects."))
        return await leave(update, context, FLOW)
    # The buttons carry the report's number and due date; the projects' names, too long for a
    # phone's button, are in the message above, numbered as the buttons are.
    rows, lines = [], []
    for index, (report, project) in enumerate(found[:ROWS_PER_PAGE], start=1):
        values = {"index": index, "number": report.number, "date": context.i18n.date(report.due_on, "short"),
                  "title": escape(project.title)}
        if report.status is ReportStatus.CHANGES_REQUESTED:
            label = _("%(index)s. ✏️ Fix report %(number)s") % values
        elif report.step is not None:
            label = _("%(index)s. ▶️ Continue report %(number)s") % values
        else:
            label = _("%(index)s. Report %(number)s · due %(date)s") % values
        rows.append([(label, callback("go", report.id))])
        lines.append(_("%(index)s. <b>%(title)s</b>: report %(number)s, due %(date)s") % values)
    draft = next((pair for pair in found if pair[0].step is not None), None)
    if draft is not None:
        text = _("You have a report in progress for “%(title)s”: continue where you left off?") % {"title": escape(draft[1].title)}
    else:
        text = _("Which report do you want to write?")
    text += "\n\n" + "\n".join(lines)
    await reply(update, context, text, reply_markup=keyboard(rows))
    return await leave(update, context, FLOW)


async def go(update: Update, context: VocesContext, args: list[str]) -> object:
    report_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        found = await reports.begin(session, user=await current_person(session, context), report_id=report_id, now=runtime.clock.now())
    await remember(update, context, **{OPEN: report_id, ALBUM: None})
    if found.report.status is ReportStatus.CHANGES_REQUESTED and found.report.review_comment:
        await reply(update, context, context.gettext("The programme asked for these changes:") + f"\n\n<i>{escape(found.report.review_comment)}</i>")
    elif found.report.step == ACTIVITY_DATE and not found.report.activities:
        await reply(update, context, context.gettext("Let us write the %(period)s of “%(title)s”. I save every answer: you can stop and continue later with /report.") % {
            "period": period_text(context.i18n, found.report), "title": escape(found.project.title)})
    return await ask_current(update, context, report_id)


def open_report_id(context: VocesContext) -> int | None:
    value = (context.user_data or {}).get(OPEN)
    return int(value) if value is not None else None


async def on_text(update: Update, context: VocesContext) -> object:
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    staff_draft = await review.staff_review_draft(context)
    if staff_draft is not None:
        return await review.staff_text(update, context, staff_draft, text)
    report_id = open_report_id(context)
    if report_id is None:
        return await leave(update, context, FLOW)
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
            if found.report.step in (ACTIVITY_MORE, EVIDENCE, SUMMARY):
                return await ask_current(update, context, report_id, problem=context.gettext("Please answer with the buttons below."))
            await reports.answer(session, user=person, report=found.report, value=text, now=runtime.clock.now())
    except Mismatch as error:
        return await ask_current(update, context, report_id, problem=mismatch_text(context, error))
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        return await ask_current(update, context, report_id, problem=error_text(context, error))
    return await ask_current(update, context, report_id)


async def on_file(update: Update, context: VocesContext) -> object:
    """A photo (one, or one of an album) or a document as evidence."""
    message = update.effective_message
    assert message is not None
    _ = context.gettext
    report_id = open_report_id(context)
    if report_id is None:
        return await leave(update, context, FLOW)
    # What the phone says a document is decides nothing: the bytes do (bot/core/uploads.py).
    file = message.photo[-1] if message.photo else message.document  # a photo's largest size
    if file is None:
        return await ask_current(update, context, report_id, problem=_("Please answer with the buttons below."))
    file_id, size = file.file_id, file.file_size
    name = message.document.file_name if message.document else None
    runtime = context.runtime
    done = keyboard([[(_("✅ Done"), callback("evdone"))]])
    try:
        async with runtime.database.session() as session:
            found = await reports.report_for(session, user=await current_person(session, context), report_id=report_id, leader_only=True)
        if found.report.step != EVIDENCE:
            return await ask_current(update, context, report_id, problem=_("I am not waiting for photos or documents for this report now."))
        if (size or 0) > reports.EVIDENCE_MAX_BYTES:
            raise reports.ProjectError(N_("That file is too large: the limit is 20 MB."))
        content = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
            receipt = await reports.add_evidence(session, store=runtime.files, user=person, report=found.report, content=content, name=name,
                                                 media_group_id=message.media_group_id, now=runtime.clock.now())
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error), reply_markup=done)
        return None
    if receipt.duplicate:
        await reply(update, context, _("You had already sent this same file: I kept it once."), reply_markup=done)
        return None
    text = _("📎 Files received for this report: %(count)s. Send more, or tap Done.") % {"count": receipt.count}
    album = (context.user_data or {}).get(ALBUM) if message.media_group_id else None
    if album and album["group"] == message.media_group_id:
        # Later pages of an album edit the first page's receipt instead of adding a message each.
        assert update.effective_chat is not None
        await context.bot.edit_message_text(text, chat_id=update.effective_chat.id, message_id=album["message_id"], reply_markup=done)
        return None
    sent = await reply(update, context, text, reply_markup=done)
    if message.media_group_id:
        await remember(update, context, **{ALBUM: {"group": message.media_group_id, "message_id": sent.message_id}})
    return None


async def on_other(update: Update, context: VocesContext) -> object:
    report_id = open_report_id(context)
    if report_id is None:
        return await leave(update, context, FLOW)
    return await ask_current(update, context, report_id, problem=context.gettext("I can only read typed text here. Please write your answer."))


# --- buttons ------------------------------------------------------------------------------------------------


async def on_button(update: Update, context: VocesContext) -> object:
    return await dispatch_button(update, context, BUTTONS)


async def draft_tap(update: Update, context: VocesContext, args: list[str], action: str) -> object:
    report_id = open_report_id(context)
    if report_id is None:
        raise StaleButton(action)
    _ = context.gettext
    runtime = context.runtime
    if action == "edit" and not args:
        parts = [("activities", _("Activities")), ("people", _("People reached")), ("spent", _("Money spent")),
                 ("difficulties", _("Difficulties")), ("lessons", _("Lessons")), ("evidence", _("Photos and documents"))]
        rows = [[(label, callback("edit", code)) for code, label in parts[i:i + 2]] for i in range(0, len(parts), 2)]
        rows.append([(_("⬅️ Back to the summary"), callback("summary"))])
        return await ask(update, context, flow=FLOW, step=SUMMARY, text=_("Which part do you want to change? Activities and people are entered again in full."), reply_markup=keyboard(rows))
    if action == "submit":
        return await submit(update, context, report_id)
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
            await reports.tap(session, user=person, report=found.report, action=f"edit_{args[0]}" if action == "edit" else action, now=runtime.clock.now())
    except reports.ProjectError as error:
        return await ask_current(update, context, report_id, problem=error_text(context, error))
    return await ask_current(update, context, report_id)


def draft_action(action: str):  # noqa: ANN201
    async def handler(update: Update, context: VocesContext, args: list[str]) -> object:
        return await draft_tap(update, context, args, action)
    return handler


async def submit(update: Update, context: VocesContext, report_id: int) -> object:
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            await reports.submit(session, user=await current_person(session, context), report_id=report_id, now=runtime.clock.now())
    except reports.ProjectError as error:
        return await ask_current(update, context, report_id, problem=error_text(context, error))
    await remember(update, context, **{OPEN: None, ALBUM: None})
    await leave(update, context, FLOW)
    await reply(update, context, _("📨 Report sent to the programme. I will tell you here when they review it."))
    return END


# --- leaving ------------------------------------------------------------------------------------------------


@shows_current_card("rep")
async def current_card(update: Update, context: VocesContext) -> None:
    await start(update, context)


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Paused. The report is kept as a draft: send /report to continue."))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


BUTTONS = {
    "go": go,
    **{action: draft_action(action) for action in ("more", "nomore", "evdone", "edit", "summary", "submit")},
    "rl": review.review_page,
    "rv": review.open_for_review,
    "ok": review.approve,
    "no": review.ask_for_changes,
    "ro": review.start_reopening,
    "rok": review.confirm_reopening,
    "rox": review.give_up_reopening,
    "pdf": review.send_pdf,
}


def conversation() -> ConversationHandler:
    answers = [
        MessageHandler(filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(filters.Document.ALL | filters.PHOTO, on_file),
        MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_other),
    ]
    return ConversationHandler(
        entry_points=[command("report", start), CallbackQueryHandler(on_button, pattern=r"^rep:")],
        states=dict.fromkeys(STEPS, answers),
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    application.add_handler(conversation())
    application.add_handler(command("reportreview", review.review_list))


# --- the deadline reminders -----------------------------------------------------------------------------------


@renders(reports.DUE_SOON)
async def render_due_soon(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    async with runtime.database.session() as session:
        found = await reports.still_due(session, report_id=int(reminder.payload["report_id"]), recipient_id=reminder.recipient_id)
    if found is None:
        return None
    _ = i18n.gettext
    days = int(reminder.payload["n"])
    text = i18n.ngettext("⏰ The %(period)s of “%(title)s” is due on %(date)s, in %(days)s day.",
                         "⏰ The %(period)s of “%(title)s” is due on %(date)s, in %(days)s days.", days) % {
        "period": period_text(i18n, found.report), "title": escape(found.project.title), "date": i18n.date(found.report.due_on), "days": days}
    return Rendered(text, keyboard([[(_("📝 Write the report"), callback("go", found.report.id))]]))


@renders(reports.OVERDUE)
async def render_overdue(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    report_id = int(reminder.payload["report_id"])
    async with runtime.database.session() as session:
        found = await reports.still_due(session, report_id=report_id, recipient_id=reminder.recipient_id)
        if found is None:
            return None
        # Weekly after the first: the next one is planned as this one goes.
        await reports.plan_next_overdue(session, report_id=report_id, recipient_id=reminder.recipient_id, n=int(reminder.payload["n"]),
                                        now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    _ = i18n.gettext
    text = _("⏰ The %(period)s of “%(title)s” was due on %(date)s and has not been sent yet. Send it with /report; if something is in the way, tell the programme staff.") % {
        "period": period_text(i18n, found.report), "title": escape(found.project.title), "date": i18n.date(found.report.due_on)}
    return Rendered(text, keyboard([[(_("📝 Write the report"), callback("go", found.report.id))]]))
