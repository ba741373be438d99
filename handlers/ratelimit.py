"""Telegram's flood control, plus retries when the network drops before a request went out.

Telegram lets a bot send about 30 messages a second in all. Every message the bot sends takes
a place in one `SendBudget`; bulk sends (broadcasts, marked with `BULK` as their
`rate_limit_args`) take a place only when no answer to a person is waiting for one, so people
who write during a broadcast of thousands are answered as fast as when nothing is being sent
(bench/bench_broadcast.py measures both).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter

from bot.core.sendbudget import SendBudget

log = logging.getLogger(__name__)

# Pass as `rate_limit_args` for a message that may wait behind people's answers.
BULK = {"bulk": True}

# What Telegram counts against the bot's messages per second (answering a button does not).
COUNTED = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendPoll", "sendVideo", "sendAudio",
    "sendVoice", "sendSticker", "sendLocation", "sendContact", "copyMessage", "forwardMessage",
    "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
})


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
