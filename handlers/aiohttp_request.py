"""PTB's requests to the Bot API over aiohttp's client instead of httpx.

A profile of a conversation step (bench/README.md) put half of the bot's time in httpx and
httpcore: per request, httpcore walks every pooled connection and asks each whether it has
expired (through anyio's socket attributes), and builds and tears down several layers of
streams. aiohttp, which Voces already uses for the webhook and the emulator, does the same
request for a fraction of that. The contract is PTB's `HTTPXRequest`'s: the same timeouts,
`TimedOut` for a timeout (the message may have arrived), `NetworkError` naming the failure
otherwise (one that failed to connect says "Connect", so the rate limiter sends it again).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        *,
        connection_pool_size: int = 1,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {"connect": connect_timeout, "read": read_timeout, "write": write_timeout, "pool": pool_timeout}
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # The Bot API answers JSON; PTB decodes it, aiohttp need not look at it.
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        given = {"connect": connect_timeout, "read": read_timeout, "write": write_timeout, "pool": pool_timeout}
        chosen = {name: self._timeouts[name] if isinstance(value, DefaultValue) else value for name, value in given.items()}
        if files and isinstance(write_timeout, DefaultValue):
            chosen["write"] = self._media_write_timeout
        waiting = [chosen["pool"], chosen["connect"]]
        timeout = aiohttp.ClientTimeout(
            # aiohttp's `connect` covers the wait for a pooled connection and making a new one.
            connect=None if None in waiting else sum(waiting),  # type: ignore[arg-type]
            sock_connect=chosen["connect"],
            # aiohttp has no write timeout of its own: the read timeout starts once it is written.
            sock_read=None if chosen["read"] is None or chosen["write"] is None else chosen["read"] + chosen["write"],
        )
        data: Any = request_data.json_parameters if request_data else None
        if files:
            form = aiohttp.FormData()
            for name, value in (data or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            data = form
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
