"""Sending broadcasts: one task, owned by the runtime, that finds due broadcasts and hands each
recipient to the channel they use (`BroadcastChannel`, added by each channel when it starts).

Each recipient is claimed (recorded SENDING and committed) right before their message goes out
and recorded right after (with the same worker's next claim), so a `kill -9` at any point loses
nothing: at the next start the rows still SENDING are sent again and counted as "in flight" in
the report (only those people may get it twice), and the broadcast carries on with everyone not
yet served. The claim reads the person's consent, /stop and settings again: a message held for
the end of quiet hours reaches nobody who said no meanwhile, and the report counts them by
reason. A message that certainly did not go out is tried again after `RETRY_DELAY`,
`MAX_ATTEMPTS` times in all.

Each channel is a lane of its own (its recipients, its workers, its pace), so a broadcast split
between Telegram and WhatsApp goes at each one's rate at once: Telegram's people never wait
behind WhatsApp's, nor the other way round. A channel with a `rates` entry is paced here
(`bot.messaging.pacing`: WhatsApp at WHATSAPP_MESSAGES_PER_SECOND); Telegram paces itself
(its SendBudget). A channel may also answer "not now" (`Sent.not_before`: a limit is full, or
the far end asked to slow down), which is no attempt, or "skip" with a reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.broadcasts import broadcasts
from bot.broadcasts import files as broadcast_files
from bot.broadcasts.broadcasts import Recipient, Tally
from bot.broadcasts.models import Broadcast, DeliveryState, SkipReason
from bot.core.clock import Clock
from bot.core.db import Database
from bot.core.db import DbSession as AsyncSession
from bot.core.storage import FileStore
from bot.messaging.pacing import Pace
from bot.messaging.reminders import DeliveryOutcome, QuietHours
from bot.people import people
from bot.people.models import Channel, User

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(seconds=30)
MAX_ATTEMPTS = 3
# A paced channel gets workers enough to keep its pace while each message takes this long
# (its claim, its send and its record): 16 for WhatsApp's 80 a second.
ROUND_TRIP_SECONDS = 0.2


@dataclass(frozen=True)
class Sent:
    """What became of one recipient's message; `reason` (never personal data) is recorded
    with a failure: the channel's refusal, or the error a retry is for."""

    outcome: DeliveryOutcome
    reason: str | None = None
    # Not sent, and that was no attempt: recorded PENDING until then (a limit is full, or the
    # far end asked to wait), with `reason`.
    not_before: datetime | None = None
    # Not sent, and not to be: recorded SKIPPED with this reason.
    skip: SkipReason | None = None
    # The far end said the channel goes too fast: its pace halves and stops this long.
    slow_down: timedelta | None = None
    # The channel's id of the message sent, kept for a failure it reports later.
    message_id: str | None = None


@dataclass(frozen=True)
class Done:
    """What to record of one recipient once their message went out (or did not)."""

    user_id: int
    state: DeliveryState
    reason: str | None = None
    retry_at: datetime | None = None
    not_an_attempt: bool = False
    at: datetime | None = None
    message_id: str | None = None


