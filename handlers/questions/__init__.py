"""Ask the programme: /ask (/preguntar) for leaders, /inbox (/bandeja) for coordinators and
staff, /opinion for suggestions and complaints and /complaints (/quejas) for whoever handles
them. The decisions are the domain's (bot/questions/); this package routes and renders.

Callback data (checked on arrival: the question must exist, the person be its asker or on the
team that sees its district; a complaint only for who handles complaints):

    ask:about:<org|ruos|prj:<id>|tr:<id>|other>   the leader: what the question is about (sends it)
    ask:faq:<saved>  ask:mine  ask:view:<q>       the frequent questions; the leader's questions
    ask:reply:<q>  ask:close:<q>                  the leader: write again; close it
    ask:inbox  ask:open:<q>  ask:take:<q>          the team: the inbox; a thread; take it
    ask:ans:<q>  ask:end:<q>                       the team: answer (or ask back); close it
    ask:saved:<q>  ask:pick:<q>:<saved>  ask:use:<q>:<saved>   a saved answer: list, preview, send
    ask:keep:<message>                             keep a team message as a saved answer
    ask:file:<message>                             a file of a thread
    opn:kind:<s|c>  opn:anon:<0|1>                 /opinion: suggestion or complaint; anonymous?
    opn:open:<f>  opn:ans:<f>  opn:close:<f>       /complaints: read, answer, close
    opn:who  opn:set:<user>:<0|1>                  staff: who reads complaints

Read in this order: common.py, asking.py (the leader), inbox.py (the team), feedback.py.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.core.validation import InvalidInput, parse_id
from bot.questions import questions, saved, screens, staff_screens
from handlers.commands import command
from handlers.common import ButtonTable, area_buttons, error_text, leave, remember, reply
from handlers.context import VocesContext
from handlers.questions import asking, feedback, inbox
from handlers.questions.common import FLOW, TARGET, TYPING, WRITING, person
from handlers.show import say

# Every ask: and opn: button, by action, with the shape of what follows it (handlers.common.area_buttons).
ID, PAIR = r"\d+", r"\d+:\d+"
ASK: ButtonTable = {
    "about": (r"[a-z]+(?::\d+)?", asking.send_question),  # a topic, or a project's or session's
    "faq": (ID, asking.show_faq),
    "mine": (None, asking.my_questions),
    "view": (ID, asking.view),
    "reply": (ID, asking.start_reply),
    "close": (ID, asking.close_own),
    "inbox": (None, inbox.show_inbox),
    "open": (ID, inbox.open_question),
    "take": (ID, inbox.take),
    "ans": (ID, inbox.start_answer),
    "end": (ID, inbox.close),
    "saved": (ID, inbox.saved_answers),
    "pick": (PAIR, inbox.pick_saved),
    "use": (PAIR, inbox.use_saved),
    "keep": (ID, inbox.keep_as_saved),
    "file": (ID, inbox.send_file),
}
OPN: ButtonTable = {
    "kind": (r"[sc]", feedback.choose_kind),
    "anon": (r"[01]", feedback.choose_anonymity),
    "open": (ID, feedback.open_one),
    "ans": (ID, feedback.start_answer),
    "close": (ID, feedback.close),
    "who": (None, feedback.who_handles),
    "set": (r"\d+:[01]", feedback.set_handler),
}


async def on_typed(update: Update, context: VocesContext) -> object:
    """A text (or a file) for whatever the person was asked last: a reply in a thread, an
    answer, a saved answer's title, an opinion."""
    message = update.effective_message
    assert message is not None
    target = str((context.user_data or {}).get(TARGET) or "")
    what, _sep, number = target.partition(":")
    text = message.text or message.caption or ""
    if what == "feedback":
        if not message.text:
            await reply(update, context, context.gettext("I can only read typed text here. Please write your answer."))
            return TYPING
        return await feedback.on_text(update, context, text)
    if what == "fanswer" and (feedback_id := parse_id(number)) is not None:
        return await feedback.on_answer(update, context, feedback_id, text)
    question_id = parse_id(number) if number else None
    if question_id is None:
        await remember(update, context, **{TARGET: None})
        return await leave(update, context, FLOW)
    runtime = context.runtime
    try:
        file = await asking._file_of(update, context)
        async with runtime.database.session() as session:
            if what == "answer":
                done = await questions.answer(session, viewer=await questions.viewer_of(session, user_id=person(context).id),
                                              question_id=question_id, text=text, file=file, now=runtime.clock.now())
            elif what == "reply":
                done = await questions.reply(session, user=person(context), question_id=question_id, text=text, file=file,
                                             now=runtime.clock.now())
            elif what == "title":
                kept = await saved.keep(session, user_id=person(context).id, message_id=question_id, title=text,
                                        language=await questions.language_of_thread(session, message_id=question_id),
                                        now=runtime.clock.now())
                done = None
            else:
                return await leave(update, context, FLOW)
    except LookupError:
        await remember(update, context, **{TARGET: None})
        await reply(update, context, context.gettext("This question is no longer available."))
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return TYPING
    await remember(update, context, **{TARGET: None})
    if done is None:
        await say(update, context, staff_screens.kept(context.i18n, kept))
    elif what == "answer":
        await say(update, context, staff_screens.answer_sent(context.i18n, done.question, keep=done.message_id if text.strip() else None))
    else:
        await say(update, context, screens.reply_sent(context.i18n, done.question))
    return await leave(update, context, FLOW)


async def cancel(update: Update, context: VocesContext) -> int:
    await remember(update, context, **{TARGET: None})
    await reply(update, context, context.gettext("Stopped. Nothing was sent."))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


async def not_readable(update: Update, context: VocesContext) -> object:
    await reply(update, context, context.gettext("I can only read typed text, a photo or a document here."))
    return None


def conversation() -> ConversationHandler:
    files = filters.Document.ALL | filters.PHOTO
    typed = (filters.TEXT & ~filters.COMMAND) | files
    return ConversationHandler(
        entry_points=[command("ask", asking.start), command("opinion", feedback.start),
                      area_buttons("ask", ASK), area_buttons("opn", OPN)],
        states={
            WRITING: [MessageHandler(typed, asking.on_question), MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, not_readable)],
            TYPING: [MessageHandler(typed, on_typed), MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, not_readable)],
        },
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


async def inbox_command(update: Update, context: VocesContext) -> None:
    await inbox.show_inbox(update, context)


async def complaints_command(update: Update, context: VocesContext) -> None:
    await feedback.listing(update, context)


async def remind_team(context: VocesContext) -> None:
    """Questions a working day old without a first answer: the team is reminded, once."""
    runtime = context.runtime
    async with runtime.database.session() as session:
        await questions.remind_team(session, now=runtime.clock.now())


def register(application) -> None:  # noqa: ANN001
    application.add_handler(conversation())
    application.add_handlers([command("inbox", inbox_command), command("complaints", complaints_command)])
    if application.job_queue is not None:
        application.job_queue.run_repeating(remind_team, interval=timedelta(hours=1), first=timedelta(minutes=5),
                                            name="questions waiting", job_kwargs={"max_instances": 1, "coalesce": True})
