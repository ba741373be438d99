"""SQLAlchemy's aiosqlite driver, with SQLite's short statements run on the event loop's own thread.

aiosqlite runs each sqlite3 call on the connection's own thread: the event loop queues the
call and is woken when it is done. A small statement costs SQLite tens of microseconds, and the
trip there and back costs more: a queue hand-off, a wake-up of the loop, and then a wait for
the loop's turn, behind everyone else's work. The bot holds its one SQLite connection from a
unit's first statement to its commit (bot/core/db.py), so every trip also holds up the units
queued behind it: trips, not SQLite, set how many steps a second SQLite answered.

So a statement runs where it is cheapest, and a slow one never stalls the chats:

- A read (`SELECT`, or `WITH` without a write in it) runs on the loop's thread with a budget
  of `INLINE_BUDGET_SECONDS`. SQLite's progress handler stops a read that outlives it
  (SQLITE_INTERRUPT on a read takes nothing back) and the read runs again, whole, on
  aiosqlite's thread: an export's query costs the loop at most the budget, once (a statement
  that took long here once goes to aiosqlite's thread from then on).
- A single write (`INSERT`, `UPDATE`, `DELETE`, `REPLACE`, with or without `RETURNING`) with no
  query inside it, a commit and a rollback run on the loop's thread: the bot's writes are a few
  rows each. A write cannot be stopped halfway without SQLite taking back the whole
  transaction, so one that might take long runs on aiosqlite's thread from the start: any write
  with a `SELECT` in it (a broadcast's 10 000 recipients are one `INSERT … SELECT`, 5 s on the
  loop), and any write that once took over `SLOW_WRITE_SECONDS` here.
- Everything else (several rows at once with `executemany`, `PRAGMA`s, schema changes) runs on
  aiosqlite's thread in one call: make the cursor, execute, fetch every row, close.
- Nothing runs on the loop's thread while a call of this connection is still on aiosqlite's
  (a cancelled wait leaves its call running there): the statement queues behind it instead.
- The loop never waits for another process's lock. The connection's busy timeout is 0, so a
  statement run here that meets a lock (SQLITE_BUSY) fails at once, takes nothing back, and
  runs again on aiosqlite's thread with SQLite's busy handler waiting up to
  `BUSY_TIMEOUT_MS`, as every statement waited before.
- Checkpoints leave the loop too: SQLite's automatic one would copy the write-ahead log into the
  database (and sync it) inside whichever commit crossed 1 000 pages. It is off, and every
  `CHECKPOINT_EVERY_COMMITS` commits a passive checkpoint runs on aiosqlite's thread instead.

Nothing else changes: the statements, the transactions and their order on the connection, and
the errors (sqlite3's own, raised from the same `execute` SQLAlchemy called, so SQLAlchemy wraps
them as it did). Durability too: a commit on the loop's thread is the same sqlite3 commit.
Server-side cursors (`stream()`) keep SQLAlchemy's cursor, on aiosqlite's thread.

`create_engine(url, module=dbapi())` uses it for a `sqlite+aiosqlite` URL (bot/core/db.py).
"""

from __future__ import annotations

import collections
import math
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT, await_

# A read longer than this moves to aiosqlite's thread (what it cost the loop is lost).
INLINE_BUDGET_SECONDS = 0.002
# SQLite calls the progress handler every this many virtual-machine instructions (a read of a
# row by its key takes well under a hundred; ten thousand take about a tenth of a millisecond).
PROGRESS_EVERY = 10_000
# How long a statement on aiosqlite's thread waits for another process's lock.
BUSY_TIMEOUT_MS = 30_000
CHECKPOINT_EVERY_COMMITS = 256

SQLITE_BUSY = 5
SQLITE_INTERRUPT = 9

_READ = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_WRITE_ANYWHERE = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_SELECT_ANYWHERE = re.compile(r"\bSELECT\b", re.IGNORECASE)
# A write on the loop's thread that took longer than this goes to SQLite's thread from then on.
SLOW_WRITE_SECONDS = 0.002

