"""/register: a leader registers their organization, one question at a time.

The draft's step (saved with every answer) is the truth about where the leader is; the
ConversationHandler state mirrors it so PTB routes their next message here.
"""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.districts import find_districts
from bot.core.textlimits import shorten
from bot.core.validation import IdDocumentType, InvalidInput, format_phone_for_display, parse_id
from bot.organizations import registration
from bot.organizations.models import BoardRole, RegistrationDraft
from bot.organizations.registration import ADD_ANOTHER_MEMBER, BOARD_COMPLETE, FOCUS_COMPLETE, Step
from bot.people import people
from handlers import labels
from handlers.commands import command
from handlers.common import (
    END,
    NOT_TYPED,
    ROWS_PER_PAGE,
    TYPE_IT,
    answer_button,
    ask,
    delete_stored_secret,
    error_text,
    escape,
    keyboard,
    leave,
    page_number,
    paged_rows,
    reply,
)
from handlers.context import VocesContext
from handlers.organizations import plan_term_reminders
from handlers.organizations.cards import organization_card

FLOW = "register"
# The flow's one step in PTB's conversation: which question comes next is the draft's own
# `step`, committed with the answer, so the conversation row is written when the flow starts
# and ends, not again with every answer (one statement less per answer: bench/README.md,
# conversation). Rows stored by older versions hold the draft's step instead: still accepted.
FILLING = "filling"


# --- the questions -----------------------------------------------------------------------------


