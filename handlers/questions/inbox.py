"""/inbox (/bandeja): coordinators and staff see the questions waiting in the districts they
follow, oldest first; open one to read its thread with where it comes from; take it (so two
people do not answer the same), answer or ask back in the chat (text or a file), insert a saved
answer, keep an answer as a saved one, close it."""

from __future__ import annotations

from telegram import Update

from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people import people
from bot.questions import questions, saved
from bot.questions.labels import STATE_NAMES
from bot.questions.models import Question, QuestionState
from bot.questions.screens import about_text
from handlers.common import (
    answer_button,
    ask,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    remember,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_number
from handlers.questions.common import (
    FLOW,
    TARGET,
    TYPING,
    person,
    thread_text,
    viewer,
)


def _stale(update: Update) -> StaleButton:
    return StaleButton(update.callback_query.data if update.callback_query and update.callback_query.data else "")


def _age(context: VocesContext, question: Question) -> str:
    days = questions.waiting_days(question, context.runtime.clock.now())
    return context.i18n.ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


async def show_inbox(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    try:
        async with context.runtime.database.session() as session:
            waiting = await questions.inbox(session, viewer=await viewer(session, context))
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return
    await answer_button(update, context)
    if not waiting:
        await edit_or_reply(update, context, _("📥 No questions are waiting in your districts."))
        return
    rows = [[(f"{questions.reference(q)} · {_age(context, q)} · {_(STATE_NAMES[q.state])}"[:30], f"ask:open:{q.id}")]
            for q in waiting[:20]]
    text = context.i18n.ngettext("📥 <b>%(n)d question is waiting</b>, oldest first:",
                                 "📥 <b>%(n)d questions are waiting</b>, oldest first:", len(waiting)) % {"n": len(waiting)}
    await edit_or_reply(update, context, text, reply_markup=keyboard(rows))


async def open_question(update: Update, context: VocesContext, args: list[str], *, note: str | None = None) -> None:
    _ = context.gettext
    question_id = button_number(args[0])
    async with context.runtime.database.session() as session:
        me = await viewer(session, context)
        try:
            shown = await questions.card(session, viewer=me, question_id=question_id)
        except LookupError:
            raise _stale(update) from None
    question, messages, names, organization = shown.question, shown.messages, shown.names, shown.organization
    lines = [_("❓ <b>Question %(ref)s</b> · %(state)s") % {"ref": questions.reference(question), "state": _(STATE_NAMES[question.state])},
             _("From: %(name)s") % {"name": escape(names.get(question.asker_id, "—"))}]
    if organization is not None:
        lines.append(_("Organization: %(name)s") % {"name": escape(organization)})
    lines.append(_("About: %(about)s") % {"about": about_text(context.i18n, question)})
    if question.taken_by_id:
        lines.append(_("Taken by: %(name)s") % {"name": escape(names.get(question.taken_by_id, "—"))})
    lines += ["", thread_text(context.i18n, messages, names, for_team=True)]
    if note:
        lines += ["", note]
    rows: list[list[tuple[str, str]]] = []
    if question.state is not QuestionState.CLOSED:
        if question.taken_by_id != me.user_id:
            rows.append([(_("✋ Take it"), f"ask:take:{question.id}")])
        rows.append([(_("✍️ Answer"), f"ask:ans:{question.id}"), (_("📋 Saved"), f"ask:saved:{question.id}")])
        rows.append([(_("✅ Close it"), f"ask:end:{question.id}")])
    rows += [[("📎 " + m.file_name[:24], f"ask:file:{m.id}")] for m in messages if m.file_path and m.file_name]
    rows.append([(_("📥 Inbox"), "ask:inbox")])
    await answer_button(update, context)
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))


async def _take(update: Update, context: VocesContext, args: list[str]) -> int:
    """The question the button names, taken by whoever pressed it (once; refused with the name
    of someone else who holds it)."""
    runtime = context.runtime
    question_id = button_number(args[0])
    async with runtime.database.session() as session:
        me = await viewer(session, context)
        try:
            await questions.take(session, viewer=me, question_id=question_id, now=runtime.clock.now())
        except LookupError:
            raise _stale(update) from None
    return question_id


