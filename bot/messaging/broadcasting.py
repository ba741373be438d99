"""Sending broadcasts: one task, owned by the runtime, that finds due broadcasts and hands each
recipient to the channel they use (`BroadcastChannel`, added by each channel when it starts).

Each recipient is claimed (recorded SENDING and committed) right before their message goes
out and recorded right after, so a `kill -9` at any point loses nothing: at the next start the
rows still SENDING are sent again and counted as "in flight" in the report (only those people
may get it twice), and the broadcast carries on with everyone not yet served. The claim reads
the person's consent, /stop and settings again: a message held for the end of quiet hours
reaches nobody who said no meanwhile, and the report counts them by reason. A message that
certainly did not go out is tried again after `RETRY_DELAY`, `MAX_ATTEMPTS` times in all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.broadcasts import broadcasts
from bot.broadcasts import files as broadcast_files
from bot.broadcasts.broadcasts import Recipient, Tally
from bot.broadcasts.models import Broadcast, DeliveryState
from bot.core.clock import Clock
from bot.core.db import Database
from bot.core.storage import FileStore
from bot.messaging.reminders import DeliveryOutcome, QuietHours
from bot.people import people
from bot.people.models import User

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(seconds=30)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Sent:
    """What became of one recipient's message; `reason` (never personal data) is recorded
    with a failure: the channel's refusal, or the error a retry is for."""

    outcome: DeliveryOutcome
    reason: str | None = None


class BroadcastChannel(Protocol):
    """One channel's side of broadcasts."""

    async def send(self, broadcast: Broadcast, recipient: Recipient) -> Sent:
        """Send the broadcast to one recipient, in their language, as a bulk message (answers
        to people go first). A message that may have arrived is REFUSED, never retried."""
        ...

    async def report(self, author: User, tally: Tally, *, final: bool, replacing: int | None) -> int | None:
        """Tell the author how sending goes: replace the progress message `replacing` when
        given, else send a new one; returns the id of a new message, None if none was sent."""
        ...


