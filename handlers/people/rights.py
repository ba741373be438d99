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

from bot.core.i18n import N_
from bot.core.labels import NATIONALITY_CHOICE, SEX_CHOICE
from bot.core.validation import InvalidInput, parse_id
from bot.people import privacy
from bot.people.models import Nationality, Sex, User
from handlers.commands import command
from handlers.common import (
    NOT_TYPED,
    TYPE_IT,
    answer_button,
    ask,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card

FLOW = "correct"
NAME = "name"

NOT_SAID = N_("not said")


def declared(context: VocesContext, labels: dict, value: Sex | Nationality | None) -> str:  # type: ignore[type-arg]
    return context.gettext(labels[value] if value is not None else NOT_SAID)


def correct_card(context: VocesContext, person: User) -> tuple[str, object]:
    _ = context.gettext
    lines = [
        _("<b>Correct your data</b>"),
        _("Name: %(name)s") % {"name": escape(person.display_name or _("(not kept)"))},
        _("Sex: %(sex)s · Nationality: %(nationality)s") % {
            "sex": declared(context, SEX_CHOICE, person.sex), "nationality": declared(context, NATIONALITY_CHOICE, person.nationality)},
        _("(Optional. Only counted in the programme's anonymous totals; nobody sees it next to your name but you.)"),
        "",
        _("Your language: /language. Your organization, its board and contact phone: /myorg. See everything with /mydata."),
    ]
    markup = keyboard([[(_("✏️ Correct my name"), "me:name")], [(_("✏️ Sex and nationality"), "me:about")]])
    return "\n".join(lines), markup


async def start(update: Update, context: VocesContext) -> int:
    assert context.person is not None
    text, markup = correct_card(context, context.person)
    await reply(update, context, text, reply_markup=markup)
    return await leave(update, context, FLOW)


@shows_current_card("me")
async def show_correct_card(update: Update, context: VocesContext) -> None:
    async with context.runtime.database.session() as session:
        person = await session.get(User, context.person.id)  # type: ignore[union-attr]
    assert person is not None
    text, markup = correct_card(context, person)
    await reply(update, context, text, reply_markup=markup)


def name_question(context: VocesContext) -> str:
    return context.gettext("How should the programme call you? Write your name as you want it kept.")


async def ask_name(update: Update, context: VocesContext) -> str:
    await answer_button(update, context)
    return await ask(update, context, flow=FLOW, step=NAME, text=name_question(context))


async def name_given(update: Update, context: VocesContext) -> str | int:
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            name = await privacy.correct_name(session, telegram_id=update.effective_user.id, text=update.effective_message.text or "")  # type: ignore[union-attr]
    except InvalidInput as error:
        return await ask(update, context, flow=FLOW, step=NAME, text=f"⚠️ {error_text(context, error)}\n\n{name_question(context)}")
    if context.person is not None:
        context.person.display_name = name
    await reply(update, context, _("Done: I will keep your name as %(name)s.") % {"name": escape(name)})
    return await leave(update, context, FLOW)


async def not_typed(update: Update, context: VocesContext) -> str:
    return await ask(update, context, flow=FLOW, step=NAME, text=context.gettext(TYPE_IT))


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Cancelled. Nothing was changed."))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


def register(application) -> None:  # noqa: ANN001
    application.add_handler(ConversationHandler(
        entry_points=[command("correct", start), CallbackQueryHandler(ask_name, pattern=r"^me:name$")],
        states={NAME: [MessageHandler(filters.TEXT & ~filters.COMMAND, name_given), MessageHandler(NOT_TYPED, not_typed)]},
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW, persistent=True, allow_reentry=True,
    ))
    application.add_handler(CallbackQueryHandler(open_about_me, pattern=r"^me:about$"))
    application.add_handler(CallbackQueryHandler(sex_chosen, pattern=r"^me:sex:"))
    application.add_handler(CallbackQueryHandler(nationality_chosen, pattern=r"^me:nat:"))
    application.add_handler(CallbackQueryHandler(skip, pattern=r"^me:skip$"))
    # After the trainings area answered an enrollment or a taken seat (group 0).
    application.add_handler(CallbackQueryHandler(ask_after_first_seat, pattern=SEAT_PRESS), group=1)


# --- sex and nationality, if the person wishes -----------------------------------------------------


def sex_question(context: VocesContext) -> tuple[str, object]:
    _ = context.gettext
    text = "\n\n".join([
        _("One more question, only if you wish. The programme tells its funders how many women and men, Venezuelan and "
          "Peruvian, it trains. Your answer is only counted in those anonymous totals: nobody sees it next to your name "
          "but you (/mydata). You can skip it, and change it whenever you like with /correct."),
        _("<b>1 of 2.</b> You are:"),
    ])
    choices = [(_(label), f"me:sex:{code.value}") for code, label in SEX_CHOICE.items()]
    return text, keyboard([choices[:2], choices[2:], [(_("⏭ Skip"), "me:skip")]])


def nationality_question(context: VocesContext) -> tuple[str, object]:
    _ = context.gettext
    choices = [(_(label), f"me:nat:{code.value}") for code, label in NATIONALITY_CHOICE.items()]
    return _("<b>2 of 2.</b> Your nationality:"), keyboard([choices[:2], choices[2:]])


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
        text, markup = sex_question(context)
        await reply(update, context, text, reply_markup=markup)


async def open_about_me(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    text, markup = sex_question(context)
    await edit_or_reply(update, context, text, reply_markup=markup)


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
    text, markup = nationality_question(context)
    await edit_or_reply(update, context, text, reply_markup=markup)


async def nationality_chosen(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    nationality = code_of(update, Nationality)
    async with context.runtime.database.session() as session:
        person = await privacy.declare_about_me(session, telegram_id=update.effective_user.id,  # type: ignore[union-attr]
                                                nationality=nationality, now=context.runtime.clock.now())  # type: ignore[arg-type]
    await answer_button(update, context)
    await edit_or_reply(update, context, _("Thank you. Saved: %(sex)s · %(nationality)s. Only counted in anonymous totals; change it whenever you like with /correct.") % {
        "sex": declared(context, SEX_CHOICE, person.sex), "nationality": declared(context, NATIONALITY_CHOICE, person.nationality)})


async def skip(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("Fine, nothing more was saved. If you change your mind: /correct."))
