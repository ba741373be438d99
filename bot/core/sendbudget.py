"""At most so many messages a second, people's answers first: the send budget of a channel
(Telegram's 30 a second in handlers/ratelimit.py, WhatsApp's 80 per number in
handlers/whatsapp/channel.py). Channel-neutral: it knows no chat library."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from contextvars import ContextVar

# When the message an answer answers arrived (time.monotonic()), for the update being handled.
answering_since: ContextVar[float | None] = ContextVar("voces_answering_since", default=None)


# Set while a message may wait behind people's answers (a broadcast's), for channels whose
# sender cannot be told per request (WhatsApp's ClientSender reads it).
sending_bulk: ContextVar[bool] = ContextVar("voces_sending_bulk", default=False)


class SendBudget:
    """At most `rate` messages in any `period` seconds as Telegram counts them, people's
    answers first, each in the order it asked.

    Telegram counts a message when it arrives, some time between the moment the request
    leaves and the moment its answer is back. So a place is taken when a request leaves and
    given back `period` after its answer arrived: however late or early a request reached
    Telegram, its one-second window is over by then, and no burst or network jitter can put
    more than `rate` messages into one. (A leaky bucket, like aiolimiter's, lets a full burst
    through and then one more message each 1/rate s: a one-second window sees that as over.)
    Bulk sends are also spaced evenly, period / rate apart, so they leave room at every moment.

    Messages that wait stand in a queue (people's, then bulk), each woken when its place is
    free, and 300 waiters cost nothing while they wait (no one polls). People's answers go in
    the order the messages they answer arrived (`answering_since`, set by the update
    processor): first come, first served, so the last of a crowd writing /start at once is
    answered as soon as the limit allows, before the follow-ups of those answered first.
    """

    def __init__(self, rate: int = 30, period: float = 1.0) -> None:
        self.rate = rate
        self.period = period
        self._in_flight = 0
        self._answered: deque[float] = deque()  # the moments answers arrived, oldest first
        self._people: list[tuple[float, int, asyncio.Future[None]]] = []  # a heap, by arrival
        self._arrivals = itertools.count()
        self._bulk: deque[asyncio.Future[None]] = deque()
        self._next_bulk = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def _free(self, now: float) -> int:
        while self._answered and self._answered[0] <= now - self.period:
            self._answered.popleft()
        return self.rate - self._in_flight - len(self._answered)

    def people_waiting(self) -> bool:
        """Whether answers to people are waiting for a place now (bulk sends always may)."""
        return bool(self._people)

    def take_now(self, *, bulk: bool) -> bool:
        """Take a place if one is free with no one waiting ahead; say whether it did."""
        now = time.monotonic()
        if self._free(now) <= 0 or self._people or (bulk and (self._bulk or now < self._next_bulk)):
            return False
        self._in_flight += 1
        if bulk:
            self._next_bulk = max(self._next_bulk + self.period / self.rate, now)
        return True

    async def take(self, *, bulk: bool) -> None:
        if self.take_now(bulk=bulk):
            return
        place = asyncio.get_running_loop().create_future()
        if bulk:
            self._bulk.append(place)
        else:
            since = answering_since.get()
            heapq.heappush(self._people, (time.monotonic() if since is None else since, next(self._arrivals), place))
        self._hand_out()
        try:
            await place
        except asyncio.CancelledError:
            if place.done() and not place.cancelled():  # handed a place just as it was cancelled
                self._in_flight -= 1
                self._hand_out()
            raise

    def give_back(self) -> None:
        """The request's answer (or its failure) arrived: its place is free again in `period`."""
        self._in_flight -= 1
        self._answered.append(time.monotonic())
        self._hand_out()

    def _hand_out(self) -> None:
        """Give the free places to the first waiting, people before bulk; wake up again when
        the next place frees (a request's answer arriving wakes it too)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = time.monotonic()
        free = self._free(now)
        while free > 0 and self._people:
            if self._give(heapq.heappop(self._people)[2]):
                free -= 1
        while self._bulk and self._bulk[0].done():  # cancelled while waiting
            self._bulk.popleft()
        wake_at = None
        if free > 0 and self._bulk and not self._people:
            if now >= self._next_bulk:
                if self._give(self._bulk.popleft()):
                    self._next_bulk = max(self._next_bulk + self.period / self.rate, now)
                if self._bulk:
                    wake_at = self._next_bulk
            else:
                wake_at = self._next_bulk
        if (self._people or self._bulk) and wake_at is None and self._answered:
            wake_at = self._answered[0] + self.period + 0.001  # just past it: timers may run a hair early
        if wake_at is not None:
            self._timer = asyncio.get_running_loop().call_at(wake_at, self._hand_out)

    def _give(self, place: asyncio.Future[None]) -> bool:
        if place.done():  # its sender was cancelled while waiting
            return False
        self._in_flight += 1
        place.set_result(None)
        return True
