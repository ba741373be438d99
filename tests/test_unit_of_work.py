"""One database session per update: what a block commits, what a failure takes back, and
that nothing leaks into tasks the update starts. The chat-level guarantee (committed before
the bot answers) is shown by the kill -9 test in test_onboarding.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.core.db import Database
from bot.core.validation import InvalidInput
from bot.people.models import User

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def person(telegram_id: int) -> User:
    return User(telegram_id=telegram_id, language="es", first_seen=NOW, last_seen=NOW)


async def telegram_ids(database: Database) -> list[int]:
    async with database.session() as session:
        return sorted((await session.scalars(select(User.telegram_id))).all())


async def test_blocks_in_an_update_share_one_session_committed_at_the_end(database):
    async with database.unit_of_work() as unit:
        async with database.session() as first:
            first.add(person(1))
        async with database.session() as second:
            assert second is unit and first is unit
            assert await second.scalar(select(func.count()).select_from(User)) == 1
    assert await telegram_ids(database) == [1]


async def test_a_failing_block_that_wrote_takes_back_only_what_was_not_committed(database):
    async with database.unit_of_work():
        async with database.session() as session:
            session.add(person(1))
        await database.commit()  # what the bot does before it answers
        with pytest.raises(InvalidInput):
            async with database.session() as session:
                session.add(person(2))
                await session.flush()
                raise InvalidInput("bad")
    assert await telegram_ids(database) == [1]


async def test_what_the_update_holds_stays_readable_after_a_failing_block_rolled_back(database):
    async with database.session() as session:
        session.add(person(1))
    async with database.unit_of_work():
        async with database.session() as session:
            held = await session.scalar(select(User).where(User.telegram_id == 1))
        with pytest.raises(InvalidInput):
            async with database.session() as session:
                held.display_name = "half done"
                await session.flush()
                raise InvalidInput("bad")
        # No lazy load needed (async SQLAlchemy would refuse it): the rollback reloaded it.
        assert (held.telegram_id, held.display_name) == (1, None)


async def test_a_failing_block_that_only_read_leaves_the_update_s_work_alone(database):
    async with database.unit_of_work():
        async with database.session() as session:
            session.add(person(1))
        with pytest.raises(InvalidInput):
            async with database.session() as session:
                await session.scalar(select(User).where(User.telegram_id == 1))
                raise InvalidInput("bad")
    assert await telegram_ids(database) == [1]


async def test_an_update_that_fails_keeps_nothing_uncommitted(database):
    with pytest.raises(RuntimeError):
        async with database.unit_of_work():
            async with database.session() as session:
                session.add(person(1))
            raise RuntimeError("the handler failed")
    assert await telegram_ids(database) == []


async def test_a_task_started_by_an_update_has_its_own_session(database):
    async def elsewhere() -> bool:
        async with database.session() as session:
            return session is not unit

    async with database.unit_of_work() as unit:
        await database.commit()  # the update does not hold the connection while it waits
        assert await asyncio.create_task(elsewhere())