def question(context: VocesContext, draft: RegistrationDraft):  # noqa: ANN201 - (text, markup)
    """The text and buttons that ask the draft's current step."""
    _ = context.gettext
    step = Step(draft.step)
    answers = draft.answers
    if step is Step.NAME:
        return _("What is the name of your organization? Write it as it appears in its acta de fundación."), None
    if step is Step.KIND:
        return _("What type of organization is it?"), keyboard(
            [[(_(label), f"reg:kind:{kind.value}")] for kind, label in labels.KIND_BUTTON.items()]
        )
    if step is Step.DISTRICT:
        return _("In which district is it? Type part of the name, for example Comas, SJL or Carmen de la Legua."), None
    if step is Step.ADDRESS:
        return _("What is its address or a reference point? For example: Jr. Los Pinos 123, next to the market."), None
    if step is Step.FOUNDED:
        return _("When was it founded? Send the date, for example 15/03/2021, March 2021, or just the year."), None
    if step is Step.MEMBERS_PERUVIAN:
        return _("How many members does it have? First, how many are <b>Peruvian</b>? Send a number (0 if none)."), None
    if step is Step.MEMBERS_VENEZUELAN:
        return _("How many members are <b>Venezuelan</b>?"), None
    if step is Step.MEMBERS_OTHER:
        return _("And how many members of <b>other nationalities</b>?"), None
    if step is Step.FOCUS:
        chosen = set(answers.get("focus", []))
        rows = [
            [(("✅ " if area.value in chosen else "") + _(label), f"reg:focus:{area.value}")]
            for area, label in labels.FOCUS_BUTTON.items()
        ]
        rows.append([(_("Done"), f"reg:focus:{FOCUS_COMPLETE}")])
        return _("What does your organization work on? Tap every area that applies, then tap Done."), keyboard(rows)
    if step is Step.PHONE:
        markup = ReplyKeyboardMarkup(
            [[KeyboardButton(_("📱 Share my phone number"), request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        return _("What is the organization's contact phone? Tap the button to share yours, or type another number."), markup
    if step is Step.BOARD_ROLE:
        count = len(answers.get("board", []))
        intro = _("Now the board (junta directiva).") + " " if count == 0 else ""
        return intro + _("What is this member's role?"), keyboard(
            [[(_(label), f"reg:role:{role.value}")] for role, label in labels.BOARD_ROLE.items()]
        )
    if step is Step.BOARD_NAME:
        return _("What is their full name?"), None
    if step is Step.BOARD_DOCUMENT_TYPE:
        return _("Which identity document do they hold?"), keyboard(
            [[(_(label), f"reg:doc:{doc.value}")] for doc, label in labels.DOCUMENT_BUTTON.items()]
        )
    if step is Step.BOARD_DOCUMENT_NUMBER:
        document = IdDocumentType(answers["pending_member"]["document_type"])
        return _("What is the %(document)s number? It is stored encrypted and shown only as ****1234.") % {
            "document": _(labels.DOCUMENT[document])
        }, None
    if step is Step.BOARD_MORE:
        members = answers.get("board", [])
        listing = "\n".join(
            f"• {_(labels.BOARD_ROLE[BoardRole(m['role'])])}: {escape(m['full_name'])}" for m in members
        )
        return _("Board so far:") + "\n" + listing + "\n\n" + _("Is there another board member?"), keyboard(
            [[(_("➕ Add another member"), f"reg:board:{ADD_ANOTHER_MEMBER}")],
             [(_("That is the whole board"), f"reg:board:{BOARD_COMPLETE}")]]
        )
    if step is Step.TERM_START:
        return _("When did the board's term start? Send the full date, for example 01/02/2025."), None
    if step is Step.TERM_END:
        return _("When does the board's term end? Send the full date, for example 31/01/2027."), None
    card = organization_card(context, registration.view(draft), context.runtime.cipher)
    return _("Please check your answers:") + "\n\n" + card, keyboard(
        [[(_("✏️ Edit a field"), "reg:edit")], [(_("✅ Confirm and send"), "reg:confirm")]]
    )


async def ask_current(update: Update, context: VocesContext, draft: RegistrationDraft, *, problem: str | None = None) -> str:
    """Ask the draft's current question (the draft, not the conversation, knows which)."""
    text, markup = question(context, draft)
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    return await ask(update, context, flow=FLOW, step=FILLING, text=text, reply_markup=markup)


# --- entry -------------------------------------------------------------------------------------


async def load_draft(context: VocesContext, session):  # noqa: ANN001, ANN201
    person = await people.get(session, context.person.id)  # type: ignore[union-attr]
    return person, await registration.find_draft(session, user=person)


async def start(update: Update, context: VocesContext) -> str | int:
    _ = context.gettext
    runtime = context.runtime
    async with runtime.database.session() as session:
        person, draft = await load_draft(context, session)
        if draft is None:
            draft = await registration.start_draft(session, user=person, now=runtime.clock.now())
            resume = False
        else:
            resume = True
    if not resume:
        await reply(update, context, _("Let us register your organization. I save every answer as you go: you can stop and continue later with /register."))
        return await ask_current(update, context, draft)
    name = draft.answers.get("name")
    text = _("You have a registration in progress") + (f": <b>{escape(name)}</b>" if name else "") + ". " + _("Continue where you left off, or start over?")
    return await ask(
        update, context, flow=FLOW, step=FILLING, text=text,
        reply_markup=keyboard([[(_("Continue"), "reg:resume"), (_("Start over"), "reg:restart")]]),
    )


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
            context.gettext("📱 Saved: %(phone)s") % {"phone": format_phone_for_display(draft.answers["phone"])},
            reply_markup=ReplyKeyboardRemove(),
        )
    return await ask_current(update, context, draft)


async def search_district(update: Update, context: VocesContext, draft: RegistrationDraft, text: str) -> str:
    _ = context.gettext
    matches = find_districts(text)
    if not matches:
        return await ask_current(update, context, draft, problem=_("I found no district of Lima or Callao called “%(text)s”. Try part of the name, for example Comas or SJL.") % {"text": escape(shorten(text, 60))})
    rows = [[(f"{d.name} ({d.province})", f"reg:district:{d.ubigeo}")] for d in matches]
    return await ask(
        update, context, flow=FLOW, step=FILLING,
        text=_("Which of these is it? If it is not here, type the name again."), reply_markup=keyboard(rows),
    )


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
        text, markup = question(context, draft)
        await query.edit_message_reply_markup(reply_markup=markup)
        return draft.step
    if action == "edit" and draft.step == Step.SUMMARY:
        return await show_edit_menu(update, context, draft, value, page=page_number(query.data))
    if action == "rm" and draft.step == Step.SUMMARY:
        index = parse_id(value, minimum=0)
        index = -1 if index is None else index
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
            await registration.remove_board_member(session, draft=draft, index=index, now=runtime.clock.now())
        return await show_edit_menu(update, context, draft, "board", page=index // ROWS_PER_PAGE + 1)
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
    _ = context.gettext
    runtime = context.runtime
    if field == "board":
        # Numbered in the board's order: long names that start alike stay apart on a button.
        rows = [[(f"❌ {i + 1}. {shorten(m['full_name'], 40)}", f"reg:rm:{i}")] for i, m in enumerate(draft.answers.get("board", []))]
        rows = paged_rows(context, rows, page=page, callback_prefix="reg:edit:board:p")
        rows += [[(_("➕ Add a member"), "reg:edit:board_add")], [(_("⬅️ Back to the summary"), "reg:summary")]]
        return await ask(update, context, flow=FLOW, step=FILLING, text=_("Remove a member, or add one:"), reply_markup=keyboard(rows))
    if field:
        async with runtime.database.session() as session:
            _person, draft = await load_draft(context, session)
            await registration.edit_field(session, draft=draft, field="board" if field == "board_add" else field, now=runtime.clock.now())
        return await ask_current(update, context, draft)
    fields = [
        ("name", _("Name")), ("kind", _("Type")), ("district", _("District")), ("address", _("Address")),
        ("founded", _("Founding date")), ("members", _("Members")), ("focus", _("Focus areas")),
        ("phone", _("Phone")), ("board", _("Board")), ("term", _("Board term")),
    ]
    rows = [[(label, f"reg:edit:{code}") for code, label in fields[i : i + 2]] for i in range(0, len(fields), 2)]
    rows.append([(_("⬅️ Back to the summary"), "reg:summary")])
    return await ask(update, context, flow=FLOW, step=FILLING, text=_("Which field do you want to change?"), reply_markup=keyboard(rows))


async def confirm(update: Update, context: VocesContext) -> str | int:
    _ = context.gettext
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
    await reply(
        update, context,
        _("🎉 <b>%(name)s</b> is registered in Voces. The programme staff will review it; I will tell you here when they do.") % {"name": escape(organization.name)}
        + "\n\n" + _("Next: see your organization with /myorg, invite other leaders with /invite, and check the RUOS documents with /ruos."),
    )
    return END


# --- leaving -----------------------------------------------------------------------------------


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Registration paused. Your answers are saved: send /register to continue."), reply_markup=ReplyKeyboardRemove())
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
