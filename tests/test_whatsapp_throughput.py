"""What lets the WhatsApp channel answer a crowd (bench/bench_whatsapp.py): it keeps within Meta's
80 messages a second per number, a crowd's answers waiting for their place instead of earning
130429 (which would have the worker answer again), and an answer costs the database few
statements."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import event, select

from bot.messaging import whatsapp_inbox
from bot.messaging.whatsapp_models import WhatsAppStatus
from bot.playground.whatsapp import CloudApiStandIn, meta
from bot.playground.whatsapp.webhooks import envelope
from handlers.whatsapp import webhook
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
    webhook names the sender), the message read in the transaction that answers it, the last
    screen read once, each status report one statement, and the message marked processed in
    the transaction that claims what was held for her. Nothing is rolled back."""
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
    with Transactions(wa) as recorded:
        await ana.writes("Av. Argentina 1234")
        await wa.standin.webhooks_settled()      # the answer's sent and delivered reports, stored
    transactions, open_ones = recorded.committed, recorded.open
    assert "¿Cuándo se fundó?" in ana.last.text
    # The webhook's insert. The answer: the message read (with whether another waits), the
    # person, the screen and the draft read, the screen and the draft written. Once sent: the
    # message marked processed and what was held for her claimed (one UPDATE, she just wrote).
    # Each status report one upsert (the two in one transaction when they came side by side,
    # then one statement run for each).
    reports = [t for t in transactions if "INSERT whatsapp_statuses" in t]
    assert sorted(t for t in transactions if t not in reports) == sorted([
        ("INSERT whatsapp_inbound",),
        ("SELECT whatsapp_inbound", "SELECT users", "SELECT whatsapp_shown", "SELECT registration_drafts",
         "UPDATE whatsapp_shown", "UPDATE registration_drafts"),
        ("UPDATE whatsapp_inbound", "UPDATE reminders"),
    ])
    assert sorted(s for t in reports for s in t) == ["INSERT whatsapp_statuses"] * 2   # sent, delivered
    assert not any(open_ones.values())


class Transactions:
    """While open, what each committed transaction's statements did (`did`), in commit order;
    `open`: what connections ran and did not commit."""

    def __init__(self, side: object) -> None:
        self._engine = side.runtime.database.engine.sync_engine  # type: ignore[attr-defined]
        self.committed: list[tuple[str, ...]] = []
        self.open: dict[object, list[str]] = {}
        self._listeners = [
            ("before_cursor_execute", lambda conn, *a: self.open.setdefault(conn, []).extend(did(*a))),
            ("commit", lambda conn: self.committed.append(tuple(self.open.pop(conn, [])))),
        ]

    def __enter__(self) -> Transactions:
        for name, listener in self._listeners:
            event.listen(self._engine, name, listener)
        return self

    def __exit__(self, *_exc: object) -> None:
        for name, listener in self._listeners:
            event.remove(self._engine, name, listener)

    def counts(self, what: str) -> list[int]:
        """Each committed transaction that did `what`: how many times."""
        return [n for done in self.committed if (n := done.count(what))]


def did(_cursor: object, statement: str, parameters: object, _context: object, many: bool) -> list[str]:
    """What a statement does, to which table ("SELECT users", "INSERT whatsapp_statuses"),
    once per row of values it was run with (an executemany: several)."""
    words = statement.split()
    what = f"SELECT {words[1].split('.')[0]}" if words[0] == "SELECT" else \
        f"{words[0]} {words[2] if words[0] == 'INSERT' else words[1]}"
    return [what] * (len(parameters) if many else 1)  # type: ignore[arg-type]


async def test_status_reports_of_one_message_arriving_side_by_side_are_both_taken(wa):  # noqa: F811
    """Meta sends a busy number's webhooks side by side: "sent" and "delivered" of one message
    may reach the bot at once, or in one call. Both are taken (200), the later stage kept; a
    late "sent" after "read" changes nothing."""
    def report(*statuses: str, message: str = "wamid.side-by-side") -> dict:
        entries = [{"id": message, "status": status, "timestamp": "1767225600", "recipient_id": "51987000009"}
                   for status in statuses]
        return envelope(wa.standin.waba_id, {"display_phone_number": "51900000001", "phone_number_id": "1"},
                        {"statuses": entries})

    answers = await asyncio.gather(*(wa.standin.post_raw(report(status)) for status in ("sent", "delivered") * 4))
    assert answers == [200] * 8
    assert await wa.standin.post_raw(report("read")) == 200
    assert await wa.standin.post_raw(report("sent")) == 200
    assert await wa.standin.post_raw(report("delivered", "read", "sent", message="wamid.in-one-call")) == 200
    async with wa.session() as session:
        assert (await session.get(WhatsAppStatus, "wamid.side-by-side")).status == "read"
        assert (await session.get(WhatsAppStatus, "wamid.in-one-call")).status == "read"


