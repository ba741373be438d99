"""Small pieces every handler module uses: asking the next question durably, replying,
keyboards, and turning domain errors into the user's language."""

from __future__ import annotations

import html
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, ConversationHandler, filters

from bot.core.i18n import N_
from bot.core.textlimits import (
    CALLBACK_DATA_LIMIT,
    Page,
    fit_label,
    fit_rows,
    page_of,
    split_message,
)
from bot.core.validation import parse_id
from bot.organizations.cautions import NeedsConfirmation
from handlers.context import VocesContext

END = ConversationHandler.END
State = TypeVar("State")
Callback = Callable[[Update, VocesContext], Awaitable[Any]]

escape = html.escape
log = logging.getLogger(__name__)

# Whatever a person can send that is not a typed answer: stickers, photos, files, voice notes,
# locations... A flow that waits for text answers these with the same question again.
NOT_TYPED = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL & ~filters.CONTACT
TYPE_IT = N_("I can only read typed text here. Please write your answer.")
ALERT_LIMIT = 200  # characters Telegram shows in an answer to a button


def conversation_key(update: Update) -> tuple[int, int]:
    """The key PTB's ConversationHandler uses with its defaults (per chat and per user)."""
    assert update.effective_chat and update.effective_user
    return (update.effective_chat.id, update.effective_user.id)


async def remember_step(update: Update, context: VocesContext, flow: str, step: object | None) -> None:
    """Commit the step this person is at before the bot says anything more (see persistence)."""
    persistence = context.application.persistence
    if persistence is not None:
        await persistence.update_conversation(flow, conversation_key(update), step)


