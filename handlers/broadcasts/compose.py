"""/broadcast: coordinators and staff compose a message (a version per language, an optional
photo or document, link buttons), choose who receives it, preview it exactly as they will see
it, and send it now or at a time; above a threshold a second person approves it first.

The draft lives in the database (bot/broadcasts/broadcasts.py) and every change is saved as it
is made; the typed answers (a text, a file, a district, the buttons, a time) are the steps of a
domain step machine (bot/broadcasts/composing.py) that keeps the question asked in the
database, so a restart in the middle loses nothing. What each screen shows is the domain's
(bot/broadcasts/screens.py, audience_screens.py); each handler here parses, calls one of its
functions and renders what it returns. This module has the texts, the file, the buttons and the
kind, and registers the whole flow with one handler for every `bc:` button (BC, through
handlers.common.area_buttons); handlers/broadcasts/card.py shows the card;
handlers/broadcasts/audience.py the audience picker; handlers/broadcasts/release.py opening one
from a list, the preview, sending, scheduling, the approval and cancelling;
handlers/broadcasts/flow.py the flow's helpers all use.

Callback data (each checked against its shape on arrival, then at press time by the domain):

    bc:text:<id>:<language> bc:file:<id> bc:btns:<id> bc:dist:<id> bc:when:<id>   ask a typed answer
    bc:show:<id> bc:preview:<id> bc:now:<id> bc:cancel:<id>      open, preview, send, cancel
    bc:approve:<id>:<version> bc:reject:<id>:<version>             the second pair of eyes
    bc:aud:<id> bc:audk:<id>:<filter> bc:sess:<id> bc:topics:<id>  the audience picker's screens
    bc:t:<id>:<filter>:<value> bc:nodist:<id> bc:adddist:<id>:<ubigeo>   its toggles
    bc:kinds:<id> bc:kind:<id>:<kind>                               the kind
"""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.broadcasts import broadcasts, composing
from bot.broadcasts import screens as shown
from bot.broadcasts.models import MessageKind
from bot.core import uploads
from bot.core.districts import district_by_ubigeo
from bot.core.validation import InvalidInput
from handlers.broadcasts.audience import (
    audience_card,
    no_district,
    show_audience,
    show_kind,
    show_sessions,
    show_topics,
    toggle_audience,
)
from handlers.broadcasts.card import show_card
from handlers.broadcasts.flow import (
    BUTTONS,
    DISTRICT,
    FILE,
    FLOW,
    TEXT,
    WHEN,
    apply_change,
    ask_typed,
    asked,
    button_broadcast_id,
    data_parts,
    end_question,
    forget_old_question,
    load,
    person_id,
    problem_text,
    retire_asked_card,
)
from handlers.broadcasts.release import (
    approve,
    cancel,
    preview,
    reject,
    send_now,
    tell_submitted,
)
from handlers.broadcasts.release import show as open_broadcast
from handlers.commands import command
from handlers.common import (
    END,
    ButtonTable,
    answer_button,
    area_buttons,
    ask,
    error_text,
    leave,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.show import say

# --- /broadcast ----------------------------------------------------------------------------------


@shows_current_card("bc")
async def open_composer(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            opened = await composing.open_composer(session, user_id=person_id(context), now=runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return END
    await show_card(update, context, opened.draft, edit=False)
    if opened.waiting:
        await say(update, context, shown.waiting(context.i18n, opened.waiting, default_language=runtime.settings.default_language))
    return await leave(update, context, FLOW)


# --- the questions, and their typed answers -------------------------------------------------------


def question_text(context: VocesContext, step: composing.Step) -> str:
    return shown.question_text(context.i18n, step)


def asks(question: str):  # noqa: ANN201
    """A button that asks one question about its broadcast (bc:text:<id>:<language> the text)."""

    async def ask_question(update: Update, context: VocesContext) -> str:
        language = data_parts(update)[3] if question == TEXT else None
        step = await ask_typed(update, context, question, language=language)
        return await ask(update, context, flow=FLOW, step=step.name, text=question_text(context, step))

    return ask_question


def fetch_of(context: VocesContext, file_id: str):  # noqa: ANN201 - () -> Awaitable[bytes]
    """How the domain gets a file's bytes, when it needs them: Telegram refuses to hand a bot
    one over 20 MB."""

    async def fetch() -> bytes:
        try:
            return bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        except BadRequest as error:
            if "too big" not in error.message.lower():
                raise
            raise uploads.UploadRefused(composing.TOO_LARGE) from None

    return fetch


def typed_answer_for(state: str):  # noqa: ANN201
    """The answer to the question `state` (the step the chat is at: the domain's own record
    wins when it has one), typed or, for a file, sent."""

    async def typed_answer(update: Update, context: VocesContext) -> str | int:
        message = update.effective_message
        assert message is not None
        sent = None
        if state == FILE and (found := message.photo[-1] if message.photo else message.document) is not None:  # a photo's largest size
            sent = composing.Sent(found.file_size, fetch_of(context, found.file_id))
        runtime, settings = context.runtime, context.runtime.settings
        async with runtime.database.session() as session:
            step = await composing.answer(
                session, user_id=person_id(context), value=message.text or "", formatted=message.text_html if message.text else None,
                sent=sent, now=runtime.clock.now(), zone=settings.zone, store=runtime.files,
                default_language=settings.default_language, approval_threshold=settings.broadcast_approval_threshold,
                quiet=runtime.reminders.quiet_hours, at=state, asked=asked(context))
        return await render(update, context, step)

    return typed_answer


async def render(update: Update, context: VocesContext, step: composing.Step) -> str | int:
    """After a typed answer, what the domain says comes next: the same question after its
    problem, or the question over and what follows it (`show_after`)."""
    if step.name in composing.QUESTIONS:
        assert step.problem is not None
        if step.repeat:  # the problem and the question, in one message
            return await ask(update, context, flow=FLOW, step=step.name,
                             text=error_text(context, step.problem) + "\n" + question_text(context, step))
        await reply(update, context, problem_text(context, step.problem))
        return step.name
    await leave(update, context, FLOW)
    await forget_old_question(update, context)
    await show_after(update, context, step)
    return END


async def show_after(update: Update, context: VocesContext, step: composing.Step, *, edit: bool = False) -> None:
    """Why it could not be saved, or the card, the picker or the districts to choose from, below
    the answer (`edit`: in place of the message whose button was pressed), or the submission."""
    if step.problem is not None:
        await reply(update, context, problem_text(context, step.problem))
    if step.broadcast is None:
        return
    if step.name == composing.CARD:
        await show_card(update, context, step.broadcast, edit=False)
        await retire_asked_card(update, context)
    elif step.name == composing.AUDIENCE:  # below the typed name, or in place of "Which one?"
        await audience_card(update, context, step.broadcast, edit=edit)
        await retire_asked_card(update, context)
    elif step.name == composing.WHICH:
        await say(update, context, shown.which_district(context.i18n, step.broadcast, step.districts))
    elif step.submission is not None:
        await tell_submitted(update, context, step.submission)


async def district_chosen(update: Update, context: VocesContext) -> None:
    """bc:adddist:<id>:<ubigeo>: one of the districts a typed name matched."""
    await answer_button(update, context)
    ubigeo = data_parts(update)[3]
    if district_by_ubigeo(ubigeo) is None:
        raise StaleButton(ubigeo)
    broadcast_id = button_broadcast_id(update)
    async with context.runtime.database.session() as session:
        step = await composing.choose_district(session, user_id=person_id(context), broadcast_id=broadcast_id, ubigeo=ubigeo)
    await show_after(update, context, step, edit=True)


# --- the kind ---------------------------------------------------------------------------------------------


async def show_kinds(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await say(update, context, shown.kinds(context.i18n, await load(update, context, to_change=True)), edit=True)


async def kind_chosen(update: Update, context: VocesContext) -> None:
    value = data_parts(update)[3]
    if value not in {kind.value for kind in MessageKind}:
        raise StaleButton(value)
    broadcast_id = button_broadcast_id(update)
    broadcast = await apply_change(update, context, lambda session: broadcasts.set_kind(
        session, broadcast_id=broadcast_id, user_id=person_id(context), kind=MessageKind(value)))
    await answer_button(update, context)
    if broadcast is not None:
        await show_card(update, context, broadcast)


async def cancel_flow(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Left as it was. See it again with /broadcast."))
    await end_question(update, context)  # the card it was asked from stays
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    await end_question(update, context)
    await leave(update, context, FLOW)
    context.voces.dispatch_again(update)
    return END


# Every bc: button, by action: the shape of what follows it, and the function answering it
# (each reads its button's data itself). Those that ask for a typed answer return the step (the
# conversation waits for it); the others return None, which leaves a question being asked as it was.
ID = r"\d+"
BC: ButtonTable = {
    "text": (r"\d+:[a-z]{2}", asks(TEXT)),
    "file": (ID, asks(FILE)),
    "btns": (ID, asks(BUTTONS)),
    "dist": (ID, asks(DISTRICT)),
    "when": (ID, asks(WHEN)),
    "show": (ID, open_broadcast),
    "aud": (ID, show_audience),
    "audk": (r"\d+:[a-z]+", show_kind),
    "t": (r"\d+:[a-z]+:[a-z0-9_]+", toggle_audience),
    "nodist": (ID, no_district),
    "adddist": (r"\d+:\d{6}", district_chosen),
    "kinds": (ID, show_kinds),
    "sess": (ID, show_sessions),
    "topics": (ID, show_topics),
    "kind": (r"\d+:[a-z]+", kind_chosen),
    "preview": (ID, preview),
    "now": (ID, send_now),
    "approve": (r"\d+:\d+", approve),
    "reject": (r"\d+:\d+", reject),
    "cancel": (ID, cancel),
}


def register(application) -> None:  # noqa: ANN001
    typed = filters.TEXT & ~filters.COMMAND
    flow = ConversationHandler(
        entry_points=[area_buttons("bc", BC)],
        states={
            TEXT: [MessageHandler(typed, typed_answer_for(TEXT))],
            FILE: [MessageHandler(filters.PHOTO | filters.Document.ALL | typed, typed_answer_for(FILE))],
            BUTTONS: [MessageHandler(typed, typed_answer_for(BUTTONS))],
            DISTRICT: [MessageHandler(typed, typed_answer_for(DISTRICT))],
            WHEN: [MessageHandler(typed, typed_answer_for(WHEN))],
        },
        fallbacks=[command("cancel", cancel_flow), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW, persistent=True, allow_reentry=True,
    )
    application.add_handlers([flow, command("broadcast", open_composer)])
