"""Webhooks as Meta sends them: the envelope, the signature, delivery and redelivery.

Meta POSTs each event to the app's callback URL with ``X-Hub-Signature-256: sha256=<HMAC-SHA256
of the raw body with the app secret>``; anything but a 200 is delivered again later, less and
less often, for up to seven days. Here "later" is read on the stand-in's clock, so a test moves
a ``FakeClock`` past a retry instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp

from bot.core.clock import Clock
from bot.playground.emulator.state import _Signal
from bot.playground.whatsapp.meta import JsonDict

log = logging.getLogger(__name__)

# After the first failed attempt, the next one this long after the previous.
RETRY_AFTER = tuple(
    timedelta(seconds=s) for s in (15, 60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
)
GIVE_UP_AFTER = timedelta(days=7)
IDLE_POLL_SECONDS = 0.01  # how often pending retries are compared with the (maybe fake) clock


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value for ``body``."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def envelope(waba_id: str, metadata: JsonDict, value: JsonDict) -> JsonDict:
    """Meta's webhook envelope around one change of the ``messages`` field."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {"value": {"messaging_product": "whatsapp", "metadata": metadata, **value}, "field": "messages"}
                ],
            }
        ],
    }


def new_wamid() -> str:
    return "wamid." + secrets.token_urlsafe(36)


@dataclass
class Delivery:
    """One webhook POST and its history: every attempt's answer (an HTTP status, or 0 when the
    connection failed or timed out)."""

    body: bytes
    kind: str  # message | status
    message_id: str  # the inbound message's wamid, or the status's message id
    due_at: datetime
    created_at: datetime
    attempts: list[int] = field(default_factory=list)
    acknowledged: asyncio.Event = field(default_factory=asyncio.Event)
    acknowledged_at: float = 0.0  # loop time of the 200
    given_up: bool = False

    @property
    def payload(self) -> JsonDict:
        return json.loads(self.body)


class WebhookOutbox:
    """The webhooks waiting to reach the callback URL, delivered one at a time in order; with
    `concurrency` above 1, that many POSTs at once, each taking the oldest due not already on
    its way (Meta sends a busy number's webhooks side by side and in no promised order: it asks
    a webhook server to take three times the messages sent, for their status reports, plus
    those received)."""

    def __init__(
        self, clock: Clock, *, app_secret: str, timeout: float = 10.0, on_attempt: Callable[[], None] | None = None,
        concurrency: int = 1,
    ) -> None:
        self.clock = clock
        self.concurrency = concurrency
        self._on_the_way: set[int] = set()  # ids of deliveries being attempted (concurrency > 1)
        self._tasks: list[asyncio.Task[None]] = []
        self.app_secret = app_secret
        self.timeout = timeout
        self.callback_url: str | None = None
        self.pending: list[Delivery] = []
        self.history: list[Delivery] = []  # every delivery, acknowledged or not
        self._wake = asyncio.Event()
        self.attempted = _Signal()  # after every attempt, whatever its answer
        self._session: aiohttp.ClientSession | None = None
        self._on_attempt = on_attempt

    def add(self, payload: JsonDict, *, kind: str, message_id: str) -> Delivery:
        # Raw UTF-8, as Meta sends it: a receiver that re-serialises before checking the
        # signature fails on the first accent.
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        now = self.clock.now()
        delivery = Delivery(body, kind, message_id, due_at=now, created_at=now)
        self.pending.append(delivery)
        self.history.append(delivery)
        self._wake.set()
        return delivery

    def start(self) -> None:
        self._session = aiohttp.ClientSession()
        if self.concurrency == 1:
            self._tasks = [asyncio.create_task(self._run(), name="whatsapp-standin-webhooks")]
        else:
            self._tasks = [asyncio.create_task(self._run_side_by_side(), name="whatsapp-standin-webhooks")
                           for _ in range(self.concurrency)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []
        if self._session is not None:
            await self._session.close()
            self._session = None

    def due(self) -> list[Delivery]:
        now = self.clock.now()
        return [delivery for delivery in self.pending if delivery.due_at <= now]

    async def deliver_due(self) -> int:
        """Attempt every delivery due by the clock now, in order; returns how many got a 200."""
        if self.callback_url is None:
            return 0
        delivered = 0
        for delivery in self.due():
            if await self._attempt(delivery):
                delivered += 1
        return delivered

    async def _run(self) -> None:
        while True:
            # Nobody subscribed: nothing to scan (thousands of statuses may wait, as in a benchmark).
            if self.callback_url is not None and self.due():
                await self.deliver_due()
                continue
            self._wake.clear()
            # Retries fall due as the clock moves, which may be a fake one nobody announces.
            timeout = IDLE_POLL_SECONDS if self.pending else None
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _run_side_by_side(self) -> None:
        """One of `concurrency` senders: the oldest delivery due that no other is attempting."""
        while True:
            delivery = None
            if self.callback_url is not None:
                now = self.clock.now()
                delivery = next((d for d in self.pending if d.due_at <= now and id(d) not in self._on_the_way), None)
            if delivery is not None:
                self._on_the_way.add(id(delivery))
                try:
                    await self._attempt(delivery)
                finally:
                    self._on_the_way.discard(id(delivery))
                continue
            self._wake.clear()
            try:
                async with asyncio.timeout(IDLE_POLL_SECONDS if self.pending else None):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def post_once(self, body: bytes, *, signature: str | None = None) -> int:
        """POST ``body`` to the callback URL once, signed (or with ``signature`` as given);
        returns the HTTP status, 0 when there was no answer. Nothing is retried or recorded."""
        if self._session is None or self.callback_url is None:
            raise RuntimeError("start the stand-in and subscribe a callback URL first")
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body, self.app_secret) if signature is None else signature,
            "User-Agent": "facebookexternalua",
        }
        try:
            async with self._session.post(
                self.callback_url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            log.debug("webhook delivery failed: %r", error)
            return 0

    async def _attempt(self, delivery: Delivery) -> bool:
        status = await self.post_once(delivery.body)
        delivery.attempts.append(status)
        self.attempted.notify()
        if self._on_attempt is not None:
            self._on_attempt()
        if delivery not in self.pending:  # delivered meanwhile (deliver_due called twice)
            return False
        if status == 200:
            self.pending.remove(delivery)
            delivery.acknowledged_at = asyncio.get_running_loop().time()
            delivery.acknowledged.set()
            return True
        now = self.clock.now()
        if now - delivery.created_at >= GIVE_UP_AFTER:
            self.pending.remove(delivery)
            delivery.given_up = True
            return False
        step = RETRY_AFTER[min(len(delivery.attempts) - 1, len(RETRY_AFTER) - 1)]
        delivery.due_at = now + step
        return False


async def verify_callback(url: str, *, verify_token: str, challenge: str | None = None) -> bool:
    """Meta's subscription handshake against a bot's webhook: ``GET url?hub.mode=subscribe&
    hub.verify_token=…&hub.challenge=…``; True when it answers 200 with the challenge echoed."""
    challenge = challenge or str(secrets.randbelow(10**9))
    params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
    async with aiohttp.ClientSession() as session, session.get(url, params=params) as response:
        text = await response.text()
        return response.status == 200 and text == challenge