async def ask(
    update: Update,
    context: VocesContext,
    *,
    flow: str,
    step: State,
    text: str,
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> State:
    """Record the step, then ask its question. Returns the step for the ConversationHandler."""
    await remember_step(update, context, flow, step)
    await reply(update, context, text, reply_markup=reply_markup)
    return step


async def leave(update: Update, context: VocesContext, flow: str) -> int:
    await remember_step(update, context, flow, None)
    return END


async def reply(
    update: Update,
    context: VocesContext,
    text: str,
    *,
    reply_markup: Any = None,
) -> Message:
    """Send a message to the chat the update came from (a message or a button press).

    A text longer than Telegram's limit goes as several messages, the buttons on the last.
    """
    assert update.effective_chat
    return await send(context, update.effective_chat.id, text, reply_markup=reply_markup)


async def send(context: VocesContext, chat_id: int, text: str, *, reply_markup: Any = None) -> Message:
    """One message, or several when the text is too long for one; returns the last."""
    *first, last = split_message(text)
    for part in first:
        await context.bot.send_message(chat_id, part)
    return await context.bot.send_message(chat_id, last, reply_markup=reply_markup)


async def edit_or_reply(update: Update, context: VocesContext, text: str, *, reply_markup: Any = None) -> None:
    """Replace the message whose button was pressed, so a chat does not fill with old menus.

    A text too long for one message replaces it with its first part; the rest follow as new
    messages, the buttons on the last.
    """
    query = update.callback_query
    if query is not None and query.message is not None and getattr(query.message, "text", None):
        if query.message.text_html == text and query.message.reply_markup == reply_markup:
            return  # Telegram refuses an edit that changes nothing
        first, *rest = split_message(text)
        if not rest:
            await query.edit_message_text(text, reply_markup=reply_markup)
            return
        await query.edit_message_text(first)
        for part in rest[:-1]:
            await context.bot.send_message(query.message.chat.id, part)
        await context.bot.send_message(query.message.chat.id, rest[-1], reply_markup=reply_markup)
        return
    await reply(update, context, text, reply_markup=reply_markup)


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data), laid out for a phone.

    A row whose labels would be cut at a phone's width is split into rows that fit, and a
    label too long even for a row of its own is shortened at a word boundary rather than cut
    mid-word by the app (`bot.core.textlimits.fit_rows`): write a short label where that happens.
    """
    laid = fit_rows(rows, label=lambda button: button[0])
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(fit_label(label, len(row)), callback_data=data) for label, data in row] for row in laid]
    )


# Rows of records on one page of a keyboard: well under Telegram's 100 buttons with the
# page's own buttons, and short enough to read on a phone.
ROWS_PER_PAGE = 10


def paged_rows(
    context: VocesContext, rows: Sequence[Sequence[tuple[str, str]]], *, page: int, callback_prefix: str
) -> list[Sequence[tuple[str, str]]]:
    """One page of a keyboard that lists records, with ◀️ / ▶️ to the pages around it."""
    shown = page_of(rows, page, size=ROWS_PER_PAGE)
    return [*shown.items, *page_navigation(context, shown, callback_prefix=callback_prefix)]


def page_navigation(context: VocesContext, shown: Page[Any], *, callback_prefix: str) -> list[list[tuple[str, str]]]:
    """The ◀️ / ▶️ row under a page (none when everything fits on one).

    The buttons carry ``{callback_prefix}{number}`` (for example ``org:board:p2``); the handler
    for that pattern shows that page. The middle button says where one is and shows it again.
    """
    if shown.count == 1:
        return []
    _ = context.gettext
    navigation = []
    if shown.previous is not None:
        navigation.append(("◀️", f"{callback_prefix}{shown.previous}"))
    navigation.append((_("Page %(page)s of %(count)s") % {"page": shown.number, "count": shown.count},
                       f"{callback_prefix}{shown.number}"))
    if shown.next is not None:
        navigation.append(("▶️", f"{callback_prefix}{shown.next}"))
    for _label, data in navigation:
        assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return [navigation]


def page_number(data: str | None) -> int:
    """The page a ◀️ / ▶️ button asks for (its data ends with ``:p2``), or the first."""
    return parse_id((data or "").rsplit(":", 1)[-1].removeprefix("p")) or 1


def error_text(context: VocesContext, error: Exception) -> str:
    """A domain error's message (an N_-marked msgid with %(name)s parameters), translated.

    Its text parameters are escaped here, once for every error: they may quote what the
    person typed (the line of buttons that could not be read), and messages are HTML. A moment
    among the parameters is shown in the person's language and the programme's zone.
    """
    message = getattr(error, "message", None) or N_("That did not work. Please try again.")
    params = {name: escape(value) if isinstance(value, str)
              else context.i18n.datetime(value, "short") if isinstance(value, datetime) else value
              for name, value in (getattr(error, "params", None) or {}).items()}
    return context.gettext(message) % params if params else context.gettext(message)


async def say_already_done(update: Update, context: VocesContext, error: Exception) -> None:
    """A second tap, or someone else first (bot.core.transitions.AlreadyDone): say so
    briefly and tell nobody again. On a button not yet answered it is an alert on the button."""
    text = error_text(context, error)
    if not await answer_button(update, context, text, alert=True):
        await reply(update, context, text)


class StaleButton(Exception):  # noqa: N818 - it names what the press is, not a failure
    """The press refers to something unknown or gone: answered, never logged as an error
    (handlers/guards.py answers it; it lives here so this module needs nothing of guards)."""


ButtonAction = Callable[[Update, VocesContext, list[str]], Awaitable[Any]]


class ButtonArgs(list[str]):
    """The parts of a button's data after its action: a part that is not there (a forged
    `prj:open`) is an old button, not an IndexError."""

    def __init__(self, data: str, parts: list[str]) -> None:
        super().__init__(parts)
        self.data = data

    def __getitem__(self, index):  # noqa: ANN001, ANN204 - list's own overloads
        try:
            return super().__getitem__(index)
        except IndexError:
            raise StaleButton(self.data) from None


async def dispatch_button(update: Update, context: VocesContext, actions: dict[str, ButtonAction]) -> object:
    """One area's buttons (`area:action:args…`): the action named, checked when it arrives.

    Unknown actions are old or forged buttons (StaleButton: the error handler answers them);
    a second tap or someone first (AlreadyDone) becomes the button's own alert, so the button
    is answered only after the action; an InvalidInput is said in the chat.
    """
    from bot.core.transitions import AlreadyDone
    from bot.core.validation import InvalidInput

    query = update.callback_query
    assert query is not None and query.data is not None
    action, *args = query.data.split(":")[1:]
    handler = actions.get(action)
    if handler is None:
        raise StaleButton(query.data)
    try:
        result = await handler(update, context, ButtonArgs(query.data, args))
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return None
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, "⚠️ " + error_text(context, error))
        return None
    await answer_button(update, context)
    return result


Pressed = Callable[[Update, VocesContext], Awaitable[Any]]
# An area's buttons: action → (the shape of what follows `action:`, a regular expression, or
# None for nothing, or "?<shape>" for that or nothing; the function answering it). The function
# either reads the whole callback data itself, `(update, context)`, or is given the parts after
# the action, `(update, context, args)` (a ButtonArgs).
ButtonTable = Mapping[str, tuple[str | None, Pressed | ButtonAction]]


def button_pattern(prefix: str, table: ButtonTable, actions: Iterable[str] | None = None) -> str:
    """The callback data `table` answers under `prefix` (`actions`: only those), as one pattern:
    data of any other shape (an old or forged button) matches no handler of the area."""
    def way(action: str, shape: str | None) -> str:
        if not shape:
            return re.escape(action)
        return re.escape(action) + (f"(?::{shape[1:]})?" if shape.startswith("?") else f":{shape}")

    chosen = [action for action in table if actions is None or action in actions]
    # \Z, not $: a forged trailing newline is another shape too.
    return rf"^{re.escape(prefix)}:(?:{'|'.join(way(action, table[action][0]) for action in chosen)})\Z"


def area_buttons(prefix: str, table: ButtonTable, actions: Iterable[str] | None = None) -> CallbackQueryHandler:  # type: ignore[type-arg]
    """The one CallbackQueryHandler of an area prefix's buttons (`actions`: only those, for a
    conversation's state or entry points), answered through `dispatch_button`.

    Data of any other shape matches no handler of the area: the features' last handler answers
    it as an old button (handlers/people/onboarding.py `stale_button`). What the action's
    function returns is the handler's: a conversation's next step, or None to leave the step it
    was at as it was."""
    answers: dict[str, ButtonAction] = {action: _as_action(answer) for action, (_shape, answer) in table.items()}

    async def on_button(update: Update, context: VocesContext) -> object:
        return await dispatch_button(update, context, answers)

    return CallbackQueryHandler(on_button, pattern=button_pattern(prefix, table, actions))


def _as_action(answer: Pressed | ButtonAction) -> ButtonAction:
    """A table's function as dispatch_button calls it: one taking (update, context) only reads
    the callback data itself and is not given the parts."""
    positional = [parameter for parameter in inspect.signature(answer).parameters.values()
                  if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 3:
        return answer  # type: ignore[return-value]

    async def action(update: Update, context: VocesContext, _args: list[str]) -> Any:
        return await answer(update, context)  # type: ignore[call-arg]

    return action


async def answer_button(update: Update, context: VocesContext | None = None, text: str | None = None, *,
                        alert: bool = False) -> bool:
    """Acknowledge a button press (Telegram shows a spinner until we do), with a short text or
    an alert; False when the press was answered already (or the update is no press).

    Telegram accepts one answer per press and refuses a second. Handlers, the consent gate and
    the error handler all answer through here, and the answer is remembered for the whole
    update (`VocesContext.button_answered`), so a press is answered exactly once whoever gets
    to it first.
    """
    query = update.callback_query
    if query is None or (context is not None and context.button_answered):
        return False
    if context is not None:
        context.button_answered = True
    await query.answer(text[:ALERT_LIMIT] if text else None, show_alert=alert)
    return True


async def remember(update: Update, context: VocesContext, **values: Any) -> None:
    """Keep small flow details in user_data and commit them now, not at PTB's next flush."""
    assert context.user_data is not None and update.effective_user is not None
    for name, value in values.items():
        if value is None:
            context.user_data.pop(name, None)
        else:
            context.user_data[name] = value
    if context.application.persistence is not None:
        await context.application.persistence.update_user_data(update.effective_user.id, context.user_data)


