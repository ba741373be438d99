"""Telegram's flood control, plus retries when the network drops before a request went out."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)


class PatientRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (waits out 429 `retry_after`), retrying connection failures too.

    A request that failed to connect never reached Telegram, so sending it again cannot
    duplicate a message. A timeout is different: the message may have arrived, so it is not
    repeated here (the error handler logs it and the person is told).
    """

    def __init__(self, *, network_retries: int = 3, backoff_seconds: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._network_retries = network_retries
        self._backoff_seconds = backoff_seconds

    async def process_request(self, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(*args, **kwargs)
            except TimedOut:
                raise
            except NetworkError as error:
                if attempt == self._network_retries or "connect" not in str(error).lower():
                    raise
                log.warning("network error before the request reached Telegram, retrying: %s", error)
                await asyncio.sleep(self._backoff_seconds * 2**attempt)
        raise AssertionError("unreachable")