async def take(update: Update, context: VocesContext, args: list[str]) -> None:
    await _take(update, context, args)
    await open_question(update, context, args, note=context.gettext("✋ It is yours: answer it when you are ready."))


async def start_answer(update: Update, context: VocesContext, args: list[str]) -> object:
    question_id = await _take(update, context, args)
    await answer_button(update, context)
    await remember(update, context, **{TARGET: f"answer:{question_id}"})
    return await ask(update, context, flow=FLOW, step=TYPING,
                     text=context.gettext("Write your answer to %(ref)s, or a question back (a photo or a document may go with it).")
                     % {"ref": questions.reference(question_id)})


async def saved_answers(update: Update, context: VocesContext, args: list[str]) -> None:
    _ = context.gettext
    question_id = button_number(args[0])
    async with context.runtime.database.session() as session:
        me = await viewer(session, context)
        try:
            question = await questions.for_team(session, viewer=me, question_id=question_id)
        except LookupError:
            raise _stale(update) from None
        asker = await people.get(session, question.asker_id)
        found = await saved.in_language(session, language=asker.language if asker else "es")
    await answer_button(update, context)
    if not found:
        await reply(update, context, _("There are no saved answers in this person's language yet. After you answer, "
                                       "“💾 Keep as saved answer” keeps yours."))
        return
    rows = [[(answer.title[:30], f"ask:pick:{question_id}:{answer.id}")] for answer in found[:10]]
    await reply(update, context, _("<b>Saved answers</b> in the language of who asked:"), reply_markup=keyboard(rows))


async def pick_saved(update: Update, context: VocesContext, args: list[str]) -> None:
    _ = context.gettext
    question_id, answer_id = button_number(args[0]), button_number(args[1])
    async with context.runtime.database.session() as session:
        try:
            answer = await saved.get(session, answer_id=answer_id)
        except LookupError:
            raise _stale(update) from None
    await answer_button(update, context)
    await edit_or_reply(update, context, f"📌 <b>{escape(answer.title)}</b>\n\n{escape(answer.text)}",
                        reply_markup=keyboard([[(_("📤 Send it"), f"ask:use:{question_id}:{answer_id}")],
                                               [(_("⬅️ Back"), f"ask:open:{question_id}")]]))


async def use_saved(update: Update, context: VocesContext, args: list[str]) -> None:
    question_id, answer_id = button_number(args[0]), button_number(args[1])
    runtime = context.runtime
    async with runtime.database.session() as session:
        try:
            answer = await saved.get(session, answer_id=answer_id)
            await questions.answer(session, viewer=await viewer(session, context), question_id=question_id,
                                          text=answer.text, now=runtime.clock.now())
        except LookupError:
            raise _stale(update) from None
        await saved.used(session, answer_id=answer_id)
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("✅ Sent to who asked %(ref)s.") % {"ref": questions.reference(question_id)})


async def close(update: Update, context: VocesContext, args: list[str]) -> None:
    runtime = context.runtime
    question_id = button_number(args[0])
    try:
        async with runtime.database.session() as session:
            await questions.close(session, user=person(context), viewer=await viewer(session, context),
                                         question_id=question_id, now=runtime.clock.now())
    except LookupError:
        raise _stale(update) from None
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("✅ Question %(ref)s is closed; who asked was told.")
                        % {"ref": questions.reference(question_id)})


async def keep_as_saved(update: Update, context: VocesContext, args: list[str]) -> object:
    message_id = button_number(args[0])
    await answer_button(update, context)
    await remember(update, context, **{TARGET: f"title:{message_id}"})
    return await ask(update, context, flow=FLOW, step=TYPING,
                     text=context.gettext("Give this answer a short title, as a leader would ask it (up to 60 characters)."))


async def send_file(update: Update, context: VocesContext, args: list[str]) -> None:
    """A file of a thread, to its asker or to the team who sees the question."""
    message_id = button_number(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        try:
            message = await questions.file_of(session, message_id=message_id, user_id=person(context).id)
        except LookupError:
            raise _stale(update) from None
    await answer_button(update, context)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, runtime.files.read(message.file_path), filename=message.file_name)
