"""An in-process Telegram Bot API server, for tests, benchmarks and the browser playground.

The real python-telegram-bot ``Application`` talks to it over HTTP on loopback exactly as it
would talk to api.telegram.org::

    async with BotApiEmulator() as emulator:
        application = (
            ApplicationBuilder().token("123:TEST")
            .base_url(emulator.base_url).base_file_url(emulator.base_file_url).build()
        )
        ...  # start polling
        ana = emulator.user(first_name="Ana")
        await ana.sends("/start")          # returns once the bot has handled the update
        await ana.taps("Registrar")
        assert "Bienvenida" in ana.last_text

Three faces:

* **The Bot API** (``/bot<token>/<method>``, ``/file/bot<token>/<path>``) with Telegram's
  semantics and error texts for what Voces uses: long polling, messages with HTML entities,
  inline and reply keyboards, edits, deletes, callback answers, documents, photos, albums,
  polls, command menus, files, a global flood limit and blocked users.
* **The test API**: ``emulator.user(...)`` returns a ``SimulatedUser`` that sends, taps,
  uploads and votes, waits until the bot has handled each action, and reads what it sees.
* **The client API** (``/_emulator/...``, JSON) for the browser chat page: users, chat
  history, a long-polled event stream and the same user actions. The playground adds its own
  routes (the static page) to ``emulator.web_app.router`` before ``start()``.

Deliberate simplifications: private chats only (chat id == user id); parse_mode "Markdown"
and "MarkdownV2" are accepted but the text is kept as plain text (Voces only uses HTML);
Telegram's automatic entities (urls, mentions, hashtags) are not detected in bot messages;
a webhook is stored and makes getUpdates fail as in Telegram, but updates are never pushed to
it; ``allowed_updates`` is not applied.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
import math
import re
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.playground.telegram_html import HtmlParseError, parse_html, to_html, utf16_length

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_POLL_OPTIONS = 12
MAX_UPDATES_PER_REQUEST = 100
UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024
DEFAULT_BOT_ID = 7_000_000_001
FIRST_USER_ID = 100_000_001
PHOTO_WIDTH, PHOTO_HEIGHT = 1280, 960  # the emulator never decodes images; bots only read ids
RECORDED_CALLS = 10_000
MAX_CLIENT_POLL_SECONDS = 60.0
MAX_LABELS_IN_ERRORS = 30

# Parameters whose values are JSON objects or arrays; form-encoded clients (PTB) send them as
# JSON strings.
JSON_PARAMETERS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope", "media",
        "link_preview_options", "reply_parameters", "options", "menu_button",
        "allowed_updates", "question_entities", "explanation_entities",
    }
)  # fmt: skip

# Methods that count against ``send_limit_per_second``, as flood control counts messages.
RATE_LIMITED_METHODS = frozenset(
    {
        "sendMessage", "sendDocument", "sendPhoto", "sendPoll", "sendMediaGroup",
        "editMessageText", "editMessageCaption", "editMessageReplyMarkup",
    }
)  # fmt: skip

INLINE_BUTTON_ACTIONS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip

_URL_BUTTON = re.compile(r"^(https?|tg)://\S+$", re.IGNORECASE)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LEADING_BOT_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_])")

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class TelegramApiError(Exception):
    """An error answer of the Bot API: HTTP status, Telegram's description, parameters."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def as_json(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(reason: str) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request as the emulator saw it, for assertions in tests."""

    method: str  # Telegram's spelling, e.g. "sendMessage"
    params: JsonDict  # JSON parameters decoded; uploads appear as their file names
    error: str | None  # the error description, or None if the call succeeded


@dataclass
class EmulatorStats:
    requests: int = 0  # Bot API calls answered
    rate_limited: int = 0  # of those, answered with 429 Too Many Requests
    messages_sent: int = 0  # messages the bot sent (an album counts each of its messages)
    updates_created: int = 0


@dataclass(frozen=True)
class StoredFile:
    kind: str  # document | photo | sticker
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class SentFile:
    """A document the bot sent to a user, as that user would download it."""

    file_name: str | None
    mime_type: str | None
    content: bytes


@dataclass(frozen=True)
class _Upload:
    file_name: str | None
    mime_type: str | None
    content: bytes


@dataclass
class ChatMessage:
    """A message in a private chat, in either direction; ``data`` is its current Telegram JSON."""

    data: JsonDict
    from_bot: bool
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    @property
    def visible_text(self) -> str:
        data = self.data
        if "poll" in data:
            return str(data["poll"]["question"])
        return str(data.get("text", data.get("caption", "")))

    @property
    def inline_keyboard(self) -> list[list[JsonDict]] | None:
        markup = self.data.get("reply_markup")
        return markup.get("inline_keyboard") if markup else None


@dataclass(frozen=True)
class ChatEvent:
    """Something the browser page must show; messages are serialized when read, not stored."""

    seq: int
    kind: str  # message | edited | deleted | alert | keyboard
    message_id: int | None = None
    details: JsonDict = field(default_factory=dict)


class _Signal:
    """Wakes every waiter at once; ``notify`` is synchronous so any state change can call it."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, at_most: float) -> None:
        """Return on the next notify or after ``at_most`` seconds, whichever comes first."""
        event = self._event
        try:
            async with asyncio.timeout(at_most):
                await event.wait()
        except TimeoutError:
            pass


@dataclass
class _UpdateTracking:
    """What an action waits for: delivery by getUpdates, or the harness's processed signal."""

    delivered: asyncio.Event = field(default_factory=asyncio.Event)
    delivered_at: float = 0.0
    processed: asyncio.Event = field(default_factory=asyncio.Event)


def _button_label(button: str | JsonDict) -> str:
    return button if isinstance(button, str) else str(button.get("text", ""))


def _normalize_entities(entities: list[JsonDict] | None) -> list[JsonDict]:
    return sorted(entities or [], key=lambda entity: (entity["offset"], -entity["length"]))