async def send_charts(update: Update, context: VocesContext, charts: Sequence[tuple[bytes, str]]) -> None:
    """Chart images (`bot.documents.charts`, one chart each), each with its caption saying what
    it shows: one photo, or an album of them, which a phone swipes through."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    for start in range(0, len(charts), ALBUM_LIMIT):
        album = charts[start : start + ALBUM_LIMIT]
        if len(album) == 1:  # an album holds two photos at least
            image, caption = album[0]
            await context.bot.send_photo(chat_id, InputFile(image, filename="chart.png"), caption=caption)
            continue
        await context.bot.send_media_group(chat_id, [
            InputMediaPhoto(image, caption=caption, filename=f"chart-{start + number}.png")
            for number, (image, caption) in enumerate(album, start=1)])


# Telegram's most photos in one album.
ALBUM_LIMIT = 10


async def delete_stored_secret(update: Update, context: VocesContext) -> None:
    """Delete the person's message that carried what the bot has just stored encrypted (an
    identity number), so it does not stay readable in the chat, and say so in one line.

    Bots may delete any message in a private chat for 48 hours, which covers an answer just
    typed; should Telegram refuse anyway, the person is asked to delete it themselves.
    """
    message = update.effective_message
    if message is None or update.callback_query is not None:
        return
    try:
        await message.delete()
    except TelegramError:
        log.info("could not delete a message that carried an identity number", exc_info=True)
        await reply(update, context, context.gettext("🔒 Stored encrypted. Please delete your message with the number from this chat."))
        return
    await reply(update, context, context.gettext("🔒 Stored encrypted; I deleted your message with the number from this chat."))


def cautions_text(context: VocesContext, error: NeedsConfirmation) -> str:
    """Why staff are asked to confirm (bot.organizations.cautions), one line per reason."""
    return "\n".join(
        "• " + context.gettext(caution.message) % ({"date": context.i18n.date(caution.on)} if caution.on else {})
        for caution in error.cautions
    )
