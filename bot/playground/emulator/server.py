"""The server: ``BotApiEmulator`` serves the Bot API and the client API, and waits for the bot."""

from __future__ import annotations

import asyncio
import copy
import logging
import math
import time
from collections import deque
from types import TracebackType

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.core.clock import Clock, SystemClock
from bot.playground.emulator.archive import ChatArchive
from bot.playground.emulator.bot_api import ApiMethod, BotApiMethods
from bot.playground.emulator.calls import _Call, _read_parameters
from bot.playground.emulator.client_api import _ClientApi
from bot.playground.emulator.people import SimulatedUser
from bot.playground.emulator.state import (
    FIRST_USER_ID,
    RATE_LIMITED_METHODS,
    RECORDED_CALLS,
    TOKEN_FORM,
    UPLOAD_LIMIT_BYTES,
    ApiCall,
    ChatMessage,
    EmulatedBot,
    EmulatorStats,
    JsonDict,
    Numbers,
    PrivateChat,
    StoredFile,
    TelegramApiError,
    _UpdateTracking,
)

NOT_FOUND = TelegramApiError(404, "Not Found")

log = logging.getLogger(__name__)


class BotApiEmulator(BotApiMethods):
    """A Telegram Bot API server on loopback, with simulated users. See the module docstring."""

    def __init__(
        self,
        *,
        token: str | None = None,
        send_limit_per_second: float | None = None,
        download_limit_bytes: int = 20 * 1024 * 1024,
        bot_username: str = "voces_bot",
        bot_first_name: str = "Voces",
        clock: Clock | None = None,
    ) -> None:
        self.send_limit_per_second = send_limit_per_second
        self.download_limit_bytes = download_limit_bytes
        # The bot the simulated people talk to. Without a token here, the first request with a
        # token of Telegram's form claims it, so any test can start its bot on a fresh emulator.
        self.bot = EmulatedBot(token, username=bot_username, first_name=bot_first_name)
        self._bots: dict[str, EmulatedBot] = {token: self.bot} if token else {}
        self.clock: Clock = clock or SystemClock()
        # Waiting for the bot (see SimulatedUser actions).
        self.expect_processed_signal = False
        self.settle_seconds = 0.2
        self.action_timeout = 15.0
        # Chat id → seconds every request about that chat takes, as to a person on a patchy
        # connection (Telegram waits on their phone no more than on anyone's, but a slow answer
        # to one person must hold up no one else: tests put that to the proof).
        self.slow_chats: dict[int, float] = {}

        self.calls: deque[ApiCall] = deque(maxlen=RECORDED_CALLS)
        self.stats = EmulatorStats()
        self.base_url = ""
        self.base_file_url = ""
        self.url = ""

        self._seqs = Numbers(1)
        self._users: dict[int, SimulatedUser] = {}
        self._user_ids = Numbers(FIRST_USER_ID)
        self._closing = False
        self._last_bot_request_at = 0.0

        self._update_ids = Numbers(1)
        self._tracking: dict[int, _UpdateTracking] = {}

        self._recent_sends: deque[float] = deque()
        self._callback_queries: dict[str, int] = {}  # unanswered query id → user id
        self._callback_query_ids = Numbers(4_000_000_000_001)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_numbers = Numbers(1)
        self._media_group_ids = Numbers(13_000_000_000_001)
        self._poll_ids = Numbers(5_000_000_000_001)

        self._methods: dict[str, tuple[str, ApiMethod]] = {
            name.lower(): (name, method) for name, method in self._api_methods().items()
        }
        self.web_app = web.Application(
            client_max_size=UPLOAD_LIMIT_BYTES + 1024 * 1024, middlewares=[_json_not_found]
        )
        self.web_app.router.add_route("*", "/bot{token}/{method}", self._handle_api_request)
        self.web_app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file_download)
        _ClientApi(self).register(self.web_app.router)
        self._runner: web.AppRunner | None = None
        self._archive: ChatArchive | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host:port`` (0: any free port). Add routes to ``web_app.router`` first."""
        self._closing = False
        self._runner = web.AppRunner(self.web_app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{host}:{port}"
        self.base_url = f"{self.url}/bot"
        self.base_file_url = f"{self.url}/file/bot"

    async def stop(self) -> None:
        self._closing = True
        # Long polls (the bot's getUpdates, the page's events) return at once instead of
        # holding the shutdown.
        for bot in {self.bot, *self._bots.values()}:
            bot.updates_signal.notify()
        for user in self._users.values():
            user.chat.signal.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._archive is not None:
            self._archive.save_all(self)  # also what changed without an event (a block)

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def bot_username(self) -> str:
        return self.bot.username

    @property
    def bot_first_name(self) -> str:
        return self.bot.first_name

    def add_bot(
        self, token: str, *, username: str = "other_bot", first_name: str = "Other"
    ) -> EmulatedBot:
        """Another bot, with its own updates and menus; the simulated people never started it."""
        if not TOKEN_FORM.match(token) or token in self._bots:
            raise ValueError(f"{token!r} is not a new token of the form <bot id>:<secret>")
        bot = EmulatedBot(token, username=username, first_name=first_name)
        self._bots[token] = bot
        return bot

    def _authorized_bot(self, token: str) -> EmulatedBot:
        """The bot this token names; Telegram answers 401 Unauthorized for any other token."""
        bot = self._bots.get(token)
        if bot is not None:
            return bot
        if self.bot.token is None and TOKEN_FORM.match(token):
            self.bot.token = token
            self._bots[token] = self.bot
            return self.bot
        raise TelegramApiError(401, "Unauthorized")

    def keep_chats(self, archive: ChatArchive) -> int:
        """Restore the chats ``archive`` saved and save every change from now on.

        Call it before anyone is in the emulator; returns the number of chats restored.
        """
        restored = archive.restore(self)
        self._archive = archive
        return restored

    def _chat_changed(self, chat: PrivateChat) -> None:
        if self._archive is not None:
            self._archive.chat_changed(self, chat)

    def _next_seq(self) -> int:
        return next(self._seqs)

    # -- test API ----------------------------------------------------------------------------

    def user(
        self,
        user_id: int | None = None,
        *,
        first_name: str = "Ana",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "es",
        phone_number: str | None = None,
    ) -> SimulatedUser:
        """The simulated user with this id, created on first use (ids are allocated if None)."""
        if user_id is None:
            user_id = next(
                candidate for candidate in self._user_ids if candidate not in self._users
            )
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        simulated = SimulatedUser(self, user, phone_number)
        self._users[user_id] = simulated
        self._chat_changed(simulated.chat)
        return simulated

    @property
    def users(self) -> list[SimulatedUser]:
        return list(self._users.values())

    def mark_processed(self, update_id: int) -> None:
        """The harness reports that the bot finished handling an update."""
        tracking = self._tracking.get(update_id)
        if tracking is not None:
            tracking.processed.set()

    # -- updates and waiting -----------------------------------------------------------------

    def _enqueue_update(self, payload: JsonDict) -> int:
        update_id = next(self._update_ids)
        self.bot.pending_updates.append({"update_id": update_id, **payload})
        self._tracking[update_id] = _UpdateTracking()
        self.stats.updates_created += 1
        self.bot.updates_signal.notify()
        return update_id

    def _enqueue_callback_query(
        self, user: SimulatedUser, message: ChatMessage, callback_data: str
    ) -> int:
        query_id = str(next(self._callback_query_ids))
        self._callback_queries[query_id] = user.id
        query = {
            "id": query_id,
            "from": user.json,
            # A snapshot: the bot may edit the message before it fetches the update.
            "message": copy.deepcopy(message.data),
            "chat_instance": str(-user.id),
            "data": callback_data,
        }
        return self._enqueue_update({"callback_query": query})

    async def _await_handled(self, chat: PrivateChat, update_ids: list[int]) -> None:
        trackings = [self._tracking[update_id] for update_id in update_ids]
        stage = "fetched by getUpdates (is the application polling?)"
        try:
            async with asyncio.timeout(self.action_timeout):
                if self.expect_processed_signal:
                    stage = "marked processed"
                    for tracking in trackings:
                        await tracking.processed.wait()
                else:
                    for tracking in trackings:
                        await tracking.delivered.wait()
                    stage = "followed by a quiet moment"
                    await self._settle(chat, since=max(t.delivered_at for t in trackings))
        except TimeoutError:
            last = self._users[chat.id].last_text
            raise AssertionError(
                f"update {update_ids} for chat {chat.id} was not {stage} within "
                f"{self.action_timeout}s; the bot last sent {last!r}"
            ) from None
        finally:
            self._forget(update_ids)

    def _forget(self, update_ids: list[int]) -> None:
        for update_id in update_ids:
            self._tracking.pop(update_id, None)

    async def _settle(self, chat: PrivateChat, *, since: float) -> None:
        """Wait until the bot looks done with the chat, for want of a processed signal.

        Done: the bot has made a request about this chat since ``since`` and then none for
        ``settle_seconds``; or it has made no request at all for that long (an update it
        ignores). Under load a busy bot is never globally quiet, so an action keeps waiting
        until the bot reaches its chat rather than returning before the answer.
        """
        while True:
            wake_at = max(since, self._last_bot_request_at) + self.settle_seconds
            if chat.last_bot_request_at >= since:
                wake_at = min(wake_at, chat.last_bot_request_at + self.settle_seconds)
            delay = wake_at - time.monotonic()
            if delay <= 0:
                return
            await asyncio.sleep(delay)

    # -- HTTP: the Bot API -------------------------------------------------------------------

    async def _handle_api_request(self, request: web.Request) -> web.Response:
        try:
            bot = self._authorized_bot(request.match_info["token"])
        except TelegramApiError as error:
            self.calls.append(ApiCall(request.match_info["method"], {}, error.description))
            return web.json_response(error.as_json(), status=error.code)
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            self.calls.append(ApiCall(request.match_info["method"], {}, "Not Found"))
            return web.json_response(NOT_FOUND.as_json(), status=404)
        name, method = entry
        self.stats.requests += 1
        # Long polls say nothing about whether the bot is busy with an update; other bots say
        # nothing about the people's bot.
        answering = name != "getUpdates" and bot is self.bot
        if answering:
            self._last_bot_request_at = time.monotonic()
        call: _Call | None = None
        try:
            values, uploads = await _read_parameters(request)
            call = _Call(bot, values, uploads)
            if name in RATE_LIMITED_METHODS:
                self._check_send_rate()
            result = await method(call)
            if call.chat is not None and (delay := self.slow_chats.get(call.chat.id)):
                await asyncio.sleep(delay)  # done, but the answer is slow to get back
        except TelegramApiError as error:
            if error.code == 429:
                self.stats.rate_limited += 1
            self._record(name, call, error.description)
            return web.json_response(error.as_json(), status=error.code)
        finally:
            if answering:
                self._last_bot_request_at = time.monotonic()
            if call is not None and call.chat is not None:
                call.chat.last_bot_request_at = time.monotonic()
        self._record(name, call, None)
        return web.json_response({"ok": True, "result": result})

    def _record(self, name: str, call: _Call | None, error: str | None) -> None:
        self.calls.append(ApiCall(name, call.recorded_params() if call else {}, error))

    async def _handle_file_download(self, request: web.Request) -> web.Response:
        try:
            bot = self._authorized_bot(request.match_info["token"])
        except TelegramApiError as error:
            return web.json_response(error.as_json(), status=error.code)
        # Every file is in the people's chats with the first bot: no other bot can fetch it.
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None or bot is not self.bot:
            return web.json_response(NOT_FOUND.as_json(), status=404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    def _check_send_rate(self) -> None:
        limit = self.send_limit_per_second
        if limit is None:
            return
        now = time.monotonic()
        window = self._recent_sends
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= limit:
            retry_after = max(1, math.ceil(window[0] + 1.0 - now))
            raise TelegramApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        window.append(now)


@web.middleware
async def _json_not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A malformed Bot API path (``/bot/getMe``) gets Telegram's JSON answer, not aiohttp's text."""
    try:
        return await handler(request)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        if not request.path.startswith(("/bot", "/file/")):
            raise
        return web.json_response(NOT_FOUND.as_json(), status=404)
