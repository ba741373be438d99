"""PTB persistence backed by the project's database instead of pickle files.

Conversation steps are also written *at once* by `handlers.common.ask` before the bot asks the
next question, so a `kill -9` between the reply and PTB's periodic flush cannot leave a person
one step behind the question they see. PTB's flush then writes the same value again.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.clock import Clock
from bot.db import Database
from bot.services import conversations as store


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, database: Database, clock: Clock, *, update_interval: float = 30) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.database = database
        self.clock = clock

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self.database.session() as session:
            return await store.load_steps(session, flow=name)  # type: ignore[return-value]

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        async with self.database.session() as session:
            await store.save_step(session, flow=name, key=key, step=new_state, now=self.clock.now())

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        async with self.database.session() as session:
            return await store.load_user_data(session)

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        async with self.database.session() as session:
            if not data:
                # PTB flushes everyone who wrote, data or not: an empty row would only keep a
                # Telegram id (an erased person's, say) for nothing.
                await store.drop_user_data(session, user_id=user_id)
                return
            await store.save_user_data(session, user_id=user_id, data=deepcopy(data))

    async def drop_user_data(self, user_id: int) -> None:
        async with self.database.session() as session:
            await store.drop_user_data(session, user_id=user_id)

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
