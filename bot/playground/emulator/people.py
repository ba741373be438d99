"""The people's side: a simulated Telegram user in a private chat, driven from Python."""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass

from bot.playground.emulator.ports import EmulatorForPeople
from bot.playground.emulator.state import (
    _LEADING_BOT_COMMAND,
    MAX_LABELS_IN_ERRORS,
    ChatMessage,
    JsonDict,
    PrivateChat,
    SentFile,
    _button_label,
)
from bot.playground.telegram_html import utf16_length


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

    def __init__(self, emulator: EmulatorForPeople, user: JsonDict, phone_number: str | None) -> None:
        self._emulator = emulator
        self.json = user
        self.id: int = user["id"]
        self.first_name: str = user["first_name"]
        self.language_code: str | None = user.get("language_code")
        # Telegram apps often share numbers without the '+', so the default does too.
        self.phone_number = phone_number or f"519{self.id % 10**8:08d}"
        self.chat = PrivateChat(user, emulator._next_seq, emulator._chat_changed)

    def __repr__(self) -> str:
        return f"<SimulatedUser {self.id} {self.first_name!r}>"

    # -- actions -----------------------------------------------------------------------------

    async def sends(self, text: str) -> None:
        """Send a text; a leading ``/command`` gets its bot_command entity as in Telegram."""
        await self._finish(self._submit_text(text))

    async def forwards(self, text: str, *, sender: SimulatedUser | None = None, hidden_name: str | None = None) -> int:
        """Forward to the bot a text message that `sender` wrote elsewhere (a group, another
        chat). A sender who hides their account in forwards is `hidden_name` only, as Telegram
        sends it. Returns the forwarded message's id in this chat, to reply to."""
        self._begin_action()
        if hidden_name is not None:
            origin: JsonDict = {"type": "hidden_user", "date": self._emulator._timestamp(), "sender_user_name": hidden_name}
        elif sender is not None:
            origin = {"type": "user", "date": self._emulator._timestamp(), "sender_user": sender.json}
        else:
            raise ValueError("forwards() needs the sender or the hidden name")
        message_id = self.chat.last_message_id + 1
        await self._finish([self._message_update({"text": text, "forward_origin": origin})])
        return message_id

    async def replies_to(self, message_id: int, text: str) -> None:
        """Send a text as a reply to a message of this chat (swipe left, or "Reply")."""
        self._begin_action()
        content: JsonDict = {"text": text, "reply_to_message": self.chat.messages[message_id].data}
        command = _LEADING_BOT_COMMAND.match(text)
        if command:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_length(command.group())}]
        await self._finish([self._message_update(content)])

    async def taps(self, label: str) -> list[int]:
        """Press a button by its exact label, else by a unique case-insensitive part of it.

        Inline buttons send a callback query; reply keyboard buttons send their text (or the
        user's contact for ``request_contact``). Newer messages win over older ones. Returns
        the update ids delivered, which say the order Telegram delivered presses in.
        """
        update_ids = self._submit_tap(self._find_button(label))
        await self._finish(update_ids)
        return update_ids

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
        bot_user = self._emulator.bot.user_json()

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
