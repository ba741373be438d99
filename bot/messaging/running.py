"""What the bot sends on its own, running once per process whichever channels are configured:
the reminders engine (reminders and notices, through `runtime.channels`) and the broadcaster
(through `runtime.broadcasts`).

Each channel adds its deliverer and its broadcast sender, then calls `start`; the first start
settles what the last run left behind and begins delivering, later ones only count. Each
channel calls `stop` when it stops; the last one stops delivering, once what is being sent has
gone out. So Telegram alone, WhatsApp alone, or both in one process, deliver the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.messaging.broadcasting import Broadcaster
from bot.messaging.channels import Channels
from bot.messaging.reminders import ReminderEngine

log = logging.getLogger(__name__)

FIRST_RUN_SECONDS = 1.0
STOP_WAIT_SECONDS = 10.0


class Outgoing:
    def __init__(self, *, engine: ReminderEngine, channels: Channels, broadcasts: Broadcaster, interval: float) -> None:
        self.engine = engine
        self.channels = channels
        self.broadcasts = broadcasts
        self.interval = interval
        self._users = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None

    async def start(self) -> None:
        """A channel started: deliver from now on (the first call does the work)."""
        self._users += 1
        if self._users > 1:
            return
        try:
            self.engine.set_deliverer(self.channels)
            report = await self.engine.recover_on_start()
            log.info("reminders after restart: %s uncertain, %s dropped", report.uncertain, report.dropped)
            # Broadcasts go out from a task of their own; one cut short by a restart resumes here.
            await self.broadcasts.start()
        except BaseException:
            self._users -= 1
            raise
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._periodic(), name="reminders")

    async def stop(self) -> None:
        """A channel stopped: the last one stops delivering, once what was being sent went out."""
        if self._users == 0:
            return
        self._users -= 1
        if self._users:
            return
        task, self._task = self._task, None
        if task is not None:
            # Let a run under way finish (cancelled mid-statement, a database driver's thread
            # would answer a loop that may be gone), but not wait long for it.
            self._stopping.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_WAIT_SECONDS)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.engine.settled()
        await self.broadcasts.stop()

    async def _periodic(self) -> None:
        """Deliver the due reminders every `interval` seconds (the first a second after start)."""
        wait = FIRST_RUN_SECONDS
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)
            if self._stopping.is_set():
                return
            try:
                await self.engine.run_due()
            except Exception:
                log.exception("delivering due reminders failed; trying again at the next run")
            wait = self.interval
