"""/broadcast: coordinators and staff compose a message (a version per language, an optional
photo or document, link buttons), choose who receives it, preview it exactly as they will see
it, and send it now or at a time; above a threshold a second person approves it first.

The draft lives in the database (bot/broadcasts/broadcasts.py) and every change is saved as it
is made; the typed answers (a text, a district, the buttons, a time) are the steps of one
small flow, so a restart in the middle loses nothing. This module has the texts, the file, the
buttons and the audience, and registers the whole flow; handlers/broadcasts/card.py the card;
handlers/broadcasts/release.py opening one from a list, the preview, sending, scheduling, the
approval and cancelling; handlers/broadcasts/flow.py the flow's steps and the helpers both use.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.broadcasts import audience as broadcast_audience
from bot.broadcasts import broadcasts
from bot.broadcasts import files as broadcast_files
from bot.broadcasts.models import Broadcast, MessageKind
from bot.core import uploads
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.districts import district_by_ubigeo, find_districts
from bot.core.i18n import N_
from bot.core.labels import LANGUAGE_IN_A_SENTENCE
from bot.core.textlimits import excerpt, shorten, visible_length
from bot.core.validation import InvalidInput, parse_text
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
    ASKED_FROM,
    BUTTONS,
    DISTRICT,
    FILE,
    FLOW,
    TEXT,
    WHEN,
    apply_change,
    ask_typed,
    asked_about,
    button_broadcast_id,
    data_parts,
    load,
    person_id,
    pressed_message,
    read_typed,
    retire_asked_card,
)
from handlers.broadcasts.release import (
    approve,
    ask_when,
    cancel,
    preview,
    reject,
    send_now,
    show,
    when_typed,
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
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card

CAPTION_LIMIT = 1024
BUTTON_LINE = re.compile(r"^(?P<label>.{1,40}?)\s*[|—–-]\s*(?P<url>(https?|tg)://\S+)$")


# --- /broadcast ----------------------------------------------------------------------------------


@shows_current_card("bc")
async def open_composer(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            draft = await broadcasts.draft_of(session, user_id=person_id(context), now=runtime.clock.now())
            waiting = await broadcasts.upcoming(session, user_id=person_id(context))
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return END
    await show_card(update, context, draft, edit=False)
    if waiting:
        _ = context.gettext
        lines, rows = [_("Broadcasts not yet sent, or being sent:")], []
        for b in waiting[:10]:  # each with its first words: "#2 · waiting for approval" alone says little
            words = excerpt(broadcasts.text_for(b, context.i18n.language, runtime.settings.default_language), 22) or "—"
            when = f" · {context.i18n.datetime(b.send_at, 'short')}" if b.send_at else ""
            lines.append(f"#{b.id} · {_(STATE_NAMES[b.state])}{when}: <i>{escape(words)}</i>")
            rows.append([(f"#{b.id} · {words}", f"bc:show:{b.id}")])
        await reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))
    return await leave(update, context, FLOW)


# --- texts, file, buttons: typed answers ----------------------------------------------------------


async def _save_answer(update: Update, context: VocesContext, change: Callable[[AsyncSession], Awaitable[Broadcast]]) -> int:
    """Save a typed answer (see apply_change), end the step and show the card again below it,
    in place of the one the question was asked from."""
    broadcast = await apply_change(update, context, change)
    await leave(update, context, FLOW)
    if broadcast is not None:
        await show_card(update, context, broadcast, edit=False)
        await retire_asked_card(update, context)
    return END


async def ask_text(update: Update, context: VocesContext) -> str:
    await answer_button(update, context)
    broadcast = await load(update, context, to_change=True)
    language = data_parts(update)[3]
    if language not in SUPPORTED_LANGUAGES:
        raise StaleButton(language)
    await remember(update, context, broadcast_id=broadcast.id, broadcast_language=language, **{ASKED_FROM: pressed_message(update)})
    _ = context.gettext
    text = _("Write the message in %(language)s, formatted as you want people to see it.") % {"language": _(LANGUAGE_IN_A_SENTENCE[language])}
    if language in broadcast.texts:
        text += "\n" + _("Send a single dash (-) to remove this version.")
    return await ask(update, context, flow=FLOW, step=TEXT, text=text)


async def text_typed(update: Update, context: VocesContext) -> str | int:
    message = update.effective_message
    assert message is not None and context.user_data is not None
    broadcast_id, language = asked_about(context), context.user_data.get("broadcast_language")
    if broadcast_id is None or language is None:
        return await leave(update, context, FLOW)
    # refuses what is only invisible characters; what is kept is the formatted text
    if await read_typed(update, context, lambda typed: parse_text(typed, field_max=4000, multiline=True)) is None:
        return TEXT
    text = None if (message.text or "").strip() == "-" else message.text_html or ""
    async with context.runtime.database.session() as session:
        current = await broadcasts.get(session, broadcast_id)
    if text is not None and current is not None and current.attachment_kind and visible_length(text) > CAPTION_LIMIT:
        await reply(update, context, context.gettext("With a photo or a document the text can be at most 1024 characters. Write it shorter, please."))
        return TEXT
    return await _save_answer(update, context, lambda session: broadcasts.set_text(
        session, broadcast_id=broadcast_id, user_id=person_id(context), language=language, text=text))


FILE_QUESTION = N_("Send one photo or one document to go with the message, or a single dash (-) to send it without one.")
TOO_LARGE = N_("That file is too large: the limit is 20 MB.")


async def ask_file(update: Update, context: VocesContext) -> str:
    return await ask_typed(update, context, FILE, context.gettext(FILE_QUESTION))


async def file_sent(update: Update, context: VocesContext) -> str | int:
    """The file is downloaded and judged by its bytes (bot/broadcasts/files.py): one the
    bot does not send is refused, saying why, and asked for again; recipients get the cleaned
    copy under the bot's name, never what the author's phone sent."""
    message = update.effective_message
    assert message is not None
    broadcast_id = asked_about(context)
    if broadcast_id is None:
        return await leave(update, context, FLOW)
    sent = message.photo[-1] if message.photo else message.document  # a photo's largest size
    if sent is None and (message.text or "").strip() != "-":
        await reply(update, context, context.gettext("Send one photo or one document, or a single dash (-)."))
        return FILE
    accepted = None
    if sent is not None:
        async with context.runtime.database.session() as session:
            current = await broadcasts.get(session, broadcast_id)
        if current is not None and any(visible_length(text) > CAPTION_LIMIT for text in current.texts.values()):
            await reply(update, context, context.gettext("With a photo or a document the text can be at most 1024 characters. Shorten the text first."))
            return await leave(update, context, FLOW)
        try:
            if (sent.file_size or 0) > uploads.UPLOAD_LIMIT_BYTES:
                raise uploads.UploadRefused(TOO_LARGE)
            try:
                content = bytes(await (await context.bot.get_file(sent.file_id)).download_as_bytearray())
            except BadRequest as error:
                if "too big" not in error.message.lower():
                    raise
                raise uploads.UploadRefused(TOO_LARGE) from None
            accepted = await broadcast_files.judged(content)
        except InvalidInput as error:  # the same question again, after saying why
            return await ask(update, context, flow=FLOW, step=FILE, text=error_text(context, error) + "\n" + context.gettext(FILE_QUESTION))
    return await _save_answer(update, context, lambda session: broadcast_files.attach(
        session, store=context.runtime.files, broadcast_id=broadcast_id, user_id=person_id(context), accepted=accepted))


async def ask_buttons(update: Update, context: VocesContext) -> str:
    return await ask_typed(update, context, BUTTONS, context.gettext(
        "Write one button a line, its label and its link separated by a bar, for example:\n"
        "<code>Enroll | https://t.me/voces_bot?start=trainings</code>\n"
        "Send a single dash (-) for no buttons."))


def parse_buttons(text: str) -> list[list[str]]:
    if text.strip() == "-":
        return []
    found = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        match = BUTTON_LINE.match(line)
        if match is None:
            raise InvalidInput(N_("I could not read this line: %(line)s. Write the label, a bar (|) and a link that starts with https://."), line=shorten(line, 60))
        found.append([match["label"].strip(), match["url"]])
    if len(found) > 5:
        raise InvalidInput(N_("At most five buttons, please."))
    return found


async def buttons_typed(update: Update, context: VocesContext) -> str | int:
    broadcast_id = asked_about(context)
    if broadcast_id is None:
        return await leave(update, context, FLOW)
    buttons = await read_typed(update, context, lambda typed: parse_buttons(parse_text(typed, field_max=1000, multiline=True)))
    if buttons is None:
        return BUTTONS
    return await _save_answer(update, context, lambda session: broadcasts.set_buttons(
        session, broadcast_id=broadcast_id, user_id=person_id(context), buttons=buttons))


# --- the audience and the kind ------------------------------------------------------------------------


async def ask_district(update: Update, context: VocesContext) -> str:
    return await ask_typed(update, context, DISTRICT, context.gettext("Which district? Write its name."))


async def district_typed(update: Update, context: VocesContext) -> str | int:
    broadcast_id = asked_about(context)
    if broadcast_id is None:
        return await leave(update, context, FLOW)
    typed = await read_typed(update, context, lambda text: parse_text(text, field_max=80))
    if typed is None:
        return DISTRICT
    found = find_districts(typed)
    if not found:
        await reply(update, context, context.gettext("I do not know that district in Lima or Callao. Write its name again."))
        return DISTRICT
    try:  # only the districts the person follows: another is refused, and asked again
        async with context.runtime.database.session() as session:
            allowed = await broadcast_audience.districts_in_scope(session, user_id=person_id(context), districts=[d.ubigeo for d in found])
    except InvalidInput as error:
        return await ask(update, context, flow=FLOW, step=DISTRICT, text=error_text(context, error) + "\n" + context.gettext("Which district? Write its name."))
    found = [district for district in found if district.ubigeo in allowed]
    await leave(update, context, FLOW)
    if len(found) == 1:
        return await _add_district(update, context, broadcast_id, found[0].ubigeo)
    rows = [[(district.name, f"bc:adddist:{broadcast_id}:{district.ubigeo}")] for district in found]
    await reply(update, context, context.gettext("Which one?"), reply_markup=keyboard(rows))
    return END


async def _add_district(update: Update, context: VocesContext, broadcast_id: int, ubigeo: str, *, edit: bool = False) -> int:
    """Add the district and show the picker again: below the typed name, or in place of "Which one?"."""
    async with context.runtime.database.session() as session:
        current = await broadcasts.get(session, broadcast_id)
    broadcast = current
    if current is not None and ubigeo not in current.audience.get("district", []):
        broadcast = await apply_change(update, context, lambda session: broadcasts.toggle_audience(
            session, broadcast_id=broadcast_id, user_id=person_id(context), name="district", value=ubigeo))
    if broadcast is not None:
        await audience_card(update, context, broadcast, edit=edit)
        await retire_asked_card(update, context)
    return END


async def district_chosen(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    ubigeo = data_parts(update)[3]
    if district_by_ubigeo(ubigeo) is None:
        raise StaleButton(ubigeo)
    await _add_district(update, context, button_broadcast_id(update), ubigeo, edit=True)


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
    await remember(update, context, **{ASKED_FROM: None})  # the card it was asked from stays
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    await remember(update, context, **{ASKED_FROM: None})
    await leave(update, context, FLOW)
    context.voces.dispatch_again(update)
    return END


def register(application) -> None:  # noqa: ANN001
    typed = filters.TEXT & ~filters.COMMAND
    flow = ConversationHandler(
        entry_points=[
            CallbackQueryHandler(ask_text, pattern=r"^bc:text:\d+:[a-z]{2}$"),
            CallbackQueryHandler(ask_file, pattern=r"^bc:file:\d+$"),
            CallbackQueryHandler(ask_buttons, pattern=r"^bc:btns:\d+$"),
            CallbackQueryHandler(ask_district, pattern=r"^bc:dist:\d+$"),
            CallbackQueryHandler(ask_when, pattern=r"^bc:when:\d+$"),
        ],
        states={
            TEXT: [MessageHandler(typed, text_typed)],
            FILE: [MessageHandler(filters.PHOTO | filters.Document.ALL | typed, file_sent)],
            BUTTONS: [MessageHandler(typed, buttons_typed)],
            DISTRICT: [MessageHandler(typed, district_typed)],
            WHEN: [MessageHandler(typed, when_typed)],
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
