"""PostgreSQL connections are pinged only after sitting idle (bot/core/db.py `_ping_if_idle`): a
connection the server dropped meanwhile is replaced before the update's first statement, and a
busy bot does not pay three round trips each time it takes a connection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.core import db as database_module
from bot.core.db import Database


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_connection_the_server_dropped_while_idle_is_replaced_before_the_first_statement(database, monkeypatch):
    async with database.session() as session:
        backend_pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    # The server drops the pooled connection (a restart, an idle timeout, a network cut).
    other = Database(database.url)
    try:
        async with other.session() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
    finally:
        await other.dispose()
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    async with database.session() as session:
        assert (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one() != backend_pid


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(database, monkeypatch):
    async with database.session() as session:
        await session.execute(text("SELECT 1"))
        raw = await (await session.connection()).get_raw_connection()
        adapted_class = type(raw.dbapi_connection)
    pinged: list[object] = []
    original = adapted_class.ping

    def counted(self: object) -> None:
        pinged.append(self)
        original(self)

    monkeypatch.setattr(adapted_class, "ping", counted)
    for _ in range(5):
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
    assert pinged == []
    # One left idle longer than the threshold is pinged once when taken again.
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    async with database.session() as session:
        await session.execute(text("SELECT 1"))
    assert len(pinged) == 1
