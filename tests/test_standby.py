"""One active bot per database: a second `voces-bot run` waits as the standby and takes over
when the active one is killed, and the person's flow goes on at the step it was at."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.core import instance_lock
from bot.playground.emulator import BotApiEmulator
from tests.harness import answered

CLEAN_ENV = {key: value for key, value in os.environ.items() if not key.startswith(("BOT_", "DATABASE_", "ADMIN_", "WEBHOOK_"))}
STANDBY = "another instance is active on this database; waiting as standby"
ACTIVE = "this instance is now active"
TAKEOVER_LIMIT_SECONDS = 15


class BotProcess:
    """`python -m bot run` in a subprocess, its log in a file (a pipe nobody reads fills up)."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.log_path = workdir / f"bot-{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env={"VOCES_HOME": str(workdir), **env}, cwd=workdir,
                                            stdout=subprocess.DEVNULL, stderr=log)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def wait_for_log(self, line: str, timeout: float = 30) -> None:  # noqa: ASYNC109 (a deadline)
        deadline = time.monotonic() + timeout
        while line not in self.log:
            assert self.process.poll() is None, f"the bot exited:\n{self.log}"
            assert time.monotonic() < deadline, f"the bot never logged {line!r}:\n{self.log}"
            await asyncio.sleep(0.05)

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return await asyncio.to_thread(self.process.wait, 30)  # the emulator keeps answering meanwhile


def polls_started(emulator: BotApiEmulator) -> int:
    """PTB's start_polling calls deleteWebhook once, then polls."""
    return sum(1 for call in list(emulator.calls) if call.method == "deleteWebhook")


async def wait_for_polling(emulator: BotApiEmulator, bot: BotProcess, *, since: int, timeout: float = 30) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while polls_started(emulator) <= since:
        assert bot.process.poll() is None, f"the bot exited:\n{bot.log}"
        assert time.monotonic() < deadline, f"the bot never started polling:\n{bot.log}"
        await asyncio.sleep(0.05)


def bot_env(emulator: BotApiEmulator, database_url: str) -> dict[str, str]:
    return {
        **CLEAN_ENV,
        "BOT_TOKEN": "7000000003:standby",
        "BOT_API_BASE_URL": emulator.base_url,
        "BOT_API_FILE_URL": emulator.base_file_url,
        "DATABASE_URL": database_url,
        "ID_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
async def polling_emulator():  # noqa: ANN201
    emulator = BotApiEmulator()
    emulator.settle_seconds = 0.4  # the bots are other processes: no processed signal, wait for quiet
    await emulator.start()
    yield emulator
    await emulator.stop()


async def test_the_standby_takes_over_when_the_active_bot_is_killed_and_the_flow_goes_on(
    polling_emulator, database_url, tmp_path
):
    emulator = polling_emulator
    env = bot_env(emulator, database_url)
    leader = emulator.user(first_name="Carmen", language_code="es")
    active = BotProcess("a", env, tmp_path)
    standby: BotProcess | None = None
    try:
        await wait_for_polling(emulator, active, since=0)
        standby = BotProcess("b", env, tmp_path)
        await standby.wait_for_log(STANDBY)

        await leader.sends("/start")
        await answered(leader)
        await leader.taps("✅ Acepto")
        await answered(leader)
        await leader.sends("/register")
        await answered(leader)
        await leader.sends("Comedor Popular Santa Rosa")
        await answered(leader)
        assert "OSB: organización de base" in leader.buttons, leader.last_text
        assert len(leader.replies) == 1                  # answered once, by the active bot alone
        assert polls_started(emulator) == 1              # the standby has not started
        assert not [call for call in emulator.calls if call.method == "getUpdates" and call.error]  # no Conflict

        await active.stop(signal.SIGKILL)                # no shutdown, no flush, no unlock
        killed_at = time.monotonic()
        await wait_for_polling(emulator, standby, since=1, timeout=TAKEOVER_LIMIT_SECONDS)
        takeover = time.monotonic() - killed_at
        assert ACTIVE in standby.log
        print(f"the standby polled {takeover:.1f}s after the active bot was killed")

        await leader.taps("OSB")                         # the question asked before the kill
        await answered(leader)
        assert "distrito" in leader.last_text
        assert len(leader.replies) == 1
        await leader.sends("sjl")
        await answered(leader)
        assert any("San Juan de Lurigancho" in label for label in leader.buttons), leader.last_text
    finally:
        await active.stop(signal.SIGKILL)
        if standby is not None:
            assert await standby.stop() == 0
            assert "Traceback" not in standby.log, standby.log


async def test_a_standby_stops_cleanly_on_sigterm(polling_emulator, database_url, tmp_path):
    env = bot_env(polling_emulator, database_url)
    active = BotProcess("a", env, tmp_path)
    try:
        await wait_for_polling(polling_emulator, active, since=0)
        standby = BotProcess("b", env, tmp_path)
        await standby.wait_for_log(STANDBY)
        assert await standby.stop() == 0
        assert "stopped while standby" in standby.log
        assert "Traceback" not in standby.log, standby.log
        assert standby.log.count(STANDBY) == 1           # said once, not at every retry
        assert polls_started(polling_emulator) == 1
    finally:
        await active.stop()


# --- the lock itself, in one process ----------------------------------------------------------


async def test_only_one_holder_at_a_time_and_the_next_one_gets_it_on_release(database_url):
    first, second = instance_lock.for_database(database_url), instance_lock.for_database(database_url)
    try:
        assert first.try_acquire()
        assert first.try_acquire()                       # holding it already
        assert not second.try_acquire()
        first.release()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


async def test_the_lock_file_sits_beside_the_sqlite_database_and_only_its_owner_reads_it(tmp_path):
    lock = instance_lock.for_database(f"sqlite+aiosqlite:///{tmp_path}/voces.sqlite3")
    try:
        assert lock.try_acquire()
        path = tmp_path / "voces.sqlite3.lock"
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.read_text().strip() == str(os.getpid())
    finally:
        lock.release()


def test_an_in_memory_database_needs_no_lock():
    assert isinstance(instance_lock.for_database("sqlite+aiosqlite:///:memory:"), instance_lock.NoLock)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_an_active_instance_that_loses_its_lock_connection_stops(database_url):
    lost = asyncio.Event()
    loop = asyncio.get_running_loop()
    lock = instance_lock.AdvisoryLock(database_url, watch_seconds=0.1, on_lost=lambda: loop.call_soon_threadsafe(lost.set))
    engine = create_async_engine(database_url)
    try:
        assert lock.try_acquire()
        async with engine.connect() as connection:       # as a server restart would
            await connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database"
                " WHERE locktype = 'advisory' AND objid = :low AND datname = current_database()"
            ), {"low": lock.key & 0xFFFFFFFF})
            await connection.commit()
        await asyncio.wait_for(lost.wait(), 5)
        assert lock.lost
        successor = instance_lock.for_database(database_url)
        try:
            for _ in range(50):                          # the server let the lock go
                if successor.try_acquire():
                    break
                await asyncio.sleep(0.1)
            assert successor.try_acquire()
        finally:
            successor.release()
    finally:
        lock.release()
        await engine.dispose()
