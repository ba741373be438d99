"""Answers what the webhook stored: each sender's messages in the order they arrived, one at a
time per sender, senders side by side (up to `MAX_LANES`).

For each message: the message read and the domain's work in one transaction, committed; then
the answer sent; then the message marked processed, in one transaction with the claim of what
was held for the person (their window just opened), shared with the marks of other lanes that
finish meanwhile (together.py). A `kill -9` anywhere leaves it unprocessed, so the next active
instance (a restart, or the standby taking over) answers it at start: at least once, never
lost (a crash right after the send may repeat that one answer). Only the active instance runs
a worker: the standby has not started anything yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable

from bot.core.db import DbSession
from bot.core.runtime import Runtime
from bot.messaging import reminders, whatsapp_inbox
from handlers.whatsapp import first_contact, outgoing
from handlers.whatsapp.ports import Sender
from handlers.whatsapp.reply import Reply
from handlers.whatsapp.together import Together

log = logging.getLogger(__name__)

MAX_LANES = 16
# Looks again this often even unwoken: a message whose attempt failed is tried again.
POLL_SECONDS = 5.0

Answer = Callable[..., Awaitable[Reply]]


class InboxWorker:
    def __init__(self, runtime: Runtime, sender: Sender, *, answer: Answer = first_contact.answer,
                 max_lanes: int = MAX_LANES, poll_seconds: float = POLL_SECONDS,
                 on_done: Callable[[str], None] | None = None) -> None:
        self.runtime = runtime
        self.sender = sender
        self.answer = answer
        self.poll_seconds = poll_seconds
        self.on_done = on_done  # told each message id done with (tests wait on it)
        self._slots = asyncio.Semaphore(max_lanes)
        self._wakeup = asyncio.Event()
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._told: set[str] = set()  # senders whose lane runs, told of a new message since it last looked
        self._task: asyncio.Task[None] | None = None
        # Lanes' "answered" marks, written together (one transaction for those side by side).
        self._marks: Together[tuple[int, int | None], list[int]] = Together(self._mark_all, name="whatsapp-marks")

    async def start(self) -> None:
        """Begins with whatever an earlier run stored and never answered."""
        self._task = asyncio.create_task(self._run(), name="whatsapp-inbox")
        self.wake()

    def wake(self) -> None:
        """Look in the inbox for every sender waiting (at start, and after a failed attempt)."""
        self._wakeup.set()

    def stored(self, senders: Iterable[str]) -> None:
        """The webhook stored (and committed) new messages of these senders: their lanes start
        without reading the inbox for who waits; a lane running is told to look once more."""
        if self._task is None:  # not started: the start reads the inbox
            return
        for sender in senders:
            if sender in self._lanes:
                self._told.add(sender)
            else:
                self._start_lane(sender)

    async def stop(self) -> None:
        tasks = [task for task in (self._task, *self._lanes.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._marks.finished()  # the marks of answers already sent are written
        self._task = None

    async def idle(self, timeout: float = 10) -> None:  # noqa: ASYNC109 - a deadline for tests and benchmarks
        """Until nothing stored waits and no lane runs."""
        async with asyncio.timeout(timeout):
            while True:
                async with self.runtime.database.session() as session:
                    waiting = await whatsapp_inbox.senders_waiting(session)
                if not waiting and not self._lanes:
                    return
                await asyncio.sleep(0.02)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wakeup.wait()
            self._wakeup.clear()
            try:
                async with self.runtime.database.session() as session:
                    senders = await whatsapp_inbox.senders_waiting(session)
            except Exception:
                log.exception("could not read the WhatsApp inbox; trying again")
                continue
            for sender in senders:
                if sender not in self._lanes:
                    self._start_lane(sender)

    def _start_lane(self, sender: str) -> None:
        self._lanes[sender] = asyncio.create_task(self._lane(sender), name="whatsapp-lane")

    async def _lane(self, sender: str) -> None:
        """The sender's messages, one after the other, each read in the transaction that
        answers it; the lane ends when none was waiting at that read and none was stored since."""
        failed = False
        try:
            async with self._slots:
                more = True
                while more:
                    self._told.discard(sender)  # what is stored from now on, the next read sees or is told
                    done, more = await self._process(sender)
                    more = more or sender in self._told
                    if not done:
                        failed = True
                        return
        finally:
            self._lanes.pop(sender, None)
            if failed:
                self.wake()  # tried again at once, still first in its line (up to MAX_ATTEMPTS)
            elif sender in self._told:  # stored while this lane was finishing
                self._told.discard(sender)
                self._start_lane(sender)

    async def _process(self, sender: str) -> tuple[bool, bool]:
        """Answer the sender's oldest message. Whether it is done with (answered, or set aside
        after failing too often, or none waited; not done: tried again), and whether another
        of theirs was waiting behind it."""
        database, clock = self.runtime.database, self.runtime.clock
        inbound_id = message_id = None
        try:
            # One unit of work, as a Telegram update is: the message read, and what the answer
            # reads through a session of its own (a reminder's renderer, for "Ver mensaje")
            # shares it, instead of waiting for the connection it holds (SQLite has one).
            async with database.unit_of_work() as session:
                waiting = await whatsapp_inbox.oldest_of(session, sender=sender)
                if not waiting:
                    return True, False
                inbound, more = waiting[0], len(waiting) > 1
                inbound_id, message_id = inbound.id, inbound.message_id
                reply = await self.answer(session, runtime=self.runtime, inbound=inbound, download=self._fetch)
            # Committed: what the person said, the step they are at and the screen they will
            # see are durable first.
            for work in reply.after_commit:
                try:
                    await work()
                except Exception:  # noqa: BLE001 - committed already: answering again would redo it
                    log.exception("after answering WhatsApp message %s", inbound_id)
            await outgoing.send_shown(self.runtime, self.sender, to=reply.to, shown=reply.shown, language=reply.language)
            user_id = reply.person.id if reply.person is not None else None
            held = await self._mark_processed(inbound_id, user_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            if inbound_id is None:  # the inbox could not be read: looked at again on the next wake-up
                log.exception("reading the WhatsApp inbox for a sender failed")
                return False, False
            log.exception("answering WhatsApp message %s failed", inbound_id)
            async with database.session() as session:
                set_aside = await whatsapp_inbox.attempt_failed(session, inbound_id=inbound_id, now=clock.now())
            if set_aside:
                log.error("WhatsApp message %s set aside after %s attempts", inbound_id, whatsapp_inbox.MAX_ATTEMPTS)
                self._done(message_id)
            return set_aside, True
        log.debug("answered WhatsApp message %s of user %s", inbound_id, user_id)
        await self._consequences(session, user_id, held)
        self._done(message_id)
        return True, more

    async def _mark_processed(self, inbound_id: int, user_id: int | None) -> list[int]:
        """Sent: the message marked processed and what was held for the person claimed, in one
        transaction shared with other lanes' marks (together.Together); the held ones' ids.
        Should that fail, the marking alone (an error there is the caller's: the message is
        tried again)."""
        try:
            return await self._marks.write((inbound_id, user_id))
        except Exception:  # noqa: BLE001 - answered already; what stays held goes at their next message
            log.exception("marking WhatsApp message %s processed with the claim of what was held for user %s "
                          "failed; marking it alone", inbound_id, user_id)
        async with self.runtime.database.session() as session:
            await whatsapp_inbox.mark_processed(session, inbound_ids=[inbound_id], now=self.runtime.clock.now())
        return []

    async def _mark_all(self, marks: list[tuple[int, int | None]]) -> list[list[int]]:
        """Messages answered, each with its person: marked processed, and what was held for
        those people claimed, in one transaction; each mark's claimed ids."""
        async with self.runtime.database.session() as session:
            await whatsapp_inbox.mark_processed(session, inbound_ids=[inbound_id for inbound_id, _user in marks],
                                                now=self.runtime.clock.now())
            held = await self.runtime.reminders.claim_held(
                session, recipient_ids={user_id for _inbound, user_id in marks if user_id is not None})
        return [held.pop(user_id, []) if user_id is not None else [] for _inbound, user_id in marks]

    async def _consequences(self, unit: DbSession, user_id: int | None, held: list[int]) -> None:
        """After the answer: they wrote, so the window is open and what was held for them goes
        now (claimed once, with the marking); and what the answer told others has gone out
        before the message counts as done with, as on Telegram."""
        engine = self.runtime.reminders
        try:
            if user_id is not None:
                await engine.release(recipient_id=user_id, claimed=held)
            await reminders.deliver_woken(unit)
        except Exception:  # noqa: BLE001 - answered already; what stays held goes at their next message
            log.exception("after answering user %s: releasing held messages failed", user_id)

    async def _fetch(self, media_id: str) -> bytes:
        """An inbound file, fetched while its message is answered (the URL lives minutes)."""
        return await self.sender.download(media_id)

    def _done(self, message_id: str | None) -> None:
        if self.on_done is not None and message_id is not None:
            self.on_done(message_id)
