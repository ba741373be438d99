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
import logging
import time
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

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
    answers first.

    Telegram counts a message when it arrives, some time between the moment the request
    leaves and the moment its answer is back. So a place is taken when a request leaves and
    given back `period` after its answer arrived: however late or early a request reached
    Telegram, its one-second window is over by then, and no burst or network jitter can put
    more than `rate` messages into one. (A leaky bucket, like aiolimiter's, lets a full burst
    through and then one more message each 1/rate s: a one-second window sees that as over.)
    Bulk sends are also spaced evenly, period / rate apart, so they leave room at every moment.
    """

    def __init__(self, rate: int = 30, period: float = 1.0) -> None:
        self.rate = rate
        self.period = period
        self._in_flight = 0
        self._answered: list[float] = []  # a heap of the moments answers arrived
        self._people_waiting = 0
        self._next_bulk = 0.0

    def _free(self, now: float) -> int:
        while self._answered and self._answered[0] <= now - self.period:
            heapq.heappop(self._answered)
        return self.rate - self._in_flight - len(self._answered)

    async def take(self, *, bulk: bool) -> None:
        if not bulk:
            self._people_waiting += 1
        try:
            while True:
                now = time.monotonic()
                free = self._free(now)
                if bulk and free > 0 and now < self._next_bulk:
                    await asyncio.sleep(self._next_bulk - now)
                    continue
                if free > 0 and not (bulk and self._people_waiting):
                    self._in_flight += 1
                    if bulk:
                        self._next_bulk = max(self._next_bulk + self.period / self.rate, now)
                    return
                if free > 0 or not self._answered:
                    await asyncio.sleep(0.002)  # a person's answer is about to take this place, or answers are due
                else:
                    await asyncio.sleep(max(self._answered[0] + self.period - now, 0.001))
        finally:
            if not bulk:
                self._people_waiting -= 1

    def give_back(self) -> None:
        """The request's answer (or its failure) arrived: its place is free again in `period`."""
        self._in_flight -= 1
        heapq.heappush(self._answered, time.monotonic())


class PatientRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (waits out 429 `retry_after`), retrying connection failures too.

    A request that failed to connect never reached Telegram, so sending it again cannot
    duplicate a message. A timeout is different: the message may have arrived, so it is not
    repeated here (the error handler logs it and the person is told).
    """

    def __init__(
        self, *, network_retries: int = 3, backoff_seconds: float = 0.5, budget: SendBudget | None = None, **kwargs: Any
    ) -> None:
        # The budget replaces AIORateLimiter's overall limiter, which knows no priorities.
        super().__init__(overall_max_rate=0, **kwargs)
        self._network_retries = network_retries
        self._backoff_seconds = backoff_seconds
        self.budget = budget or SendBudget()

    async def process_request(
        self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: dict[str, Any], rate_limit_args: Any
    ) -> Any:
        bulk = isinstance(rate_limit_args, dict) and bool(rate_limit_args.get("bulk"))
        if isinstance(rate_limit_args, dict):
            rate_limit_args = rate_limit_args.get("max_retries")
        if endpoint not in COUNTED:
            return await self._send(callback, args, kwargs, endpoint, data, rate_limit_args)
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
