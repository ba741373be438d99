"""/register: a leader registers their organization, one question at a time.

The draft's step (saved with every answer) is the truth about where the leader is; the
ConversationHandler state mirrors it so PTB routes their next message here. What each step
shows is the domain's screen (bot/organizations/registration_screens.py); this module routes the
answer to bot/services/registration and renders the screen (handlers/screens.py): the example
to copy for the other flows.
"""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.districts import find_districts
from bot.core.screens import Screen
from bot.core.validation import InvalidInput, parse_id
from bot.organizations import registration
from bot.organizations import registration_screens as asking
from bot.organizations.models import RegistrationDraft
from bot.organizations.registration import FOCUS_COMPLETE, Step
from bot.people import people
from handlers import screens
from handlers.commands import command
from handlers.common import (
    END,
    NOT_TYPED,
    TYPE_IT,
    answer_button,
    ask,
    delete_stored_secret,
    error_text,
    leave,
    page_number,
    reply,
)
from handlers.context import VocesContext
from handlers.organizations import plan_term_reminders

FLOW = "register"
# The flow's one step in PTB's conversation: which question comes next is the draft's own
# `step`, committed with the answer, so the conversation row is written when the flow starts
# and ends, not again with every answer (one statement less per answer: bench/README.md,
# conversation). Rows stored by older versions hold the draft's step instead: still accepted.
FILLING = "filling"


# --- the questions -----------------------------------------------------------------------------


async def show(update: Update, context: VocesContext, shown: Screen) -> str:
    """Record the flow's step, then show the domain's screen (bot/services/registration_screens)."""
    text, markup = screens.render(shown)
    return await ask(update, context, flow=FLOW, step=FILLING, text=text, reply_markup=markup)


async def ask_current(update: Update, context: VocesContext, draft: RegistrationDraft, *, problem: str | None = None) -> str:
    """Ask the draft's current question (the draft, not the conversation, knows which)."""
    shown = asking.question(draft, i18n=context.i18n, cipher=context.runtime.cipher)
    return await show(update, context, shown.warned(problem) if problem else shown)


# --- entry -------------------------------------------------------------------------------------


async def load_draft(context: VocesContext, session):  # noqa: ANN001, ANN201
    person = await people.get(session, context.person.id)  # type: ignore[union-attr]
    return person, await registration.find_draft(session, user=person)


async def start(update: Update, context: VocesContext) -> str | int:
    runtime = context.runtime
    async with runtime.database.session() as session:
        person, draft = await load_draft(context, session)
        if draft is None:
            draft = await registration.start_draft(session, user=person, now=runtime.clock.now())
            resume = False
        else:
            resume = True
    if not resume:
        await reply(update, context, asking.welcome(context.i18n).text)
        return await ask_current(update, context, draft)
    return await show(update, context, asking.resume(draft, context.i18n))


# --- answers -----------------------------------------------------------------------------------


async def on_text(update: Update, context: VocesContext) -> str | int:
    """Typed answers (and shared contacts) for whatever step the draft is at."""
    message = update.effective_message
    assert message is not None
    value = message.contact.phone_number if message.contact else (message.text or "")
    async with context.runtime.database.session() as session:
        _person, draft = await load_draft(context, session)
    if draft is None:
        return await leave(update, context, FLOW)
    if message.contact and draft.step != Step.PHONE:
        return await ask_current(update, context, draft, problem=context.gettext(TYPE_IT))
    if draft.step == Step.DISTRICT:
        return await search_district(update, context, draft, value)
    if draft.step in BUTTON_STEPS:
        return await ask_current(update, context, draft, problem=context.gettext("Please answer with the buttons below."))
    return await save(update, context, value)


async def on_not_typed(update: Update, context: VocesContext) -> str | int:
    """A sticker, photo or file where an answer was expected: say so, and ask again."""
    async with context.runtime.database.session() as session:
        _person, draft = await load_draft(context, session)
    if draft is None:
        return await leave(update, context, FLOW)
    problem = "Please answer with the buttons below." if draft.step in BUTTON_STEPS else TYPE_IT
    return await ask_current(update, context, draft, problem=context.gettext(problem))


BUTTON_STEPS = {Step.KIND, Step.FOCUS, Step.BOARD_ROLE, Step.BOARD_DOCUMENT_TYPE, Step.BOARD_MORE, Step.SUMMARY}


async def save(update: Update, context: VocesContext, value: str) -> str | int:
    runtime = context.runtime
    now = runtime.clock.now()
    try:
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
            if draft is None:
                return await leave(update, context, FLOW)
            previous = Step(draft.step)
            await registration.answer(
                session, draft=draft, value=value, now=now,
                today=now.astimezone(runtime.settings.zone).date(), cipher=runtime.cipher,
            )
    except InvalidInput as error:
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
        return await ask_current(update, context, draft, problem=error_text(context, error))
    if previous is Step.BOARD_DOCUMENT_NUMBER:
        await delete_stored_secret(update, context)
    if previous is Step.PHONE:
        # The share-contact keyboard must go; only a message can take it away.
        await reply(
            update, context,
            asking.phone_saved(draft, context.i18n).text,
            reply_markup=ReplyKeyboardRemove(),
        )
    return await ask_current(update, context, draft)


