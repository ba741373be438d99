"""What the emulator's parts use of ``BotApiEmulator`` (``server``), as Protocols.

``server`` imports ``people``, ``client_api`` and ``archive``; they annotate the emulator they
are given with these ports instead of importing ``server`` back, so the imports go one way.
Each port lists exactly the members its part uses. A person is ``Any`` here: it is a
``people.SimulatedUser``, and ``people`` imports this module, so it cannot be named here.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.playground.emulator.state import (
    ChatMessage,
    EmulatedBot,
    JsonDict,
    Numbers,
    PrivateChat,
    StoredFile,
)


class EmulatorForPeople(Protocol):
    """What a ``SimulatedUser`` (``people``) uses of its emulator."""

    bot: EmulatedBot
    _files: dict[str, StoredFile]
    _media_group_ids: Numbers

    def _next_seq(self) -> int: ...

    def _chat_changed(self, chat: PrivateChat) -> None: ...

    def _timestamp(self) -> int: ...

    def _enqueue_update(self, payload: JsonDict) -> int: ...

    def _enqueue_callback_query(self, user: Any, message: ChatMessage, callback_data: str) -> int: ...

    async def _await_handled(self, chat: PrivateChat, update_ids: list[int]) -> None: ...

    async def _settle(self, chat: PrivateChat, *, since: float) -> None: ...

    def _commands_for(self, user_id: int, language_code: str | None) -> list[JsonDict]: ...

    def _store_file(
        self,
        content: bytes,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile: ...

    def _store_upload(
        self, content: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile: ...

    def _document_json(self, stored: StoredFile) -> JsonDict: ...

    def _photo_sizes(self, stored: StoredFile) -> list[JsonDict]: ...


class EmulatorWithPeople(Protocol):
    """The people in the emulator and its files, as the page and the archive read them."""

    _users: dict[int, Any]
    _files: dict[str, StoredFile]

    @property
    def users(self) -> list[Any]: ...

    def user(
        self,
        user_id: int | None = None,
        *,
        first_name: str = "Ana",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "es",
        phone_number: str | None = None,
    ) -> Any: ...


class EmulatorForPage(EmulatorWithPeople, Protocol):
    """What the browser page's JSON API (``client_api``) uses of the emulator."""

    _closing: bool

    def _commands_for(self, user_id: int, language_code: str | None) -> list[JsonDict]: ...

    def _forget(self, update_ids: list[int]) -> None: ...


class EmulatorForArchive(EmulatorWithPeople, Protocol):
    """What ``ChatArchive`` (``archive``) uses of the emulator; it also reads and sets the id
    counters named in ``archive.COUNTERS`` (``Numbers``) by name."""

    bot: EmulatedBot

    def _remember_file(self, stored: StoredFile) -> None: ...
