"""The SQLite driver (bot/core/sqlite_driver.py): short statements on the loop's thread, slow reads and
other processes' locks on SQLite's own, with the rows, counts, errors and rollbacks SQLAlchemy's own
aiosqlite driver gives."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.util import greenlet_spawn

from bot.core import sqlite_driver
from bot.core.db import Database
from bot.people.models import User

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def person(telegram_id: int, name: str | None = None) -> User:
    return User(telegram_id=telegram_id, display_name=name, language="es", first_seen=NOW, last_seen=NOW)


def trips(caplog: pytest.LogCaptureFixture) -> int:
    """Calls run on aiosqlite's thread (it logs each one at DEBUG before running it)."""
    return sum(1 for record in caplog.records if record.name == "aiosqlite" and record.getMessage().startswith("executing"))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_short_statement_runs_on_the_loops_thread_and_returns_what_it_did(database, caplog):
    async with database.session() as session:
        session.add_all([person(1, "Ana"), person(2, "Rosa"), person(3)])
    with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
        caplog.clear()
        async with database.session() as session:
            names = (await session.scalars(select(User.display_name).order_by(User.telegram_id))).all()
            assert names == ["Ana", "Rosa", None]

            changed = await session.execute(update(User).where(User.telegram_id >= 2).values(display_name="Luz"))
            assert changed.rowcount == 2

            returned = await session.execute(
                update(User).where(User.telegram_id == 3).values(display_name="Eva").returning(User.telegram_id)
            )
            assert returned.scalars().all() == [3]

            newcomer = person(4, "Flor")
            session.add(newcomer)
            await session.flush()
            assert newcomer.id is not None  # the new row's key came back
        # Four statements and a commit, and not one hand-off to aiosqlite's thread (it logs each
        # call it runs); SQLAlchemy's own driver made sixteen, the one-trip driver five.
        assert trips(caplog) == 0
    async with database.session() as session:
        assert (await session.scalars(select(User.display_name).order_by(User.telegram_id))).all() == [
            "Ana", "Luz", "Eva", "Flor"
        ]


