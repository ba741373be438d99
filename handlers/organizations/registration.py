"""/register: a leader registers their organization, one question at a time.

The draft's step (saved with every answer) is the truth about where the leader is; the
ConversationHandler state mirrors it so PTB routes their next message here. What each step
shows is the domain's screen (bot/organizations/registration_screens.py); this module routes the
answer to bot/services/registration and renders the screen (handlers/screens.py): the example
to copy for the other flows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import (
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
    ButtonAction,
    ButtonTable,
    answer_button,
    area_buttons,
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


DraftAnswer = Callable[[Update, VocesContext, RegistrationDraft, str], Awaitable[str | int]]


def _on_draft(answer: DraftAnswer) -> ButtonAction:
    """The action with the person's draft and the button's value (`reg:<action>:<value>`); with
    no draft left, the flow ends."""
    async def action(update: Update, context: VocesContext, args: list[str]) -> str | int:
        await answer_button(update, context)
        async with context.runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
        if draft is None:
            return await leave(update, context, FLOW)
        return await answer(update, context, draft, args[0] if args else "")

    return action


async def earlier_question(update: Update, context: VocesContext, draft: RegistrationDraft) -> str:
    """A button from an earlier question: say so, and ask the current one again."""
    return await ask_current(update, context, draft, problem=context.gettext("That button belongs to an earlier question."))


async def step_answer(update: Update, context: VocesContext, draft: RegistrationDraft, value: str) -> str | int:
    """The answer to the question the button belongs to, if that is the draft's question now."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if BUTTON_FOR_STEP.get(query.data.split(":")[1]) != draft.step:
        return await earlier_question(update, context, draft)
    return await save(update, context, value)


async def resume(update: Update, context: VocesContext, draft: RegistrationDraft, _value: str) -> str:
    return await ask_current(update, context, draft)


async def restart(update: Update, context: VocesContext, _draft: RegistrationDraft, _value: str) -> str:
    runtime = context.runtime
    async with runtime.database.session() as session:
        person, _old = await load_draft(context, session)
        draft = await registration.start_draft(session, user=person, now=runtime.clock.now())
    return await ask_current(update, context, draft)


async def toggle_focus(update: Update, context: VocesContext, draft: RegistrationDraft, value: str) -> str | int:
    """A focus area on or off, in place; "done" answers the question."""
    if draft.step != Step.FOCUS or value == FOCUS_COMPLETE:
        return await step_answer(update, context, draft, value)
    runtime = context.runtime
    async with runtime.database.session() as session:
        _person, draft = await load_draft(context, session)
        try:
            await registration.toggle_focus(session, draft=draft, area=value, now=runtime.clock.now())
        except InvalidInput:
            pass  # a forged code: show the question again
    await update.callback_query.edit_message_reply_markup(reply_markup=screens.inline_keyboard(  # type: ignore[union-attr]
        asking.question(draft, i18n=context.i18n, cipher=runtime.cipher)))
    return draft.step


async def edit(update: Update, context: VocesContext, draft: RegistrationDraft, value: str) -> str:
    if draft.step != Step.SUMMARY:
        return await earlier_question(update, context, draft)
    return await show_edit_menu(update, context, draft, value, page=page_number(update.callback_query.data))  # type: ignore[union-attr]


async def remove_member(update: Update, context: VocesContext, draft: RegistrationDraft, value: str) -> str:
    if draft.step != Step.SUMMARY:
        return await earlier_question(update, context, draft)
    runtime = context.runtime
    index = parse_id(value, minimum=0)
    index = -1 if index is None else index
    async with runtime.database.session() as session:
        _person, draft = await load_draft(context, session)
        await registration.remove_board_member(session, draft=draft, index=index, now=runtime.clock.now())
    return await show_edit_menu(update, context, draft, "board", page=index // asking.BOARD_ROWS_PER_PAGE + 1)


async def back_to_summary(update: Update, context: VocesContext, _draft: RegistrationDraft, _value: str) -> str:
    runtime = context.runtime
    async with runtime.database.session() as session:
        _person, draft = await load_draft(context, session)
        await registration.back_to_summary(session, draft=draft, now=runtime.clock.now())
    return await ask_current(update, context, draft)


async def confirm_button(update: Update, context: VocesContext, draft: RegistrationDraft, _value: str) -> str | int:
    if draft.step != Step.SUMMARY:
        return await earlier_question(update, context, draft)
    return await confirm(update, context)


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


# reg:<action>[:<value>]: a question's choice (kind, district, focus, role, doc, board), or one of
# the summary's and the paused flow's buttons.
# Every reg: button, by action, with the shape of what follows it (handlers.common.area_buttons):
# the draft is read, and a button of a question other than the draft's is answered with the
# current question again (a value the question does not know, with the question and why).
VALUE = r"[^:]+"
REG: ButtonTable = {
    **{action: (VALUE, _on_draft(step_answer)) for action in BUTTON_FOR_STEP},
    "focus": (VALUE, _on_draft(toggle_focus)),
    "resume": (None, _on_draft(resume)),
    "restart": (None, _on_draft(restart)),
    "edit": (r"?[a-z_]+(?::p\d+)?", _on_draft(edit)),  # a field; the board's list, a page of it
    "rm": (r"\d+", _on_draft(remove_member)),
    "summary": (None, _on_draft(back_to_summary)),
    "confirm": (None, _on_draft(confirm_button)),
}


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
        area_buttons("reg", REG),
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