T = TypeVar("T")


@dataclass(slots=True)
class _Outcome:
    """What SQLAlchemy reads of a cursor once its statement ran (the sqlite3 cursor is closed)."""

    description: Any = None
    rowcount: int = -1
    lastrowid: int | None = None
    arraysize: int = 1

    def close(self) -> None:
        """Nothing left to close: the sqlite3 cursor was closed where it ran."""


def _run(connection: sqlite3.Connection, operation: Any, parameters: Any, many: bool) -> tuple[_Outcome, list[Any]]:
    """The statement, all its rows, and the cursor closed, in one call."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        # rowcount after the rows are read: an UPDATE … RETURNING counts them as they come.
        return _Outcome(cursor.description, cursor.rowcount, cursor.lastrowid), rows
    finally:
        cursor.close()


def _is_read(operation: str) -> bool:
    match = _READ.match(operation)
    if match is None:
        return False
    return match.group(1).upper() == "SELECT" or _WRITE_ANYWHERE.search(operation) is None


def _code(error: BaseException) -> int:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF


class _Here:
    """Where one SQLite connection's calls run: on the loop's thread when they may, else on aiosqlite's.

    `sent` is counted by the loop and `finished` by aiosqlite's thread (each counter written by
    one thread only), so the loop can tell when no call of this connection is left there.
    """

    __slots__ = ("commits", "deadline", "finished", "sent", "slow")

    def __init__(self) -> None:
        self.deadline = math.inf
        self.sent = 0
        self.finished = 0
        self.commits = 0
        self.slow: set[str] = set()  # statements that took long here once

    def progress(self) -> bool:
        """SQLite's progress handler: stop the statement once the loop's budget is spent."""
        return time.monotonic() > self.deadline

    def may_write_here(self, operation: str) -> bool:
        """A single write with no query inside it (an `INSERT … SELECT` of a broadcast's
        recipients writes thousands of rows)."""
        return (
            _WRITE.match(operation) is not None
            and _SELECT_ANYWHERE.search(operation) is None
        )

    def took_long(self, operation: str) -> None:
        if len(self.slow) >= 256:
            self.slow.clear()
        self.slow.add(operation)

    def idle(self, connection: aiosqlite.Connection) -> bool:
        return self.sent == self.finished and connection._running and connection._connection is not None

    async def there(self, connection: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` on aiosqlite's thread, waiting up to BUSY_TIMEOUT_MS for another process's lock."""

        def patiently() -> T:
            try:
                sqlite = connection._conn
                sqlite.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                try:
                    return work(sqlite)
                finally:
                    sqlite.execute("PRAGMA busy_timeout=0")
            finally:
                self.finished += 1

        # A closed connection refuses the call (aiosqlite's own error) and is never idle again.
        self.sent += 1
        return await connection._execute(patiently)

    def here(self, connection: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T], *, budget: float | None) -> T:
        """`work` on the loop's thread now, stopped after `budget` seconds if one is given."""
        if budget is not None:
            self.deadline = time.monotonic() + budget
        try:
            return work(connection._conn)
        finally:
            self.deadline = math.inf


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor: each statement in one call, on the loop's thread when it may."""

    __slots__ = ()
    # `close()` has nothing to wait for: the sqlite3 cursor is closed in the same call.
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: OneTripConnection) -> None:
        # No sqlite3 cursor yet (the base class makes one here, a trip of its own): the
        # statement's call makes, uses and closes it.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _Outcome()  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._one_call(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._one_call(operation, seq_of_parameters, many=True)

    async def _one_call(self, operation: Any, parameters: Any, *, many: bool) -> None:
        outcome, rows = await self._adapt_connection._statement(operation, parameters, many)
        outcome.arraysize = self._cursor.arraysize
        self._cursor = outcome  # type: ignore[assignment]
        self._rows = collections.deque(rows)

    def nextset(self) -> None:
        """sqlite3 has no further result sets."""


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_closing", "_where")
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:
        super().__init__(dbapi, connection)
        self._where = _Here()

    async def _statement(self, operation: Any, parameters: Any, many: bool) -> tuple[_Outcome, list[Any]]:
        connection, where = self._connection, self._where

        def work(sqlite: sqlite3.Connection) -> tuple[_Outcome, list[Any]]:
            return _run(sqlite, operation, parameters, many)

        if not many and where.idle(connection) and operation not in where.slow:
            read = _is_read(operation)
            if read or where.may_write_here(operation):
                began = time.perf_counter()
                try:
                    return where.here(connection, work, budget=INLINE_BUDGET_SECONDS if read else None)
                except sqlite3.OperationalError as error:
                    # Over budget (a read: nothing taken back) or another process's lock (the
                    # statement failed before it changed anything): again, on SQLite's thread.
                    if _code(error) == SQLITE_INTERRUPT:
                        where.took_long(operation)
                    elif _code(error) != SQLITE_BUSY:
                        raise
                finally:
                    if not read and time.perf_counter() - began > SLOW_WRITE_SECONDS:
                        where.took_long(operation)
        return await where.there(connection, work)

    def commit(self) -> None:
        self._finish(commit=True)

    def rollback(self) -> None:
        self._finish(commit=False)

    def _finish(self, *, commit: bool) -> None:
        if not self._connection._connection:
            return
        try:
            await_(self._end(commit=commit))
        except Exception as error:
            self._handle_exception(error)

    async def _end(self, *, commit: bool) -> None:
        connection, where = self._connection, self._where

        def work(sqlite: sqlite3.Connection) -> None:
            sqlite.commit() if commit else sqlite.rollback()

        if where.idle(connection):
            try:
                where.here(connection, work, budget=None)
            except sqlite3.OperationalError as error:
                if _code(error) != SQLITE_BUSY:
                    raise
                await where.there(connection, work)
        else:
            await where.there(connection, work)
        if commit:
            where.commits += 1
            if where.commits % CHECKPOINT_EVERY_COMMITS == 0:
                await where.there(connection, _checkpoint)

    # Closing a connection SQLAlchemy invalidates (`terminate()`): it closes it gracefully in a
    # shielded task and, if its own wait is cancelled, forces a close too, which hands
    # aiosqlite's thread a stop. The thread ends at the first stop it is handed; the graceful
    # close, carrying on, hands it a stop of its own and waits for it, forever when the forced
    # one came first (a task left behind and cancelled at the loop's end hung the loop so). A
    # forced close adds nothing to a graceful one under way: both end the same queue.
    async def _terminate_graceful_close(self) -> None:
        self._closing = True
        await super()._terminate_graceful_close()

    def _terminate_force_close(self) -> None:
        if not getattr(self, "_closing", False):
            super()._terminate_force_close()


def _checkpoint(sqlite: sqlite3.Connection) -> None:
    # PASSIVE: copies what no reader still needs, never waits for anyone.
    sqlite.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


def _prepare(sqlite: sqlite3.Connection, where: _Here) -> None:
    sqlite.set_progress_handler(where.progress, PROGRESS_EVERY)
    sqlite.execute("PRAGMA busy_timeout=0").close()
    sqlite.execute("PRAGMA wal_autocheckpoint=0").close()


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        # Made on aiosqlite's thread and used on the loop's too, one call at a time (`_Here`).
        kwargs["check_same_thread"] = False
        adapted = super().connect(*args, **kwargs)
        connection = OneTripConnection(self, adapted._connection)
        await_(adapted._connection._execute(_prepare, adapted._connection._conn, connection._where))
        return connection


def dbapi() -> OneTripDbapi:
    """The DBAPI module SQLAlchemy's aiosqlite dialect should use (`create_engine(module=…)`)."""
    return OneTripDbapi(aiosqlite, sqlite3)
