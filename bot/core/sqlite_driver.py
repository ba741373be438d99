"""SQLAlchemy's aiosqlite driver, with one trip to SQLite's thread per statement instead of four.

aiosqlite runs each sqlite3 call on the connection's own thread: the event loop queues the
call and is woken when it is done. SQLAlchemy's adapter makes four such calls per statement
(make a cursor, execute, fetch the rows, close the cursor), so a statement paid four queue
hand-offs and four wake-ups of the loop, which cost more than SQLite itself on a small row.
`OneTripCursor` does the four in one call on that thread and keeps what SQLAlchemy reads
afterwards (the rows, `description`, `rowcount`, `lastrowid`). Commits and rollbacks were one
call each already.

Nothing else changes: the statements, the transactions and their order on the connection
(one thread runs its calls in the order they were queued), and the errors (sqlite3's own,
raised from the same `execute` SQLAlchemy called, so SQLAlchemy wraps them as it did). Server-side
cursors (`stream()`) keep SQLAlchemy's cursor, which fetches rows as they are asked for.

`create_engine(url, module=dbapi())` uses it for a `sqlite+aiosqlite` URL (bot/core/db.py).
"""

from __future__ import annotations

import collections
import sqlite3
from dataclasses import dataclass
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT


@dataclass(slots=True)
class _Outcome:
    """What SQLAlchemy reads of a cursor once its statement ran (the sqlite3 cursor is closed)."""

    description: Any = None
    rowcount: int = -1
    lastrowid: int | None = None
    arraysize: int = 1

    def close(self) -> None:
        """Nothing left to close: the sqlite3 cursor was closed on SQLite's thread."""


def _run(connection: aiosqlite.Connection, operation: Any, parameters: Any, many: bool) -> tuple[_Outcome, list[Any]]:
    """On aiosqlite's thread: the statement, all its rows, and the cursor closed."""
    cursor = connection._conn.cursor()
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


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, run in one call on aiosqlite's thread per statement."""

    __slots__ = ()
    # `close()` has nothing to wait for: the sqlite3 cursor is closed in the same trip.
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No sqlite3 cursor yet (the base class makes one here, a trip of its own): the
        # statement's trip makes, uses and closes it.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _Outcome()  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._one_trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._one_trip(operation, seq_of_parameters, many=True)

    async def _one_trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        # aiosqlite runs its thread's calls one at a time in the order queued, so no other
        # statement can run between this one's execute and fetch (the base class needs a lock).
        outcome, rows = await self._connection._execute(_run, self._connection, operation, parameters, many)
        outcome.arraysize = self._cursor.arraysize
        self._cursor = outcome  # type: ignore[assignment]
        self._rows = collections.deque(rows)

    def nextset(self) -> None:
        """sqlite3 has no further result sets."""


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_closing",)
    _cursor_cls = OneTripCursor

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


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        adapted = super().connect(*args, **kwargs)
        return OneTripConnection(self, adapted._connection)


def dbapi() -> OneTripDbapi:
    """The DBAPI module SQLAlchemy's aiosqlite dialect should use (`create_engine(module=…)`)."""
    return OneTripDbapi(aiosqlite, sqlite3)

