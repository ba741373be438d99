"""The people's side: a person on WhatsApp writing to the business number, driven from Python."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.playground.emulator.state import _Signal
from bot.playground.whatsapp.meta import JsonDict
from bot.playground.whatsapp.outgoing import BusinessMessage, Choice
from bot.playground.whatsapp.webhooks import Delivery


@dataclass(frozen=True)
class ReceivedFile:
    """A document or image the business sent, as the person would download it."""

    file_name: str | None
    mime_type: str | None
    content: bytes | None  # None when sent by link (the stand-in never fetches links)
    caption: str


@dataclass(frozen=True)
class ChatEntry:
    """One message of the chat as the person's phone shows it, in either direction."""

    seq: int
    business: BusinessMessage | None = None  # from the business
    written: JsonDict | None = None  # from the person, as in the webhook


class StandInForPeople(Protocol):
    """What a ``WhatsAppPerson`` uses of its ``CloudApiStandIn`` (``server`` imports this module)."""

    display_phone_number: str
    action_timeout: float

    def _inbound(self, person: WhatsAppPerson, kind: str, content: JsonDict) -> Delivery: ...

    def _next_seq(self) -> int: ...

    def _store_media(self, content: bytes, *, mime_type: str, file_name: str | None, by: str) -> str: ...

    def _media_content(self, media_id: str) -> tuple[bytes, str, str | None] | None: ...

    def _read_by(self, person: WhatsAppPerson) -> int: ...

    async def _await_handled(self, person: WhatsAppPerson, delivery: Delivery) -> None: ...