class ChannelRules(Protocol):
    """A channel's rules for a broadcast (WhatsApp's: bot.messaging.marketing), applied in the
    transaction that claims the recipient: what to send (handed to the channel's sender as
    `Recipient.plan`), or the outcome of sending nothing now (a `Sent`: skipped, or waiting)."""

    async def plan(self, session: AsyncSession, *, broadcast: Broadcast, recipient: Recipient, now: datetime) -> object:
        ...

    async def settle(self, session: AsyncSession, *, broadcast_id: int) -> None:
        """After a pass: what the channel reported meanwhile about messages it had accepted
        (a failure) applies to their deliveries, before the report counts them."""
        ...


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
                 workers: int = 8, progress_every: float = 5.0, idle_wait: float = 1.0,
                 rates: Mapping[str, float] | None = None, rules: Mapping[str, ChannelRules] | None = None) -> None:
        self._database = database
        self._clock = clock
        self._quiet_hours = quiet_hours
        self._files = files
        self.workers = workers
        self.progress_every = progress_every
        self.idle_wait = idle_wait
        self._channels: dict[str, BroadcastChannel] = {}
        # The channels paced here, messages a second (Telegram's paces itself).
        self.paces: dict[str, Pace] = {channel: Pace(rate) for channel, rate in (rates or {}).items()}
        # The channels whose own rules say, per recipient, what to send or why not now.
        self.rules: dict[str, ChannelRules] = dict(rules or {})
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
            async with asyncio.TaskGroup() as lanes:
                for channel in Channel:
                    lanes.create_task(self._lane(broadcast, channel))
        finally:
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter
        async with self._database.session() as session:
            for rules in self.rules.values():
                await rules.settle(session, broadcast_id=broadcast.id)
            finished = await broadcasts.finish_if_done(session, broadcast_id=broadcast.id, now=self._clock.now())
            if finished:  # its file is needed no more
                await broadcast_files.let_go(session, store=self._files, broadcast_id=broadcast.id)
        if finished:
            log.info("broadcast %d finished", broadcast.id)
        # Not finished: some wait (a limit, a retry); the author's progress says so now.
        await self._progress(broadcast, final=finished)

    async def _lane(self, broadcast: Broadcast, channel: str) -> None:
        """The broadcast's recipients on one channel, at that channel's pace."""
        pace = self.paces.get(channel)
        workers = max(self.workers, math.ceil(pace.rate * ROUND_TRIP_SECONDS)) if pace is not None else self.workers
        queue: asyncio.Queue[Recipient | None] = asyncio.Queue(maxsize=workers * 4)

        async def produce() -> None:
            after = 0
            while True:
                async with self._database.session() as session:
                    page = await broadcasts.due_recipients(session, broadcast_id=broadcast.id, now=self._clock.now(),
                                                           limit=500, after=after, channel=channel)
                if not page:
                    break
                for recipient in page:
                    await queue.put(recipient)
                after = page[-1].user_id
            for _worker in range(workers):
                await queue.put(None)

        async def work() -> None:
            done: Done | None = None
            while (recipient := await queue.get()) is not None:
                done = await self._send_one(broadcast, recipient, recording=done)
            if done is not None:
                async with self._database.session() as session:
                    await self._record(session, broadcast, done)

        async with asyncio.TaskGroup() as tasks:  # not gather: see _deliver
            tasks.create_task(produce())
            for _worker in range(workers):
                tasks.create_task(work())

    async def _send_one(self, broadcast: Broadcast, recipient: Recipient, *, recording: Done | None) -> Done | None:
        """Claim, send, and say what to record. What the worker sent before is recorded in the
        same transaction as this claim, right after that send: one trip to the database
        fewer per message, which counts at WhatsApp's 80 a second."""
        async with self._database.session() as session:
            if recording is not None:
                await self._record(session, broadcast, recording)
            if not await broadcasts.claim(session, broadcast_id=broadcast.id, user_id=recipient.user_id, kind=broadcast.kind):
                return None
            planned = None
            # (Only for a channel that can send: a template's place in a limit is taken here.)
            if recipient.channel in self._channels and (rules := self.rules.get(recipient.channel)) is not None:
                planned = await rules.plan(session, broadcast=broadcast, recipient=recipient, now=self._clock.now())
        if isinstance(planned, Sent):  # nothing to send now: no place in the channel's pace taken
            sent = planned
        else:
            sent = await self._sent(broadcast, replace(recipient, plan=planned))
        if sent.slow_down is not None and (pace := self.paces.get(recipient.channel)) is not None:
            pace.back_off(sent.slow_down.total_seconds())
            log.info("broadcast %d: %s asked to slow down (%s)", broadcast.id, recipient.channel, sent.reason)
        return replace(await self._verdict(broadcast, recipient, sent), at=self._clock.now())

    async def _verdict(self, broadcast: Broadcast, recipient: Recipient, sent: Sent) -> Done:
        if sent.skip is not None:
            return Done(recipient.user_id, DeliveryState.SKIPPED, sent.skip.value)
        if sent.not_before is not None:
            return Done(recipient.user_id, DeliveryState.PENDING, sent.reason, sent.not_before, not_an_attempt=True)
        if sent.outcome is DeliveryOutcome.RECIPIENT_UNREACHABLE:
            log.info("broadcast %d: user %d blocked the bot; marked unreachable", broadcast.id, recipient.user_id)
            return Done(recipient.user_id, DeliveryState.BLOCKED, "blocked the bot")
        if sent.outcome is DeliveryOutcome.REFUSED:
            return Done(recipient.user_id, DeliveryState.FAILED, (sent.reason or "refused by the channel")[:200])
        if sent.outcome is DeliveryOutcome.RETRY_LATER:
            attempts = await self._attempts(broadcast.id, recipient.user_id)
            if attempts >= MAX_ATTEMPTS:
                return Done(recipient.user_id, DeliveryState.FAILED, f"gave up after {attempts} attempts: {sent.reason}"[:200])
            return Done(recipient.user_id, DeliveryState.PENDING, f"attempt {attempts} failed", self._clock.now() + RETRY_DELAY)
        return Done(recipient.user_id, DeliveryState.DELIVERED, message_id=sent.message_id)

    async def _record(self, session: AsyncSession, broadcast: Broadcast, done: Done) -> None:
        await broadcasts.record(session, broadcast_id=broadcast.id, user_id=done.user_id, state=done.state, reason=done.reason,
                                now=done.at or self._clock.now(), retry_at=done.retry_at, not_an_attempt=done.not_an_attempt,
                                message_id=done.message_id)

    async def _sent(self, broadcast: Broadcast, recipient: Recipient) -> Sent:
        channel = self._channels.get(recipient.channel)
        if channel is None:
            log.warning("broadcast %d: no sender for channel %s", broadcast.id, recipient.channel)
            return Sent(DeliveryOutcome.RETRY_LATER, f"no sender for channel {recipient.channel}")
        pace = self.paces.get(recipient.channel)
        if pace is None:
            return await channel.send(broadcast, recipient)
        async with pace.place():
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