class Broadcaster:
    """Sends due broadcasts, one at a time, with a few requests in flight at once."""

    def __init__(self, database: Database, *, clock: Clock, quiet_hours: QuietHours, files: FileStore,
                 workers: int = 8, progress_every: float = 5.0, idle_wait: float = 1.0) -> None:
        self._database = database
        self._clock = clock
        self._quiet_hours = quiet_hours
        self._files = files
        self.workers = workers
        self.progress_every = progress_every
        self.idle_wait = idle_wait
        self._channels: dict[str, BroadcastChannel] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def add(self, channel: str, sender: BroadcastChannel) -> None:
        self._channels[channel] = sender

    async def start(self) -> None:
        async with self._database.session() as session:
            in_flight = await broadcasts.recover_on_start(session)
        if in_flight:
            log.warning("%d broadcast messages were in flight when the bot stopped; they are sent again", in_flight)
        self._task = asyncio.create_task(self._run(), name="broadcasts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look for due broadcasts now instead of at the next check."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                busy = await self.send_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sending broadcasts failed; trying again shortly")
                current = asyncio.current_task()
                if current is not None and current.cancelling():  # a stop came meanwhile: it wins
                    raise asyncio.CancelledError from None
                busy = False
            if not busy:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_wait)

    async def send_next(self) -> bool:
        """Send (or go on sending) one due broadcast; False if none was due."""
        async with self._database.session() as session:
            broadcast = await broadcasts.next_to_send(session, now=self._clock.now())
            if broadcast is None:
                return False
            if broadcast.state.value == "scheduled":
                count = await broadcasts.start(session, broadcast_id=broadcast.id, now=self._clock.now(), quiet=self._quiet_hours)
                log.info("broadcast %d started: %d recipients", broadcast.id, count)
                starting = True
            else:
                starting = False
        if starting:
            await self._progress(broadcast, final=False)
        await self._deliver(broadcast)
        return True

    async def _deliver(self, broadcast: Broadcast) -> None:
        queue: asyncio.Queue[Recipient | None] = asyncio.Queue(maxsize=self.workers * 4)

        async def produce() -> None:
            after = 0
            while True:
                async with self._database.session() as session:
                    page = await broadcasts.due_recipients(session, broadcast_id=broadcast.id, now=self._clock.now(),
                                                           limit=500, after=after)
                if not page:
                    break
                for recipient in page:
                    await queue.put(recipient)
                after = page[-1].user_id
            for _worker in range(self.workers):
                await queue.put(None)

        async def work() -> None:
            while (recipient := await queue.get()) is not None:
                await self._send_one(broadcast, recipient)

        async def report_progress() -> None:
            while True:
                await asyncio.sleep(self.progress_every)
                await self._progress(broadcast, final=False)

        # A task group, not gather: when the sending stops (the bot stops, or one worker fails)
        # it returns only once every worker has ended, so none is left behind in the middle of
        # a statement, holding a database connection past the stop. gather returned at the
        # first worker cancelled, and a worker cut off mid-statement went on alone, closing
        # its connection after the engine was disposed (and hung aiosqlite at the loop's end).
        reporter = asyncio.create_task(report_progress())
        try:
            async with asyncio.TaskGroup() as workers:
                workers.create_task(produce())
                for _worker in range(self.workers):
                    workers.create_task(work())
        finally:
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter
        async with self._database.session() as session:
            finished = await broadcasts.finish_if_done(session, broadcast_id=broadcast.id, now=self._clock.now())
            if finished:  # its file is needed no more
                await broadcast_files.let_go(session, store=self._files, broadcast_id=broadcast.id)
        if finished:
            log.info("broadcast %d finished", broadcast.id)
            await self._progress(broadcast, final=True)

    async def _send_one(self, broadcast: Broadcast, recipient: Recipient) -> None:
        async with self._database.session() as session:
            if not await broadcasts.claim(session, broadcast_id=broadcast.id, user_id=recipient.user_id, kind=broadcast.kind):
                return
        sent = await self._sent(broadcast, recipient)
        state, reason, retry_at = DeliveryState.DELIVERED, None, None
        match sent.outcome:
            case DeliveryOutcome.RECIPIENT_UNREACHABLE:
                state, reason = DeliveryState.BLOCKED, "blocked the bot"
                log.info("broadcast %d: user %d blocked the bot; marked unreachable", broadcast.id, recipient.user_id)
            case DeliveryOutcome.REFUSED:
                state, reason = DeliveryState.FAILED, (sent.reason or "refused by the channel")[:200]
            case DeliveryOutcome.RETRY_LATER:
                attempts = await self._attempts(broadcast.id, recipient.user_id)
                if attempts >= MAX_ATTEMPTS:
                    state, reason = DeliveryState.FAILED, f"gave up after {attempts} attempts: {sent.reason}"
                else:
                    state, reason, retry_at = DeliveryState.PENDING, f"attempt {attempts} failed", self._clock.now() + RETRY_DELAY
        async with self._database.session() as session:
            await broadcasts.record(session, broadcast_id=broadcast.id, user_id=recipient.user_id, state=state,
                                    reason=reason, now=self._clock.now(), retry_at=retry_at)

    async def _sent(self, broadcast: Broadcast, recipient: Recipient) -> Sent:
        channel = self._channels.get(recipient.channel)
        if channel is None:
            log.warning("broadcast %d: no sender for channel %s", broadcast.id, recipient.channel)
            return Sent(DeliveryOutcome.RETRY_LATER, f"no sender for channel {recipient.channel}")
        return await channel.send(broadcast, recipient)

    async def _attempts(self, broadcast_id: int, user_id: int) -> int:
        async with self._database.session() as session:
            return await broadcasts.attempts(session, broadcast_id=broadcast_id, user_id=user_id)

    async def _progress(self, broadcast: Broadcast, *, final: bool) -> None:
        """The author's progress message, replaced in place; the final report as a new message."""
        if broadcast.author_id is None:
            return
        async with self._database.session() as session:
            author = await people.get(session, broadcast.author_id)
            current = await broadcasts.get(session, broadcast.id)
            tally = await broadcasts.tally(session, broadcast_id=broadcast.id)
        if author is None or current is None or (channel := self._channels.get(author.channel)) is None:
            return
        replacing = current.progress_message_id if not final else None
        message_id = await channel.report(author, tally, final=final, replacing=replacing)
        if message_id is not None and not final:
            async with self._database.session() as session:
                await broadcasts.set_progress_message(session, broadcast_id=broadcast.id, message_id=message_id)
