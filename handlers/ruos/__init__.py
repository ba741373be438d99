"""/ruos: the organization's RUOS checklist for its district, uploading each requirement, the
registration status, and the formalization path (Registros Públicos, SUNAT); /review and
/reload_requirements for staff. (The checklist's reminders are screens of the domain's:
bot/ruos/reminder_screens.py.)

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
    ruos:review:p<page>                staff: a page of the items waiting for review
    ruos:rv:<item id>                  staff: open an uploaded item and its pages
    ruos:ok:<item id>:<revision>       staff: verify it
    ruos:no:<item id>:<revision>       staff: ask for changes (the reason is asked next)
    ruos:rp:<org>                      staff: record the Registros Públicos inscription (inscription.py)

Codes are at most 24 characters (the catalogue's rule), so even the longest fits in Telegram's
64 bytes. The revision makes staff verify exactly the pages they opened.

What comes next after a button, a typed answer or a file is decided by the domain's step
machine, bot/ruos/conversation.py (its `Turn`); what each step shows, by bot/ruos/screens.py and
reminder_screens.py (leaders) and review_screens.py (staff), whose choices carry the callback
data above. The modules here parse, call the domain and render its screens
(handlers/screens.render).
Read in this order: common.py (what every part shares), checklist.py (/ruos, the checklist
and a requirement's card), uploads.py (sending files, taking them back), stages.py (the
registration status), staff.py (/review, /reload_requirements).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.ruos import Step, public_registry
from bot.ruos import conversation as flow
from bot.ruos import screens as shown
from handlers.commands import command
from handlers.common import ButtonTable, area_buttons, error_text
from handlers.context import VocesContext
from handlers.ruos import inscription
from handlers.ruos.checklist import open_item, open_list, start
from handlers.ruos.common import FLOW, STAGE, ask_screen, at, finish, user_id
from handlers.ruos.staff import (
    ask_reason,
    list_waiting,
    open_for_review,
    reload_requirements,
    render_reason,
    verify,
    waiting_page,
)
from handlers.ruos.stages import choose_stage, open_status, render_stage_turn
from handlers.ruos.uploads import ask_to_withdraw, finish_upload, on_file, start_upload, withdraw
from handlers.show import say

__all__ = ["STAGE", "register"]


# --- one conversation for every part: its buttons and what is typed or sent in it -------------


async def on_other_message(update: Update, context: VocesContext) -> object:
    """Text, a sticker or a voice note while a file, or an answer, is awaited: the conversation
    (bot/ruos/conversation.py) says what comes next."""
    message = update.effective_message
    value = message.text if message is not None and message.text else None
    async with context.runtime.database.session() as session:
        turn = await flow.answer(session, user_id=user_id(context), value=value, at=at(context))
    if turn is None:
        context.voces.dispatch_again(update)
        return await finish(update, context)
    if turn.asks is Step.UPLOAD:
        await say(update, context, shown.waiting_for_file(context.i18n, turn.requirement))
        return None
    if turn.not_text:
        assert turn.asks is not None
        return await ask_screen(update, context, turn.asks, shown.text_please(context.i18n, turn.asks))
    if turn.ended is not None and not turn.stage_changed:  # refused: nothing to ask again
        await say(update, context, shown.refused(error_text(context, turn.ended)))
        return await finish(update, context)
    if turn.asks is Step.REASON or turn.review is not None:
        return await render_reason(update, context, turn)
    if turn.asks in public_registry.STEPS or turn.inscription is not None:
        return await inscription.render(update, context, turn)
    return await render_stage_turn(update, context, turn)


# --- leaving the flow ------------------------------------------------------------------------------------


async def cancel(update: Update, context: VocesContext) -> int:
    await say(update, context, shown.stopped(context.i18n))
    return await finish(update, context)


async def other_command(update: Update, context: VocesContext) -> int:
    """Another command in the middle of /ruos: leave it and let the command run."""
    context.voces.dispatch_again(update)
    return await finish(update, context)


# Every /ruos button, by action, with the shape of what follows it (handlers.common.area_buttons):
# data of any other shape is an old or forged button. Nothing done leaves the person at the step
# they were at.
ID, CODE, ITEM = r"\d+", r"[^:]+", r"\d+:[^:]+:[^:]+"  # an id; a procedure or stage; org:procedure:item
RUOS: ButtonTable = {
    "list": (rf"{ID}:{CODE}", open_list),
    "i": (ITEM, open_item),
    "u": (ITEM, start_upload),
    "done": (None, finish_upload),
    "x": (ITEM, ask_to_withdraw),
    "xy": (ITEM, withdraw),
    "status": (ID, open_status),
    "to": (rf"{ID}:{CODE}", choose_stage),
    "rv": (ID, open_for_review),
    "review": (r"p\d+", waiting_page),
    "ok": (r"\d+:\d+", verify),
    "no": (r"\d+:\d+", ask_reason),
    "rp": (ID, inscription.start_recording),
}


def conversation() -> ConversationHandler:
    answers = [MessageHandler(filters.ALL & ~filters.COMMAND, on_other_message)]
    states: dict[object, list[Any]] = {step.value: answers for step in Step if step is not Step.UPLOAD}
    states[Step.UPLOAD.value] = [MessageHandler(filters.Document.ALL | filters.PHOTO, on_file), *answers]
    return ConversationHandler(
        # Every ruos button is an entry point, so it works from any old message and any step.
        entry_points=[command("ruos", start), area_buttons("ruos", RUOS)],
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