class PrivateChat:
    """The state of one private chat between the bot and a user."""

    def __init__(self, user: JsonDict, next_seq: Callable[[], int]) -> None:
        self.id: int = user["id"]
        self.json: JsonDict = {"type": "private", **user}
        self.json.pop("is_bot", None)
        self.json.pop("language_code", None)
        self._next_seq = next_seq
        self.messages: dict[int, ChatMessage] = {}
        self.last_message_id = 0
        # Bot messages by the seq of their latest send or edit, kept in that order.
        self.bot_touched: dict[int, int] = {}
        self.events: list[ChatEvent] = []
        self.signal = _Signal()
        self.reply_keyboard: JsonDict | None = None
        self.reply_keyboard_message_id = 0
        self.blocked = False
        self.last_alert: str | None = None
        self.last_action_seq = 0
        self.seen_seq = 0  # up to here the test has waited for bot messages
        self.last_bot_event_seq = 0
        self.last_bot_request_at = 0.0
        self.poll_votes: dict[str, list[int]] = {}

    @property
    def current_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def allocate_message_id(self) -> int:
        # Telegram numbers the messages of a private chat together, whoever sent them.
        self.last_message_id += 1
        return self.last_message_id

    def record(self, kind: str, message_id: int | None = None, **details: Any) -> int:
        event = ChatEvent(self._next_seq(), kind, message_id, details)
        self.events.append(event)
        self.signal.notify()
        return event.seq

    def add(self, message: ChatMessage) -> None:
        self.messages[message.message_id] = message
        seq = self.record("message", message.message_id)
        if message.from_bot:
            self._touch(message.message_id, seq)

    def edited(self, message: ChatMessage) -> None:
        self._touch(message.message_id, self.record("edited", message.message_id))

    def _touch(self, message_id: int, seq: int) -> None:
        self.bot_touched.pop(message_id, None)
        self.bot_touched[message_id] = seq
        self.last_bot_event_seq = seq

    def last_touched(self) -> ChatMessage | None:
        """The bot message most recently sent or edited, if any is left."""
        return self.messages[next(reversed(self.bot_touched))] if self.bot_touched else None

    def delete(self, message: ChatMessage) -> None:
        message.deleted = True
        self.bot_touched.pop(message.message_id, None)
        self.record("deleted", message.message_id)

    def set_reply_keyboard(self, markup: JsonDict | None, message_id: int = 0) -> None:
        self.reply_keyboard = markup
        self.reply_keyboard_message_id = message_id
        self.record("keyboard")

    def visible(self, message_id: int) -> ChatMessage | None:
        message = self.messages.get(message_id)
        return None if message is None or message.deleted else message

    def bot_messages_newest_first(self) -> Iterator[ChatMessage]:
        for message in reversed(self.messages.values()):
            if message.from_bot and not message.deleted:
                yield message

    def reply_keyboard_rows(self) -> list[list[JsonDict]] | None:
        if self.reply_keyboard is None:
            return None
        return [
            [{"text": button} if isinstance(button, str) else button for button in row]
            for row in self.reply_keyboard["keyboard"]
        ]


@dataclass(frozen=True)
class _Button:
    """A button the user can see: on an inline keyboard, or on the current reply keyboard."""

    label: str
    message_id: int
    button: str | JsonDict
    inline_message: ChatMessage | None  # None for a reply keyboard button


