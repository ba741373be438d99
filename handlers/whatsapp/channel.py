"""The WhatsApp channel in the running process: its webhook server and the worker behind it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.core.config import Settings
from bot.core.runtime import Runtime
from bot.core.sendbudget import SendBudget, sending_bulk
from handlers.health import listen
from handlers.whatsapp import router, webhook
from handlers.whatsapp.client import Choice, ListSection, WhatsAppApiError, WhatsAppClient
from handlers.whatsapp.deliver import WhatsAppBroadcasts, WhatsAppDeliverer
from handlers.whatsapp.ports import Sender
from handlers.whatsapp.worker import InboxWorker

log = logging.getLogger(__name__)

# What WhatsApp lets one business number send by default (Meta raises it for busy numbers).
MESSAGES_PER_SECOND = 80


class WhatsAppChannel:
    def __init__(self, runtime: Runtime, sender: Sender, *, is_active: Callable[[], bool] = lambda: True,
                 **worker_options: Any) -> None:
        self.runtime = runtime
        # What the bot starts for people on WhatsApp (notices, reminders, broadcasts) goes out here.
        runtime.channels.add("whatsapp", WhatsAppDeliverer(runtime, sender))
        runtime.broadcasts.add("whatsapp", WhatsAppBroadcasts(runtime, sender))
        self.worker = InboxWorker(runtime, sender, **worker_options)
        self.app = webhook.build_app(runtime, on_stored=self.worker.stored, is_active=is_active)
        self._runner: web.AppRunner | None = None
        self._outgoing = False
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
        # Reminders, notices and broadcasts go out with WhatsApp alone too (once per process).
        await self.runtime.outgoing.start()
        self._outgoing = True
        await self.worker.start()
        log.info("WhatsApp webhook listening on port %s at %s", self.port, settings.whatsapp_webhook_path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.worker.stop()
        if self._outgoing:
            self._outgoing = False
            await self.runtime.outgoing.stop()


class ClientSender:
    """The channel's Sender over the Cloud API client (handlers/whatsapp/client.py): each
    payload `render` made goes out through the client's typed call for its kind, so pywa builds
    the request and Meta's errors arrive typed (BackOff, Unreachable, OutsideWindow…)."""

    def __init__(self, client: WhatsAppClient, *, per_second: int = MESSAGES_PER_SECOND) -> None:
        self.client = client
        # Meta's throughput limit per number (130429 beyond it): every message takes a place,
        # given back a second after its answer came (bot/core/sendbudget.py).
        self.budget = SendBudget(rate=per_second)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientSender:
        assert settings.whatsapp_token and settings.whatsapp_phone_number_id
        return cls(WhatsAppClient(base_url=settings.whatsapp_api_base_url, token=settings.whatsapp_token,
                                  phone_number_id=settings.whatsapp_phone_number_id))

    async def send(self, to: str, payload: dict[str, Any]) -> str | None:
        await self.budget.take(bulk=sending_bulk.get())  # a broadcast's waits behind people's answers
        try:
            return await self._send(to, payload)
        finally:
            self.budget.give_back()

    async def _send(self, to: str, payload: dict[str, Any]) -> str | None:
        kind = payload.get("type")
        content = payload.get(kind or "") or {}
        client = self.client
        if kind == "text":
            return await client.send_text(to, content["body"])
        if kind == "interactive":
            body = content["body"]["text"]
            action = content["action"]
            if content["type"] == "button":
                return await client.send_buttons(to, body, [Choice(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]])
            if content["type"] == "list":
                sections = [ListSection(section.get("title", ""), [Choice(row["id"], row["title"], row.get("description"))
                                                                 for row in section["rows"]])
                            for section in action["sections"]]
                return await client.send_list(to, body, action["button"], sections)
            if content["type"] == "cta_url":
                parameters = action["parameters"]
                return await client.send_link(to, body, parameters["display_text"], parameters["url"])
        if kind == "document":
            return await client.send_document(to, media_id=content["id"], filename=content.get("filename"),
                                              caption=content.get("caption"))
        if kind == "image":
            return await client.send_image(to, media_id=content["id"], caption=content.get("caption"))
        if kind == "template":
            parameters = [p["text"] for c in content.get("components", []) if c["type"] == "body" for p in c["parameters"]]
            payloads = [p["payload"] for c in content.get("components", []) if c["type"] == "button" for p in c["parameters"]]
            return await client.send_template(to, content["name"], content["language"]["code"], body=parameters,
                                              button_payloads=payloads)
        raise ValueError(f"no way to send a {kind!r} message")

    async def upload(self, content: bytes, *, mime_type: str, filename: str) -> str:
        return await self.client.upload(content, mime_type=mime_type, filename=filename)

    async def download(self, media_id: str) -> bytes:
        return (await self.client.download(media_id)).content

    async def publish_commands(self, runtime: Runtime) -> None:
        """Set the number's "/" command list to the leaders' commands, in the default language;
        Meta unreachable, the list it has stays (logged): the channel works without it."""
        try:
            await self.client.set_commands(router.slash_commands(runtime.translator(runtime.settings.default_language)))
        except WhatsAppApiError:
            log.warning("could not set WhatsApp's command list", exc_info=True)

    async def close(self) -> None:
        await self.client.close()
