"""The SQLite driver (bot/core/sqlite_driver.py): one trip to SQLite's thread per statement, with the
rows, counts, errors and rollbacks SQLAlchemy's own aiosqlite driver gives."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.util import greenlet_spawn

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
async def test_a_statement_takes_one_trip_to_sqlites_thread_and_returns_what_it_did(database, caplog):
    async with database.session() as session:
        session.add_all([person(1, "Ana"), person(2, "Rosa"), person(3)])
    async with database.session() as session:
        await session.execute(text("SELECT 1"))  # the transaction has begun: count statements only
        with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
            caplog.clear()
            names = (await session.scalars(select(User.display_name).order_by(User.telegram_id))).all()
            assert trips(caplog) == 1  # SQLAlchemy's own driver: cursor, execute, fetch, close
            assert names == ["Ana", "Rosa", None]

            caplog.clear()
            changed = await session.execute(update(User).where(User.telegram_id >= 2).values(display_name="Luz"))
            assert trips(caplog) == 1
            assert changed.rowcount == 2

            caplog.clear()
            returned = await session.execute(
                update(User).where(User.telegram_id == 3).values(display_name="Eva").returning(User.telegram_id)
            )
            assert returned.scalars().all() == [3]
            assert trips(caplog) == 1

            caplog.clear()
            newcomer = person(4, "Flor")
            session.add(newcomer)
            await session.flush()
            assert newcomer.id is not None  # the new row's key came back
            assert trips(caplog) == 1
    async with database.session() as session:
        assert (await session.scalars(select(User.display_name).order_by(User.telegram_id))).all() == [
            "Ana", "Luz", "Eva", "Flor"
        ]


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