async def test_deliveries_arriving_side_by_side_are_stored_together_each_answered_once_committed(
        wa, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    """Meta sends a busy number's webhooks side by side: those that arrive while one is being
    written are written together next, in one transaction, so ten deliveries cost fewer
    commits than ten. Each is answered 200 only once its report is in the database; one that
    cannot be stored is refused (503: Meta sends it again) without refusing those written with
    it; messages side by side are both answered."""
    def report(n: int, code: int | None = None) -> dict:
        entry = {"id": f"wamid.together-{n}", "status": "delivered", "timestamp": "1767225600", "recipient_id": "51987000009"}
        if code is not None:  # a code no INTEGER column takes, on either database (see below)
            entry |= {"status": "failed", "errors": [{"code": code, "title": "?"}]}
        return envelope(wa.standin.waba_id, {"display_phone_number": "51900000001", "phone_number_id": "1"},
                        {"statuses": [entry]})

    async def stored_when_answered(n: int) -> bool:
        assert await wa.standin.post_raw(report(n)) == 200
        async with wa.session() as session:
            return await session.get(WhatsAppStatus, f"wamid.together-{n}") is not None

    rosa, luis = wa.person("Rosa"), wa.person("Luis")
    with Transactions(wa) as recorded:
        stored = await asyncio.gather(*(stored_when_answered(n) for n in range(10)))
    writes = recorded.counts("INSERT whatsapp_statuses")   # each committed transaction that stored reports: how many
    assert stored == [True] * 10
    assert sum(writes) == 10 and len(writes) < 10
    # A delivery the database refuses: the webhook keeps such a code out of its row, so let one
    # through as it was before that, to have a write that fails.
    monkeypatch.setattr(webhook, "_error_code", lambda code: code)
    answers = await asyncio.gather(*(wa.standin.post_raw(report(n, code=2**64 if n == 13 else None))
                                     for n in range(10, 16)))
    assert answers == [200, 200, 200, 503, 200, 200]
    async with wa.session() as session:
        kept = await session.scalars(select(WhatsAppStatus.message_id).where(WhatsAppStatus.message_id.like("wamid.together-1_")))
        assert sorted(kept) == [f"wamid.together-{n}" for n in (10, 11, 12, 14, 15)]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == ["a WhatsApp delivery could not be stored"]
    caplog.clear()
    await asyncio.gather(rosa.writes("hola"), luis.writes("hola"))   # two messages side by side: both answered
    assert "¿Qué idioma prefieres?" in rosa.last.text and "¿Qué idioma prefieres?" in luis.last.text


async def test_answers_sent_side_by_side_are_marked_processed_together(wa):  # noqa: F811
    """Six people's messages in one delivery: each is marked processed only after its answer
    went out, and the marks of answers sent side by side share a transaction (fewer than six)."""
    crowd = [wa.person(f"Persona {n}") for n in range(6)]
    for person in crowd:
        person.last_wrote_at = wa.standin.clock.now()  # they write below, past the stand-in's people
    delivery = envelope(wa.standin.waba_id, {"display_phone_number": "51900000001", "phone_number_id": "1"}, {
        "contacts": [{"profile": {"name": person.name}, "wa_id": person.wa_id} for person in crowd],
        "messages": [{"from": person.wa_id, "id": f"wamid.crowd-{n}", "timestamp": "1767225600", "type": "text",
                      "text": {"body": "hola"}} for n, person in enumerate(crowd)]})
    with Transactions(wa) as recorded:
        assert await wa.standin.post_raw(delivery) == 200
        await wa.channel.worker.idle()
    marks = recorded.counts("UPDATE whatsapp_inbound")   # each committed transaction that marked messages: how many
    assert all("¿Qué idioma prefieres?" in person.last.text for person in crowd)
    assert sum(marks) == 6 and len(marks) < 6
    async with wa.session() as session:
        assert await whatsapp_inbox.senders_waiting(session) == []
