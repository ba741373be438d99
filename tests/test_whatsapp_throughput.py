"""What lets the WhatsApp channel answer a crowd (bench/bench_whatsapp.py): it keeps within Meta's
80 messages a second per number, a crowd's answers waiting for their place instead of earning
130429 (which would have the worker answer again), and an answer costs the database few
statements."""

from __future__ import annotations

import asyncio

from sqlalchemy import event

from bot.messaging.whatsapp_models import WhatsAppStatus
from bot.playground.whatsapp import CloudApiStandIn, meta
from bot.playground.whatsapp.webhooks import envelope
from handlers.whatsapp.channel import ClientSender
from handlers.whatsapp.client import WhatsAppClient
from tests.whatsapp_harness import consented, wa  # noqa: F401 - the fixture

TOKEN = "EAAG-test-token"


async def test_answers_to_a_crowd_keep_within_the_numbers_limit_and_all_arrive():
    async with CloudApiStandIn(token=TOKEN) as standin:
        assert standin.messages_per_second == meta.DEFAULT_MESSAGES_PER_SECOND == 80
        crowd = [standin.person(name=f"Líder {n}") for n in range(120)]
        for person in crowd:
            person.last_wrote_at = standin.clock.now()  # each wrote: their window is open
        sender = ClientSender(WhatsAppClient(base_url=standin.graph_url(), token=TOKEN,
                                             phone_number_id=standin.phone_number_id))
        try:
            sent = await asyncio.gather(*(sender.send(person.wa_id, {"type": "text", "text": {"body": "Hola"}})
                                          for person in crowd))
        finally:
            await sender.close()
        assert all(sent) and all(person.last_text == "Hola" for person in crowd)
        assert [call.error_code for call in standin.calls if call.error_code is not None] == []
        moments = sorted(message.sent_at.timestamp() for message in standin.sent)
        assert moments[-1] - moments[0] >= 0.5  # the last 40 waited for places to free


async def test_an_answer_reads_the_inbox_for_its_sender_only_and_each_row_once(wa):  # noqa: F811
    """What one typed answer costs the database: no scan of the inbox for who waits (the
    webhook names the sender), the last screen read once, each status report one statement,
    and the message marked processed in the transaction that looks for the sender's next."""
    wa.channel.worker.poll_seconds = 60.0  # the harness's look every 0.2 s would count here
    ana = wa.person("Ana")
    await consented(ana)
    await ana.writes("/registrar")
    await ana.writes("Mujeres Emprendedoras del Callao")
    await ana.chooses("OSB")
    await ana.writes("carmen legua")
    await ana.presses("reg:district:070103")
    await wa.standin.webhooks_settled()
    worker = wa.channel.worker
    worker.wake()                                # its look under way now, then the next in 60 s
    while worker._wakeup.is_set():  # noqa: SLF001, ASYNC110 - until the worker took the wake-up
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    statements: list[str] = []
    commits: list[bool] = []
    engine = wa.runtime.database.engine.sync_engine
    listeners = [("before_cursor_execute", lambda *a: statements.append(" ".join(a[2].split()))),
                 ("commit", lambda *a: commits.append(True))]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        await ana.writes("Av. Argentina 1234")
        await wa.standin.webhooks_settled()      # the answer's sent and delivered reports, stored
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert "¿Cuándo se fundó?" in ana.last.text
    assert [s for s in statements if "GROUP BY whatsapp_inbound.sender" in s] == []
    assert sum(s.startswith("SELECT whatsapp_shown") for s in statements) == 1
    assert [s for s in statements if s.startswith("SELECT whatsapp_statuses")] == []
    assert sum(s.startswith("INSERT INTO whatsapp_statuses") for s in statements) == 2   # sent, delivered
    assert sum(s.startswith("SELECT whatsapp_inbound") for s in statements) == 2   # the message, then none
    # The webhook's insert; the message read; the person, the screen, the draft read and the
    # screen and draft written; marked processed and the next looked for; what was held for her
    # released (one UPDATE, she just wrote); two status reports.
    assert sum(s.startswith("UPDATE reminders") for s in statements) == 1
    assert (len(statements), len(commits)) == (12, 7)


async def test_status_reports_of_one_message_arriving_side_by_side_are_both_taken(wa):  # noqa: F811
    """Meta sends a busy number's webhooks side by side: "sent" and "delivered" of one message
    may reach the bot at once. Both are taken (200), the later stage kept; a late "sent" after
    "read" changes nothing."""
    def report(status: str) -> dict:
        entry = {"id": "wamid.side-by-side", "status": status, "timestamp": "1767225600", "recipient_id": "51987000009"}
        return envelope(wa.standin.waba_id, {"display_phone_number": "51900000001", "phone_number_id": "1"},
                        {"statuses": [entry]})

    answers = await asyncio.gather(*(wa.standin.post_raw(report(status)) for status in ("sent", "delivered") * 4))
    assert answers == [200] * 8
    assert await wa.standin.post_raw(report("read")) == 200
    assert await wa.standin.post_raw(report("sent")) == 200
    async with wa.session() as session:
        assert (await session.get(WhatsAppStatus, "wamid.side-by-side")).status == "read"
