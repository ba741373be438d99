"""WhatsApp's webhook: Meta's handshake, signed deliveries stored once and answered from the
database after a restart, status reports and the health endpoint (first contact through the
Cloud API stand-in: tests/test_whatsapp_onboarding.py).

People write through signed webhook calls, as Meta's servers would; what the bot answers is
recorded by a fake sender (the Cloud API client's place)."""

from __future__ import annotations

import asyncio
import json
import signal
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.core.clock import FakeClock
from bot.core.config import load_settings
from bot.core.db import Database
from bot.core.runtime import Runtime
from bot.messaging import whatsapp_inbox
from bot.messaging.whatsapp_models import WhatsAppInbound, WhatsAppStatus
from bot.people import people
from bot.people.models import Channel, User
from bot.playground.whatsapp import CloudApiStandIn
from handlers.health import standby_app
from handlers.whatsapp.channel import WhatsAppChannel
from handlers.whatsapp.webhook import signature_of
from tests.harness import TEST_ID_KEY
from tests.test_command_line import free_port
from tests.test_standby import ACTIVE, CLEAN_ENV, STANDBY, TAKEOVER_LIMIT_SECONDS, BotProcess

APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-me"


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send(self, to: str, payload: dict[str, Any]) -> str | None:
        self.sent.append((to, payload))
        return f"wamid.out{len(self.sent)}"