async def search_district(update: Update, context: VocesContext, draft: RegistrationDraft, text: str) -> str:
    matches = find_districts(text)
    if not matches:
        return await ask_current(update, context, draft, problem=asking.no_such_district(text, context.i18n))
    return await show(update, context, asking.district_matches(matches, context.i18n))


async def on_button(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
    query = update.callback_query
    assert query is not None and query.data is not None
    _prefix, action, *rest = query.data.split(":")
    value = rest[0] if rest else ""
    runtime = context.runtime
    async with runtime.database.session() as session:
        _person, draft = await load_draft(context, session)
    if draft is None:
        return await leave(update, context, FLOW)
    expected = BUTTON_FOR_STEP.get(action)
    if action in ("resume",):
        return await ask_current(update, context, draft)
    if action == "restart":
        async with runtime.database.session() as session:
            person, _draft = await load_draft(context, session)
            draft = await registration.start_draft(session, user=person, now=runtime.clock.now())
        return await ask_current(update, context, draft)
    if action == "focus" and draft.step == Step.FOCUS and value != FOCUS_COMPLETE:
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
            try:
                await registration.toggle_focus(session, draft=draft, area=value, now=runtime.clock.now())
            except InvalidInput:
                pass  # a forged code: show the question again
        await query.edit_message_reply_markup(reply_markup=screens.inline_keyboard(
            asking.question(draft, i18n=context.i18n, cipher=runtime.cipher)))
        return draft.step
    if action == "edit" and draft.step == Step.SUMMARY:
        return await show_edit_menu(update, context, draft, value, page=page_number(query.data))
    if action == "rm" and draft.step == Step.SUMMARY:
        index = parse_id(value, minimum=0)
        index = -1 if index is None else index
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
            await registration.remove_board_member(session, draft=draft, index=index, now=runtime.clock.now())
        return await show_edit_menu(update, context, draft, "board", page=index // asking.BOARD_ROWS_PER_PAGE + 1)
    if action == "summary":
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
            await registration.back_to_summary(session, draft=draft, now=runtime.clock.now())
        return await ask_current(update, context, draft)
    if action == "confirm" and draft.step == Step.SUMMARY:
        return await confirm(update, context)
    if expected is None or expected != draft.step:
        # A button from an earlier question: say so, and ask the current one again.
        return await ask_current(update, context, draft, problem=context.gettext("That button belongs to an earlier question."))
    return await save(update, context, value)


BUTTON_FOR_STEP = {
    "kind": Step.KIND,
    "district": Step.DISTRICT,
    "focus": Step.FOCUS,
    "role": Step.BOARD_ROLE,
    "doc": Step.BOARD_DOCUMENT_TYPE,
    "board": Step.BOARD_MORE,
}


async def show_edit_menu(update: Update, context: VocesContext, draft: RegistrationDraft, field: str, *, page: int = 1) -> str:
    runtime = context.runtime
    if field == "board":
        return await show(update, context, asking.board_menu(draft, context.i18n, page=page))
    if field:
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
            await registration.edit_field(session, draft=draft, field="board" if field == "board_add" else field, now=runtime.clock.now())
        return await ask_current(update, context, draft)
    return await show(update, context, asking.fields_menu(context.i18n))


async def confirm(update: Update, context: VocesContext) -> str | int:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person, draft = await load_draft(context, session)
            organization = await registration.submit(session, draft=draft, user=person, now=runtime.clock.now())
            await plan_term_reminders(context, session, organization)
    except InvalidInput as error:
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
        return await ask_current(update, context, draft, problem=error_text(context, error))
    await leave(update, context, FLOW)
    await reply(update, context, asking.registered(organization, context.i18n).text)
    return END


# --- leaving -----------------------------------------------------------------------------------


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, asking.paused(context.i18n).text, reply_markup=ReplyKeyboardRemove())
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    """Another command while registering: pause here (answers are saved) and let it run."""
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


def conversation() -> ConversationHandler:
    answers = [
        MessageHandler((filters.TEXT & ~filters.COMMAND) | filters.CONTACT, on_text),
        MessageHandler(NOT_TYPED, on_not_typed),
        CallbackQueryHandler(on_button, pattern=r"^reg:"),
    ]
    return ConversationHandler(
        entry_points=[command("register", start)],
        states={FILLING: answers, **{step.value: answers for step in Step}},
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    application.add_handler(conversation())
