"""GET /health for a proxy in front of an active/standby pair: 200 only from the instance that
holds the lock and reaches its database; 503 from the standby, or with the database down.

Served on the WhatsApp webhook server and on Telegram's webhook server alike
(handlers/channels.py), and by the standby's stand-in server while it waits (bot/cli.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

HEALTH_PATH = "/health"


class ListenFailed(Exception):
    """A webhook server could not listen where the settings say; the message names the setting."""


async def listen(runner: web.AppRunner, host: str, port: int, *, setting: str) -> None:
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        raise ListenFailed(f"The webhook server could not listen on {host}:{port} ({error.strerror or error}): "
                           f"check {setting}, or stop what already uses that port.") from error
DATABASE_TIMEOUT_SECONDS = 2.0


def health_handler(
    *, is_active: Callable[[], bool], database_reachable: Callable[[], Awaitable[bool]]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def health(_request: web.Request) -> web.Response:
        if not is_active():
            return web.json_response({"status": "standby"}, status=503)
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                reachable = await database_reachable()
        except TimeoutError:
            reachable = False
        if not reachable:
            return web.json_response({"status": "database unreachable"}, status=503)
        return web.json_response({"status": "active"})

    return health


def standby_app() -> web.Application:
    """What a standby serves on the webhook ports while it waits: 503 to everything, so the
    proxy sends Meta's and Telegram's calls to the active instance (and they retry if none)."""

    async def waiting(_request: web.Request) -> web.Response:
        return web.json_response({"status": "standby"}, status=503)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", waiting)
    return app


class StandbyHealth:
    """While this instance waits as the standby, its webhook ports answer 503 (`standby_app`).

    The wait for the lock blocks the main thread before any event loop exists, so the server
    runs in a thread with its own loop. A port already taken (a standby on the active one's
    machine) is left alone: that instance answers for it.
    """

    def __init__(self, addresses: list[tuple[str, int]]) -> None:
        self.addresses = addresses
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="voces-standby-health", daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result()

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _serve(self) -> None:
        self._runner = web.AppRunner(standby_app(), access_log=None)
        await self._runner.setup()
        for host, port in self.addresses:
            try:
                await web.TCPSite(self._runner, host, port).start()
            except OSError as error:
                log.info("the standby answers no health check on port %s (%s)", port, error.strerror or error)
