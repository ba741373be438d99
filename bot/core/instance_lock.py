"""One active bot per database: a lock the running instance holds, and a standby that waits.

Two processes polling for the same bot on the same database break conversations: a step one
of them wrote is unknown to the other, and reminders go out twice. So `voces-bot run` takes
this lock before it migrates and polls (or serves the webhook). A second instance finds the
lock taken, says it is the standby, and tries again every couple of seconds; when the active
one dies, even by `kill -9`, the lock is released for it and the standby takes over.

- PostgreSQL: a session advisory lock, held on one connection kept open for the life of the
  process. The server drops the lock when that connection ends, which it does when the
  process dies. The key is fixed, and advisory locks are per database, so two bots on two
  databases of one server do not meet.
- SQLite: an exclusive `flock` on a file beside the database (`<database>.lock`); the kernel
  drops it when the process dies.
- In-memory SQLite: nothing to share, no lock.

The lock is blocking and thread-based on purpose: it is taken before PTB creates its event
loop, and the PostgreSQL connection lives in a thread with its own loop, so it outlives
whatever loops the rest of the process runs.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

LOCK_NAME = "voces-active-instance"
# pg_advisory_lock takes a signed 64-bit key; the same name always gives the same key.
ADVISORY_KEY = int.from_bytes(hashlib.sha256(LOCK_NAME.encode()).digest()[:8], "big", signed=True)
RETRY_SECONDS = 2.0
# How often the active instance checks that its PostgreSQL lock connection is still there.
WATCH_SECONDS = 5.0


class InstanceLock(Protocol):
    lost: bool

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits for it."""
        ...

    def release(self) -> None: ...


class StoppedWhileStandby(Exception):
    """SIGTERM or Ctrl-C arrived while this instance was waiting for the lock."""


def for_database(database_url: str) -> InstanceLock:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return NoLock()
        return FileLock(Path(f"{url.database}.lock"))
    return AdvisoryLock(database_url)


def wait_until_active(lock: InstanceLock, *, retry_seconds: float = RETRY_SECONDS) -> None:
    """Return once this instance holds the lock; raise `StoppedWhileStandby` on SIGTERM/Ctrl-C."""
    with _sigterm_stops_the_wait():
        try:
            if lock.try_acquire():
                return
            log.info("another instance is active on this database; waiting as standby")
            while not lock.try_acquire():
                time.sleep(retry_seconds)
        except KeyboardInterrupt:
            log.info("stopped while standby")
            raise StoppedWhileStandby from None
    log.info("this instance is now active")


@contextmanager
def _sigterm_stops_the_wait() -> Iterator[None]:
    """SIGTERM interrupts the wait like Ctrl-C (its default would kill us with status -15)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class NoLock:
    """In-memory SQLite: no other process can open the same database."""

    lost = False

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


class FileLock:
    """An exclusive flock on `<database>.lock`, released by the kernel when the process dies."""

    lost = False  # a held flock cannot be taken away

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        # Who holds it, for a person looking at the file; the lock itself is the flock.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None


class AdvisoryLock:
    """`pg_try_advisory_lock` on a connection of its own, in a thread with its own event loop.

    Once held, the connection is checked every `WATCH_SECONDS`. If it is gone (the server
    restarted, the network dropped it), the server has released the lock and a standby may
    already be active: `lost` turns true and `on_lost` runs, by default stopping the process
    the way SIGTERM does, so that two instances never stay active together.
    """

    def __init__(
        self, database_url: str, *, key: int = ADVISORY_KEY, watch_seconds: float = WATCH_SECONDS,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.key = key
        self.lost = False
        self.watch_seconds = watch_seconds
        self.on_lost = on_lost or _stop_this_process
        self._database_url = database_url
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._held = False
        self._connected_once = False
        self._unreachable = False
        self._watcher: asyncio.Task[None] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="voces-instance-lock", daemon=True)
        self._thread.start()

    def try_acquire(self) -> bool:
        return self._run(self._try_acquire())

    def release(self) -> None:
        if self._loop.is_closed():
            return
        self._run(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    async def _try_acquire(self) -> bool:
        if self._held:
            return True
        try:
            if self._connection is None:
                await self._connect()
            assert self._connection is not None
            got = await self._connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
        except Exception as error:
            if not self._connected_once:
                raise  # a wrong URL or password at start: stop start-up as before the lock
            if not self._unreachable:  # once per outage, not at every retry
                log.warning("cannot reach the database to check for the active instance (%s); trying again",
                            _first_line(error))
            self._unreachable = True
            await self._drop_connection()
            return False
        self._unreachable = False
        if got:
            self._held = True
            self._watcher = self._loop.create_task(self._watch(), name="voces-instance-lock-watch")
        return bool(got)

    async def _connect(self) -> None:
        if self._engine is None:
            # NullPool: this one connection is ours alone and never goes back to a pool.
            self._engine = create_async_engine(self._database_url, poolclass=NullPool)
        connection = await self._engine.connect()
        # Autocommit: the lock belongs to the session, and an idle connection should not sit
        # inside an open transaction for days.
        self._connection = connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        # A process that dies closes its socket and the server lets the lock go at once; a
        # machine that vanishes would hold it until TCP gives up, hours by default. Keepalive
        # probes on this connection make the server notice within about half a minute.
        for setting, value in (("tcp_keepalives_idle", 10), ("tcp_keepalives_interval", 5), ("tcp_keepalives_count", 3)):
            await connection.execute(text(f"SET {setting} = {value}"))
        self._connected_once = True

    async def _watch(self) -> None:
        while self._held:
            await asyncio.sleep(self.watch_seconds)
            if not self._held:
                return
            try:
                assert self._connection is not None
                # A dropped network can leave the query hanging; that counts as lost too.
                async with asyncio.timeout(self.watch_seconds * 2):
                    await self._connection.scalar(text("SELECT 1"))
            except Exception as error:
                self._held = False
                self.lost = True
                log.error("lost the connection that holds this instance's database lock (%s); stopping, "
                          "so that another instance can be the active one", _first_line(error))
                await self._drop_connection()
                self.on_lost()

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()
            except Exception:  # it is already broken; all that matters is not using it again
                log.debug("closing a broken lock connection failed", exc_info=True)

    async def _close(self) -> None:
        self._held = False
        if self._watcher is not None:  # ended before its connection closes: it may be mid-query on it
            self._watcher.cancel()
            with suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        if self._connection is not None:
            try:
                await self._connection.close()  # the server drops the lock with the session
            except Exception:
                log.debug("closing the lock connection failed", exc_info=True)
            self._connection = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


def _stop_this_process() -> None:
    # PTB's run_polling/run_webhook turn SIGTERM into an orderly shutdown.
    os.kill(os.getpid(), signal.SIGTERM)


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
