"""PTB persistence backed by the project's database instead of pickle files.

Conversation steps are also written *at once* by `handlers.common.ask` before the bot asks the
next question, so a `kill -9` between the reply and PTB's periodic flush cannot leave a person
one step behind the question they see. PTB's flush then offers the same value again; the
persistence remembers what is committed (only once the commit happened: `bot.core.db.after_commit`)
and skips writing it twice, as it skips deleting user data that has no row. Under a crowd
those repeated writes were most of the bot's transactions (bench/README.md, conversation).
This process is the only writer of these rows (one active instance per database).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.core import conversations as store
from bot.core.clock import Clock
from bot.core.db import Database, after_commit


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, database: Database, clock: Clock, *, update_interval: float = 30) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.database = database
        self.clock = clock
        # What the database holds, as far as this process committed it: a flow's steps once
        # loaded (a key missing there has no row), and the people who have a user-data row.
        self._stored_steps: dict[str, dict[ConversationKey, object]] = {}
        self._with_user_data: set[int] = set()

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self.database.session() as session:
            steps = await store.load_steps(session, flow=name)
        self._stored_steps[name] = dict(steps)
        return steps  # type: ignore[return-value]

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        stored = self._stored_steps.get(name)
        if stored is not None and stored.get(key) == new_state:
            return  # already committed (by handlers.common.ask, before the bot asked)
        async with self.database.session() as session:
            await store.save_step(session, flow=name, key=key, step=new_state, now=self.clock.now())
            if stored is not None:
                after_commit(session, lambda: self._remember_step(stored, key, new_state))

    @staticmethod
    def _remember_step(stored: dict[ConversationKey, object], key: ConversationKey, state: object | None) -> None:
        if state is None:
            stored.pop(key, None)
        else:
            stored[key] = state

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        async with self.database.session() as session:
            data = await store.load_user_data(session)
        self._with_user_data = set(data)
        return data

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        if not data:
            # PTB flushes everyone who wrote, data or not: an empty row would only keep a
            # Telegram id (an erased person's, say) for nothing.
            await self.drop_user_data(user_id)
            return
        async with self.database.session() as session:
            await store.save_user_data(session, user_id=user_id, data=deepcopy(data))
            after_commit(session, lambda: self._with_user_data.add(user_id))

    async def drop_user_data(self, user_id: int) -> None:
        if user_id not in self._with_user_data:
            return
        async with self.database.session() as session:
            await store.drop_user_data(session, user_id=user_id)
            after_commit(session, lambda: self._with_user_data.discard(user_id))

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        pass

    # Not kept: the domain holds everything that matters in its own tables.
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        pass

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        pass

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        pass

    async def flush(self) -> None:
        pass
