"""/report: the leaders of a funded project file the report of each period in a conversation
(activities, people reached as counts, money spent, difficulties, lessons, photos and
documents), see it on a card and submit it (the deadline reminders' screens are
bot/projects/reminder_screens.py's). Staff's
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

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people.authority import NotAllowed
from bot.projects import report_drafts
from bot.projects import report_screens as shown
from bot.projects import review as reviewing
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
from handlers import screens
from handlers.commands import command
from handlers.common import (
    END,
    ButtonTable,
    area_buttons,
    ask,
    error_text,
    leave,
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.projects import review
from handlers.projects.common import CODE, NUMBER, upload_of
from handlers.projects.project_cards import (
    AGE_LABEL,  # noqa: F401 - the staff console reads these four from here
    NATIONALITY,  # noqa: F401
    REPORT_STATUS,  # noqa: F401
    SEX_LABEL,  # noqa: F401
    integer,
)
from handlers.projects.project_cards import REPORT_FLOW as FLOW
from handlers.show import say

OPEN = "report_open"  # chat data: the report the person is writing
ALBUM = "report_album"  # chat data: the receipt of the album being received
# "age:<nationality>" stays a state: a conversation saved there before the ages were asked per sex.
STEPS = [ACTIVITY_DATE, ACTIVITY_PLACE, ACTIVITY_WHAT, ACTIVITY_MORE,
         *(f"{part}:{n}" for n in NATIONALITIES for part in (COUNT, SEX, AGE)),
         *(f"{AGE}:{n}:{s}" for n in NATIONALITIES for s in SEXES),
         SPENT, DIFFICULTIES, LESSONS, EVIDENCE, SUMMARY, *review.STAFF_STEPS]


# --- the questions -----------------------------------------------------------------------------------------


async def ask_current(update: Update, context: VocesContext, step: report_drafts.Step) -> object:
    """The report's question (or the parts to change), after the last answer's problem if any."""
    if step.screen == report_drafts.PARTS:
        text, markup = screens.render(shown.parts(context.i18n))
        return await ask(update, context, flow=FLOW, step=SUMMARY, text=text, reply_markup=markup)
    question = shown.question(context.i18n, step)
    if step.problem is not None:
        question = question.warned(shown.mismatch_text(context.i18n, step.problem) if isinstance(step.problem, Mismatch)
                                   else error_text(context, step.problem))
    text, markup = screens.render(question)
    return await ask(update, context, flow=FLOW, step=step.name, text=text, reply_markup=markup)


def opened_before(context: VocesContext) -> int | None:
    """The report the chat remembered as open (before the database kept it): adopted by the
    domain, then forgotten here (`forget_opened`)."""
    value = (context.user_data or {}).get(OPEN)
    return int(value) if value is not None else None


async def forget_opened(update: Update, context: VocesContext) -> None:
    if OPEN in (context.user_data or {}):
        await remember(update, context, **{OPEN: None})


# --- /report ------------------------------------------------------------------------------------------------


async def start(update: Update, context: VocesContext) -> object:
    async with context.runtime.database.session() as session:
        found = await report_drafts.waiting(session, user_id=context.person.id)  # type: ignore[union-attr]
    await say(update, context, shown.waiting(context.i18n, found))
    return await leave(update, context, FLOW)


async def go(update: Update, context: VocesContext, args: list[str]) -> object:
    report_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await report_drafts.open_report(session, user_id=context.person.id, report_id=report_id, now=runtime.clock.now())  # type: ignore[union-attr]
    await remember(update, context, **{OPEN: None, ALBUM: None})
    opening = shown.opening(context.i18n, step)
    if opening is not None:
        await say(update, context, opening)
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
    receipt = result.receipt
    if receipt is None:
        assert result.problem is not None
        await say(update, context, shown.file_refused(context.i18n, error_text(context, result.problem)))
        return None
    if receipt.duplicate:
        await say(update, context, shown.file_again(context.i18n))
        return None
    text, markup = screens.render(shown.files_received(context.i18n, receipt.count))
    album = (context.user_data or {}).get(ALBUM) if message.media_group_id else None
    if album and album["group"] == message.media_group_id:
        # Later pages of an album edit the first page's receipt instead of adding a message each.
        assert update.effective_chat is not None
        await context.bot.edit_message_text(text, chat_id=update.effective_chat.id, message_id=album["message_id"], reply_markup=markup)
        return None
    sent = await reply(update, context, text, reply_markup=markup)
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
    await remember(update, context, **{OPEN: None, ALBUM: None})
    await leave(update, context, FLOW)
    await say(update, context, shown.submitted(context.i18n))
    return END


# --- leaving ------------------------------------------------------------------------------------------------


@shows_current_card("rep")
async def current_card(update: Update, context: VocesContext) -> None:
    await start(update, context)


async def cancel(update: Update, context: VocesContext) -> int:
    await say(update, context, shown.paused(context.i18n))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


# Every rep: button, by action, with the shape of what follows it: the report's own, then staff's
# review and the PDF.
REP: ButtonTable = {
    "go": (NUMBER, go),
    **{action: (None, draft_action(action)) for action in ("more", "nomore", "evdone", "summary", "submit")},
    "edit": ("?" + CODE, draft_action("edit")),
    **review.BUTTONS,
}


def conversation() -> ConversationHandler:
    answers = [
        MessageHandler(filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(filters.Document.ALL | filters.PHOTO, on_file),
        MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_other),
    ]
    return ConversationHandler(
        entry_points=[command("report", start), area_buttons("rep", REP)],
        states=dict.fromkeys(STEPS, answers),
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    application.add_handler(conversation())
    application.add_handler(command("reportreview", review.review_list))
