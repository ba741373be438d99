"""The emulator's chats kept in a directory, so a restarted playground shows them again.

Telegram keeps every chat; a playground whose database remembers Ana's registration but whose
page shows an empty chat is not Telegram. ``ChatArchive`` writes, as they change:

* ``chats/<user id>.json``: the person and their chat (messages, the reply keyboard, alerts,
  poll votes, the page's events), rewritten after each change of that chat;
* ``files/<file id>``: each file anyone sent, written once;
* ``emulator.json``: the id counters, the files' descriptions and the bot's command menus.

Each write goes to a temporary file that replaces the old one, so a kill -9 at any moment
leaves the previous or the new version, never half of one; the change is on disk before the
Bot API answers the request that made it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from bot.playground.emulator.ports import EmulatorForArchive
from bot.playground.emulator.state import (
    ChatEvent,
    ChatMessage,
    JsonDict,
    PrivateChat,
    StoredFile,
)

log = logging.getLogger(__name__)

FORMAT = 1
COUNTERS = (
    "_seqs", "_update_ids", "_callback_query_ids", "_file_numbers", "_media_group_ids",
    "_poll_ids",
)  # fmt: skip


class ChatArchive:
    """Saves an emulator's chats under ``directory`` and restores them into a fresh one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.chats = directory / "chats"
        self.files = directory / "files"

    # -- restoring ---------------------------------------------------------------------------

    def restore(self, emulator: EmulatorForArchive) -> int:
        """Load what was saved into an emulator that has no users yet; the number of chats."""
        if emulator.users:
            raise RuntimeError("restore saved chats before anyone is in the emulator")
        self.chats.mkdir(parents=True, exist_ok=True)
        self.files.mkdir(parents=True, exist_ok=True)
        state = _read_json(self.directory / "emulator.json") or {}
        for name in COUNTERS:
            if name in state.get("counters", {}):
                getattr(emulator, name).upcoming = int(state["counters"][name])
        for file in state.get("files", []):
            path = self.files / file["file_id"]
            if path.is_file():
                emulator._remember_file(StoredFile(content=path.read_bytes(), **file))
        for entry in state.get("commands", []):
            scope, commands = entry
            emulator.bot.commands[(scope[0], scope[1], scope[2], scope[3])] = commands
        restored = 0
        for path in sorted(self.chats.glob("*.json")):
            saved = _read_json(path)
            if saved is None or saved.get("format") != FORMAT:
                continue
            user = emulator.user(
                saved["user"]["id"],
                first_name=saved["user"]["first_name"],
                last_name=saved["user"].get("last_name"),
                username=saved["user"].get("username"),
                language_code=saved["user"].get("language_code"),
                phone_number=saved.get("phone_number"),
            )
            _restore_chat(user.chat, saved["chat"])
            restored += 1
        return restored

    # -- saving ------------------------------------------------------------------------------

    def chat_changed(self, emulator: EmulatorForArchive, chat: PrivateChat) -> None:
        user = emulator._users.get(chat.id)
        if user is None:  # the chat of a user being created: saved on its first change
            return
        _write_json(
            self.chats / f"{chat.id}.json",
            {
                "format": FORMAT,
                "user": user.json,
                "phone_number": user.phone_number,
                "chat": _chat_json(chat),
            },
        )
        self.state_changed(emulator)

    def file_stored(self, stored: StoredFile) -> None:
        _write_bytes(self.files / stored.file_id, stored.content)

    def state_changed(self, emulator: EmulatorForArchive) -> None:
        _write_json(
            self.directory / "emulator.json",
            {
                "format": FORMAT,
                "counters": {name: getattr(emulator, name).upcoming for name in COUNTERS},
                "files": [_file_json(stored) for stored in emulator._files.values()],
                "commands": [[list(key), value] for key, value in emulator.bot.commands.items()],
            },
        )

    def save_all(self, emulator: EmulatorForArchive) -> None:
        for user in emulator.users:
            self.chat_changed(emulator, user.chat)
        self.state_changed(emulator)


def _chat_json(chat: PrivateChat) -> JsonDict:
    return {
        "messages": [
            {"data": message.data, "from_bot": message.from_bot, "deleted": message.deleted}
            for message in chat.messages.values()
        ],
        "last_message_id": chat.last_message_id,
        "bot_touched": list(chat.bot_touched.items()),
        "events": [
            [event.seq, event.kind, event.message_id, event.details] for event in chat.events
        ],
        "reply_keyboard": chat.reply_keyboard,
        "reply_keyboard_message_id": chat.reply_keyboard_message_id,
        "blocked": chat.blocked,
        "last_alert": chat.last_alert,
        "poll_votes": chat.poll_votes,
    }


def _restore_chat(chat: PrivateChat, saved: JsonDict) -> None:
    for entry in saved["messages"]:
        message = ChatMessage(entry["data"], from_bot=entry["from_bot"], deleted=entry["deleted"])
        chat.messages[message.message_id] = message
    chat.last_message_id = saved["last_message_id"]
    chat.bot_touched = {int(message_id): seq for message_id, seq in saved["bot_touched"]}
    chat.events = [ChatEvent(seq, kind, message_id, details) for seq, kind, message_id, details in saved["events"]]  # fmt: skip
    chat.reply_keyboard = saved["reply_keyboard"]
    chat.reply_keyboard_message_id = saved["reply_keyboard_message_id"]
    chat.blocked = saved["blocked"]
    chat.last_alert = saved["last_alert"]
    chat.poll_votes = saved["poll_votes"]
    # Nothing restored is news to a test or a page: waiting starts after it.
    chat.last_action_seq = chat.seen_seq = chat.current_seq
    chat.last_bot_event_seq = max(chat.bot_touched.values(), default=0)


def _file_json(stored: StoredFile) -> JsonDict:
    return {
        "kind": stored.kind,
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_path": stored.file_path,
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
    }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        log.warning("ignoring the unreadable saved chat file %s", path)
        return None


def _write_json(path: Path, value: Any) -> None:
    _write_bytes(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _write_bytes(path: Path, content: bytes) -> None:
    """Replace ``path`` whole: a kill -9 leaves the old or the new version, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)
