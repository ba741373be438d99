"""/report: the leaders of a funded project file the report of each period in a conversation
(activities, people reached as counts, money spent, difficulties, lessons, photos and
documents), see it on a card and submit it; the deadline reminders' messages. Staff's
/reportreview and the PDF are in handlers/projects/review.py, on this conversation's buttons.

The steps, their checks and the draft are the domain's (bot/projects/report_drafts.py): the
draft is the report row (its step and scratch), and which report the person has open is a row
too, so it survives /cancel, restarts and days of silence; each handler here parses, calls one
function and renders what it returns. The chat data keeps only the album's receipt (a message
to edit). Callback data:

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

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.textlimits import shorten
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, day_text
from bot.messaging.models import Reminder
from bot.people.authority import NotAllowed
from bot.projects import report_drafts, reports
from bot.projects import review as reviewing
from bot.projects.models import ReportStatus
from bot.projects.report_drafts import Mismatch
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
from handlers.projects.common import upload_of
from handlers.projects.project_cards import (
    AGE_LABEL,  # noqa: F401 - the staff console reads these four from here
    GROUP,
    NATIONALITY,  # noqa: F401
    NATIONALITY_TOTAL,
    REPORT_STATUS,  # noqa: F401
    SEX_LABEL,  # noqa: F401
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


def question(context: VocesContext, asked: report_drafts.Step) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = context.gettext
    step, report = asked.name, asked.report
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
    return _("Please check the report:") + "\n\n" + report_card(context.i18n, report, asked.title, asked.evidence), keyboard(
        [[(_("✏️ Change a part"), callback("edit"))], [(_("✅ Submit to the programme"), callback("submit"))]])


async def ask_current(update: Update, context: VocesContext, step: report_drafts.Step) -> object:
    """The report's question (or the parts to change), after the last answer's problem if any."""
    _ = context.gettext
    if step.screen == report_drafts.PARTS:
        parts = [("activities", _("Activities")), ("people", _("People reached")), ("spent", _("Money spent")),
                 ("difficulties", _("Difficulties")), ("lessons", _("Lessons")), ("evidence", _("Photos and documents"))]
        rows = [[(label, callback("edit", code)) for code, label in parts[i:i + 2]] for i in range(0, len(parts), 2)]
        rows.append([(_("⬅️ Back to the summary"), callback("summary"))])
        return await ask(update, context, flow=FLOW, step=SUMMARY, text=_("Which part do you want to change? Activities and people are entered again in full."), reply_markup=keyboard(rows))
    text, markup = question(context, step)
    if step.problem is not None:
        problem = mismatch_text(context, step.problem) if isinstance(step.problem, Mismatch) else error_text(context, step.problem)
        text = f"⚠️ {problem}\n\n{text}"
    return await ask(update, context, flow=FLOW, step=step.name, text=text, reply_markup=markup)


def opened_before(context: VocesContext) -> int | None:
    """The report the chat remembered as open (before the database kept it): adopted by the
    domain, then forgotten here (`forget_opened`)."""
    value = (context.user_data or {}).get(OPEN)
    return int(value) if value is not None else None


async def forget_opened(update: Update, context: VocesContext) -> None:
    if OPEN in (context.user_data or {}):
        await remember(update, context, **{OPEN: None})


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
        found = await report_drafts.waiting(session, user_id=context.person.id)  # type: ignore[union-attr]
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
        step = await report_drafts.open_report(session, user_id=context.person.id, report_id=report_id, now=runtime.clock.now())  # type: ignore[union-attr]
    await remember(update, context, **{OPEN: None, ALBUM: None})
    if step.opening == report_drafts.CHANGES:
        await reply(update, context, context.gettext("The programme asked for these changes:") + f"\n\n<i>{escape(step.report.review_comment or '')}</i>")
    elif step.opening == report_drafts.FIRST:
        await reply(update, context, context.gettext("Let us write the %(period)s of “%(title)s”. I save every answer: you can stop and continue later with /report.") % {
            "period": period_text(context.i18n, step.report), "title": escape(step.title)})
    return await ask_current(update, context, step)


async def on_text(update: Update, context: VocesContext) -> object:
    message = update.effective_message
    assert message is not None
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            result = await report_drafts.answer(session, user_id=context.person.id, value=message.text or "",  # type: ignore[union-attr]
                                                now=runtime.clock.now(), opened=opened_before(context))
    except InvalidInput as error:  # no longer theirs to write (or gone): nothing was saved
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    await forget_opened(update, context)
    if result is None:
        return await leave(update, context, FLOW)
    if isinstance(result, report_drafts.StaffStep):
        return await review.staff_step(update, context, result)
    if isinstance(result, reviewing.Review):
        return await review.changes_requested(update, context, result)
    return await ask_current(update, context, result)


async def on_file(update: Update, context: VocesContext) -> object:
    """A photo (one, or one of an album) or a document as evidence."""
    message = update.effective_message
    assert message is not None
    _ = context.gettext
    runtime = context.runtime
    # What the phone says a document is decides nothing: the bytes do (bot/core/uploads.py).
    try:
        async with runtime.database.session() as session:
            result = await report_drafts.evidence(session, user_id=context.person.id, upload=upload_of(context, message),  # type: ignore[union-attr]
                                                  media_group_id=message.media_group_id, store=runtime.files,
                                                  now=runtime.clock.now(), opened=opened_before(context))
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    await forget_opened(update, context)
    if result is None:
        return await leave(update, context, FLOW)
    if isinstance(result, report_drafts.Step):
        return await ask_current(update, context, result)
    done = keyboard([[(_("✅ Done"), callback("evdone"))]])
    receipt = result.receipt
    if receipt is None:
        assert result.problem is not None
        await reply(update, context, "⚠️ " + error_text(context, result.problem), reply_markup=done)
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
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await report_drafts.not_typed(session, user_id=context.person.id, now=runtime.clock.now(), opened=opened_before(context))  # type: ignore[union-attr]
    await forget_opened(update, context)
    if step is None:
        return await leave(update, context, FLOW)
    return await ask_current(update, context, step)


# --- buttons ------------------------------------------------------------------------------------------------


async def on_button(update: Update, context: VocesContext) -> object:
    return await dispatch_button(update, context, BUTTONS)


async def draft_tap(update: Update, context: VocesContext, args: list[str], action: str) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        result = await report_drafts.press(session, user_id=context.person.id, choice=":".join([action, *args]),  # type: ignore[union-attr]
                                           now=runtime.clock.now(), opened=opened_before(context))
    await forget_opened(update, context)
    if result is None:
        raise StaleButton(action)
    if isinstance(result, report_drafts.Submitted):
        return await submitted(update, context, result)
    return await ask_current(update, context, result)


def draft_action(action: str):  # noqa: ANN201
    async def handler(update: Update, context: VocesContext, args: list[str]) -> object:
        return await draft_tap(update, context, args, action)
    return handler


async def submitted(update: Update, context: VocesContext, result: report_drafts.Submitted) -> object:
    _ = context.gettext
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


# Every rep: button, by action: the report's own, then staff's review and the PDF.
BUTTONS = {
    "go": go,
    **{action: draft_action(action) for action in ("more", "nomore", "evdone", "edit", "summary", "submit")},
    **review.BUTTONS,
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
