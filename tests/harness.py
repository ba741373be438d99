"""The bot under test: the real Application, polling the project's Bot API emulator over HTTP.

Tests talk to it the way people do, through `SimulatedUser`s of the emulator: they send text,
tap buttons, upload files and read what the bot sent back.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from telegram import Update

from bot.core.clock import FakeClock
from bot.core.config import Settings, load_settings
from bot.core.db import Database
from bot.core.runtime import Runtime
from bot.core.textlimits import cut_labels
from bot.playground.emulator import BotApiEmulator, SimulatedUser
from handlers.app import build_application, start_in_loop, stop_in_loop
from handlers.context import VocesApplication

BOT_TOKEN = "7000000001:TEST-token-for-the-emulator"
STAFF_TELEGRAM_ID = 900_001
TEST_ID_KEY = Fernet.generate_key().decode()


class ObservedApplication(VocesApplication):
    """Tells the emulator when an update is fully handled, so a test's next line reads the
    bot's complete answer instead of sleeping and hoping."""

    emulator: BotApiEmulator

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if isinstance(update, Update):
                self.emulator.mark_processed(update.update_id)


@dataclass
class BotUnderTest:
    emulator: BotApiEmulator
    database_url: str
    storage_dir: Path
    clock: FakeClock = field(default_factory=FakeClock)
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    application: ObservedApplication | None = None
    runtime: Runtime | None = None

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "bot_token": BOT_TOKEN,
            "bot_api_base_url": self.emulator.base_url,
            "bot_api_file_url": self.emulator.base_file_url,
            "database_url": self.database_url,
            "admin_ids": frozenset({STAFF_TELEGRAM_ID}),
            "id_encryption_key": TEST_ID_KEY,
            "storage_dir": self.storage_dir,
            "_env_file": None,
        }
        values.update(self.settings_overrides)
        return load_settings(**values)

    async def start(self) -> None:
        self.runtime = Runtime(settings=self.settings(), database=Database(self.database_url), clock=self.clock)
        application = build_application(self.runtime, application_class=ObservedApplication)
        application.emulator = self.emulator
        self.application = application
        await start_in_loop(application, poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)

    async def stop(self) -> None:
        application = self.application
        if application is None:
            return
        await stop_in_loop(application)
        assert self.runtime is not None
        in_use = await connections_let_go(self.runtime.database)
        await self.runtime.database.dispose()
        self.application = None
        assert not in_use, (
            f"the bot stopped with {in_use} database connection(s) still in use: a task of it outlived the stop "
            "(at SIGTERM it would be cut off mid-statement; in the tests it can hang aiosqlite at the loop's end)"
        )

    async def restart(self) -> None:
        """Stop this Application and start a brand-new one on the same database."""
        await self.stop()
        await self.start()

    async def run_reminders(self) -> int:
        """What the periodic job does, now: deliver every reminder due by the fake clock."""
        assert self.runtime is not None
        return await self.runtime.reminders.run_due()

    def user(self, user_id: int | None = None, **kwargs: Any) -> SimulatedUser:
        return self.emulator.user(user_id, **kwargs)

    async def session(self):  # noqa: ANN201 - an async context manager
        assert self.runtime is not None
        return self.runtime.database.session()


async def connections_let_go(database: Database, *, within: float = 5.0) -> int:
    """How many connections were still checked out when the bot stopped (0: none). Waits for
    them to come back first, so a task left behind ends now rather than at the loop's close."""
    pool = database.engine.pool
    in_use = pool.checkedout()  # type: ignore[attr-defined]
    deadline = asyncio.get_running_loop().time() + within
    while pool.checkedout() and asyncio.get_running_loop().time() < deadline:  # type: ignore[attr-defined]  # noqa: ASYNC110 - a pool has no event for it
        await asyncio.sleep(0.01)
    return in_use


def labels_cut_on_a_phone(emulator: BotApiEmulator) -> list[str]:
    """Every label of every inline keyboard the bot sent or edited in that a phone would cut
    (the row rule of `bot.core.textlimits`: a row of k buttons shows labels of 32/k − 2 characters)."""
    cut: list[str] = []
    for call in emulator.calls:
        markup = call.params.get("reply_markup")
        if call.error is None and isinstance(markup, dict) and isinstance(markup.get("inline_keyboard"), list):
            rows = [[str(button.get("text", "")) for button in row] for row in markup["inline_keyboard"]]
            cut += [found for found in cut_labels(rows) if found not in cut]
    return cut


async def make_database(template_url: str, backend: str, workdir: Path) -> str:
    """A fresh, migrated database for one test, copied from the session's template."""
    if backend == "sqlite":
        source = Path(make_url(template_url).database or "")
        target = workdir / f"voces-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(source, target)
        return f"sqlite+aiosqlite:///{target}"
    import asyncpg

    url = make_url(template_url)
    name = f"voces_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host, port=url.port or 5432, database="postgres"
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
    finally:
        await admin.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def answered(person: Any) -> None:
    """For a bot in another process: the emulator has no "handled" signal from it and waits for a
    moment of quiet, which a loaded machine can outlast before the first answer; wait for it."""
    if not person.replies:
        await person.wait_for_reply(timeout=20)
