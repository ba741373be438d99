"""The WhatsApp Cloud API stand-in and the bot's client for it (handlers/whatsapp/client.py).

The client sends every message type through the stand-in over HTTP, as it would to Meta; a tiny
aiohttp receiver plays the bot's webhook: it checks each signature over the raw body, answers
200 (or what the story says) and reports each message processed. The clock is a FakeClock, so
the 24-hour window, the media URL's five minutes and the redelivery back-off take no waiting.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web

from bot.core.clock import FakeClock
from bot.playground.whatsapp import CloudApiStandIn, sign, verify_callback
from handlers.whatsapp.client import (
    AuthFailed,
    BackOff,
    BadRequest,
    Choice,
    ListSection,
    NoTemplate,
    OutsideWindow,
    Unavailable,
    Unreachable,
    WhatsAppClient,
    error_from_status,
)

TOKEN = "EAAG-test-token"
VERIFY_TOKEN = "verify-me"
PDF = b"%PDF-1.4 informe de la organizaci\xc3\xb3n"
JPEG = b"\xff\xd8\xff\xe0 foto"


@dataclass
class Receiver:
    """The bot's webhook, reduced to what the stand-in must get right."""

    standin: CloudApiStandIn
    answer: int = 200
    posts: list[tuple[bytes, str]] = field(default_factory=list)  # raw body, signature header
    refused: list[bytes] = field(default_factory=list)  # bodies whose signature did not match
    url: str = ""

    @property
    def payloads(self) -> list[dict]:
        return [json.loads(body) for body, _ in self.posts]

    def values(self, key: str) -> list[dict]:
        """Every ``messages`` or ``statuses`` entry received, with the change's value."""
        found = []
        for payload in self.payloads:
            value = payload["entry"][0]["changes"][0]["value"]
            found += [{**entry, "_value": value} for entry in value.get(key, [])]
        return found

    async def handle_get(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == VERIFY_TOKEN:
            return web.Response(text=query.get("hub.challenge", ""))
        return web.Response(status=403)

    async def handle_post(self, request: web.Request) -> web.Response:
        body = await request.read()
        signature = request.headers.get("X-Hub-Signature-256", "")
        if signature != sign(body, self.standin.app_secret):
            self.refused.append(body)
            return web.Response(status=403)
        self.posts.append((body, signature))
        if self.answer == 200:
            for message in json.loads(body)["entry"][0]["changes"][0]["value"].get("messages", []):
                self.standin.mark_processed(message["id"])
        return web.Response(status=self.answer)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def standin(clock: FakeClock) -> AsyncIterator[CloudApiStandIn]:
    async with CloudApiStandIn(token=TOKEN, clock=clock) as running:
        running.expect_processed_signal = True
        running.action_timeout = 5.0
        yield running


@pytest.fixture
async def receiver(standin: CloudApiStandIn) -> AsyncIterator[Receiver]:
    receiver = Receiver(standin)
    app = web.Application()
    app.router.add_get("/whatsapp", receiver.handle_get)
    app.router.add_post("/whatsapp", receiver.handle_post)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/whatsapp"
    await standin.subscribe(receiver.url, verify_token=VERIFY_TOKEN)
    yield receiver
    await runner.cleanup()


@pytest.fixture
async def client(standin: CloudApiStandIn) -> AsyncIterator[WhatsAppClient]:
    async with WhatsAppClient(base_url=standin.url, token=TOKEN, phone_number_id=standin.phone_number_id) as opened:
        yield opened


async def test_every_message_type_reaches_the_person_with_its_structure(standin, receiver, client):
    standin.register_template("recordatorio_taller", "es", body="Hola {{1}}, tu taller es el {{2}}.", quick_replies=("Ver detalles",))
    rosa = standin.person("51987654321", name="Rosa")
    await rosa.writes("hola")
    to = rosa.wa_id

    text_id = await client.send_text(to, "*Bienvenida* a Voces")
    await client.send_buttons(to, "¿Registras tu organización?", [Choice("reg:yes", "Sí"), Choice("reg:no", "Ahora no")], footer="Voces")
    rows = [Choice(f"district:{n}", f"Distrito {n}", "Lima Metropolitana") for n in range(1, 11)]
    await client.send_list(to, "Elige tu distrito", "Ver distritos", [ListSection("Lima", rows[:6]), ListSection("Callao", rows[6:])])
    await client.send_link(to, "Tu capacitación es en línea", "Abrir enlace", "https://meet.example.org/taller")
    media_id = await client.upload(PDF, mime_type="application/pdf", filename="informe.pdf")
    await client.send_document(to, media_id=media_id, filename="informe-2026.pdf", caption="Tu informe")
    await client.send_image(to, link="https://example.org/certificado.png", caption="Certificado")
    await client.send_template(to, "recordatorio_taller", "es", body=["Rosa", "lunes"], button_payloads=["training:42"])

    kinds = [message.kind for message in rosa.received]
    assert kinds == ["text", "button", "list", "cta_url", "document", "image", "template"]
    text, buttons, listing, link, document, image, template = rosa.received
    assert text.id == text_id and text.text == "*Bienvenida* a Voces" and text.type == "text"
    assert [(c.id, c.title) for c in buttons.choices] == [("reg:yes", "Sí"), ("reg:no", "Ahora no")]
    assert buttons.footer == "Voces" and buttons.type == "interactive"
    assert listing.list_button == "Ver distritos" and len(listing.choices) == 10
    assert listing.choices[6].section == "Callao" and listing.choices[0].description == "Lima Metropolitana"
    assert (link.url, link.url_label) == ("https://meet.example.org/taller", "Abrir enlace")
    assert image.media_link == "https://example.org/certificado.png" and image.text == "Certificado"
    assert template.text == "Hola Rosa, tu taller es el lunes."
    assert [(c.id, c.title) for c in template.choices] == [("training:42", "Ver detalles")]
    files = rosa.files
    assert (files[0].file_name, files[0].content, files[0].caption) == ("informe-2026.pdf", PDF, "Tu informe")

    # Answers come back on the choice's id, with the message tapped as context.
    await rosa.presses("reg:no")
    await rosa.chooses("Distrito 7")
    await rosa.presses("training:42")
    button, row, quick = receiver.values("messages")[-3:]
    assert button["interactive"] == {"type": "button_reply", "button_reply": {"id": "reg:no", "title": "Ahora no"}}
    assert button["context"]["id"] == buttons.id
    assert row["interactive"]["list_reply"]["id"] == "district:7" and row["context"]["id"] == listing.id
    assert quick["type"] == "button" and quick["button"] == {"payload": "training:42", "text": "Ver detalles"}

    await client.mark_read(button["id"])
    assert rosa.marked_read == {button["id"]}
    await standin.webhooks_settled()
    statuses = {(s["id"], s["status"]) for s in receiver.values("statuses")}
    assert {(text_id, "sent"), (text_id, "delivered")} <= statuses
    assert await rosa.reads() == 7
    await standin.webhooks_settled()
    assert (text_id, "read") in {(s["id"], s["status"]) for s in receiver.values("statuses")}


LIMITS = {
    "text over 4096": lambda c, to: c.send_text(to, "a" * 4097),
    "four buttons": lambda c, to: c.send_buttons(to, "b", [Choice(str(n), f"B{n}") for n in range(4)]),
    "button title of 21": lambda c, to: c.send_buttons(to, "b", [Choice("x", "x" * 21)]),
    "two buttons alike": lambda c, to: c.send_buttons(to, "b", [Choice("x", "Sí"), Choice("y", "Sí")]),
    "interactive body over 1024": lambda c, to: c.send_buttons(to, "b" * 1025, [Choice("x", "Sí")]),
    "eleven rows": lambda c, to: c.send_list(to, "b", "Ver", [ListSection("A", [Choice(str(n), f"R{n}") for n in range(11)])]),
    "row title of 25": lambda c, to: c.send_list(to, "b", "Ver", [ListSection("A", [Choice("x", "r" * 25)])]),
    "row description of 73": lambda c, to: c.send_list(to, "b", "Ver", [ListSection("A", [Choice("x", "r", "d" * 73)])]),
    "list button of 21": lambda c, to: c.send_list(to, "b", "v" * 21, [ListSection("A", [Choice("x", "r")])]),
    "url label of 21": lambda c, to: c.send_link(to, "b", "l" * 21, "https://example.org"),
    "caption over 1024": lambda c, to: c.send_image(to, link="https://example.org/a.png", caption="c" * 1025),
}


async def test_each_limit_is_refused_with_metas_error_and_nothing_is_sent(standin, receiver, client):
    rosa = standin.person(name="Rosa")
    await rosa.writes("hola")
    for name, send in LIMITS.items():
        with pytest.raises(BadRequest) as refused:
            await send(client, rosa.wa_id)
        assert refused.value.code == 131009, name
        assert refused.value.http_status == 400 and refused.value.details, name
    standin.register_template("aviso", "es", body="Hay un aviso para {{1}}.")
    for name, language in (("aviso", "en"), ("no_such", "es")):
        with pytest.raises(NoTemplate) as refused:
            await client.send_template(rosa.wa_id, name, language, body=["Rosa"])
        assert refused.value.code == 132001
    with pytest.raises(BadRequest) as refused:
        await client.send_template(rosa.wa_id, "aviso", "es", body=[])
    assert refused.value.code == 132000
    assert rosa.received == [] and standin.sent == []

    # Meta's shape, read raw; and the token is checked before anything else.
    async with aiohttp.ClientSession() as http:
        url = f"{standin.graph_url()}/{standin.phone_number_id}/messages"
        body = {"messaging_product": "whatsapp", "to": rosa.wa_id, "type": "text", "text": {"body": "x" * 4097}}
        async with http.post(url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            error = (await response.json())["error"]
        assert response.status == 400
        assert set(error) == {"message", "type", "code", "error_data", "fbtrace_id"} and error["code"] == 131009
        async with http.post(url, json=body, headers={"Authorization": "Bearer wrong"}) as response:
            assert response.status == 401 and (await response.json())["error"]["code"] == 190
    async with WhatsAppClient(base_url=standin.url, token="wrong", phone_number_id=standin.phone_number_id) as stranger:
        with pytest.raises(AuthFailed):
            await stranger.send_text(rosa.wa_id, "hola")
    async with WhatsAppClient(base_url="http://127.0.0.1:9", token=TOKEN, phone_number_id="1") as nowhere:
        with pytest.raises(Unavailable):
            await nowhere.send_text(rosa.wa_id, "hola")


async def test_webhooks_of_every_kind_are_signed_over_the_raw_body(standin, receiver, clock):
    rosa = standin.person("51911111111", name="Rosa Quispe Ñahui")
    await rosa.writes("¿Cuándo es el taller? 🙂")
    await rosa.sends_image(JPEG, caption="Evidencia")
    await rosa.sends_document(PDF, "acta.pdf", caption="Acta")
    await rosa.shares_contact("Carmen Díaz", "+51 922 222 222", wa_id="51922222222")
    await rosa.shares_location(-12.05, -77.04, name="Local comunal")
    await rosa.sends_unsupported()

    for body, signature in receiver.posts:
        assert signature == sign(body, standin.app_secret)
        assert "Ñahui".encode() in body  # raw UTF-8 (the profile name is in every one), not \u escapes
        tampered = body.replace(b"Rosa", b"Rosy")
        assert sign(tampered, standin.app_secret) != signature
        assert sign(body, "another-secret") != signature
    payload = receiver.payloads[0]
    assert payload["object"] == "whatsapp_business_account" and payload["entry"][0]["id"] == standin.waba_id
    change = payload["entry"][0]["changes"][0]
    assert change["field"] == "messages"
    value = change["value"]
    assert value["metadata"] == {"display_phone_number": standin.display_phone_number, "phone_number_id": standin.phone_number_id}
    assert value["contacts"] == [{"profile": {"name": "Rosa Quispe Ñahui"}, "wa_id": "51911111111", "user_id": rosa.user_id}]
    messages = receiver.values("messages")
    assert [m["type"] for m in messages] == ["text", "image", "document", "contacts", "location", "unsupported"]
    text, image, document, contacts, location, unsupported = messages
    assert text["text"] == {"body": "¿Cuándo es el taller? 🙂"} and text["from"] == "51911111111"
    assert text["from_user_id"] == rosa.user_id and text["id"].startswith("wamid.")
    assert text["timestamp"] == str(int(clock.now().timestamp()))
    assert image["image"]["caption"] == "Evidencia" and image["image"]["mime_type"] == "image/jpeg"
    assert document["document"]["filename"] == "acta.pdf" and document["document"]["id"].isdigit()
    assert contacts["contacts"][0]["phones"][0]["wa_id"] == "51922222222"
    assert location["location"]["name"] == "Local comunal"
    assert unsupported["errors"][0]["code"] == 131051

    # Meta's duplicates and forgeries, for the bot's webhook to tell apart.
    first = messages[0]["id"]
    assert await standin.deliver_again(first) == 200 and receiver.posts[-1] == receiver.posts[0]
    forged = json.dumps(receiver.payloads[0]).encode()
    assert await standin.post_raw(forged, signature=sign(forged, "guessed-secret")) == 403
    assert await standin.post_raw(forged, signature="") == 403 and receiver.refused == [forged, forged]
    assert await standin.post_raw(receiver.payloads[0]) == 200

    # A person who hides their number is known by the business-scoped id alone.
    hidden = standin.person("51933333333", name="Ana", hides_number=True)
    await hidden.writes("hola")
    last = receiver.values("messages")[-1]
    assert "from" not in last and last["from_user_id"] == hidden.user_id
    assert last["_value"]["contacts"][0] == {"profile": {"name": "Ana"}, "user_id": hidden.user_id}
    async with WhatsAppClient(base_url=standin.url, token=TOKEN, phone_number_id=standin.phone_number_id) as client:
        sent = await client.send_text(hidden.user_id, "Hola, Ana")  # addressed by the BSUID
    assert hidden.last.id == sent and hidden.last.payload["recipient"] == hidden.user_id


async def test_payloads_from_before_the_bsuid_rollout_can_be_had(clock):
    async with CloudApiStandIn(token=TOKEN, clock=clock, bsuid_in_webhooks=False) as standin:
        receiver = Receiver(standin)
        app = web.Application()
        app.router.add_post("/hook", receiver.handle_post)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        await standin.subscribe(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
        standin.settle_seconds = 0.01
        await standin.person("51944444444").writes("hola")
        await runner.cleanup()
    message = receiver.values("messages")[0]
    assert "from_user_id" not in message and "user_id" not in message["_value"]["contacts"][0]


async def test_a_webhook_not_answered_200_comes_again_after_a_back_off_on_the_clock(standin, receiver, clock):
    receiver.answer = 500
    rosa = standin.person(name="Rosa")
    action = asyncio.create_task(rosa.writes("hola"))
    # Wait on the stand-in's record of each answer: the retry is scheduled from when it came.
    await _until(lambda: len(standin.outbox.history) == 1 and standin.outbox.history[0].attempts == [500])
    delivery = standin.outbox.history[0]
    await asyncio.sleep(0.05)
    assert len(receiver.posts) == 1, "no retry before its time on the clock"
    clock.advance(seconds=14)
    await asyncio.sleep(0.05)
    assert len(receiver.posts) == 1
    clock.advance(seconds=1)  # 15 s after the failure
    await _until(lambda: delivery.attempts == [500, 500])
    clock.advance(seconds=59)
    await asyncio.sleep(0.05)
    assert len(receiver.posts) == 2, "the next retry waits longer"
    receiver.answer = 200
    clock.advance(seconds=1)
    await asyncio.wait_for(action, 2)
    assert receiver.posts[0] == receiver.posts[1] == receiver.posts[2]  # the same body, the same wamid
    assert delivery.attempts == [500, 500, 200] and not standin.outbox.pending


async def test_outside_the_window_a_send_is_accepted_and_fails_later_in_a_status_webhook(standin, receiver, client, clock):
    standin.register_template("aviso_pendiente", "es", body="Tienes un aviso de Voces.", quick_replies=("Ver aviso",))
    rosa = standin.person(name="Rosa")
    await rosa.writes("hola")
    clock.advance(hours=23, minutes=59)
    inside = await client.send_text(rosa.wa_id, "Aún a tiempo")
    clock.advance(minutes=2)
    outside = await client.send_text(rosa.wa_id, "Tu taller es mañana")  # a wamid, no error
    template = await client.send_template(rosa.wa_id, "aviso_pendiente", "es", button_payloads=["notice:7"])
    await standin.webhooks_settled()

    assert [m.id for m in rosa.received] == [inside, template]
    assert standin.statuses(outside) == ["failed"] and standin.statuses(inside) == ["sent", "delivered"]
    failed = [s for s in receiver.values("statuses") if s["id"] == outside]
    assert [s["status"] for s in failed] == ["failed"]
    assert failed[0]["errors"][0]["code"] == 131047 and failed[0]["recipient_id"] == rosa.wa_id
    assert failed[0]["_value"]["contacts"][0]["user_id"] == rosa.user_id
    assert isinstance(error_from_status(failed[0]["errors"]), OutsideWindow)
    delivered = [s for s in receiver.values("statuses") if s["id"] == template and s["status"] == "delivered"]
    assert delivered[0]["pricing"]["category"] == "utility"

    await rosa.presses("notice:7")  # her answer reopens the window
    assert await client.send_text(rosa.wa_id, "El aviso completo") == rosa.last.id

    # Someone not on WhatsApp: accepted too, then failed with 131026.
    nobody = await client.send_text("51900000999", "hola")
    await standin.webhooks_settled()
    gone = next(s for s in receiver.values("statuses") if s["id"] == nobody)
    assert isinstance(error_from_status(gone["errors"]), Unreachable)
    standin.fail_next_send(131026)
    with pytest.raises(Unreachable):
        await client.send_text(rosa.wa_id, "hola")


async def test_media_goes_up_and_down_only_with_the_token(standin, receiver, client, clock):
    media_id = await client.upload(PDF, mime_type="application/pdf", filename="informe.pdf")
    downloaded = await client.download(media_id)
    assert downloaded.content == PDF and downloaded.mime_type == "application/pdf"

    rosa = standin.person(name="Rosa")
    await rosa.sends_image(JPEG)
    inbound_id = receiver.values("messages")[-1]["image"]["id"]
    assert (await client.download(inbound_id)).content == JPEG

    async with aiohttp.ClientSession() as http:
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        async with http.get(f"{standin.graph_url()}/{inbound_id}", headers=bearer) as response:
            found = await response.json()
        assert found["file_size"] == len(JPEG) and found["mime_type"] == "image/jpeg"
        async with http.get(found["url"]) as response:
            assert response.status == 401 and (await response.json())["error"]["code"] == 190
        async with http.get(found["url"], headers={"Authorization": "Bearer stolen"}) as response:
            assert response.status == 401
        async with http.get(found["url"], headers=bearer) as response:
            assert response.status == 200 and await response.read() == JPEG
        clock.advance(minutes=6)  # the URL lives five minutes
        async with http.get(found["url"], headers=bearer) as response:
            assert response.status == 404
        async with http.get(f"{standin.graph_url()}/{inbound_id}") as response:
            assert response.status == 401
    with pytest.raises(BadRequest):
        await client.upload(b"MZ\x90", mime_type="application/x-msdownload", filename="virus.exe")


async def test_sends_beyond_the_rate_limits_are_told_to_back_off(clock):
    now = [1000.0]
    async with CloudApiStandIn(token=TOKEN, clock=clock, messages_per_second=5, pair_burst=3, rate_clock=lambda: now[0]) as standin:
        standin.settle_seconds = 0.0
        people = [standin.person() for _ in range(3)]
        for person in people:
            person.last_wrote_at = clock.now()
        async with WhatsAppClient(base_url=standin.graph_url("v22.0"), token=TOKEN, phone_number_id=standin.phone_number_id) as client:
            for index in range(5):
                await client.send_text(people[index % 3].wa_id, f"mensaje {index}")
            with pytest.raises(BackOff) as refused:
                await client.send_text(people[2].wa_id, "uno más")
            assert refused.value.code == 130429 and refused.value.retry_after == timedelta(seconds=1)
            now[0] += 1.0
            await client.send_text(people[0].wa_id, "tercero a Rosa")
            with pytest.raises(BackOff) as refused:
                await client.send_text(people[0].wa_id, "cuarto a Rosa")
            assert refused.value.code == 131056
            await client.send_text(people[1].wa_id, "otra persona sí")
            now[0] += 6.0
            await client.send_text(people[0].wa_id, "y después de la pausa")
        assert [c.error_code for c in standin.calls].count(130429) == 1


async def test_the_verification_handshake_checks_the_echo(standin, receiver):
    assert await verify_callback(receiver.url, verify_token=VERIFY_TOKEN, challenge="1158201444")
    assert not await verify_callback(receiver.url, verify_token="guessed")
    with pytest.raises(AssertionError):
        await standin.subscribe(receiver.url, verify_token="guessed")


async def test_the_page_drives_a_person_over_json_without_waiting_for_the_bot(standin, receiver, client):
    async with aiohttp.ClientSession(base_url=standin.url) as page:
        async with page.post("/_standin/people", json={"name": "Carmen", "wa_id": "51955555555"}) as response:
            assert (await response.json())["wa_id"] == "51955555555"
        chat = "/_standin/chats/51955555555"
        async with page.post(f"{chat}/write", json={"text": "menú"}) as response:
            written = (await response.json())["id"]
        await _until(lambda: any(m["id"] == written for m in receiver.values("messages")))
        await client.send_buttons("51955555555", "¿Qué quieres hacer?", [Choice("menu:report", "Informe")])
        async with page.get(f"{chat}/events", params={"after": "0", "timeout": "1"}) as response:
            events = await response.json()
        mine, answer = events["messages"]
        assert (mine["from_business"], mine["kind"], mine["text"]) == (False, "text", {"body": "menú"})
        assert answer["from_business"] and answer["choices"][0]["id"] == "menu:report"
        async with page.post(f"{chat}/press", json={"id": "menu:report"}) as response:
            pressed = (await response.json())["id"]
        form = aiohttp.FormData()
        form.add_field("file", JPEG, filename="foto.jpg", content_type="image/jpeg")
        async with page.post(f"{chat}/upload", data=form) as response:
            assert response.status == 200
        async with page.get(f"{chat}/events", params={"after": str(events["seq"]), "timeout": "1"}) as response:
            press, photo = (await response.json())["messages"]
        assert press["id"] == pressed and press["interactive"]["button_reply"]["id"] == "menu:report"
        async with page.get(photo["image"]["media_url"]) as response:
            assert await response.read() == JPEG
        async with page.post(f"{chat}/press", json={"id": "menu:nothing"}) as response:
            assert response.status == 400


async def test_pywa_reads_every_webhook_the_standin_sends_and_refuses_a_forged_one(standin, clock):
    """pywa models Meta's payloads: its validator and typed updates are a second opinion on the
    stand-in's envelope and signature, for every inbound kind and a failed status."""
    from pywa_async import WhatsApp

    reader = WhatsApp(phone_id=standin.phone_number_id, token=TOKEN, app_secret=standin.app_secret, waba_id=standin.waba_id)
    read: list[tuple] = []
    reader.add_handlers(*_recording_handlers(read))
    forged: list[object] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.read()
        forged.append(await reader.webhook_update_validator(body, sign(body, "not-the-app-secret")))
        if await reader.webhook_update_validator(body, request.headers["X-Hub-Signature-256"]) is not None:
            return web.Response(status=401)
        await reader.webhook_update_handler(body)
        for message in json.loads(body)["entry"][0]["changes"][0]["value"].get("messages", []):
            standin.mark_processed(message["id"])
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/pywa", webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await standin.subscribe(f"http://127.0.0.1:{runner.addresses[0][1]}/pywa")
    rosa = standin.person("51966666666", name="Rosa")
    async with WhatsAppClient(base_url=standin.url, token=TOKEN, phone_number_id=standin.phone_number_id) as client:
        await rosa.writes("hola")
        await client.send_buttons(rosa.wa_id, "¿Sí?", [Choice("yes:1", "Sí")])
        await client.send_list(rosa.wa_id, "Elige", "Ver", [ListSection("S", [Choice("row:1", "Fila", "detalle")])])
        await rosa.presses("yes:1")
        await rosa.presses("row:1")
        await rosa.sends_image(JPEG)
        await rosa.sends_document(PDF, "acta.pdf")
        await rosa.shares_location(-12.0, -77.0)
        await rosa.shares_contact("Carmen Díaz", "+51922222222")
        await rosa.sends_unsupported()
        clock.advance(hours=25)
        await client.send_text(rosa.wa_id, "tarde")
        await standin.webhooks_settled()
    await runner.cleanup()
    assert all(answer is not None for answer in forged)
    kinds = [entry[0] for entry in read if entry[0] != "status"]
    assert kinds == ["text", "button", "list", "image", "document", "location", "contacts", "unsupported"]
    assert ("button", "yes:1", rosa.user_id) in read and ("list", "row:1", rosa.user_id) in read
    assert ("text", "hola", rosa.user_id) in read
    assert read[-1] == ("status", "failed", 131047)


def _recording_handlers(read: list[tuple]) -> list:
    from pywa_async import handlers

    async def message(_, update) -> None:  # noqa: ANN001
        read.append((str(update.type.value), update.text or update.type.value, update.from_user.bsuid))

    async def button(_, update) -> None:  # noqa: ANN001
        read.append(("button", update.data, update.from_user.bsuid))

    async def row(_, update) -> None:  # noqa: ANN001
        read.append(("list", update.data, update.from_user.bsuid))

    async def status(_, update) -> None:  # noqa: ANN001
        read.append(("status", str(update.status.value), update.error.code if update.error else None))

    return [
        handlers.MessageHandler(message),
        handlers.CallbackButtonHandler(button),
        handlers.CallbackSelectionHandler(row),
        handlers.MessageStatusHandler(status),
    ]


async def _until(condition, timeout: float = 2.0) -> None:  # noqa: ANN001, ASYNC109
    """Poll what the receiver got: it is the test's own stand-in for the bot."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def test_with_the_bot_in_another_process_an_action_returns_when_the_answer_arrives(standin, receiver, client):
    # A benchmark's bot runs elsewhere and signals nothing: the person waits for its answer,
    # however long it takes (not for a quiet moment after the 200).
    standin.expect_processed_signal = False
    standin.expect_answer = True
    standin.settle_seconds = 0.05
    rosa = standin.person("51987654321", name="Rosa")
    writing = asyncio.create_task(rosa.writes("hola"))
    await _until(lambda: len(receiver.posts) == 1)
    await asyncio.sleep(0.3)
    assert not writing.done()
    await client.send_text(rosa.wa_id, "¡Hola, Rosa!")
    await asyncio.wait_for(writing, 2)
    assert rosa.last_text == "¡Hola, Rosa!"