SLOW_READ = text(
    "WITH RECURSIVE counting(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counting WHERE n < 300000) "
    "SELECT count(*) FROM counting"
)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_read_over_the_loops_budget_runs_again_on_sqlites_thread_and_takes_nothing_back(database, caplog):
    async with database.session() as session:
        session.add(person(1, "Ana"))
    with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
        async with database.session() as session:
            await session.execute(update(User).values(display_name="Luz"))  # the transaction has a write
            caplog.clear()
            loop = asyncio.get_running_loop()
            began = loop.time()
            ticks = 0

            async def ticking() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.001)
                    ticks += 1

            ticker = asyncio.create_task(ticking())
            counted = (await session.execute(SLOW_READ)).scalar_one()
            took = loop.time() - began
            ticker.cancel()
            assert counted == 300_000  # whole, not cut off at the budget
            assert trips(caplog) == 1  # stopped on the loop's thread, run again on aiosqlite's
            caplog.clear()
            assert (await session.execute(SLOW_READ)).scalar_one() == 300_000
            assert trips(caplog) == 1  # and from then on straight there
            # While SQLite counted on its own thread the loop went on with other work.
            assert ticks >= 2, f"the loop stood still for the read's {took:.3f} s"
    async with database.session() as session:
        # The read was stopped after the write: the write is still there, committed.
        assert (await session.scalars(select(User.display_name))).all() == ["Luz"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_another_processs_lock_is_waited_for_on_sqlites_thread_never_on_the_loops(database, database_url, caplog):
    async with database.session() as session:
        session.add(person(1, "Ana"))
    other = sqlite3.connect(make_url(database_url).database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
            caplog.clear()

            async def writing() -> None:
                async with database.session() as session:
                    await session.execute(update(User).values(display_name="Luz"))

            writer = asyncio.create_task(writing())
            began = asyncio.get_running_loop().time()
            await asyncio.sleep(0.2)  # the loop is free while the write waits for the lock
            assert asyncio.get_running_loop().time() - began < 0.5
            assert not writer.done()
            other.execute("COMMIT")
            await asyncio.wait_for(writer, 10)
            assert trips(caplog) >= 1  # the write, on aiosqlite's thread once it met the lock
    finally:
        other.close()
    async with database.session() as session:
        assert (await session.scalars(select(User.display_name))).all() == ["Luz"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_checkpoints_run_on_sqlites_thread_every_so_many_commits(database, monkeypatch):
    monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY_COMMITS", 3)
    ran_on: list[int] = []
    checkpoint = sqlite_driver._checkpoint  # noqa: SLF001 - watched, still run

    def watched(sqlite: sqlite3.Connection) -> None:
        ran_on.append(threading.get_ident())
        checkpoint(sqlite)

    monkeypatch.setattr(sqlite_driver, "_checkpoint", watched)
    async with database.session() as session:
        assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one() == 0  # not inside a commit
    for telegram_id in range(1, 8):
        async with database.session() as session:
            session.add(person(telegram_id))
    assert len(ran_on) == 2
    assert threading.get_ident() not in ran_on


async def test_a_failing_statement_raises_sqlalchemys_error_and_takes_back_what_was_not_committed(database):
    async with database.unit_of_work():
        async with database.session() as session:
            session.add(person(1, "Ana"))
        await database.commit()  # as before the bot answers
        async with database.session() as session:
            session.add(person(2, "Rosa"))
        with pytest.raises(IntegrityError) as raised:
            async with database.session() as session:
                session.add(person(1, "Ana otra vez"))  # telegram_id is unique
        assert "unique" in str(raised.value.orig).lower()
        # The update goes on with what it holds; the same connection still runs statements.
        with pytest.raises((OperationalError, ProgrammingError)):  # SQLite's and PostgreSQL's class for it
            async with database.session() as session:
                await session.execute(text("SELEC 1"))
        async with database.session() as session:
            session.add(person(3, "Eva"))
    async with database.session() as session:
        assert (await session.scalars(select(User.telegram_id).order_by(User.telegram_id))).all() == [1, 3]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_connection_invalidated_while_its_task_is_cancelled_twice_still_closes(database):
    # What a task left behind meets at the loop's end: it is invalidating its connection (a
    # statement of it was cancelled), and the loop cancels it and the close it waits on.
    proxied = await database.engine.raw_connection()
    aiosqlite_connection = proxied.dbapi_connection._connection
    invalidating = asyncio.create_task(greenlet_spawn(proxied.invalidate))
    await asyncio.sleep(0)                           # SQLAlchemy's terminate() starts a graceful close…
    [graceful] = [task for task in asyncio.all_tasks() if "_terminate_graceful_close" in repr(task.get_coro())]
    await asyncio.sleep(0)                           # …which waits on aiosqlite's thread
    invalidating.cancel()                            # it forces a close…
    graceful.cancel()                                # …while the graceful one carries on to its own
    await asyncio.wait([invalidating, graceful], timeout=5)
    assert graceful.done(), "aiosqlite's thread answered the graceful close before it ended"
    thread = aiosqlite_connection._thread  # noqa: SLF001 - and it ends
    await asyncio.to_thread(thread.join, 5)
    assert not thread.is_alive()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_write_that_may_take_long_runs_on_sqlites_thread(database, caplog, monkeypatch):
    async with database.session() as session:
        session.add_all([person(1, "Ana"), person(2, "Rosa")])
    monkeypatch.setattr(sqlite_driver, "SLOW_WRITE_SECONDS", 0.0)  # every write "took long"
    with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
        async with database.session() as session:
            rename = update(User).where(User.telegram_id == 1).values(display_name="Luz")
            caplog.clear()
            await session.execute(rename)
            assert trips(caplog) == 0  # the first time on the loop's thread…
            await session.execute(rename)
            assert trips(caplog) == 1  # …then, having taken long, on SQLite's
            caplog.clear()
            # A write with a query inside (a broadcast's recipients: one INSERT … SELECT of
            # thousands of rows) never runs on the loop's thread.
            inside = select(User.id).where(User.telegram_id == 2).scalar_subquery()
            await session.execute(update(User).where(User.id == inside).values(display_name="Eva"))
            assert trips(caplog) == 1
    async with database.session() as session:
        assert (await session.scalars(select(User.display_name).order_by(User.telegram_id))).all() == ["Luz", "Eva"]
