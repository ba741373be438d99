"""/ruos: the organization's RUOS checklist for its district, uploading each requirement, the
registration status, and the formalization path (Registros Públicos, SUNAT); /review and
/reload_requirements for staff; and the messages of the checklist's reminders.

Callback data, checked on arrival (the organization must exist and the person lead it or be
staff; the list and the item must still be in the catalogue):

    ruos:list:<org>:<procedure>        a checklist: the RUOS list or a formalization step
    ruos:i:<org>:<procedure>:<item>    one requirement: what it is, and a button to upload it
    ruos:u:<org>:<procedure>:<item>    upload files for it (the conversation's "upload" step)
    ruos:done                          finished uploading
    ruos:x:<org>:<procedure>:<item>    take back the pages sent for it: asks first
    ruos:xy:<org>:<procedure>:<item>   ... yes, take them back
    ruos:status:<org>                  the registration status and the moves it allows
    ruos:to:<org>:<stage>              move the request to a stage; questions may follow
    ruos:rv:<item id>                  staff: open an uploaded item and its pages
    ruos:ok:<item id>:<revision>       staff: verify it
    ruos:no:<item id>:<revision>       staff: ask for changes (the reason is asked next)
    ruos:rp:<org>                      staff: record the Registros Públicos inscription (inscription.py)

Codes are at most 24 characters (the catalogue's rule), so even the longest fits in Telegram's
64 bytes. The revision makes staff verify exactly the pages they opened.

Read in this order: common.py (what every part shares), checklist.py (/ruos, the checklist
and a requirement's card), uploads.py (sending files, taking them back), stages.py (the
registration status), staff.py (/review, /reload_requirements), reminders.py (their messages).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot import ruos
from bot.core.validation import InvalidInput
from bot.ruos import Step, public_registry
from bot.ruos.requirements import localized
from handlers.commands import command
from handlers.common import ask, dispatch_button, escape, reply
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.ruos import inscription
from handlers.ruos import reminders as _reminders  # noqa: F401 - registers the renderers
from handlers.ruos.checklist import open_item, open_list, start
from handlers.ruos.common import FLOW, QUESTION, STAGE, current_person, finish
from handlers.ruos.staff import (
    ask_reason,
    list_waiting,
    open_for_review,
    reject_with_reason,
    reload_requirements,
    verify,
    waiting_page,
)
from handlers.ruos.stages import answer_stage, choose_stage, open_status
from handlers.ruos.uploads import (
    ask_to_withdraw,
    done_keyboard,
    finish_upload,
    on_file,
    start_upload,
    upload_target,
    withdraw,
)

__all__ = ["STAGE", "register"]


# --- one conversation for every part: its buttons and what is typed or sent in it -------------


async def on_button(update: Update, context: VocesContext) -> object:
    """Every /ruos button, checked when it arrives (handlers.common.dispatch_button); nothing
    done leaves the person at the step they were at. Callback data with too few parts is an old
    or forged button, answered as every area answers one (handlers.guards)."""
    try:
        return await dispatch_button(update, context, BUTTONS)
    except IndexError as error:
        raise StaleButton(update.callback_query.data if update.callback_query else "") from error


async def on_other_message(update: Update, context: VocesContext) -> object:
    """Text, a sticker or a voice note while a file, or an answer, is awaited."""
    _ = context.gettext
    async with context.runtime.database.session() as session:
        draft = await ruos.find_draft(session, user=await current_person(session, context))
    if draft is None:
        context.voces.dispatch_again(update)
        return await finish(update, context)
    if draft.step == Step.UPLOAD:
        try:
            target = await upload_target(context)
        except (KeyError, InvalidInput):
            target = None
        title = escape(localized(target[2].title, context.i18n.language)) if target else ""
        await reply(update, context, _("I am waiting for “%(item)s”: send it as a PDF file or as photos, or tap Done.") % {"item": title}, reply_markup=done_keyboard(context))
        return None
    message = update.effective_message
    if message is None or not message.text:
        return await ask(update, context, flow=FLOW, step=draft.step, text=_("Please answer with text.") + "\n\n" + _(QUESTION[Step(draft.step)]))
    if draft.step == Step.REASON:
        return await reject_with_reason(update, context, draft, message.text)
    if draft.step in public_registry.STEPS:
        return await inscription.answer(update, context, draft, message.text)
    return await answer_stage(update, context, draft, message.text)


# --- leaving the flow ------------------------------------------------------------------------------------


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Stopped. What you had already sent is kept: open /ruos to continue."))
    return await finish(update, context)


async def other_command(update: Update, context: VocesContext) -> int:
    """Another command in the middle of /ruos: leave it and let the command run."""
    context.voces.dispatch_again(update)
    return await finish(update, context)


BUTTONS = {
    "list": open_list,
    "i": open_item,
    "u": start_upload,
    "done": finish_upload,
    "x": ask_to_withdraw,
    "xy": withdraw,
    "status": open_status,
    "to": choose_stage,
    "rv": open_for_review,
    "review": waiting_page,
    "ok": verify,
    "no": ask_reason,
    "rp": inscription.start_recording,
}


def conversation() -> ConversationHandler:
    answers = [MessageHandler(filters.ALL & ~filters.COMMAND, on_other_message)]
    states: dict[object, list[Any]] = {step.value: answers for step in Step if step is not Step.UPLOAD}
    states[Step.UPLOAD.value] = [MessageHandler(filters.Document.ALL | filters.PHOTO, on_file), *answers]
    return ConversationHandler(
        # Every ruos button is an entry point, so it works from any old message and any step.
        entry_points=[command("ruos", start), CallbackQueryHandler(on_button, pattern=r"^ruos:")],
        states=states,  # type: ignore[arg-type]
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    # Load the requirement files now: a broken file stops the start with its name and line,
    # instead of failing a leader's first /ruos, and /reload_requirements always has lists
    # in use to keep.
    application.runtime.requirements  # noqa: B018
    application.add_handler(conversation())
    application.add_handlers([
        command("review", list_waiting),
        command("reload_requirements", reload_requirements),
    ])
