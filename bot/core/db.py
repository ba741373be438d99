"""The database: engine, session factory and the declarative Base every model shares."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InvalidRequestError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from bot.core import sqlite_driver
from bot.core.private import private_file

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """The engine for `database_url`; it never writes a statement's values into a log.

    `hide_parameters` keeps the values out of errors and of echoed SQL (a failed write would
    otherwise log the phone number or name it carried); `_hide_row_values` does the same for
    the row PostgreSQL quotes back in a constraint error.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            # Created 0600 (in a 0700 folder) before SQLite opens it: SQLite would make it
            # 0644, and gives its -wal and -shm files the database file's mode.
            private_file(Path(url.database))
        # One connection: SQLite has one writer at a time anyway, and writers on several
        # connections wait for each other in SQLite's busy handler, which sleeps in steps of
        # milliseconds. Updates instead queue for the connection in asyncio and hold it only
        # from their first statement to their commit, never across a request to Telegram
        # (see `Database` and handlers.app.CommitFirstRequest).
        # `module`: aiosqlite's driver with short statements on the loop's thread and the rest
        # in one trip to SQLite's thread each; it also owns the busy timeout and checkpoints
        # (bot/core/sqlite_driver.py).
        engine = create_async_engine(
            url, echo=echo, pool_size=1, max_overflow=0, pool_timeout=60,
            module=sqlite_driver.dbapi(),
            pool_reset_on_return=None,  # sessions always end their transaction themselves
            hide_parameters=True,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=20, hide_parameters=True)
    event.listen(engine.sync_engine, "handle_error", _hide_row_values)
    event.listen(engine.sync_engine.pool, "checkin", _idle_since)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


# A connection back in the pool for longer than this is pinged before it is handed out again.
PING_AFTER_IDLE_SECONDS = 5.0


def _idle_since(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """SQLAlchemy's `pool_pre_ping`, but only for a connection that sat idle a while.

    A server restart or a dropped connection is found on taking the connection, not by the
    update's first statement (the pool replaces it and tries again). asyncpg's ping is three
    round trips (BEGIN, an empty query, ROLLBACK), and a busy bot takes a connection several
    times a step: pinging every checkout cost a WhatsApp step 3–6 ms of processor. A connection
    used within the last few seconds was just seen working; a new one has nothing to check.
    """
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise DisconnectionError("the connection did not answer its ping") from error


_HIDDEN_DETAIL = "(hidden: the row may hold personal data)"


def _hide_row_values(context: Any) -> None:
    # PostgreSQL explains a constraint error with the row's values ("Failing row contains
    # (…, +51987654321, …)", "Key (phone)=(…) already exists"), and asyncpg prints that
    # DETAIL with the error, so a logged traceback would carry them. The constraint's name in
    # the message still says what failed.
    error: BaseException | None = context.original_exception
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if getattr(error, "detail", None) and hasattr(error, "sqlstate"):
            error.detail = _HIDDEN_DETAIL  # type: ignore[attr-defined]
        error = error.__cause__ or error.__context__


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; SQLite leaves foreign keys off unless asked on
    # each connection. (How long a statement waits for another process's lock is the driver's:
    # bot/core/sqlite_driver.py.)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# What a unit of work hands the channels' code: they pass it to the domain and never query it.
DbSession = AsyncSession


class Database:
    """One engine and one session factory for the process; one session per unit of work.

    A chat update is one unit of work (`unit_of_work`, opened by the Application around each
    update): every `session()` block inside it shares one session, so an update costs one
    transaction instead of one per block. Its work is committed by `commit()` before the bot
    says anything (the chat layer calls it before every request to Telegram) and at the end.
    Outside a unit (reminders, the CLI, tests) each `session()` block is its own transaction.
    """

    def __init__(self, database_url: str, *, echo: bool = False) -> None:
        self.url = database_url
        self.engine = create_engine(database_url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Per task: a task an update starts (or a scheduler job) never shares the update's session.
        self._unit: ContextVar[tuple[asyncio.Task[Any] | None, AsyncSession] | None] = ContextVar(
            f"voces_unit_{id(self)}", default=None
        )

    async def ping(self) -> bool:
        """Whether the database answers now (the health endpoint asks)."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError):
            return False
        return True

    def _ambient(self) -> AsyncSession | None:
        unit = self._unit.get()
        if unit is None or unit[0] is not asyncio.current_task():
            return None
        return unit[1]

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One session for everything one update does; committed at the end unless it failed."""
        async with self.sessions() as session:
            token = self._unit.set((asyncio.current_task(), session))
            try:
                async with _committed(session):
                    yield session
            finally:
                self._unit.reset(token)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on a clean exit and rolled back on an error.

        Inside a unit of work the block's work is flushed (so constraint errors surface here)
        and committed with the unit; an error in a block that wrote rolls back what the unit
        has not committed yet, and one that did not write leaves the unit alone.
        """
        ambient = self._ambient()
        if ambient is not None:
            flushes_before = ambient.info.get(_FLUSHES, 0)
            try:
                yield ambient
                await ambient.flush()
            except BaseException as error:
                wrote = ambient.new or ambient.dirty or ambient.deleted or ambient.info.get(_FLUSHES, 0) != flushes_before
                if wrote or isinstance(error, SQLAlchemyError):
                    await _roll_back_and_reload(ambient)
                raise
            return
        async with self.sessions() as session, _committed(session):
            yield session

    async def commit(self) -> None:
        """Make the current unit's work durable now (before the bot answers)."""
        ambient = self._ambient()
        if ambient is not None and ambient.in_transaction():
            try:
                await ambient.commit()
            except BaseException:
                await _roll_back_and_reload(ambient)
                raise

    async def discard(self) -> None:
        """Drop what the current unit has not committed (its update failed)."""
        ambient = self._ambient()
        if ambient is not None and ambient.in_transaction():
            await _roll_back_and_reload(ambient)

    async def dispose(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def _committed(session: AsyncSession) -> AsyncIterator[None]:
    """Commit on a clean exit, roll back on an error."""
    try:
        yield
        await session.commit()
    except BaseException:
        await session.rollback()
        raise


async def _roll_back_and_reload(session: AsyncSession) -> None:
    """Roll back, then load again what the update still holds (the person, say).

    A rollback expires every object in the session, and an expired attribute read later in the
    update would need a lazy load, which async SQLAlchemy refuses. Rollbacks are rare (a
    failure after a write), so reloading the few objects of one update costs little.
    """
    held = list(session.identity_map.values())
    await session.rollback()
    for instance in held:
        if instance in session:  # objects first added in the rolled-back work are gone
            try:
                await session.refresh(instance)
            except InvalidRequestError:  # deleted meanwhile
                session.expunge(instance)


_FLUSHES = "voces_flushes"


@event.listens_for(Session, "after_flush")
def _count_flush(session: Session, _context: Any) -> None:
    session.info[_FLUSHES] = session.info.get(_FLUSHES, 0) + 1


_AFTER_COMMIT = "voces_after_commit"


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run `callback` once the work written so far is committed; never if it is rolled back.

    For memories of what the database holds (PTB's persistence remembers which steps are
    already stored): they must not believe in a write a rollback took back.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


@event.listens_for(Session, "after_rollback")
def _forget_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
