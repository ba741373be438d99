"""Telegram's flood control, plus retries when the network drops before a request went out.

Telegram lets a bot send about 30 messages a second in all. Every message the bot sends takes
a place in one `SendBudget`; bulk sends (broadcasts, marked with `BULK` as their
`rate_limit_args`) take a place only when no answer to a person is waiting for one, so people
who write during a broadcast of thousands are answered as fast as when nothing is being sent
(bench/bench_broadcast.py measures both).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from contextvars import ContextVar
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

# When the message an answer answers arrived (time.monotonic()), for the update being handled.
answering_since: ContextVar[float | None] = ContextVar("voces_answering_since", default=None)

# Pass as `rate_limit_args` for a message that may wait behind people's answers.
BULK = {"bulk": True}

# What Telegram counts against the bot's messages per second (answering a button does not).
COUNTED = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendPoll", "sendVideo", "sendAudio",
    "sendVoice", "sendSticker", "sendLocation", "sendContact", "copyMessage", "forwardMessage",
    "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
})


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


class PatientRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (waits out 429 `retry_after`), retrying connection failures too.

    A request that failed to connect never reached Telegram, so sending it again cannot
    duplicate a message. A timeout is different: the message may have arrived, so it is not
    repeated here (the error handler logs it and the person is told).

    Two hooks let the application take part (handlers/app.py wires them):

    - `while_waiting()`: a context around a message's wait for its place in the budget, when
      there is a wait. The update that sends it commits its work and lends its update slot
      meanwhile, so a crowd's answers queueing for the limit hold up neither the database nor
      the presses and messages behind them. (Lending the slot for every request's network
      wait too cost 10 % more processor per conversation step: bench/README.md.)
    - `first_answer(callback_query_id)`: whether an `answerCallbackQuery` may go out. Telegram
      takes one answer per press; a second one (the handler's, after the press was answered
      because it was slow to) is not sent.
    """

    def __init__(
        self,
        *,
        network_retries: int = 3,
        backoff_seconds: float = 0.5,
        budget: SendBudget | None = None,
        while_waiting: Callable[[], AbstractAsyncContextManager[Any]] = nullcontext,
        first_answer: Callable[[str], bool] = lambda _query_id: True,
        **kwargs: Any,
    ) -> None:
        # The budget replaces AIORateLimiter's overall limiter, which knows no priorities.
        super().__init__(overall_max_rate=0, **kwargs)
        self._network_retries = network_retries
        self._backoff_seconds = backoff_seconds
        self.budget = budget or SendBudget()
        self.while_waiting = while_waiting
        self.first_answer = first_answer

    async def process_request(
        self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: dict[str, Any], rate_limit_args: Any
    ) -> Any:
        bulk = isinstance(rate_limit_args, dict) and bool(rate_limit_args.get("bulk"))
        if isinstance(rate_limit_args, dict):
            rate_limit_args = rate_limit_args.get("max_retries")
        if endpoint == "answerCallbackQuery" and not self.first_answer(str(data.get("callback_query_id"))):
            return True  # already answered: Telegram would refuse a second answer
        if endpoint not in COUNTED:
            return await self._send(callback, args, kwargs, endpoint, data, rate_limit_args)
        if not self.budget.take_now(bulk=bulk):
            async with self.while_waiting():
                await self.budget.take(bulk=bulk)
        try:
            return await self._send(callback, args, kwargs, endpoint, data, rate_limit_args)
        finally:
            self.budget.give_back()

    async def _send(self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: dict[str, Any], rate_limit_args: Any) -> Any:
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except TimedOut:
                raise
            except NetworkError as error:
                if attempt == self._network_retries or "connect" not in str(error).lower():
                    raise
                log.warning("network error before the request reached Telegram, retrying: %s", error)
                await asyncio.sleep(self._backoff_seconds * 2**attempt)
        raise AssertionError("unreachable")