class FailingFirstSender(RecordingSender):
    """The Cloud API refusing the first `failures` sends (an error no retry cures), then sending."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def send(self, to: str, payload: dict[str, Any]) -> str | None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the Cloud API refused this message")
        return await super().send(to, payload)


class StuckSender:
    """A send that never returns: the process dies before the answer went out."""

    async def send(self, to: str, payload: dict[str, Any]) -> str | None:
        await asyncio.Event().wait()
        return None


@dataclass
class WhatsAppUnderTest:
    database_url: str
    storage_dir: Path
    clock: FakeClock = field(default_factory=FakeClock)
    sender: Any = field(default_factory=RecordingSender)
    channel: WhatsAppChannel | None = None
    runtime: Runtime | None = None
    active: bool = True
    counter: int = 0

    async def start(self, sender: Any | None = None) -> None:
        self.sender = sender or RecordingSender()
        settings = load_settings(
            database_url=self.database_url, id_encryption_key=TEST_ID_KEY, storage_dir=self.storage_dir,
            whatsapp_token="token", whatsapp_phone_number_id="1000", whatsapp_app_secret=APP_SECRET,
            whatsapp_verify_token=VERIFY_TOKEN, _env_file=None,
        )
        self.runtime = Runtime(settings=settings, database=Database(self.database_url), clock=self.clock)
        self.channel = WhatsAppChannel(self.runtime, self.sender, is_active=lambda: self.active, poll_seconds=0.2)
        await self.channel.start(host="127.0.0.1", port=0)

    async def stop(self) -> None:
        if self.channel is not None:
            await self.channel.stop()
            assert self.runtime is not None
            await self.runtime.database.dispose()
            self.channel = None

    @property
    def url(self) -> str:
        assert self.channel is not None
        return f"http://127.0.0.1:{self.channel.port}"

    async def post(self, update: dict[str, Any], *, signature: str | None = "right") -> int:
        body = json.dumps(update, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "right":
            headers["X-Hub-Signature-256"] = signature_of(body, APP_SECRET)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with aiohttp.ClientSession() as client, client.post(f"{self.url}/whatsapp", data=body, headers=headers) as answer:
            return answer.status

    async def get(self, path: str, **params: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as client, client.get(f"{self.url}{path}", params=params) as answer:
            return answer.status, await answer.text()

    async def settled(self) -> None:
        assert self.channel is not None
        await self.channel.worker.idle()

    async def count(self, model: Any) -> int:
        assert self.runtime is not None
        async with self.runtime.database.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    def person(self, wa_id: str | None, *, bsuid: str | None = None, name: str = "Rosa") -> WhatsAppPerson:
        return WhatsAppPerson(self, wa_id, bsuid, name)


@dataclass
class WhatsAppPerson:
    bot: WhatsAppUnderTest
    wa_id: str | None
    bsuid: str | None
    name: str

    def update(self, message: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
        self.bot.counter += 1
        contact: dict[str, Any] = {"profile": {"name": self.name}}
        if self.wa_id:
            contact["wa_id"] = self.wa_id
            message = {"from": self.wa_id, **message}
        if self.bsuid:
            contact["user_id"] = self.bsuid
        moment = int(self.bot.clock.now().timestamp())
        message = {"id": message_id or f"wamid.in{self.bot.counter}", "timestamp": str(moment), **message}
        return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "51900000000", "phone_number_id": "1000"},
            "contacts": [contact], "messages": [message]}}]}]}

    async def sends(self, text: str, *, message_id: str | None = None) -> None:
        assert await self.bot.post(self.update({"type": "text", "text": {"body": text}}, message_id)) == 200
        await self.bot.settled()

    async def taps(self, choice_id: str) -> None:
        (title,) = [button["reply"]["title"] for button in self.last_buttons() if button["reply"]["id"] == choice_id]
        reply = {"type": "button_reply", "button_reply": {"id": choice_id, "title": title}}
        assert await self.bot.post(self.update({"type": "interactive", "interactive": reply})) == 200
        await self.bot.settled()

    @property
    def received(self) -> list[dict[str, Any]]:
        return [payload for to, payload in self.bot.sender.sent if to in (self.wa_id, self.bsuid)]

    @property
    def last_text(self) -> str:
        payload = self.received[-1]
        return payload["text"]["body"] if payload["type"] == "text" else payload["interactive"]["body"]["text"]

    def last_buttons(self) -> list[dict[str, Any]]:
        payload = self.received[-1]
        return payload["interactive"]["action"]["buttons"] if payload["type"] == "interactive" else []

    @property
    def button_ids(self) -> list[str]:
        return [button["reply"]["id"] for button in self.last_buttons()]


@pytest.fixture
async def whatsapp(database_url: str, tmp_path: Path):  # noqa: ANN201
    under_test = WhatsAppUnderTest(database_url=database_url, storage_dir=tmp_path / "files")
    await under_test.start()
    yield under_test
    await under_test.stop()


def status_update(message_id: str, status: str, *, wa_id: str, moment: int, code: int | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"id": message_id, "status": status, "timestamp": str(moment), "recipient_id": wa_id}
    if code is not None:
        report["errors"] = [{"code": code, "title": "Re-engagement message" if code == 131047 else "Message undeliverable"}]
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": "1000"}, "statuses": [report]}}]}]}


# --- Meta's handshake and signatures ------------------------------------------------------------


async def test_meta_verification_gets_the_challenge_only_with_the_right_token(whatsapp):
    assert await whatsapp.get("/whatsapp", **{"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                                              "hub.challenge": "1158201444"}) == (200, "1158201444")
    status, body = await whatsapp.get("/whatsapp", **{"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                      "hub.challenge": "1158201444"})
    assert status == 403 and "1158201444" not in body
    assert (await whatsapp.get("/whatsapp", **{"hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}))[0] == 403


async def test_a_delivery_signed_wrongly_or_not_at_all_is_refused_and_nothing_is_stored(whatsapp):
    rosa = whatsapp.person("51987654321")
    update = rosa.update({"type": "text", "text": {"body": "Hola, ¿qué tal? 🌻"}})
    assert await whatsapp.post(update, signature=None) == 401
    assert await whatsapp.post(update, signature="sha256=" + "0" * 64) == 403
    other_secret = "sha256=" + signature_of(json.dumps(update).encode(), "not-the-app-secret").removeprefix("sha256=")
    assert await whatsapp.post(update, signature=other_secret) == 403
    await whatsapp.settled()
    assert await whatsapp.count(WhatsAppInbound) == 0 and await whatsapp.count(User) == 0
    assert whatsapp.sender.sent == []
    # Signed over the raw bytes, accents and emoji as they came: accepted.
    assert await whatsapp.post(update) == 200
    await whatsapp.settled()
    assert await whatsapp.count(WhatsAppInbound) == 1


# --- first contact ----------------------------------------------------------------------------


async def test_a_message_stored_but_never_answered_is_answered_after_a_restart(whatsapp):
    await whatsapp.stop()
    await whatsapp.start(sender=StuckSender())            # dies before its answer goes out
    luis = whatsapp.person("51911222333", name="Luis")
    assert await whatsapp.post(luis.update({"type": "text", "text": {"body": "buenas"}})) == 200
    for _ in range(100):                                  # the person is committed before any answer
        if await whatsapp.count(User):
            break
        await asyncio.sleep(0.02)
    assert await whatsapp.count(User) == 1
    await whatsapp.stop()                                 # as a kill would: unprocessed
    async with Database(whatsapp.database_url).session() as session:
        assert await whatsapp_inbox.senders_waiting(session) == ["51911222333"]

    await whatsapp.start()                                # a restart, or the standby taking over
    await whatsapp.settled()
    assert "¿Qué idioma prefieres?" in luis.last_text        # still his first contact
    assert len(luis.received) == 1
    async with whatsapp.runtime.database.session() as session:
        assert await whatsapp_inbox.senders_waiting(session) == []


async def test_a_message_whose_answer_keeps_failing_is_set_aside_and_the_next_one_is_answered(whatsapp):
    """Rosa's two messages in one delivery: the first one's answer fails every time, so after
    MAX_ATTEMPTS it is set aside (logged), and her line moves on to the second, answered once,
    with what a first message gets: she never saw the language question."""
    await whatsapp.stop()
    await whatsapp.start(sender=FailingFirstSender(failures=whatsapp_inbox.MAX_ATTEMPTS))
    rosa = whatsapp.person("51911222444")
    first, second = rosa.update({"type": "text", "text": {"body": "hola"}}), rosa.update({"type": "text", "text": {"body": "¿hola?"}})
    first["entry"][0]["changes"][0]["value"]["messages"] += second["entry"][0]["changes"][0]["value"]["messages"]
    assert await whatsapp.post(first) == 200
    await whatsapp.settled()
    assert len(rosa.received) == 1                     # the second's answer, once
    assert "lang:es" in json.dumps(rosa.received[0])   # the language question, not the data notice
    async with whatsapp.runtime.database.session() as session:
        rows = list(await session.scalars(select(WhatsAppInbound).order_by(WhatsAppInbound.id)))
    assert [(row.outcome, row.attempts) for row in rows] == [("failed", whatsapp_inbox.MAX_ATTEMPTS), ("answered", 0)]
    assert all(row.processed_at is not None and row.payload is None for row in rows)


# --- statuses ---------------------------------------------------------------------------------


async def test_status_reports_keep_the_latest_stage_and_the_failures_the_delivery_side_needs(whatsapp):
    ana = whatsapp.person("51955555555", name="Ana")
    await ana.sends("hola")
    moment = int(whatsapp.clock.now().timestamp())
    for message_id, status, code in (("wamid.a", "read", None), ("wamid.a", "delivered", None),
                                     ("wamid.b", "failed", 131047), ("wamid.b", "delivered", None)):
        assert await whatsapp.post(status_update(message_id, status, wa_id=ana.wa_id, moment=moment, code=code)) == 200
    async with whatsapp.runtime.database.session() as session:
        assert (await session.get(WhatsAppStatus, "wamid.a")).status == "read"      # never goes back
        failed = await whatsapp_inbox.failures(session, recipient=ana.wa_id)
        assert [(row.message_id, row.error_code) for row in failed] == [("wamid.b", 131047)]
        person = await people.by_address(session, channel=Channel.WHATSAPP, wa_id=ana.wa_id)
        assert whatsapp_inbox.inside_window(person, now=whatsapp.clock.now() + timedelta(hours=23))
        assert not whatsapp_inbox.inside_window(person, now=whatsapp.clock.now() + timedelta(hours=25))
        assert person.reachable
    assert await whatsapp.post(status_update("wamid.c", "failed", wa_id=ana.wa_id, moment=moment, code=131026)) == 200
    async with whatsapp.runtime.database.session() as session:
        person = await people.by_address(session, channel=Channel.WHATSAPP, wa_id=ana.wa_id)
        assert not person.reachable                      # undeliverable: not tried again
    # A code that fits no column is kept without it, not refused for ever (Meta would retry).
    assert await whatsapp.post(status_update("wamid.d", "failed", wa_id=ana.wa_id, moment=moment, code=10**12)) == 200
    async with whatsapp.runtime.database.session() as session:
        odd = await session.get(WhatsAppStatus, "wamid.d")
        assert odd.status == "failed" and odd.error_code is None


# --- health -----------------------------------------------------------------------------------


async def test_health_is_200_on_the_active_instance_and_503_on_the_standby_or_without_database(whatsapp):
    assert (await whatsapp.get("/health"))[0] == 200
    whatsapp.active = False                              # the lock was lost
    assert (await whatsapp.get("/health"))[0] == 503
    whatsapp.active = True
    runner = web.AppRunner(standby_app())         # what a standby serves while it waits
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as client:
            for path in ("/health", "/whatsapp"):
                async with client.get(f"http://127.0.0.1:{port}{path}") as answer:
                    assert answer.status == 503
    finally:
        await runner.cleanup()
    reachable = whatsapp.runtime.database
    whatsapp.runtime.database = Database("postgresql+asyncpg://voces@127.0.0.1:9/gone")  # nothing listens there
    try:
        assert (await whatsapp.get("/health"))[0] == 503
    finally:
        await whatsapp.runtime.database.dispose()
        whatsapp.runtime.database = reachable


# --- the running process: WhatsApp alone, active and standby ----------------------------------


async def health_of(port: int) -> int | None:
    try:
        async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{port}/health") as answer:
            return answer.status
    except aiohttp.ClientConnectionError:
        return None


async def wait_for_health(port: int, status: int, process: BotProcess, timeout: float = 20) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while await health_of(port) != status:
        assert process.process.poll() is None, f"the bot exited:\n{process.log}"
        assert asyncio.get_running_loop().time() < deadline, f"/health never said {status}:\n{process.log}"
        await asyncio.sleep(0.1)


async def post_signed(port: int, update: dict[str, Any]) -> int:
    body = json.dumps(update).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature_of(body, APP_SECRET)}
    async with aiohttp.ClientSession() as client, client.post(f"http://127.0.0.1:{port}/whatsapp", data=body, headers=headers) as answer:
        return answer.status


async def test_whatsapp_alone_the_active_answers_health_and_messages_and_the_standby_takes_over(database_url, tmp_path):
    graph = CloudApiStandIn(token="token", phone_number_id="1000")   # the Graph side only: webhooks go by hand
    await graph.start()
    graph_url, sent = graph.graph_url(), graph.sent
    env = {key: value for key, value in CLEAN_ENV.items() if not key.startswith("WHATSAPP_")}
    env.update({"DATABASE_URL": database_url, "ID_ENCRYPTION_KEY": TEST_ID_KEY, "LOG_LEVEL": "INFO","WHATSAPP_TOKEN": "token", "WHATSAPP_PHONE_NUMBER_ID": "1000", "WHATSAPP_APP_SECRET": APP_SECRET,
                "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_API_BASE_URL": graph_url,
                "WHATSAPP_WEBHOOK_LISTEN": "127.0.0.1"})
    first_port, second_port = free_port(), free_port()
    active = BotProcess("a", {**env, "WHATSAPP_WEBHOOK_PORT": str(first_port)}, tmp_path)
    standby: BotProcess | None = None
    people_here = WhatsAppUnderTest(database_url=database_url, storage_dir=tmp_path)
    try:
        await wait_for_health(first_port, 200, active)                  # no Telegram token: WhatsApp alone
        standby = BotProcess("b", {**env, "WHATSAPP_WEBHOOK_PORT": str(second_port)}, tmp_path)
        await standby.wait_for_log(STANDBY)
        await wait_for_health(second_port, 503, standby)                # the proxy's cue: not this one
        assert await post_signed(second_port, people_here.person("51900000001").update(
            {"type": "text", "text": {"body": "hola"}})) == 503         # Meta retries, at the active one

        assert await post_signed(first_port, people_here.person("51900000002").update(
            {"type": "text", "text": {"body": "hola"}})) == 200
        for _ in range(400):
            if sent:
                break
            await asyncio.sleep(0.05)
        assert [message.to for message in sent] == ["51900000002"]
        assert "lang:es" in json.dumps(sent[0].payload)

        await active.stop(signal.SIGKILL)
        await wait_for_health(second_port, 200, standby, timeout=TAKEOVER_LIMIT_SECONDS)
        assert ACTIVE in standby.log
        assert await post_signed(second_port, people_here.person("51900000002").update(
            {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "lang:es", "title": "Español"}}})) == 200
        # Killed between its answer and marking it done, the first message is answered again
        # (at least once, never lost); the button pressed is answered after it, in order.
        for _ in range(400):
            if "Antes de empezar: tus datos" in json.dumps([m.payload for m in sent[1:]], ensure_ascii=False):
                break
            await asyncio.sleep(0.05)
        assert "Antes de empezar: tus datos" in json.dumps([m.payload for m in sent[1:]], ensure_ascii=False)
        assert [m.to for m in sent] in (["51900000002"] * 2, ["51900000002"] * 3, ["51900000002"] * 4)
    finally:
        await active.stop(signal.SIGKILL)
        if standby is not None:
            assert await standby.stop() == 0
            assert "Traceback" not in standby.log, standby.log
        await graph.stop()
