"""The pace of one channel's bulk sends: at most `rate` requests in any `period` seconds as the
far end counts them, evenly spaced, slowing down when the far end says it is too fast.

As `handlers/ratelimit.SendBudget` does for Telegram: a place is taken when a request leaves and
given back `period` after its answer came, so however late or early the request reached the
server, no one-second window there sees more than `rate` of them. A "too fast" answer
(WhatsApp's 130429) halves the pace for a while and stops sending for the time asked; the pace
then climbs back by a little with each send.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

RECOVERY = 1.02  # each send after a back-off raises the pace by 2 %, up to `rate`


class Pace:
    def __init__(self, rate: float, *, period: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.period = period
        self.current = rate
        self._clock = clock
        self._next = 0.0  # no send leaves before this
        self._in_flight = 0
        self._answered: deque[float] = deque()
        self.backed_off = 0

    def _room(self, now: float) -> bool:
        while self._answered and self._answered[0] <= now - self.period:
            self._answered.popleft()
        return self._in_flight + len(self._answered) < int(self.current * self.period)

    @asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """Wait for a place, send inside the block."""
        while True:
            now = self._clock()
            if now >= self._next and self._room(now):
                break
            wait = max(self._next - now, 0.0)
            if wait == 0.0:  # full: the oldest answer leaves the window first
                wait = max(self._answered[0] + self.period - now, 0.001) if self._answered else self.period / self.current
            await asyncio.sleep(wait)
        # From when this send was due, not when it woke: a late wake-up (a busy event loop) is
        # caught up, up to a quarter period, instead of slowing every send after it.
        interval = self.period / self.current
        self._next = max(self._next, now - self.period / 4) + interval
        self.current = min(self.rate, self.current * RECOVERY)
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(self._clock())

    def back_off(self, seconds: float) -> None:
        """The far end said "too fast": half the pace, and nothing for `seconds`. The answers
        to requests that were in flight together count once."""
        now = self._clock()
        if now < self._next - self.period / self.current:  # already backing off
            return
        self.backed_off += 1
        self.current = max(1.0 / self.period, self.current / 2)
        self._next = max(self._next, now + seconds)
