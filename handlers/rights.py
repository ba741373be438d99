"""/correct: a person corrects what Voces keeps about them (rectification, Ley 29733).

The name the bot keeps is asked here; the language and the organization have their own
commands (/language, /myorg), which /correct points to.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot.services import privacy
from bot.validation import InvalidInput
from handlers.commands import command
from handlers.common import (
    NOT_TYPED,
    TYPE_IT,
    answer_button,
    ask,
    error_text,
    escape,
    keyboard,
    leave,
    reply,
)
from handlers.context import VocesContext

FLOW = "correct"
NAME = "name"


async def start(update: Update, context: VocesContext) -> int:
    _ = context.gettext
    person = context.person
    assert person is not None
    lines = [
        _("<b>Correct your data</b>"),
        _("Name: %(name)s") % {"name": escape(person.display_name or _("(not kept)"))},
        "",
        _("Your language: /language. Your organization, its board and contact phone: /myorg. See everything with /mydata."),
    ]
    await reply(update, context, "\n".join(lines), reply_markup=keyboard([[(_("✏️ Correct my name"), "me:name")]]))
    return await leave(update, context, FLOW)


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
