"""/correct: a person corrects what Voces keeps about them (rectification, Ley 29733).

The name the bot keeps is asked here; the language and the organization have their own
commands (/language, /myorg), which /correct points to.

Sex and nationality are the person's to say or not: asked once, after their first seat in a
training (a handler in group 1, after the trainings area has answered the press), and always
changeable here. Only the programme's anonymous totals read them (the trained leaders' figures);
nobody sees them next to the name but the person (/mydata). Callback data, checked on arrival:
me:about (the first question), me:sex:<code>, me:nat:<code>, me:skip; an unknown code is an old
or forged button.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot.core.validation import InvalidInput, parse_id
from bot.people import people, privacy
from bot.people import rights_screens as shown
from bot.people.models import Nationality, Sex
from handlers import screens
from handlers.commands import command
from handlers.common import (
    NOT_TYPED,
    TYPE_IT,
    ButtonTable,
    answer_button,
    area_buttons,
    ask,
    error_text,
    leave,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.people.show import replace, say

FLOW = "correct"
NAME = "name"


async def start(update: Update, context: VocesContext) -> int:
    assert context.person is not None
    await say(update, context, shown.correct_card(context.i18n, context.person))
    return await leave(update, context, FLOW)


@shows_current_card("me")
async def show_correct_card(update: Update, context: VocesContext) -> None:
    async with context.runtime.database.session() as session:
        person = await people.get(session, context.person.id)  # type: ignore[union-attr]
    assert person is not None
    await say(update, context, shown.correct_card(context.i18n, person))


async def ask_name_again(update: Update, context: VocesContext, problem: str | None = None) -> str:
    question = shown.name_question(context.i18n)
    text, _markup = screens.render(question.warned(problem) if problem else question)
    return await ask(update, context, flow=FLOW, step=NAME, text=text)


async def ask_name(update: Update, context: VocesContext) -> str:
    await answer_button(update, context)
    return await ask_name_again(update, context)


async def name_given(update: Update, context: VocesContext) -> str | int:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            name = await privacy.correct_name(session, telegram_id=update.effective_user.id, text=update.effective_message.text or "")  # type: ignore[union-attr]
    except InvalidInput as error:
        return await ask_name_again(update, context, error_text(context, error))
    if context.person is not None:
        context.person.display_name = name
    await say(update, context, shown.name_kept(context.i18n, name))
    return await leave(update, context, FLOW)


async def not_typed(update: Update, context: VocesContext) -> str:
    return await ask(update, context, flow=FLOW, step=NAME, text=context.gettext(TYPE_IT))


async def cancel(update: Update, context: VocesContext) -> int:
    await say(update, context, shown.correction_cancelled(context.i18n))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


# --- sex and nationality, if the person wishes -----------------------------------------------------


SEAT_PRESS = re.compile(r"^tr:(?:enroll|take):(\d+)$")


async def ask_after_first_seat(update: Update, context: VocesContext) -> None:
    """Once, after the press that gave the person their first seat in a training (the trainings
    area has answered it already): the enrollment itself never waits for this."""
    match = SEAT_PRESS.match(update.callback_query.data or "")  # type: ignore[union-attr]
    session_id = parse_id(match.group(1)) if match is not None else None
    if session_id is None or context.person is None:
        return  # a forged number: the trainings area answered it as an old button
    async with context.runtime.database.session() as session:
        due = await privacy.claim_about_me_question(session, user_id=context.person.id, session_id=session_id,
                                                    now=context.runtime.clock.now())
    if due:
        await say(update, context, shown.sex_question(context.i18n))


async def open_about_me(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await replace(update, context, shown.sex_question(context.i18n))


def code_of(update: Update, enum: type[Sex] | type[Nationality]) -> Sex | Nationality:
    code = (update.callback_query.data or "").rsplit(":", 1)[1]  # type: ignore[union-attr]
    try:
        return enum(code)
    except ValueError:
        raise StaleButton(code) from None


async def sex_chosen(update: Update, context: VocesContext) -> None:
    sex = code_of(update, Sex)
    async with context.runtime.database.session() as session:  # committed before the answer
        await privacy.declare_about_me(session, telegram_id=update.effective_user.id, sex=sex, now=context.runtime.clock.now())  # type: ignore[arg-type, union-attr]
    await answer_button(update, context)
    await replace(update, context, shown.nationality_question(context.i18n))


async def nationality_chosen(update: Update, context: VocesContext) -> None:
    nationality = code_of(update, Nationality)
    async with context.runtime.database.session() as session:
        person = await privacy.declare_about_me(session, telegram_id=update.effective_user.id,  # type: ignore[union-attr]
                                                nationality=nationality, now=context.runtime.clock.now())  # type: ignore[arg-type]
    await answer_button(update, context)
    await replace(update, context, shown.about_me_saved(context.i18n, person))


async def skip(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await replace(update, context, shown.about_me_skipped(context.i18n))


# me:name (asks for it: the conversation's entry)  me:about  me:sex:<code>  me:nat:<code>  me:skip
ME: ButtonTable = {
    "name": (None, ask_name),
    "about": (None, open_about_me),
    "sex": (r"[a-z_]+", sex_chosen),
    "nat": (r"[a-z_]+", nationality_chosen),
    "skip": (None, skip),
}


def register(application) -> None:  # noqa: ANN001
    # Every me: button enters through the conversation (the others leave its step as it is).
    application.add_handler(ConversationHandler(
        entry_points=[command("correct", start), area_buttons("me", ME)],
        states={NAME: [MessageHandler(filters.TEXT & ~filters.COMMAND, name_given), MessageHandler(NOT_TYPED, not_typed)]},
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW, persistent=True, allow_reentry=True,
    ))
    # After the trainings area answered an enrollment or a taken seat (group 0).
    application.add_handler(CallbackQueryHandler(ask_after_first_seat, pattern=SEAT_PRESS), group=1)
