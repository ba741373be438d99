"""The server: ``CloudApiStandIn`` serves the Graph endpoints, keeps the people and their
24-hour windows, and sends the signed webhooks."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from bot.core.clock import Clock, SystemClock
from bot.playground.whatsapp import meta
from bot.playground.whatsapp.client_api import ClientApi
from bot.playground.whatsapp.graph import GraphCall, GraphEndpoints, StoredMedia
from bot.playground.whatsapp.meta import GraphApiError, JsonDict
from bot.playground.whatsapp.outgoing import BusinessMessage, Template
from bot.playground.whatsapp.people import WhatsAppPerson
from bot.playground.whatsapp.webhooks import (
    Delivery,
    WebhookOutbox,
    envelope,
    new_wamid,
    verify_callback,
)

log = logging.getLogger(__name__)

DEFAULT_PHONE_NUMBER_ID = "100000000000001"
DEFAULT_DISPLAY_NUMBER = "51900000001"
DEFAULT_WABA_ID = "200000000000001"
DEFAULT_APP_SECRET = "standin-app-secret"
FIRST_WA_ID = 51_987_000_001
UPLOAD_LIMIT_BYTES = 100 * 1024 * 1024


class CloudApiStandIn(GraphEndpoints):
    """The WhatsApp Cloud API on loopback, with simulated people. See the package docstring."""

    def __init__(
        self,
        *,
        token: str | None = None,
        app_secret: str = DEFAULT_APP_SECRET,
        phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
        display_phone_number: str = DEFAULT_DISPLAY_NUMBER,
        waba_id: str = DEFAULT_WABA_ID,
        clock: Clock | None = None,
        messages_per_second: float | None = meta.DEFAULT_MESSAGES_PER_SECOND,
        pair_burst: int | None = meta.DEFAULT_PAIR_BURST,
        pair_window_seconds: float = meta.DEFAULT_PAIR_WINDOW_SECONDS,
        rate_clock: Callable[[], float] = time.monotonic,
        bsuid_in_webhooks: bool = True,
        webhook_concurrency: int = 1,
    ) -> None:
        self.token = token  # None: the first bearer token that calls claims the stand-in
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self.display_phone_number = display_phone_number
        self.waba_id = waba_id
        self._clock: Clock = clock or SystemClock()
        self.messages_per_second = messages_per_second
        self.pair_burst = pair_burst
        self.pair_window_seconds = pair_window_seconds
        self.rate_clock = rate_clock  # seconds; rate limits are real time unless a test says so
        # Payloads from before the BSUID rollout lack contacts[].user_id: False sends that shape.
        self.bsuid_in_webhooks = bsuid_in_webhooks
        # Waiting for the bot: after the 200, the processed signal or a quiet moment; or, with
        # the bot in another process (no signal, as in production), the first message it sends
        # the person after theirs (`expect_answer`: a benchmark whose answers are one message).
        self.expect_processed_signal = False
        self.expect_answer = False
        self.settle_seconds = 0.2
        self.action_timeout = 15.0

        self.templates: dict[tuple[str, str], Template] = {}
        self.sent: list[BusinessMessage] = []  # every message the API accepted, delivered or not
        self.calls: list[GraphCall] = []
        self.url = ""
        # 1: one webhook at a time, in order (the tests'); more: that many POSTs at once, as Meta
        # sends a busy number's (a benchmark's crowd).
        self.outbox = WebhookOutbox(self._clock, app_secret=app_secret, on_attempt=self._touched,
                                    concurrency=webhook_concurrency)
        self._people: dict[str, WhatsAppPerson] = {}  # by wa_id and by BSUID
        self._wa_ids = itertools.count(FIRST_WA_ID)
        self._media: dict[str, StoredMedia] = {}
        self._media_ids = itertools.count(900_000_000_000_001)
        self._recent_sends: deque[float] = deque()
        self._pair_sends: dict[str, deque[float]] = {}
        self._injected: deque[GraphApiError] = deque()
        self._last_bot_request_at = 0.0
        self._inbound_ids: dict[str, WhatsAppPerson] = {}
        self._processed: dict[str, asyncio.Event] = {}
        self._seqs = itertools.count(1)
        self.web_app = web.Application(client_max_size=UPLOAD_LIMIT_BYTES + 1024 * 1024)
        self._register_routes(self.web_app.router)
        ClientApi(self).register(self.web_app.router)
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host:port`` (0: any free port) and start delivering webhooks."""
        self._runner = web.AppRunner(self.web_app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"
        self.outbox.start()

    async def stop(self) -> None:
        await self.outbox.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> CloudApiStandIn:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def clock(self) -> Clock:
        """The clock of the 24-hour windows, the media URLs and the webhook retries."""
        return self._clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock
        self.outbox.clock = clock

    def graph_url(self, version: str = "v22.0") -> str:
        """The Graph API base a client uses (``WHATSAPP_API_BASE_URL``)."""
        return f"{self.url}/{version}"

    # -- set-up, as a test or the playground does it -----------------------------------------

    async def subscribe(self, callback_url: str, *, verify_token: str | None = None) -> None:
        """Point the webhooks at the bot, as the app's dashboard does: with ``verify_token``,
        only after the bot passed Meta's GET handshake (``AssertionError`` if it did not)."""
        if verify_token is not None and not await verify_callback(callback_url, verify_token=verify_token):
            raise AssertionError(f"{callback_url} did not echo the challenge for that verify token")
        self.outbox.callback_url = callback_url
        self.outbox._wake.set()

    def register_template(
        self,
        name: str,
        language: str,
        *,
        body: str,
        category: str = "UTILITY",
        quick_replies: tuple[str, ...] = (),
    ) -> Template:
        """An approved template; sends name it with its language (``es``, ``en``)."""
        if len(body) > meta.MAX_TEMPLATE_BODY or len(quick_replies) > 10:
            raise ValueError("a template body holds 1 024 characters and at most 10 buttons")
        if any(len(text) > 25 for text in quick_replies):
            raise ValueError("a template's quick-reply button holds 25 characters")
        template = Template(name, language, body, category.upper(), tuple(quick_replies))
        self.templates[(name, language)] = template
        return template

    def person(
        self, wa_id: str | None = None, *, name: str = "Rosa", hides_number: bool = False
    ) -> WhatsAppPerson:
        """The person with this number, created on first use (numbers are allocated if None)."""
        if wa_id is None:
            wa_id = next(str(n) for n in self._wa_ids if str(n) not in self._people)
        existing = self._people.get(wa_id)
        if existing is not None:
            return existing
        user_id = f"PE.{secrets.randbelow(10**19):019d}"
        created = WhatsAppPerson(self, wa_id=wa_id, name=name, user_id=user_id, hides_number=hides_number)
        self._people[wa_id] = created
        self._people[user_id] = created
        return created

    @property
    def people(self) -> list[WhatsAppPerson]:
        return list({id(p): p for p in self._people.values()}.values())

    def fail_next_send(self, code: int, details: str = "", *, times: int = 1) -> None:
        """Answer the next ``times`` sends with this error (what the stand-in cannot bring
        about by itself, e.g. 131048 spam rate or 80007 account rate)."""
        self._injected.extend(GraphApiError(code, details) for _ in range(times))

    def mark_processed(self, message_id: str) -> None:
        """The bot's harness reports that it finished handling an inbound message."""
        self._processed.setdefault(message_id, asyncio.Event()).set()

    async def deliver_due(self) -> int:
        """Deliver now every webhook due by the clock (after moving a ``FakeClock``)."""
        return await self.outbox.deliver_due()

    async def webhooks_settled(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until no webhook is due now (retries scheduled for later may remain)."""
        async with asyncio.timeout(timeout):
            while self.outbox.callback_url is not None and self.outbox.due():
                await self.outbox.attempted.wait(timeout)

    async def deliver_again(self, message_id: str) -> int:
        """POST once more a webhook already delivered (Meta does, after a slow answer): the
        message's, or the latest about it; returns the bot's HTTP status."""
        delivery = next(d for d in reversed(self.outbox.history) if d.message_id == message_id)
        return await self.outbox.post_once(delivery.body)

    async def post_raw(self, payload: JsonDict | bytes, *, signature: str | None = None) -> int:
        """POST any body to the bot's webhook once, signed with the app secret unless
        ``signature`` is given (a forged one, ""); returns the bot's HTTP status."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        return await self.outbox.post_once(body, signature=signature)

    def statuses(self, message_id: str) -> list[str]:
        return next((m.statuses for m in self.sent if m.id == message_id), [])

    def _next_seq(self) -> int:
        return next(self._seqs)

    # -- webhooks ----------------------------------------------------------------------------

    def _metadata(self) -> JsonDict:
        return {"display_phone_number": self.display_phone_number, "phone_number_id": self.phone_number_id}

    def _timestamp(self) -> str:
        return str(int(self.clock.now().timestamp()))

    def _inbound(self, person: WhatsAppPerson, kind: str, content: JsonDict) -> Delivery:
        """A message from ``person`` to the business: it opens their window and goes out as a
        webhook."""
        message: JsonDict = {}
        if not person.hides_number:
            message["from"] = person.wa_id
        if self.bsuid_in_webhooks or person.hides_number:
            message["from_user_id"] = person.user_id
        message.update({"id": new_wamid(), "timestamp": self._timestamp(), "type": kind, **content})
        person._wrote(message)
        person.last_wrote_at = self.clock.now()
        self._inbound_ids[message["id"]] = person
        value = {
            "contacts": [person.contact_json(with_user_id=self.bsuid_in_webhooks)],
            "messages": [message],
        }
        payload = envelope(self.waba_id, self._metadata(), value)
        return self.outbox.add(payload, kind="message", message_id=message["id"])

    def _status(self, person: WhatsAppPerson | None, message: BusinessMessage, status: str, error: int | None = None) -> None:
        message.statuses.append(status)
        entry: JsonDict = {
            "id": message.id,
            "status": status,
            "timestamp": self._timestamp(),
            "recipient_id": person.wa_id if person and not person.hides_number else message.to,
        }
        if person is not None and (self.bsuid_in_webhooks or person.hides_number):
            entry["recipient_user_id"] = person.user_id
        if error is not None:
            message.error_code = error
            details = meta.WINDOW_DETAILS if error == meta.OUTSIDE_WINDOW else ""
            entry["errors"] = [meta.status_error(error, details)]
        elif status != "read":
            category = message.template.category.lower() if message.template else "service"
            entry["pricing"] = {
                "billable": message.template is not None,
                "pricing_model": "PMP",
                "category": category,
                "type": "regular" if message.template else "free_customer_service",
            }
        value: JsonDict = {"statuses": [entry]}
        if person is not None:
            value["contacts"] = [person.contact_json(with_user_id=self.bsuid_in_webhooks)]
        self.outbox.add(envelope(self.waba_id, self._metadata(), value), kind="status", message_id=message.id)

    def _after_send(self, person: WhatsAppPerson | None, message: BusinessMessage, failure: int | None) -> None:
        if person is not None:
            person.last_bot_request_at = time.monotonic()
        if failure is not None:
            if person is not None:
                person.failed.append(message)
            self._status(person, message, "failed", failure)
            return
        assert person is not None
        self._status(person, message, "sent")
        self._status(person, message, "delivered")
        person._delivered(message)

    def _read_by(self, person: WhatsAppPerson) -> int:
        if not person.read_receipts:
            return 0
        unread = [m for m in person.received if "read" not in m.statuses]
        for message in unread:
            self._status(person, message, "read")
        return len(unread)

    def _person_for(self, address: str) -> WhatsAppPerson | None:
        return self._people.get(address)

    # -- waiting for the bot -----------------------------------------------------------------

    def _touched(self) -> None:
        """A webhook attempt was answered: count it as the bot being busy."""
        self._last_bot_request_at = time.monotonic()

    async def _await_handled(self, person: WhatsAppPerson, delivery: Delivery) -> None:
        stage = "answered with a 200 (is the webhook subscribed and answering?)"
        try:
            async with asyncio.timeout(self.action_timeout):
                await delivery.acknowledged.wait()
                if self.expect_processed_signal:
                    stage = "marked processed"
                    await self._processed.setdefault(delivery.message_id, asyncio.Event()).wait()
                elif self.expect_answer:
                    stage = "answered"
                    await self._answered(person, since=person._action_index)
                else:
                    stage = "followed by a quiet moment"
                    await self._settle(person, since=time.monotonic())
        except TimeoutError:
            raise AssertionError(
                f"{person!r}'s message {delivery.message_id} was not {stage} within "
                f"{self.action_timeout}s (attempts: {delivery.attempts}); the last message "
                f"they received reads {person.last_text!r}"
            ) from None
        finally:
            self._processed.pop(delivery.message_id, None)

    @staticmethod
    async def _answered(person: WhatsAppPerson, *, since: int) -> None:
        """Until the person has received more than ``since`` messages."""
        while len(person.received) <= since:
            person._arrived.clear()
            await person._arrived.wait()

    async def _settle(self, person: WhatsAppPerson, *, since: float) -> None:
        """Wait until the bot looks done with the person, for want of a processed signal: it
        has sent them something since ``since`` and then nothing for ``settle_seconds``, or has
        made no request at all for that long."""
        while True:
            wake_at = max(since, self._last_bot_request_at) + self.settle_seconds
            if person.last_bot_request_at >= since:
                wake_at = min(wake_at, person.last_bot_request_at + self.settle_seconds)
            delay = wake_at - time.monotonic()
            if delay <= 0:
                return
            await asyncio.sleep(delay)
