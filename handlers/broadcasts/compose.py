"""/broadcast: coordinators and staff compose a message (a version per language, an optional
photo or document, link buttons), choose who receives it, preview it exactly as they will see
it, and send it now or at a time; above a threshold a second person approves it first.

The draft lives in the database (bot/broadcasts/broadcasts.py) and every change is saved as it
is made; the typed answers (a text, a file, a district, the buttons, a time) are the steps of a
domain step machine (bot/broadcasts/composing.py) that keeps the question asked in the
database, so a restart in the middle loses nothing. Each handler here parses, calls one of its
functions and renders the `Step` it returns. This module has the texts, the file, the buttons
and the audience, and registers the whole flow; handlers/broadcasts/card.py the card;
handlers/broadcasts/release.py opening one from a list, the preview, sending, scheduling, the
approval and cancelling; handlers/broadcasts/flow.py the flow's helpers both use.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.broadcasts import broadcasts, composing
from bot.broadcasts.models import MessageKind
from bot.core import uploads
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_
from bot.core.textlimits import excerpt
from bot.core.validation import InvalidInput
from bot.people.labels import LANGUAGE_IN_A_SENTENCE
from handlers.broadcasts.audience import (
    audience_card,
    no_district,
    show_audience,
    show_kind,
    show_sessions,
    show_topics,
    toggle_audience,
)
from handlers.broadcasts.card import (
    KIND_NAMES,
    STATE_NAMES,
    show_card,
)
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
    show,
    tell_submitted,
)
from handlers.commands import command
from handlers.common import (
    END,
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

FILE_QUESTION = N_("Send one photo or one document to go with the message, or a single dash (-) to send it without one.")
QUESTIONS = {
    FILE: FILE_QUESTION,
    BUTTONS: N_("Write one button a line, its label and its link separated by a bar, for example:\n"
                "<code>Enroll | https://t.me/voces_bot?start=trainings</code>\n"
                "Send a single dash (-) for no buttons."),
    DISTRICT: N_("Which district? Write its name."),
    WHEN: N_("When should it go out? Write the day and the time, Lima time, for example: 15/12/2026 18:30"),
}


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
        _ = context.gettext
        lines, rows = [_("Broadcasts not yet sent, or being sent:")], []
        for b in opened.waiting[:10]:  # each with its first words: "#2 · waiting for approval" alone says little
            words = excerpt(broadcasts.text_for(b, context.i18n.language, runtime.settings.default_language), 22) or "—"
            when = f" · {context.i18n.datetime(b.send_at, 'short')}" if b.send_at else ""
            lines.append(f"#{b.id} · {_(STATE_NAMES[b.state])}{when}: <i>{escape(words)}</i>")
            rows.append([(f"#{b.id} · {words}", f"bc:show:{b.id}")])
        await reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))
    return await leave(update, context, FLOW)


# --- the questions, and their typed answers -------------------------------------------------------


def question_text(context: VocesContext, step: composing.Step) -> str:
    _ = context.gettext
    if step.name != TEXT:
        return _(QUESTIONS[step.name])
    language = step.language or ""
    text = _("Write the message in %(language)s, formatted as you want people to see it.") % {"language": _(LANGUAGE_IN_A_SENTENCE[language])}
    if step.broadcast is not None and language in step.broadcast.texts:
        text += "\n" + _("Send a single dash (-) to remove this version.")
    return text


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
        rows = [[(district.name, f"bc:adddist:{step.broadcast.id}:{district.ubigeo}")] for district in step.districts]
        await reply(update, context, context.gettext("Which one?"), reply_markup=keyboard(rows))
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
    broadcast = await load(update, context, to_change=True)
    _ = context.gettext
    rows = [[(("✅ " if kind is broadcast.kind else "") + _(name), f"bc:kind:{broadcast.id}:{kind.value}")] for kind, name in KIND_NAMES.items()]
    await edit_or_reply(update, context, _("What is it about? People choose in /settings which kinds they receive."), reply_markup=keyboard(rows))


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


def register(application) -> None:  # noqa: ANN001
    typed = filters.TEXT & ~filters.COMMAND
    flow = ConversationHandler(
        entry_points=[
            CallbackQueryHandler(asks(TEXT), pattern=r"^bc:text:\d+:[a-z]{2}$"),
            CallbackQueryHandler(asks(FILE), pattern=r"^bc:file:\d+$"),
            CallbackQueryHandler(asks(BUTTONS), pattern=r"^bc:btns:\d+$"),
            CallbackQueryHandler(asks(DISTRICT), pattern=r"^bc:dist:\d+$"),
            CallbackQueryHandler(asks(WHEN), pattern=r"^bc:when:\d+$"),
        ],
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
    application.add_handlers([
        flow,
        command("broadcast", open_composer),
        CallbackQueryHandler(show, pattern=r"^bc:show:\d+$"),
        CallbackQueryHandler(show_audience, pattern=r"^bc:aud:\d+$"),
        CallbackQueryHandler(show_kind, pattern=r"^bc:audk:\d+:[a-z]+$"),
        CallbackQueryHandler(toggle_audience, pattern=r"^bc:t:\d+:[a-z]+:[a-z0-9_]+$"),
        CallbackQueryHandler(no_district, pattern=r"^bc:nodist:\d+$"),
        CallbackQueryHandler(district_chosen, pattern=r"^bc:adddist:\d+:\d{6}$"),
        CallbackQueryHandler(show_kinds, pattern=r"^bc:kinds:\d+$"),
        CallbackQueryHandler(show_sessions, pattern=r"^bc:sess:\d+$"),
        CallbackQueryHandler(show_topics, pattern=r"^bc:topics:\d+$"),
        CallbackQueryHandler(kind_chosen, pattern=r"^bc:kind:\d+:[a-z]+$"),
        CallbackQueryHandler(preview, pattern=r"^bc:preview:\d+$"),
        CallbackQueryHandler(send_now, pattern=r"^bc:now:\d+$"),
        CallbackQueryHandler(approve, pattern=r"^bc:approve:\d+:\d+$"),
        CallbackQueryHandler(reject, pattern=r"^bc:reject:\d+:\d+$"),
        CallbackQueryHandler(cancel, pattern=r"^bc:cancel:\d+$"),
    ])