class SimulatedUser:
    """A Telegram user in a private chat with the bot, driven from Python.

    Actions return once the bot has handled the resulting update (see
    ``BotApiEmulator.expect_processed_signal``); readings describe what the user sees now.
    """

    def __init__(self, emulator: BotApiEmulator, user: JsonDict, phone_number: str | None) -> None:
        self._emulator = emulator
        self.json = user
        self.id: int = user["id"]
        self.first_name: str = user["first_name"]
        self.language_code: str | None = user.get("language_code")
        # Telegram apps often share numbers without the '+', so the default does too.
        self.phone_number = phone_number or f"519{self.id % 10**8:08d}"
        self.chat = PrivateChat(user, emulator._next_seq)

    def __repr__(self) -> str:
        return f"<SimulatedUser {self.id} {self.first_name!r}>"

    # -- actions -----------------------------------------------------------------------------

    async def sends(self, text: str) -> None:
        """Send a text; a leading ``/command`` gets its bot_command entity as in Telegram."""
        await self._finish(self._submit_text(text))

    async def taps(self, label: str) -> None:
        """Press a button by its exact label, else by a unique case-insensitive part of it.

        Inline buttons send a callback query; reply keyboard buttons send their text (or the
        user's contact for ``request_contact``). Newer messages win over older ones.
        """
        await self._finish(self._submit_tap(self._find_button(label)))

    async def taps_data(self, callback_data: str, message_id: int | None = None) -> None:
        """Send a raw callback query, e.g. for a button the bot has replaced since."""
        message = self._callback_message(message_id)
        await self._finish([self._submit_callback(message, callback_data)])

    async def shares_contact(self, phone_number: str | None = None) -> None:
        await self._finish([self._submit_contact(phone_number or self.phone_number)])

    async def uploads_document(
        self, content: bytes, file_name: str, mime_type: str, caption: str | None = None
    ) -> None:
        await self._finish([self._submit_document(content, file_name, mime_type, caption)])

    async def uploads_photo(self, content: bytes, caption: str | None = None) -> None:
        await self._finish([self._submit_photo(content, caption)])

    async def uploads_album(self, photos: list[bytes], caption: str | None = None) -> None:
        """Several photos sharing a media_group_id, delivered as separate updates at once."""
        self._begin_action()
        media_group_id = str(next(self._emulator._media_group_ids))
        update_ids = [
            self._message_update(
                {
                    "photo": self._emulator._photo_sizes(self._emulator._store_upload(content)),
                    "media_group_id": media_group_id,
                    **({"caption": caption} if caption and index == 0 else {}),
                }
            )
            for index, content in enumerate(photos)
        ]
        await self._finish(update_ids)

    async def uploads_sticker(self, emoji: str = "👍") -> None:
        self._begin_action()
        stored = self._emulator._store_file(
            b"RIFF\x00\x00\x00\x00WEBPVP8 ", kind="sticker", file_name="sticker.webp"
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        await self._finish([self._message_update({"sticker": sticker})])

    async def votes(self, poll_message_id: int | None, option_ids: list[int]) -> None:
        """Vote in a poll the bot sent (the newest one if no id); [] retracts the vote."""
        await self._finish([self._submit_vote(poll_message_id, option_ids)])

    async def blocks_bot(self) -> None:
        """Block the bot: sends fail with 403 and the bot gets a my_chat_member update."""
        self.chat.blocked = True
        await self._finish([self._membership_update("member", "kicked")])

    async def unblocks_bot(self) -> None:
        self.chat.blocked = False
        await self._finish([self._membership_update("kicked", "member")])

    async def sends_raw_update(self, update: JsonDict) -> int:
        """Deliver any update (its update_id is assigned here) and wait as for an action."""
        self._begin_action()
        update_id = self._emulator._enqueue_update(
            {key: value for key, value in update.items() if key != "update_id"}
        )
        await self._finish([update_id])
        return update_id

    async def wait_for_reply(self, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109 (a deadline, not a cancel scope)
        """Wait for a bot message or edit this test has not waited for yet, then for quiet.

        For messages the bot sends on its own (reminders); returns ``last_message``.
        """
        chat = self.chat
        deadline = time.monotonic() + timeout
        while chat.last_bot_event_seq <= chat.seen_seq:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"{self!r} got no message from the bot within {timeout}s; "
                    f"the last one reads {self.last_text!r}"
                )
            await chat.signal.wait(remaining)
        # Since the request that brought the reply: more may follow from the same job.
        await self._emulator._settle(chat, since=chat.last_bot_request_at)
        chat.seen_seq = chat.current_seq
        return self.last_message or {}

    # -- readings ----------------------------------------------------------------------------

    @property
    def messages(self) -> list[JsonDict]:
        """The bot's messages that are still in the chat, oldest first, as Telegram JSON."""
        return [
            message.data
            for message in self.chat.messages.values()
            if message.from_bot and not message.deleted
        ]

    @property
    def last_message(self) -> JsonDict | None:
        """The bot message most recently sent or edited."""
        message = self.chat.last_touched()
        return message.data if message else None

    @property
    def last_text(self) -> str:
        """The visible text (or caption, or poll question) of ``last_message``; "" if none."""
        message = self.chat.last_touched()
        return message.visible_text if message else ""

    @property
    def replies(self) -> list[JsonDict]:
        """Bot messages sent or edited since the user's last action, in that order."""
        return [message.data for message in self._replies()]

    @property
    def texts_since_last_action(self) -> list[str]:
        return [message.visible_text for message in self._replies()]

    @property
    def keyboard_rows(self) -> list[list[str]]:
        """Labels of the inline keyboard on the newest bot message that has one."""
        for message in self.chat.bot_messages_newest_first():
            keyboard = message.inline_keyboard
            if keyboard:
                return [[_button_label(button) for button in row] for row in keyboard]
        return []

    @property
    def buttons(self) -> list[str]:
        return [label for row in self.keyboard_rows for label in row]

    @property
    def reply_keyboard(self) -> list[str] | None:
        """Labels of the reply keyboard shown instead of the phone's keyboard, if any."""
        rows = self.chat.reply_keyboard_rows()
        return None if rows is None else [str(button["text"]) for row in rows for button in row]

    @property
    def last_alert(self) -> str | None:
        """The text of the last answerCallbackQuery (toast or alert) this user saw."""
        return self.chat.last_alert

    @property
    def documents(self) -> list[SentFile]:
        files = self._emulator._files
        sent = [files[m["document"]["file_id"]] for m in self.messages if "document" in m]
        return [SentFile(stored.file_name, stored.mime_type, stored.content) for stored in sent]

    @property
    def commands(self) -> dict[str, str]:
        """The command menu Telegram shows this user: command → description."""
        return {
            command["command"]: command["description"]
            for command in self._emulator._commands_for(self.id, self.language_code)
        }

    # -- internals shared with the client API ------------------------------------------------

    def _replies(self) -> list[ChatMessage]:
        chat = self.chat
        recent = itertools.takewhile(
            lambda item: item[1] > chat.last_action_seq, reversed(chat.bot_touched.items())
        )
        return [chat.messages[message_id] for message_id, _ in reversed(list(recent))]

    def _begin_action(self) -> None:
        self.chat.last_action_seq = self.chat.current_seq

    async def _finish(self, update_ids: list[int]) -> None:
        await self._emulator._await_handled(self.chat, update_ids)
        self.chat.seen_seq = self.chat.current_seq

    def _message_update(self, content: JsonDict) -> int:
        """Put a message from this user into the chat and into the bot's update queue."""
        emulator = self._emulator
        message = {
            "message_id": self.chat.allocate_message_id(),
            "from": self.json,
            "chat": self.chat.json,
            "date": emulator._timestamp(),
            **content,
        }
        self.chat.add(ChatMessage(message, from_bot=False))
        return emulator._enqueue_update({"message": message})

    def _submit_text(self, text: str) -> list[int]:
        self._begin_action()
        content: JsonDict = {"text": text}
        command = _LEADING_BOT_COMMAND.match(text)
        if command:
            length = utf16_length(command.group())
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return [self._message_update(content)]

    def _submit_contact(self, phone_number: str) -> int:
        self._begin_action()
        contact = {"phone_number": phone_number, "first_name": self.first_name, "user_id": self.id}
        if self.json.get("last_name"):
            contact["last_name"] = self.json["last_name"]
        return self._message_update({"contact": contact})

    def _submit_document(
        self, content: bytes, file_name: str, mime_type: str, caption: str | None
    ) -> int:
        self._begin_action()
        stored = self._emulator._store_upload(content, file_name=file_name, mime_type=mime_type)
        message: JsonDict = {"document": self._emulator._document_json(stored)}
        if caption:
            message["caption"] = caption
        return self._message_update(message)

    def _submit_photo(self, content: bytes, caption: str | None) -> int:
        self._begin_action()
        photo = self._emulator._photo_sizes(self._emulator._store_upload(content))
        return self._message_update({"photo": photo, **({"caption": caption} if caption else {})})

    def _submit_callback(self, message: ChatMessage, callback_data: str) -> int:
        self._begin_action()
        return self._emulator._enqueue_callback_query(self, message, callback_data)

    def _submit_tap(self, button: _Button) -> list[int]:
        if button.inline_message is not None:
            if not isinstance(button.button, dict) or "callback_data" not in button.button:
                raise AssertionError(
                    f"the button {button.label!r} does not send a callback query: {button.button}"
                )
            return [self._submit_callback(button.inline_message, button.button["callback_data"])]
        keyboard = self.chat.reply_keyboard or {}
        if keyboard.get("one_time_keyboard"):
            self.chat.set_reply_keyboard(None)
        if isinstance(button.button, dict) and button.button.get("request_contact"):
            return [self._submit_contact(self.phone_number)]
        return self._submit_text(button.label)

    def _submit_vote(self, poll_message_id: int | None, option_ids: list[int]) -> int:
        self._begin_action()
        message = self._poll_message(poll_message_id)
        poll = message.data["poll"]
        if poll["is_closed"]:
            raise AssertionError(f"the poll in message {message.message_id} is closed")
        options = poll["options"]
        if any(not 0 <= option < len(options) for option in option_ids):
            raise AssertionError(f"the poll has {len(options)} options, not {option_ids}")
        previous = self.chat.poll_votes.get(poll["id"], [])
        for option in previous:
            options[option]["voter_count"] -= 1
        for option in option_ids:
            options[option]["voter_count"] += 1
        poll["total_voter_count"] += (1 if option_ids else 0) - (1 if previous else 0)
        self.chat.poll_votes[poll["id"]] = list(option_ids)
        if poll["is_anonymous"]:
            return self._emulator._enqueue_update({"poll": copy.deepcopy(poll)})
        answer = {
            "poll_id": poll["id"],
            "user": self.json,
            "option_ids": list(option_ids),
            "option_persistent_ids": [options[option]["persistent_id"] for option in option_ids],
        }
        return self._emulator._enqueue_update({"poll_answer": answer})

    def _membership_update(self, old_status: str, new_status: str) -> int:
        self._begin_action()
        bot_user = self._emulator._bot_user()

        def member(status: str) -> JsonDict:
            return {
                "status": status,
                "user": bot_user,
                **({"until_date": 0} if status == "kicked" else {}),
            }

        change = {
            "chat": self.chat.json,
            "from": self.json,
            "date": self._emulator._timestamp(),
            "old_chat_member": member(old_status),
            "new_chat_member": member(new_status),
        }
        return self._emulator._enqueue_update({"my_chat_member": change})

    def _visible_buttons(self) -> list[_Button]:
        """Inline buttons of every bot message and the reply keyboard, newest first."""
        buttons: list[_Button] = []
        chat = self.chat
        reply_rows = chat.reply_keyboard_rows()
        for message in chat.bot_messages_newest_first():
            if reply_rows is not None and message.message_id < chat.reply_keyboard_message_id:
                buttons.extend(self._reply_buttons(reply_rows))
                reply_rows = None
            for row in message.inline_keyboard or []:
                buttons.extend(
                    _Button(_button_label(button), message.message_id, button, message)
                    for button in row
                )
        if reply_rows is not None:
            buttons.extend(self._reply_buttons(reply_rows))
        return buttons

    def _reply_buttons(self, rows: list[list[JsonDict]]) -> list[_Button]:
        message_id = self.chat.reply_keyboard_message_id
        return [
            _Button(str(button["text"]), message_id, button, None) for row in rows for button in row
        ]

    def _find_button(self, label: str) -> _Button:
        buttons = self._visible_buttons()
        exact = next((button for button in buttons if button.label == label), None)
        if exact is not None:
            return exact
        wanted = label.casefold()
        matches = [button for button in buttons if wanted in button.label.casefold()]
        # Only the newest message with a match counts: stale keyboards must not make a
        # button ambiguous.
        newest = [button for button in matches if button.message_id == matches[0].message_id]
        if len(newest) == 1:
            return newest[0]
        shown = list(dict.fromkeys(button.label for button in buttons))[:MAX_LABELS_IN_ERRORS]
        if newest:
            raise AssertionError(
                f"{label!r} matches several buttons: {[b.label for b in newest]}; shown: {shown}"
            )
        raise AssertionError(f"{self!r} sees no button {label!r}; shown: {shown}")

    def _callback_message(self, message_id: int | None) -> ChatMessage:
        chat = self.chat
        if message_id is not None:
            message = chat.visible(message_id)
            if message is None or not message.from_bot:
                raise AssertionError(f"no bot message {message_id} in the chat of {self!r}")
            return message
        with_keyboard = next(
            (message for message in chat.bot_messages_newest_first() if message.inline_keyboard),
            None,
        )
        newest = with_keyboard or next(chat.bot_messages_newest_first(), None)
        if newest is None:
            raise AssertionError(f"the bot has not sent {self!r} any message yet")
        return newest

    def _poll_message(self, message_id: int | None) -> ChatMessage:
        candidates = (
            [self.chat.visible(message_id)]
            if message_id is not None
            else self.chat.bot_messages_newest_first()
        )
        for message in candidates:
            if message is not None and message.from_bot and "poll" in message.data:
                return message
        raise AssertionError(f"no poll from the bot in the chat of {self!r} ({message_id=})")


class _Call:
    """One incoming Bot API request: the token, its decoded parameters and its uploads."""

    def __init__(self, token: str, values: JsonDict, uploads: dict[str, _Upload]) -> None:
        self.token = token
        self.uploads = uploads
        self.chat: PrivateChat | None = None
        self.values = dict(values)
        for name in JSON_PARAMETERS.intersection(self.values):
            value = self.values[name]
            if isinstance(value, str):
                try:
                    self.values[name] = json.loads(value)
                except ValueError:
                    raise _bad_request(
                        f"can't parse {name.replace('_', ' ')} JSON object"
                    ) from None

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        return value is True or str(value).lower() in ("true", "1")

    def recorded_params(self) -> JsonDict:
        return {
            **self.values,
            **{name: upload.file_name or name for name, upload in self.uploads.items()},
        }


ApiMethod = Callable[[_Call], Awaitable[Any]]


class BotApiEmulator:
    """A Telegram Bot API server on loopback, with simulated users. See the module docstring."""

    def __init__(
        self,
        *,
        send_limit_per_second: float | None = None,
        download_limit_bytes: int = 20 * 1024 * 1024,
        bot_username: str = "voces_bot",
        bot_first_name: str = "Voces",
        clock: Clock | None = None,
    ) -> None:
        self.send_limit_per_second = send_limit_per_second
        self.download_limit_bytes = download_limit_bytes
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.clock: Clock = clock or SystemClock()
        # Waiting for the bot (see SimulatedUser actions).
        self.expect_processed_signal = False
        self.settle_seconds = 0.2
        self.action_timeout = 15.0

        self.calls: deque[ApiCall] = deque(maxlen=RECORDED_CALLS)
        self.stats = EmulatorStats()
        self.base_url = ""
        self.base_file_url = ""
        self.url = ""

        self._next_seq = itertools.count(1).__next__
        self._users: dict[int, SimulatedUser] = {}
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._token = ""
        self._closing = False
        self._last_bot_request_at = 0.0

        self._pending_updates: deque[JsonDict] = deque()
        self._update_ids = itertools.count(1)
        self._updates_signal = _Signal()
        self._poll_generation = 0
        self._tracking: dict[int, _UpdateTracking] = {}
        self._webhook: JsonDict | None = None

        self._recent_sends: deque[float] = deque()
        self._callback_queries: dict[str, int] = {}  # unanswered query id → user id
        self._callback_query_ids = itertools.count(4_000_000_000_001)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._media_group_ids = itertools.count(13_000_000_000_001)
        self._poll_ids = itertools.count(5_000_000_000_001)
        self._commands: dict[tuple[str, int | None, int | None, str], list[JsonDict]] = {}
        self._menu_buttons: dict[int | None, JsonDict] = {}

        self._methods: dict[str, tuple[str, ApiMethod]] = {
            name.lower(): (name, method) for name, method in self._api_methods().items()
        }
        self.web_app = web.Application(client_max_size=UPLOAD_LIMIT_BYTES + 1024 * 1024)
        self.web_app.router.add_route("*", "/bot{token}/{method}", self._handle_api_request)
        self.web_app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file_download)
        _ClientApi(self).register(self.web_app.router)
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host:port`` (0: any free port). Add routes to ``web_app.router`` first."""
        self._closing = False
        self._runner = web.AppRunner(self.web_app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{host}:{port}"
        self.base_url = f"{self.url}/bot"
        self.base_file_url = f"{self.url}/file/bot"

    async def stop(self) -> None:
        self._closing = True
        # Long polls (the bot's getUpdates, the page's events) return at once instead of
        # holding the shutdown.
        self._updates_signal.notify()
        for user in self._users.values():
            user.chat.signal.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- test API ----------------------------------------------------------------------------

    def user(
        self,
        user_id: int | None = None,
        *,
        first_name: str = "Ana",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "es",
        phone_number: str | None = None,
    ) -> SimulatedUser:
        """The simulated user with this id, created on first use (ids are allocated if None)."""
        if user_id is None:
            user_id = next(
                candidate for candidate in self._user_ids if candidate not in self._users
            )
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        simulated = SimulatedUser(self, user, phone_number)
        self._users[user_id] = simulated
        return simulated

    @property
    def users(self) -> list[SimulatedUser]:
        return list(self._users.values())

    def mark_processed(self, update_id: int) -> None:
        """The harness reports that the bot finished handling an update."""
        tracking = self._tracking.get(update_id)
        if tracking is not None:
            tracking.processed.set()

    # -- updates and waiting -----------------------------------------------------------------

    def _enqueue_update(self, payload: JsonDict) -> int:
        update_id = next(self._update_ids)
        self._pending_updates.append({"update_id": update_id, **payload})
        self._tracking[update_id] = _UpdateTracking()
        self.stats.updates_created += 1
        self._updates_signal.notify()
        return update_id

    def _enqueue_callback_query(
        self, user: SimulatedUser, message: ChatMessage, callback_data: str
    ) -> int:
        query_id = str(next(self._callback_query_ids))
        self._callback_queries[query_id] = user.id
        query = {
            "id": query_id,
            "from": user.json,
            # A snapshot: the bot may edit the message before it fetches the update.
            "message": copy.deepcopy(message.data),
            "chat_instance": str(-user.id),
            "data": callback_data,
        }
        return self._enqueue_update({"callback_query": query})

    async def _await_handled(self, chat: PrivateChat, update_ids: list[int]) -> None:
        trackings = [self._tracking[update_id] for update_id in update_ids]
        stage = "fetched by getUpdates (is the application polling?)"
        try:
            async with asyncio.timeout(self.action_timeout):
                if self.expect_processed_signal:
                    stage = "marked processed"
                    for tracking in trackings:
                        await tracking.processed.wait()
                else:
                    for tracking in trackings:
                        await tracking.delivered.wait()
                    stage = "followed by a quiet moment"
                    await self._settle(chat, since=max(t.delivered_at for t in trackings))
        except TimeoutError:
            last = self._users[chat.id].last_text
            raise AssertionError(
                f"update {update_ids} for chat {chat.id} was not {stage} within "
                f"{self.action_timeout}s; the bot last sent {last!r}"
            ) from None
        finally:
            self._forget(update_ids)

    def _forget(self, update_ids: list[int]) -> None:
        for update_id in update_ids:
            self._tracking.pop(update_id, None)

    async def _settle(self, chat: PrivateChat, *, since: float) -> None:
        """Wait until the bot looks done with the chat, for want of a processed signal.

        Done: the bot has made a request about this chat since ``since`` and then none for
        ``settle_seconds``; or it has made no request at all for that long (an update it
        ignores). Under load a busy bot is never globally quiet, so an action keeps waiting
        until the bot reaches its chat rather than returning before the answer.
        """
        while True:
            wake_at = max(since, self._last_bot_request_at) + self.settle_seconds
            if chat.last_bot_request_at >= since:
                wake_at = min(wake_at, chat.last_bot_request_at + self.settle_seconds)
            delay = wake_at - time.monotonic()
            if delay <= 0:
                return
            await asyncio.sleep(delay)

    # -- HTTP: the Bot API -------------------------------------------------------------------

    async def _handle_api_request(self, request: web.Request) -> web.Response:
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            self.calls.append(ApiCall(request.match_info["method"], {}, "Not Found"))
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return web.json_response(body, status=404)
        name, method = entry
        token = request.match_info["token"]
        self._token = token
        self.stats.requests += 1
        # Long polls say nothing about whether the bot is busy with an update.
        answering = name != "getUpdates"
        if answering:
            self._last_bot_request_at = time.monotonic()
        call: _Call | None = None
        try:
            values, uploads = await _read_parameters(request)
            call = _Call(token, values, uploads)
            if name in RATE_LIMITED_METHODS:
                self._check_send_rate()
            result = await method(call)
        except TelegramApiError as error:
            if error.code == 429:
                self.stats.rate_limited += 1
            self._record(name, call, error.description)
            return web.json_response(error.as_json(), status=error.code)
        finally:
            if answering:
                self._last_bot_request_at = time.monotonic()
            if call is not None and call.chat is not None:
                call.chat.last_bot_request_at = time.monotonic()
        self._record(name, call, None)
        return web.json_response({"ok": True, "result": result})

    def _record(self, name: str, call: _Call | None, error: str | None) -> None:
        self.calls.append(ApiCall(name, call.recorded_params() if call else {}, error))

    async def _handle_file_download(self, request: web.Request) -> web.Response:
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    def _check_send_rate(self) -> None:
        limit = self.send_limit_per_second
        if limit is None:
            return
        now = time.monotonic()
        window = self._recent_sends
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= limit:
            retry_after = max(1, math.ceil(window[0] + 1.0 - now))
            raise TelegramApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        window.append(now)

    def _api_methods(self) -> dict[str, ApiMethod]:
        return {
            "getMe": self._get_me,
            "logOut": self._accept,
            "close": self._accept,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendMediaGroup": self._send_media_group,
            "sendPoll": self._send_poll,
            "stopPoll": self._stop_poll,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getFile": self._get_file,
        }

    # -- helpers for the methods -------------------------------------------------------------

    def _timestamp(self) -> int:
        return int(self.clock.now().timestamp())

    def _bot_user(self) -> JsonDict:
        prefix = self._token.partition(":")[0]
        return {
            "id": int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat(self, call: _Call, *, refuse_if_blocked: bool = True) -> PrivateChat:
        """The chat named by ``chat_id``; a blocked user refuses everything but lookups."""
        raw = call.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        try:
            user = self._users.get(int(raw))
        except (TypeError, ValueError):
            user = None  # "@username" addresses channels and groups, never private chats
        if user is None:
            raise _bad_request("chat not found")
        call.chat = user.chat
        user.chat.last_bot_request_at = time.monotonic()
        if refuse_if_blocked and user.chat.blocked:
            raise TelegramApiError(403, "Forbidden: bot was blocked by the user")
        return user.chat

    def _formatted_text(
        self, call: _Call, *, text_field: str, entities_field: str, limit: int, too_long: str
    ) -> tuple[str, list[JsonDict]]:
        raw = call.text(text_field) or ""
        parse_mode = (call.text("parse_mode") or "").lower()
        if parse_mode == "html":
            try:
                text, entities = parse_html(raw)
            except HtmlParseError as error:
                raise _bad_request(f"can't parse entities: {error}") from None
        elif parse_mode in ("", "markdown", "markdownv2"):
            text, entities = raw, _normalize_entities(call.get(entities_field))
        else:
            raise _bad_request("unsupported parse_mode")
        if utf16_length(text) > limit:
            raise _bad_request(too_long)
        return text, entities

    def _message_text(self, call: _Call) -> JsonDict:
        text, entities = self._formatted_text(
            call,
            text_field="text",
            entities_field="entities",
            limit=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
        )
        if not text.strip():
            raise _bad_request("message text is empty")
        return {"text": text, **({"entities": entities} if entities else {})}

    def _caption(self, call: _Call) -> JsonDict:
        caption, entities = self._formatted_text(
            call,
            text_field="caption",
            entities_field="caption_entities",
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
        )
        if not caption:
            return {}
        return {"caption": caption, **({"caption_entities": entities} if entities else {})}

    def _reply_markup(self, call: _Call, *, inline_only: bool = False) -> JsonDict | None:
        markup = call.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
        elif inline_only:
            raise _bad_request("inline keyboard expected")
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        return markup

    def _reply_to(self, call: _Call, chat: PrivateChat) -> JsonDict:
        parameters = call.get("reply_parameters") or {}
        message_id = parameters.get("message_id") or call.integer("reply_to_message_id")
        if not message_id:
            return {}
        target = chat.visible(int(message_id))
        if target is None:
            if parameters.get("allow_sending_without_reply") or call.flag(
                "allow_sending_without_reply"
            ):
                return {}
            raise _bad_request("message to be replied not found")
        replied = {key: value for key, value in target.data.items() if key != "reply_to_message"}
        return {"reply_to_message": replied}

    def _post(
        self, call: _Call, chat: PrivateChat, content: JsonDict, markup: JsonDict | None
    ) -> ChatMessage:
        """Add a bot message to the chat, apply its keyboard, and count it."""
        reply_to = self._reply_to(call, chat)  # may fail, and a failed send uses no message id
        data: JsonDict = {
            "message_id": chat.allocate_message_id(),
            "from": self._bot_user(),
            "chat": chat.json,
            "date": self._timestamp(),
            **content,
            **reply_to,
        }
        if markup is not None and "inline_keyboard" in markup:
            data["reply_markup"] = markup
        message = ChatMessage(data, from_bot=True)
        chat.add(message)
        self.stats.messages_sent += 1
        if markup is not None and "keyboard" in markup:
            chat.set_reply_keyboard(markup, message.message_id)
        elif markup is not None and markup.get("remove_keyboard"):
            chat.set_reply_keyboard(None)
        return message

    def _message_to_edit(self, call: _Call, chat: PrivateChat) -> ChatMessage:
        if call.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by the emulator")
        message_id = call.integer("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = chat.visible(message_id)
        if message is None:
            raise _bad_request("message to edit not found")
        if not message.from_bot:
            raise _bad_request("message can't be edited")
        return message

    def _apply_edit(self, chat: PrivateChat, message: ChatMessage, changes: JsonDict) -> JsonDict:
        """Replace fields (None removes one) unless nothing would change."""
        data = message.data
        if all(data.get(key) == value for key, value in changes.items()):
            raise TelegramApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        data["edit_date"] = self._timestamp()
        chat.edited(message)
        return data

    # -- Bot API methods ---------------------------------------------------------------------

    async def _accept(self, call: _Call) -> bool:
        return True

    async def _get_me(self, call: _Call) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, call: _Call) -> bool:
        url = call.text("url") or ""
        if not url:
            return await self._delete_webhook(call)
        if not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if call.flag("drop_pending_updates"):
            self._pending_updates.clear()
        self._webhook = {"url": url, "allowed_updates": call.get("allowed_updates")}
        self._updates_signal.notify()  # a waiting getUpdates now conflicts with the webhook
        return True

    async def _delete_webhook(self, call: _Call) -> bool:
        self._webhook = None
        if call.flag("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    async def _get_webhook_info(self, call: _Call) -> JsonDict:
        info: JsonDict = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }
        if self._webhook and self._webhook["allowed_updates"]:
            info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    async def _get_updates(self, call: _Call) -> list[JsonDict]:
        self._refuse_polling_with_webhook()
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()  # an older long poll ends with a Conflict
        offset = call.integer("offset")
        if offset:
            self._confirm_updates(offset)
        limit = min(
            max(call.integer("limit") or MAX_UPDATES_PER_REQUEST, 1), MAX_UPDATES_PER_REQUEST
        )
        deadline = time.monotonic() + max(call.number("timeout") or 0.0, 0.0)
        while True:
            self._refuse_polling_with_webhook()
            if generation != self._poll_generation:
                raise TelegramApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if self._pending_updates or self._closing or remaining <= 0:
                break
            await self._updates_signal.wait(remaining)
        batch = list(itertools.islice(self._pending_updates, limit))
        now = time.monotonic()
        for update in batch:
            tracking = self._tracking.get(update["update_id"])
            if tracking is not None and not tracking.delivered.is_set():
                tracking.delivered_at = now
                tracking.delivered.set()
        return batch

    def _refuse_polling_with_webhook(self) -> None:
        if self._webhook is not None:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )

    def _confirm_updates(self, offset: int) -> None:
        pending = self._pending_updates
        if offset < 0:  # keep only the last -offset updates
            while len(pending) > -offset:
                pending.popleft()
            return
        while pending and pending[0]["update_id"] < offset:
            pending.popleft()

    async def _set_my_commands(self, call: _Call) -> bool:
        commands = call.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("commands must be an Array of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand: BotCommand must be an Object")
            if not _COMMAND.match(str(command.get("command", "")).removeprefix("/")):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._command_scope_key(call)
        if commands:
            self._commands[key] = [
                {"command": str(c["command"]).removeprefix("/"), "description": c["description"]}
                for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, call: _Call) -> list[JsonDict]:
        return self._commands.get(self._command_scope_key(call), [])

    async def _delete_my_commands(self, call: _Call) -> bool:
        self._commands.pop(self._command_scope_key(call), None)
        return True

    def _command_scope_key(self, call: _Call) -> tuple[str, int | None, int | None, str]:
        scope = call.get("scope") or {"type": "default"}
        kind = scope.get("type", "default")
        chat_id = scope.get("chat_id")
        if kind in ("chat", "chat_administrators", "chat_member"):
            try:
                chat_id = int(chat_id)
            except (TypeError, ValueError):
                chat_id = None
            if chat_id not in self._users:
                raise _bad_request("chat not found")
        user_id = scope.get("user_id")
        return kind, chat_id, int(user_id) if user_id else None, call.text("language_code") or ""

    def _commands_for(self, user_id: int, language_code: str | None) -> list[JsonDict]:
        # Telegram's order for a private chat: the chat, all private chats, default; each with
        # the user's language first.
        languages = [language_code, ""] if language_code else [""]
        for kind, chat_id in (("chat", user_id), ("all_private_chats", None), ("default", None)):
            for language in languages:
                commands = self._commands.get((kind, chat_id, None, language))
                if commands:
                    return commands
        return []

    async def _set_chat_menu_button(self, call: _Call) -> bool:
        chat_id = self._chat(call, refuse_if_blocked=False).id if call.get("chat_id") else None
        self._menu_buttons[chat_id] = call.get("menu_button") or {"type": "default"}
        return True

    async def _get_chat_menu_button(self, call: _Call) -> JsonDict:
        chat_id = self._chat(call, refuse_if_blocked=False).id if call.get("chat_id") else None
        for key in (chat_id, None):
            button = self._menu_buttons.get(key)
            if button is not None and button.get("type") != "default":
                return button
        return {"type": "commands"}

    async def _send_message(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        content = self._message_text(call)
        return self._post(call, chat, content, self._reply_markup(call)).data

    async def _edit_message_text(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        message = self._message_to_edit(call, chat)
        if "text" not in message.data:
            raise _bad_request("there is no text in the message to edit")
        content = self._message_text(call)
        changes = {
            "text": content["text"],
            "entities": content.get("entities"),
            "reply_markup": self._reply_markup(call, inline_only=True),
        }
        return self._apply_edit(chat, message, changes)

    async def _edit_message_caption(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        message = self._message_to_edit(call, chat)
        if "text" in message.data or "poll" in message.data:
            raise _bad_request("there is no caption in the message to edit")
        caption = self._caption(call)
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "reply_markup": self._reply_markup(call, inline_only=True),
        }
        return self._apply_edit(chat, message, changes)

    async def _edit_message_reply_markup(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        message = self._message_to_edit(call, chat)
        changes = {"reply_markup": self._reply_markup(call, inline_only=True)}
        return self._apply_edit(chat, message, changes)

    async def _delete_message(self, call: _Call) -> bool:
        chat = self._chat(call, refuse_if_blocked=False)
        message = chat.visible(call.integer("message_id") or 0)
        if message is None:
            raise _bad_request("message to delete not found")
        chat.delete(message)
        return True

    async def _answer_callback_query(self, call: _Call) -> bool:
        user_id = self._callback_queries.pop(call.text("callback_query_id") or "", None)
        if user_id is None:
            raise TelegramApiError(400, QUERY_TOO_OLD)
        chat = self._users[user_id].chat
        call.chat = chat
        text = call.text("text")
        if text:
            chat.last_alert = text
            chat.record("alert", text=text, show_alert=call.flag("show_alert"))
        return True

    async def _send_document(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        stored = self._input_file(call, call.get("document"), "document")
        content = {"document": self._document_json(stored), **self._caption(call)}
        return self._post(call, chat, content, self._reply_markup(call)).data

    async def _send_photo(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        stored = self._input_file(call, call.get("photo"), "photo")
        content = {"photo": self._photo_sizes(stored), **self._caption(call)}
        return self._post(call, chat, content, self._reply_markup(call)).data

    async def _send_media_group(self, call: _Call) -> list[JsonDict]:
        chat = self._chat(call)
        media = call.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad_request("media group must have from 2 to 10 media")
        media_group_id = str(next(self._media_group_ids))
        contents = []
        for item in media:
            kind = item.get("type")
            if kind not in ("photo", "document"):
                raise _bad_request(f"media type {kind!r} is not supported by the emulator")
            stored = self._input_file(call, item.get("media"), kind)
            # Each item formats its own caption, with the same rules as a sendPhoto's.
            caption_fields = ("caption", "parse_mode", "caption_entities")
            item_call = _Call(
                call.token,
                {key: item[key] for key in caption_fields if key in item},
                {},
            )
            attachment = (
                self._photo_sizes(stored) if kind == "photo" else self._document_json(stored)
            )
            contents.append(
                {kind: attachment, "media_group_id": media_group_id, **self._caption(item_call)}
            )
        return [self._post(call, chat, content, None).data for content in contents]

    async def _send_poll(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        question = call.text("question") or ""
        if not question.strip():
            raise _bad_request("poll question must be non-empty")
        if utf16_length(question) > 300:
            raise _bad_request("poll question length must not exceed 300")
        options = [
            option if isinstance(option, str) else str(option.get("text", ""))
            for option in call.get("options") or []
        ]
        if len(options) < 2:
            raise _bad_request("poll must have at least 2 option")
        if len(options) > MAX_POLL_OPTIONS:
            raise _bad_request(f"poll can't have more than {MAX_POLL_OPTIONS} options")
        if any(not option.strip() for option in options):
            raise _bad_request("poll options must be non-empty")
        poll = {
            "id": str(next(self._poll_ids)),
            "question": question,
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": str(index)}
                for index, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": call.flag("is_anonymous", default=True),
            "type": call.text("type") or "regular",
            "allows_multiple_answers": call.flag("allows_multiple_answers"),
            "allows_revoting": True,
            "members_only": False,
        }
        return self._post(call, chat, {"poll": poll}, self._reply_markup(call)).data

    async def _stop_poll(self, call: _Call) -> JsonDict:
        chat = self._chat(call, refuse_if_blocked=False)
        message = chat.visible(call.integer("message_id") or 0)
        if message is None or "poll" not in message.data:
            raise _bad_request("message with poll to stop not found")
        poll = message.data["poll"]
        if poll["is_closed"]:
            raise _bad_request("poll has already been closed")
        poll["is_closed"] = True
        markup = self._reply_markup(call, inline_only=True)
        if markup is not None:
            message.data["reply_markup"] = markup
        chat.edited(message)
        return poll

    async def _send_chat_action(self, call: _Call) -> bool:
        self._chat(call)
        return True

    async def _get_chat(self, call: _Call) -> JsonDict:
        chat = self._chat(call, refuse_if_blocked=False)
        return {
            **chat.json,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_file(self, call: _Call) -> JsonDict:
        stored = self._files.get(call.text("file_id") or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        if stored.size > self.download_limit_bytes:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    # -- files -------------------------------------------------------------------------------

    def _store_file(
        self,
        content: bytes,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._file_numbers)
        suffix = PurePosixPath(file_name).suffix if file_name else ""
        stored = StoredFile(
            kind=kind,
            file_id=f"{kind}-{number:06d}-emulated",
            file_unique_id=f"u{number:06d}",
            file_path=f"{kind}s/file_{number}{suffix}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _store_upload(
        self, content: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        kind = "document" if file_name else "photo"
        return self._store_file(content, kind=kind, file_name=file_name, mime_type=mime_type)

    def _input_file(self, call: _Call, value: Any, kind: str) -> StoredFile:
        """An uploaded part, an ``attach://name`` reference, or the id of a known file.

        ``kind`` is "document" or "photo", which is also the name of the upload field.
        """
        upload = call.uploads.get(kind) if value is None else None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise _bad_request(f"file {value} not found in the request")
        if upload is not None:
            if not upload.content:
                raise _bad_request("file must be non-empty")
            file_name = upload.file_name if kind == "document" else None
            return self._store_file(
                upload.content, kind=kind, file_name=file_name, mime_type=upload.mime_type
            )
        if value is None:
            raise _bad_request(f"there is no {kind} in the request")
        stored = self._files.get(str(value))
        if stored is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise _bad_request("type of file mismatch")
        return stored

    def _document_json(self, stored: StoredFile) -> JsonDict:
        document: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    def _photo_sizes(self, stored: StoredFile) -> list[JsonDict]:
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.size,
                "width": PHOTO_WIDTH,
                "height": PHOTO_HEIGHT,
            }
        ]


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise _bad_request("reply markup is too long")
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict):
            raise _bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        if not isinstance(button.get("text"), str):
            raise _bad_request(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        actions = [action for action in INLINE_BUTTON_ACTIONS if action in button]
        if not actions:
            raise _bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the "
                "inline keyboard"
            )
        if len(actions) > 1:
            raise _bad_request(
                f"can't parse inline keyboard button: exactly one of {actions} must be used"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad_request("BUTTON_DATA_INVALID")
        if "url" in button and not _URL_BUTTON.match(str(button["url"])):
            raise _bad_request(
                f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
            )


async def _read_parameters(request: web.Request) -> tuple[JsonDict, dict[str, _Upload]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    values: JsonDict = dict(request.query)
    uploads: dict[str, _Upload] = {}
    if not request.body_exists:
        return values, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad_request("can't parse JSON object") from None
        if isinstance(body, dict):
            values.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                uploads[name] = _Upload(value.filename, value.content_type, value.file.read())
            else:
                values[name] = value
    return values, uploads


class _ClientApi:
    """The JSON API of the browser playground, under ``/_emulator/``.

    It drives the same SimulatedUser internals as the tests, but never waits for the bot:
    the page learns about replies from the event stream.
    """

    PREFIX = "/_emulator"

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    def register(self, router: web.UrlDispatcher) -> None:
        chat = f"{self.PREFIX}/chats/{{user_id:\\d+}}"
        router.add_get(f"{self.PREFIX}/users", self.list_users)
        router.add_post(f"{self.PREFIX}/users", self.create_user)
        router.add_get(f"{chat}/history", self.history)
        router.add_get(f"{chat}/events", self.events)
        router.add_post(f"{chat}/send", self.send)
        router.add_post(f"{chat}/tap", self.tap)
        router.add_post(f"{chat}/contact", self.contact)
        router.add_post(f"{chat}/upload", self.upload)
        router.add_get(f"{chat}/commands", self.commands)
        router.add_get(f"{self.PREFIX}/files/{{file_id}}", self.file)

    # -- serialization -----------------------------------------------------------------------

    @staticmethod
    def user_json(user: SimulatedUser) -> JsonDict:
        return {**user.json, "blocked": user.chat.blocked}

    def message_json(self, message: ChatMessage) -> JsonDict:
        data = message.data
        text = data.get("text", data.get("caption", ""))
        entities = data.get("entities", data.get("caption_entities", []))
        entry: JsonDict = {
            "message_id": message.message_id,
            "from_bot": message.from_bot,
            "date": data["date"],
            "edit_date": data.get("edit_date"),
            "deleted": message.deleted,
            "text": text,
            "entities": entities,
            "html": to_html(text, entities),
            "reply_markup": data.get("reply_markup"),
            "reply_to_message_id": data.get("reply_to_message", {}).get("message_id"),
            "media_group_id": data.get("media_group_id"),
        }
        if "document" in data:
            entry["document"] = {**data["document"], "url": self.file_url(data["document"])}
        if "photo" in data:
            largest = data["photo"][-1]
            entry["photo"] = {**largest, "url": self.file_url(largest)}
        for key in ("poll", "contact", "sticker"):
            if key in data:
                entry[key] = data[key]
        return entry

    def file_url(self, attachment: JsonDict) -> str:
        return f"{self.PREFIX}/files/{attachment['file_id']}"

    def event_json(self, chat: PrivateChat, event: ChatEvent) -> JsonDict:
        body: JsonDict = {"seq": event.seq, "type": event.kind}
        if event.message_id is not None:
            body["message"] = self.message_json(chat.messages[event.message_id])
        if event.kind == "keyboard":
            body["reply_keyboard"] = chat.reply_keyboard_rows()
        body.update(event.details)
        return body

    # -- handlers ----------------------------------------------------------------------------

    def simulated_user(self, request: web.Request) -> SimulatedUser:
        user = self.emulator._users.get(int(request.match_info["user_id"]))
        if user is None:
            raise web.HTTPNotFound(
                text=json.dumps({"error": "no such user"}), content_type="application/json"
            )
        return user

    async def list_users(self, request: web.Request) -> web.Response:
        return web.json_response([self.user_json(user) for user in self.emulator.users])

    async def create_user(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        user = self.emulator.user(
            body.get("id"),
            first_name=str(body.get("first_name") or "Ana"),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "es"),
            phone_number=body.get("phone_number"),
        )
        return web.json_response(self.user_json(user))

    async def history(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        chat = user.chat
        return web.json_response(
            {
                "user": self.user_json(user),
                "messages": [self.message_json(message) for message in chat.messages.values()],
                "reply_keyboard": chat.reply_keyboard_rows(),
                "last_alert": chat.last_alert,
                "seq": chat.current_seq,
            }
        )

    async def events(self, request: web.Request) -> web.Response:
        """Long poll: the chat's events after ``after``, waiting up to ``timeout`` seconds."""
        chat = self.simulated_user(request).chat
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "25")), MAX_CLIENT_POLL_SECONDS)
        except ValueError:
            raise web.HTTPBadRequest(text="after and timeout must be numbers") from None
        deadline = time.monotonic() + timeout
        while chat.current_seq <= after and not self.emulator._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await chat.signal.wait(remaining)
        start = bisect_right(chat.events, after, key=lambda event: event.seq)
        events = [self.event_json(chat, event) for event in chat.events[start:]]
        return web.json_response({"events": events, "seq": chat.current_seq})

    async def send(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        text = str((await _json_body(request)).get("text") or "")
        if not text.strip():
            raise web.HTTPBadRequest(text="text is empty")
        return self.action_response(user._submit_text(text), self.own_message(user))

    async def tap(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        body = await _json_body(request)
        try:
            message = user._callback_message(int(body["message_id"]))
            update_ids = [user._submit_callback(message, str(body["callback_data"]))]
        except (KeyError, TypeError, ValueError, AssertionError) as error:
            raise web.HTTPBadRequest(text=f"cannot tap: {error}") from None
        return self.action_response(update_ids, None)

    async def contact(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        phone_number = (await _json_body(request)).get("phone_number") or user.phone_number
        update_id = user._submit_contact(str(phone_number))
        return self.action_response([update_id], self.own_message(user))

    async def upload(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        form = await request.post()
        part = form.get("file")
        if not isinstance(part, web.FileField):
            raise web.HTTPBadRequest(text="a multipart 'file' part is required")
        content = part.file.read()
        caption = str(form.get("caption") or "") or None
        if form.get("kind") == "photo":
            update_id = user._submit_photo(content, caption)
        else:
            mime_type = part.content_type or "application/octet-stream"
            update_id = user._submit_document(content, part.filename, mime_type, caption)
        return self.action_response([update_id], self.own_message(user))

    async def commands(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        return web.json_response(self.emulator._commands_for(user.id, user.language_code))

    async def file(self, request: web.Request) -> web.Response:
        stored = self.emulator._files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound(text="no such file")
        headers = {}
        if stored.file_name:
            headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name)}"
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )

    @staticmethod
    def own_message(user: SimulatedUser) -> ChatMessage:
        """The message the user's action has just put into the chat."""
        return user.chat.messages[user.chat.last_message_id]

    def action_response(self, update_ids: list[int], message: ChatMessage | None) -> web.Response:
        """The created updates, and the user's own message if the action made one."""
        # The page learns the outcome from the event stream; nobody waits on these updates.
        self.emulator._forget(update_ids)
        return web.json_response(
            {
                "update_ids": update_ids,
                "message": self.message_json(message) if message is not None else None,
            }
        )


async def _json_body(request: web.Request) -> JsonDict:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body
