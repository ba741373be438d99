"""The WhatsApp channel in the running process: its webhook server and the worker behind it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.core.runtime import Runtime
from handlers.health import listen
from handlers.whatsapp import webhook
from handlers.whatsapp.ports import Sender
from handlers.whatsapp.worker import InboxWorker

log = logging.getLogger(__name__)


class WhatsAppChannel:
    def __init__(self, runtime: Runtime, sender: Sender, *, is_active: Callable[[], bool] = lambda: True,
                 **worker_options: Any) -> None:
        self.runtime = runtime
        self.worker = InboxWorker(runtime, sender, **worker_options)
        self.app = webhook.build_app(runtime, on_stored=self.worker.wake, is_active=is_active)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, *, host: str | None = None, port: int | None = None) -> None:
        """Take Meta's calls, and answer what an earlier run left unanswered (the port first: a
        port already taken stops the start before the worker touches the database)."""
        settings = self.runtime.settings
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await listen(self._runner, host or settings.whatsapp_webhook_listen,
                     settings.whatsapp_webhook_port if port is None else port,
                     setting="WHATSAPP_WEBHOOK_LISTEN and WHATSAPP_WEBHOOK_PORT")
        self.port = self._runner.addresses[0][1]
        await self.worker.start()
        log.info("WhatsApp webhook listening on port %s at %s", self.port, settings.whatsapp_webhook_path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.worker.stop()


class GraphSender:
    """Sends through the Cloud API's /messages (a thin stand-in for the channel's client)."""

    def __init__(self, *, base_url: str, phone_number_id: str, token: str) -> None:
        self.url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    async def send(self, to: str, payload: dict[str, Any]) -> str | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        # A BSUID (a two-letter country, a dot, then the id) goes as `recipient`, a number as `to`.
        address = {"recipient": to} if "." in to else {"to": to}
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **address, **payload}
        async with self._session.post(self.url, json=body, headers={"Authorization": f"Bearer {self.token}"}) as response:
            answer = await response.json(content_type=None)
            if response.status >= 400:
                raise RuntimeError(f"the Cloud API refused a message ({response.status}): {str(answer)[:200]}")
        messages = answer.get("messages") if isinstance(answer, dict) else None
        return messages[0].get("id") if messages else None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
