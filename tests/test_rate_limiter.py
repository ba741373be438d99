"""Requests that never reached Telegram are sent again; ones that may have arrived are not."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError, TimedOut

from handlers.ratelimit import PatientRateLimiter


def flaky(failures: list[Exception]):
    calls = []

    async def request(*args, **kwargs):
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return {"ok": True}

    return request, calls


async def send(limiter: PatientRateLimiter, request) -> object:
    return await limiter.process_request(request, (), {}, "sendMessage", {"chat_id": 1}, None)


async def test_a_failed_connection_is_retried_until_the_message_goes_out():
    limiter = PatientRateLimiter(backoff_seconds=0)
    await limiter.initialize()
    request, calls = flaky([NetworkError("httpx.ConnectError: refused"), NetworkError("httpx.ConnectError: refused")])
    assert await send(limiter, request) == {"ok": True}
    assert len(calls) == 3


async def test_a_timeout_is_not_repeated_because_the_message_may_have_arrived():
    limiter = PatientRateLimiter(backoff_seconds=0)
    await limiter.initialize()
    request, calls = flaky([TimedOut()])
    with pytest.raises(TimedOut):
        await send(limiter, request)
    assert len(calls) == 1
