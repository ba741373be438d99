"""The emulator's state: Telegram's limits and errors, chats, messages, events and files."""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

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
# What Telegram's tokens look like: the bot's id, a colon, a secret.
TOKEN_FORM = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]+$")
# Update kinds a bot gets when it never said which (getUpdates or setWebhook allowed_updates).
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
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


class Numbers:
    """Ids handed out in order, like ``itertools.count``, but with a next value one can save."""

    def __init__(self, upcoming: int) -> None:
        self.upcoming = upcoming

    def __iter__(self) -> Numbers:
        return self

    def __next__(self) -> int:
        value = self.upcoming
        self.upcoming += 1
        return value


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


CommandScopeKey = tuple[str, int | None, int | None, str]


class EmulatedBot:
    """One bot of the emulator, named by its token: its identity, its updates and its menus.

    The simulated people talk to the emulator's first bot (``BotApiEmulator.bot``); another
    bot (``add_bot``) has its own updates and menus and, as in Telegram, cannot write to a
    person who never started it.
    """

    def __init__(self, token: str | None, *, username: str, first_name: str) -> None:
        self.token = token  # None until the first request claims the bot
        self.username = username
        self.first_name = first_name
        self.pending_updates: deque[JsonDict] = deque()
        self.updates_signal = _Signal()
        self.poll_generation = 0
        self.webhook: JsonDict | None = None
        self.allowed_updates: frozenset[str] | None = None  # None: all but NOT_SENT_BY_DEFAULT
        self.commands: dict[CommandScopeKey, list[JsonDict]] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}

    @property
    def id(self) -> int:
        prefix = (self.token or "").partition(":")[0]
        return int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID

    def user_json(self) -> JsonDict:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def wants(self, update: JsonDict) -> bool:
        """Whether ``allowed_updates`` lets this update through."""
        kind = next((key for key in update if key != "update_id"), "")
        if self.allowed_updates is None:
            return kind not in NOT_SENT_BY_DEFAULT
        return kind in self.allowed_updates


def _button_label(button: str | JsonDict) -> str:
    return button if isinstance(button, str) else str(button.get("text", ""))


def _normalize_entities(entities: list[JsonDict] | None) -> list[JsonDict]:
    return sorted(entities or [], key=lambda entity: (entity["offset"], -entity["length"]))


class PrivateChat:
    """The state of one private chat between the bot and a user."""

    def __init__(
        self,
        user: JsonDict,
        next_seq: Callable[[], int],
        changed: Callable[[PrivateChat], None] | None = None,
    ) -> None:
        self.id: int = user["id"]
        self.json: JsonDict = {"type": "private", **user}
        self.json.pop("is_bot", None)
        self.json.pop("language_code", None)
        self._next_seq = next_seq
        self._changed = changed  # told after every change the page can see (see record)
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
        """Note a change already made to the chat, for the page and for whoever keeps chats."""
        event = ChatEvent(self._next_seq(), kind, message_id, details)
        self.events.append(event)
        if self._changed is not None:
            self._changed(self)
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
