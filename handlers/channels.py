"""The channels configured, side by side in one process on one runtime: Telegram (polling, or
its webhook) and WhatsApp (its webhook and the worker behind it). Either may run alone.

Telegram's webhook is served here on aiohttp rather than by PTB's `run_webhook`, so that it
answers /health as the WhatsApp server does (a proxy in front of an active/standby pair asks it
which instance is active); updates reach the Application through its update queue, checked
against the secret token Telegram sends with each, as PTB's own server does.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Update
from telegram.ext import ExtBot

from bot.core.config import Settings
from bot.core.runtime import Runtime
from handlers.app import build_application, start_in_loop, stop_in_loop
from handlers.context import VocesApplication
from handlers.health import HEALTH_PATH, health_handler, listen
from handlers.whatsapp.channel import ClientSender, WhatsAppChannel

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def serve(runtime: Runtime, *, is_active: Callable[[], bool]) -> None:
    """Run every configured channel until SIGTERM or Ctrl-C, then stop them in reverse."""
    settings = runtime.settings
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    stoppers: list[Callable[[], Awaitable[None]]] = []
    try:
        if settings.telegram_enabled:
            application = build_application(runtime)
            stoppers.append(lambda: stop_in_loop(application))
            if settings.webhook_url:
                runner = await start_telegram_webhook(application, runtime, is_active=is_active)
                stoppers.append(runner.cleanup)
            else:
                await start_in_loop(application, allowed_updates=Update.ALL_TYPES)
        if settings.whatsapp_enabled:
            sender = whatsapp_sender(settings)
            stoppers.append(sender.close)
            channel = WhatsAppChannel(runtime, sender, is_active=is_active)
            stoppers.append(channel.stop)
            await channel.start()
            await sender.publish_commands(runtime)
        await stopped.wait()
    finally:
        for stop in reversed(stoppers):
            try:
                await stop()
            except Exception:
                log.exception("stopping a channel failed")
        await runtime.database.dispose()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signum)


def whatsapp_sender(settings: Settings) -> ClientSender:
    """The Cloud API client the channel sends through (pywa behind handlers/whatsapp/client.py)."""
    return ClientSender.from_settings(settings)


class ChannelsInLoop:
    """Every configured channel started in the caller's event loop (the playground's bot):
    Telegram polling, and WhatsApp's webhook on a free port of its listen address, whose URL
    `whatsapp_webhook_url` gives once started so that the caller can subscribe a Cloud API
    (the stand-in) to it."""

    def __init__(self) -> None:
        self.whatsapp_webhook_url: str | None = None
        self._stoppers: list[Callable[[], Awaitable[None]]] = []

    async def start(self, runtime: Runtime) -> None:
        settings = runtime.settings
        try:
            if settings.telegram_enabled:
                application = build_application(runtime)
                await start_in_loop(application)
                self._stoppers.append(lambda: stop_in_loop(application))
            if settings.whatsapp_enabled:
                sender = whatsapp_sender(settings)
                self._stoppers.append(sender.close)
                channel = WhatsAppChannel(runtime, sender)
                self._stoppers.append(channel.stop)
                await channel.start(port=0)
                host = settings.whatsapp_webhook_listen
                host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - naming, not binding
                self.whatsapp_webhook_url = f"http://{host}:{channel.port}{settings.whatsapp_webhook_path}"
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        self.whatsapp_webhook_url = None
        while self._stoppers:
            try:
                await self._stoppers.pop()()
            except Exception:
                log.exception("stopping a channel failed")


async def start_telegram_webhook(
    application: VocesApplication, runtime: Runtime, *, is_active: Callable[[], bool]
) -> web.AppRunner:
    settings = runtime.settings
    assert settings.webhook_url
    # Telegram sends this secret in a header with every update, so nobody else can post
    # updates to our URL; a fresh one per start is fine because setWebhook sends it along.
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    path = "/" + settings.webhook_url.rstrip("/").rsplit("/", 1)[-1]

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="secret token refused")
        try:
            update = Update.de_json(await request.json(), application.bot)
        except Exception:  # noqa: BLE001 - whatever it is, it is not an update
            return web.Response(status=400, text="not an update")
        if update is not None:
            if isinstance(application.bot, ExtBot):
                application.bot.insert_callback_data(update)
            await application.update_queue.put(update)
        return web.Response(text="ok")

    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    app = web.Application()
    app.router.add_post(path, receive)
    app.router.add_get(HEALTH_PATH, health_handler(is_active=is_active, database_reachable=lambda: runtime.database.ping()))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await listen(runner, settings.webhook_listen, settings.webhook_port, setting="WEBHOOK_LISTEN and WEBHOOK_PORT")
    await application.bot.set_webhook(url=settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
    return runner