class WhatsAppPerson:
    """A person on WhatsApp (``wa_id``, profile name and business-scoped user id).

    Actions return once the bot has answered the webhook with a 200 and then handled it (see
    ``CloudApiStandIn.expect_processed_signal``); readings say what the person has received.
    """

    def __init__(
        self, standin: StandInForPeople, *, wa_id: str, name: str, user_id: str, hides_number: bool = False
    ) -> None:
        self._standin = standin
        self.wa_id = wa_id
        self.name = name
        self.user_id = user_id  # the BSUID
        self.hides_number = hides_number  # a username instead of the number: no wa_id in webhooks
        self.reachable = True  # False: not on WhatsApp (any send fails later with 131026)
        self.read_receipts = True
        # True: Meta's per-person marketing cap is reached; a marketing template is accepted,
        # then reported failed with 131049 ("healthy ecosystem engagement"), as Meta does.
        self.marketing_capped = False
        self.last_wrote_at: datetime | None = None  # opens the 24-hour window
        self.received: list[BusinessMessage] = []  # delivered, oldest first
        self.failed: list[BusinessMessage] = []  # accepted by the API, never delivered
        self.written: list[JsonDict] = []  # the person's messages, as in the webhooks
        self.marked_read: set[str] = set()  # ids of those the business marked as read
        self.last_bot_request_at = 0.0  # monotonic time of the bot's last send to this person
        self._action_index = 0  # len(received) at the last action
        self._seen_index = 0  # up to here the test has waited for messages
        self._arrived = asyncio.Event()
        self.chat: list[ChatEntry] = []  # both directions, for the playground's page
        self.chat_changed = _Signal()

    def __repr__(self) -> str:
        return f"<WhatsAppPerson {self.wa_id} {self.name!r}>"

    @property
    def address(self) -> str:
        """How the business addresses this person: the number, or the BSUID if hidden."""
        return self.user_id if self.hides_number else self.wa_id

    def contact_json(self, *, with_user_id: bool) -> JsonDict:
        contact: JsonDict = {"profile": {"name": self.name}}
        if not self.hides_number:
            contact["wa_id"] = self.wa_id
        if with_user_id or self.hides_number:
            contact["user_id"] = self.user_id
        return contact

    # -- actions -----------------------------------------------------------------------------

    async def writes(self, text: str) -> str:
        """Send a text; returns its wamid."""
        return await self._act("text", {"text": {"body": text}})

    async def presses(self, choice_id: str) -> str:
        """Tap the reply button, list row or template button with this id, on the newest
        message that has it (the webhook carries ``context.id`` of that message)."""
        found = self._find_choice(choice_id)
        if found is not None:
            return await self._press(*found)
        raise AssertionError(f"{self!r} has no choice with id {choice_id!r}; they see {self.choices}")

    async def chooses(self, title: str) -> str:
        """Tap a choice by its visible title (exact, else a unique case-insensitive part)."""
        for message in reversed(self.received):
            exact = [choice for choice in message.choices if choice.title == title]
            partial = [choice for choice in message.choices if title.lower() in choice.title.lower()]
            found = exact or (partial if len(partial) == 1 else [])
            if found:
                return await self._press(message, found[0])
        raise AssertionError(f"{self!r} sees no choice {title!r}; they see {self.choices}")

    async def sends_image(self, content: bytes, *, caption: str | None = None, mime_type: str = "image/jpeg") -> str:
        return await self._send_media("image", content, mime_type=mime_type, file_name=None, caption=caption)

    async def sends_document(
        self, content: bytes, file_name: str, *, mime_type: str = "application/pdf", caption: str | None = None
    ) -> str:
        return await self._send_media("document", content, mime_type=mime_type, file_name=file_name, caption=caption)

    async def shares_location(
        self, latitude: float, longitude: float, *, name: str | None = None, address: str | None = None
    ) -> str:
        location: JsonDict = {"latitude": latitude, "longitude": longitude}
        location.update({k: v for k, v in {"name": name, "address": address}.items() if v})
        return await self._act("location", {"location": location})

    async def shares_contact(self, name: str, phone: str, *, wa_id: str | None = None) -> str:
        first = name.split()[0] if name.split() else name
        phone_entry: JsonDict = {"phone": phone, "type": "CELL"}
        if wa_id:
            phone_entry["wa_id"] = wa_id
        card = {"name": {"formatted_name": name, "first_name": first}, "phones": [phone_entry]}
        return await self._act("contacts", {"contacts": [card]})

    async def sends_unsupported(self) -> str:
        """A message kind the Cloud API does not pass on (a poll, a view-once photo…)."""
        error = {
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."},
        }
        return await self._act("unsupported", {"errors": [error]})

    async def reads(self) -> int:
        """Open the chat: the business gets ``read`` for what it delivered (if receipts are on)."""
        return self._standin._read_by(self)

    async def wait_for_message(self, timeout: float = 5.0) -> BusinessMessage:  # noqa: ASYNC109
        """Wait for a message this test has not waited for yet (reminders, notices)."""
        deadline = time.monotonic() + timeout
        while len(self.received) <= self._seen_index:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self!r} got nothing within {timeout}s; the last reads {self.last_text!r}")
            self._arrived.clear()
            try:
                async with asyncio.timeout(remaining):
                    await self._arrived.wait()
            except TimeoutError:
                pass
        self._seen_index = len(self.received)
        return self.received[-1]

    # -- readings ----------------------------------------------------------------------------

    @property
    def last(self) -> BusinessMessage | None:
        return self.received[-1] if self.received else None

    @property
    def last_text(self) -> str:
        return self.received[-1].text if self.received else ""

    @property
    def replies(self) -> list[BusinessMessage]:
        """What arrived since the person's last action, oldest first."""
        return self.received[self._action_index :]

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.replies]

    @property
    def choices(self) -> list[Choice]:
        """The buttons or rows of the newest message that has any."""
        for message in reversed(self.received):
            if message.choices:
                return list(message.choices)
        return []

    @property
    def files(self) -> list[ReceivedFile]:
        found: list[ReceivedFile] = []
        for message in self.received:
            if message.kind not in ("document", "image"):
                continue
            stored = self._standin._media_content(message.media_id) if message.media_id else None
            content, mime_type, file_name = stored if stored else (None, None, None)
            found.append(ReceivedFile(message.file_name or file_name, mime_type, content, message.text))
        return found

    # -- internals ---------------------------------------------------------------------------

    def _delivered(self, message: BusinessMessage) -> None:
        self.received.append(message)
        self._arrived.set()
        self.chat.append(ChatEntry(self._standin._next_seq(), business=message))
        self.chat_changed.notify()

    def _wrote(self, message: JsonDict) -> None:
        self.written.append(message)
        self.chat.append(ChatEntry(self._standin._next_seq(), written=message))
        self.chat_changed.notify()

    async def _press(self, message: BusinessMessage, choice: Choice) -> str:
        return await self._act(*self._press_content(message, choice))

    def _press_content(self, message: BusinessMessage, choice: Choice) -> tuple[str, JsonDict]:
        context = {"from": self._standin.display_phone_number, "id": message.id}
        if message.kind == "template":
            return "button", {"button": {"payload": choice.id, "text": choice.title}, "context": context}
        if message.kind == "list":
            reply = {"id": choice.id, "title": choice.title, "description": choice.description}
            interactive: JsonDict = {"type": "list_reply", "list_reply": reply}
        else:
            interactive = {"type": "button_reply", "button_reply": {"id": choice.id, "title": choice.title}}
        return "interactive", {"interactive": interactive, "context": context}

    def _find_choice(self, choice_id: str) -> tuple[BusinessMessage, Choice] | None:
        for message in reversed(self.received):
            for choice in message.choices:
                if choice.id == choice_id:
                    return message, choice
        return None

    async def _send_media(
        self, kind: str, content: bytes, *, mime_type: str, file_name: str | None, caption: str | None
    ) -> str:
        return await self._act(*self._media_message(kind, content, mime_type=mime_type, file_name=file_name, caption=caption))

    def _media_message(
        self, kind: str, content: bytes, *, mime_type: str, file_name: str | None, caption: str | None
    ) -> tuple[str, JsonDict]:
        media_id = self._standin._store_media(content, mime_type=mime_type, file_name=file_name, by="person")
        media: JsonDict = {"mime_type": mime_type, "sha256": hashlib.sha256(content).hexdigest(), "id": media_id}
        if file_name is not None:
            media["filename"] = file_name
        if caption:
            media["caption"] = caption
        return kind, {kind: media}

    def _submit(self, kind: str, content: JsonDict) -> Delivery:
        """Put a message from this person on its way to the bot, without waiting."""
        self._action_index = len(self.received)
        return self._standin._inbound(self, kind, content)

    async def _act(self, kind: str, content: JsonDict) -> str:
        delivery = self._submit(kind, content)
        await self._standin._await_handled(self, delivery)
        self._seen_index = len(self.received)
        return delivery.message_id
