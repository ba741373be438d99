"""/ask (/preguntar): a leader writes a question (a photo or a document may go with it), says
what it is about from what they have, and gets its number and when to expect an answer. The
frequent questions come first; a leader's own questions are one button away, each with its
thread, a reply and a close."""

from __future__ import annotations

from telegram import Update

from bot.core.validation import InvalidInput
from bot.people.authority import NotAllowed
from bot.questions import questions, saved
from bot.questions import screens as shown
from bot.questions.labels import STATE_NAMES
from bot.questions.models import QuestionState
from bot.questions.screens import about_text, thread_text
from handlers.common import (
    END,
    answer_button,
    ask,
    edit_or_reply,
    error_text,
    keyboard,
    leave,
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_number
from handlers.questions.common import (
    FLOW,
    TARGET,
    TYPING,
    WRITING,
    person,
)
from handlers.screens import render


async def start(update: Update, context: VocesContext) -> str:
    _ = context.gettext
    runtime = context.runtime
    async with runtime.database.session() as session:
        faq = await saved.frequent(session, language=context.i18n.language)
        mine = await questions.asked_by(session, user_id=person(context).id)
        draft = await questions.draft_of(session, user_id=person(context).id)
    await remember(update, context, **{TARGET: None})
    if draft is not None:  # a question written before, not yet sent: what is it about?
        return await ask_about(update, context)
    text, markup = render(shown.ask_start(context.i18n, faq=faq, asked_before=bool(mine)))
    return await ask(update, context, flow=FLOW, step=WRITING, text=text, reply_markup=markup)


async def on_question(update: Update, context: VocesContext) -> object:
    """The question typed (or a photo or document with or without a caption)."""
    message = update.effective_message
    assert message is not None
    runtime = context.runtime
    try:
        file = await _file_of(update, context)
        async with runtime.database.session() as session:
            await questions.write(session, user=person(context), text=message.text or message.caption or "", file=file,
                                  now=runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return WRITING
    return await ask_about(update, context)


async def _file_of(update: Update, context: VocesContext) -> tuple[str, str, str] | None:
    message = update.effective_message
    assert message is not None
    if message.document is not None:
        if (message.document.file_size or 0) > questions.FILE_MAX:
            raise InvalidInput(context.gettext("That file is too large: the limit is 20 MB."))
        handle, name = message.document.file_id, message.document.file_name
    elif message.photo:
        handle, name = message.photo[-1].file_id, None
    else:
        return None
    content = bytes(await (await context.bot.get_file(handle)).download_as_bytearray())
    return questions.keep_file(context.runtime.files, content=content, name=name)


async def ask_about(update: Update, context: VocesContext) -> str:
    _ = context.gettext
    runtime = context.runtime
    async with runtime.database.session() as session:
        choices = await questions.choices_for(session, user=person(context), now=runtime.clock.now())
    text, markup = render(shown.about(context.i18n, choices))
    return await ask(update, context, flow=FLOW, step=WRITING, text=text, reply_markup=markup)


async def send_question(update: Update, context: VocesContext, args: list[str]) -> object:
    _ = context.gettext
    runtime = context.runtime
    about = ":".join(args)
    try:
        async with runtime.database.session() as session:
            done = await questions.send(session, user=person(context), about=about, now=runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return WRITING
    await answer_button(update, context)
    text, markup = render(shown.sent(context.i18n, done.question))
    await edit_or_reply(update, context, text, reply_markup=markup)
    return await leave(update, context, FLOW)


async def show_faq(update: Update, context: VocesContext, args: list[str]) -> object:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        try:
            answer = await saved.get(session, answer_id=button_number(args[0]))
        except LookupError:
            raise StaleButton(update.callback_query.data if update.callback_query else "") from None
    await answer_button(update, context)
    text, _markup = render(shown.frequent(context.i18n, answer))
    await reply(update, context, text)
    return WRITING


async def my_questions(update: Update, context: VocesContext, args: list[str]) -> object:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        mine = await questions.asked_by(session, user_id=person(context).id)
    await answer_button(update, context)
    text, markup = render(shown.mine(context.i18n, mine))
    await edit_or_reply(update, context, text, reply_markup=markup)
    return None


async def view(update: Update, context: VocesContext, args: list[str]) -> object:
    """The asker's own view of a thread, with Reply and Close while it is open."""
    _ = context.gettext
    question_id = button_number(args[0])
    async with context.runtime.database.session() as session:
        try:
            card = await questions.card(session, user_id=person(context).id, question_id=question_id)
        except LookupError:
            raise StaleButton(update.callback_query.data if update.callback_query else "") from None
    question, messages, names = card.question, card.messages, card.names
    text = "\n".join([_("❓ <b>Question %(ref)s</b> · %(state)s") % {"ref": questions.reference(question), "state": _(STATE_NAMES[question.state])},
                      _("About: %(about)s") % {"about": about_text(context.i18n, question)}, "",
                      thread_text(context.i18n, messages, names, for_team=False)])
    rows = [] if question.state is QuestionState.CLOSED else [
        [(_("↩️ Reply"), f"ask:reply:{question.id}"), (_("✅ Close it"), f"ask:close:{question.id}")]]
    rows += [[("📎 " + m.file_name[:24], f"ask:file:{m.id}")] for m in messages if m.file_path and m.file_name]
    await answer_button(update, context)
    await edit_or_reply(update, context, text, reply_markup=keyboard(rows) if rows else None)
    return None


async def start_reply(update: Update, context: VocesContext, args: list[str]) -> object:
    question_id = button_number(args[0])
    async with context.runtime.database.session() as session:
        try:
            question = await questions.for_asker(session, user_id=person(context).id, question_id=question_id)
        except LookupError:
            raise StaleButton(update.callback_query.data if update.callback_query else "") from None
    if question.state is QuestionState.CLOSED:
        await answer_button(update, context, context.gettext(questions.ALREADY_CLOSED), alert=True)
        return None
    await answer_button(update, context)
    await remember(update, context, **{TARGET: f"reply:{question_id}"})
    text, markup = render(shown.write_reply(context.i18n, question_id))
    return await ask(update, context, flow=FLOW, step=TYPING, text=text, reply_markup=markup)


async def close_own(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    question_id = button_number(args[0])
    try:
        async with runtime.database.session() as session:
            await questions.close(session, user=person(context), question_id=question_id, now=runtime.clock.now())
    except LookupError:
        raise StaleButton(update.callback_query.data if update.callback_query else "") from None
    except NotAllowed as error:
        await answer_button(update, context, error_text(context, error), alert=True)
        return None
    await answer_button(update, context)
    text, markup = render(shown.closed(context.i18n, question_id))
    await reply(update, context, text, reply_markup=markup)
    return END
