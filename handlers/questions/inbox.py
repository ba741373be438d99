"""/inbox (/bandeja): coordinators and staff see the questions waiting in the districts they
follow, oldest first; open one to read its thread with where it comes from; take it (so two
people do not answer the same), answer or ask back in the chat (text or a file), insert a saved
answer, keep an answer as a saved one, close it. What each shows is
bot/questions/staff_screens.py's."""

from __future__ import annotations

from telegram import Update

from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people import people
from bot.questions import questions, saved
from bot.questions import staff_screens as shown
from handlers.common import (
    answer_button,
    ask,
    edit_or_reply,
    error_text,
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
    viewer,
)
from handlers.screens import render


def _stale(update: Update) -> StaleButton:
    return StaleButton(update.callback_query.data if update.callback_query and update.callback_query.data else "")


async def show_inbox(update: Update, context: VocesContext) -> None:
    try:
        async with context.runtime.database.session() as session:
            waiting = await questions.inbox(session, viewer=await viewer(session, context))
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return
    await answer_button(update, context)
    text, markup = render(shown.inbox(context.i18n, waiting, now=context.runtime.clock.now()))
    await edit_or_reply(update, context, text, reply_markup=markup)


async def open_question(update: Update, context: VocesContext, args: list[str], *, note: str | None = None) -> None:
    question_id = button_number(args[0])
    async with context.runtime.database.session() as session:
        me = await viewer(session, context)
        try:
            card = await questions.card(session, viewer=me, question_id=question_id)
        except LookupError:
            raise _stale(update) from None
    await answer_button(update, context)
    text, markup = render(shown.thread(context.i18n, card, viewer_id=me.user_id, note=note))
    await edit_or_reply(update, context, text, reply_markup=markup)


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
    await open_question(update, context, args, note=context.gettext(shown.TAKEN))


async def start_answer(update: Update, context: VocesContext, args: list[str]) -> object:
    question_id = await _take(update, context, args)
    await answer_button(update, context)
    await remember(update, context, **{TARGET: f"answer:{question_id}"})
    text, markup = render(shown.write_answer(context.i18n, question_id))
    return await ask(update, context, flow=FLOW, step=TYPING, text=text, reply_markup=markup)


async def saved_answers(update: Update, context: VocesContext, args: list[str]) -> None:
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
    text, markup = render(shown.saved_answers(context.i18n, question_id, found))
    await reply(update, context, text, reply_markup=markup)


async def pick_saved(update: Update, context: VocesContext, args: list[str]) -> None:
    question_id, answer_id = button_number(args[0]), button_number(args[1])
    async with context.runtime.database.session() as session:
        try:
            answer = await saved.get(session, answer_id=answer_id)
        except LookupError:
            raise _stale(update) from None
    await answer_button(update, context)
    text, markup = render(shown.saved_answer(context.i18n, question_id, answer))
    await edit_or_reply(update, context, text, reply_markup=markup)


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
    text, markup = render(shown.answer_sent(context.i18n, question_id))
    await edit_or_reply(update, context, text, reply_markup=markup)


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
    text, markup = render(shown.closed(context.i18n, question_id))
    await edit_or_reply(update, context, text, reply_markup=markup)


async def keep_as_saved(update: Update, context: VocesContext, args: list[str]) -> object:
    message_id = button_number(args[0])
    await answer_button(update, context)
    await remember(update, context, **{TARGET: f"title:{message_id}"})
    text, markup = render(shown.title_wanted(context.i18n))
    return await ask(update, context, flow=FLOW, step=TYPING, text=text, reply_markup=markup)


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
