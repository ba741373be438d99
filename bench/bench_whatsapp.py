"""How many WhatsApp steps a second Voces answers, against the 80 messages a second WhatsApp's
Cloud API allows one business number.

    .venv/bin/python -m bench whatsapp
    VOCES_BENCH_POSTGRES_URL=postgresql://user@localhost/postgres .venv/bin/python -m bench whatsapp

One process and one event loop hold the Cloud API stand-in (bot/playground/whatsapp/, with its
throughput limit on: 80 messages a second per number, 130429 beyond, and the pair rate; its
webhooks, signed, 16 POSTs at once as Meta sends a busy number's: `VOCES_BENCH_WEBHOOKS`), the
real WhatsApp channel (the webhook storing each signed delivery in the inbox, the worker
answering from the inbox, the Cloud API client sending through pywa to the stand-in; worker
settings as in production) on a freshly migrated database, and `VOCES_BENCH_WHATSAPP` (400)
people who all write at once. They accepted the data notice and started /registrar (written
through the domain functions: the organization's name and type answered, the district question
kept as their last screen); before the clock each types part of a district's name. Timed, each
person waiting for the bot's answer before the next step, with no pause to read: choosing the
district in the list (a `list_reply` by its id), typing the address, typing the founding year.
A step ends when the worker has sent the answer and marked the message processed (the stand-in
is told, as the tests' harness does); each answer is one message.

Reported per backend (the median round of `VOCES_BENCH_ROUNDS`, 2, each with new people): steps
per second (**target ≥ 80**: at 80 the per-number limit, not the bot, sets the pace), p50 / p99
of a step, the messages a second the bot sent and their ratio to the limit, 130429 answers
(**target 0**), the processor time per step (the whole process's, steadier than steps per second
on a shared machine), and database statements and commits per step. Checked: every draft ends at the
next question, and the channel logged no error. Exits 1 when a target is missed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import time as wall
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from bench import Row, run_on_both_backends, verdict
from bot.core import migrate
from bot.core.clock import SystemClock
from bot.core.db import Database
from bot.core.runtime import Runtime
from bot.messaging import whatsapp_screens
from bot.organizations import registration
from bot.organizations import registration_screens as asking
from bot.organizations.models import OrganizationKind, RegistrationDraft
from bot.organizations.registration import Step
from bot.people import people
from bot.people.models import Channel, User
from bot.playground.whatsapp import CloudApiStandIn, WhatsAppPerson, meta
from handlers.whatsapp.registration import FLOW
from handlers.whatsapp.worker import POLL_SECONDS
from tests.whatsapp_harness import TOKEN, WhatsAppUnderTest

PEOPLE = int(os.environ.get("VOCES_BENCH_WHATSAPP", "400"))
ROUNDS = int(os.environ.get("VOCES_BENCH_ROUNDS", "3"))
# Webhook POSTs the stand-in makes at once (VOCES_BENCH_WEBHOOKS; 1: one after the other).
WEBHOOK_CONCURRENCY = int(os.environ.get("VOCES_BENCH_WEBHOOKS", "16"))
LIMIT = meta.DEFAULT_MESSAGES_PER_SECOND  # WhatsApp's default throughput per number
TARGET_STEPS_PER_SECOND = LIMIT
# Under this load an answer can take many seconds; the stand-in's default gives up at 15.
ACTION_TIMEOUT_SECONDS = 120.0
DISTRICT_TYPED = "carmen legua"
DISTRICT_PREFIX = f"{asking.PREFIX}:district:"

Action = Callable[[WhatsAppPerson], Awaitable[Any]]


async def chooses_the_district(person: WhatsAppPerson) -> None:
    """The district list's row, tapped: the webhook brings its id."""
    row = next(choice for choice in person.choices if choice.id.startswith(DISTRICT_PREFIX))
    await person.presses(row.id)


WARM_UP: list[Action] = [lambda person: person.writes(DISTRICT_TYPED)]
MEASURED: list[Action] = [
    chooses_the_district,
    lambda person: person.writes("Av. Argentina 1234"),
    lambda person: person.writes("2021"),
]


class Counter:
    """Statements and commits on an engine, while switched on."""

    def __init__(self, database: Database) -> None:
        self.statements = 0
        self.commits = 0
        self.on = False
        engine = database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, *_args: Any) -> None:
        self.statements += self.on

    def _commit(self, *_args: Any) -> None:
        self.commits += self.on


class ErrorsLogged(logging.Handler):
    """Errors the WhatsApp channel logged (a failed answer, a send refused)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Round:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    messages: int = 0  # sent by the bot during the measured steps
    busiest_second: int = 0  # the most messages accepted in any one second of them
    throughput_refused: int = 0  # 130429 answers during the whole round
    statements: int = 0
    commits: int = 0
    processor: float = 0.0  # seconds of processor time the whole process used in the measured steps
    at_the_next_question: int = 0

    @property
    def steps(self) -> int:
        return len(self.latencies)

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds

    def percentile(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1]


async def halfway_through_registration(runtime: Runtime, crowd: list[WhatsAppPerson]) -> None:
    """People on WhatsApp who chose Spanish, accepted the notice and answered /registrar's
    name and type; the district question is the last screen each saw (flow `register`)."""
    i18n = runtime.translator("es")
    now = datetime.now(UTC)
    async with runtime.database.session() as session:
        for person in crowd:
            meeting = await people.meet_at(session, channel=Channel.WHATSAPP, wa_id=person.wa_id, bsuid=person.user_id,
                                           language="es", now=now)
            await people.give_consent(session, user=meeting.person, display_name=person.name, now=now)
            draft = await registration.start_draft(session, user=meeting.person, now=now)
            for value in ("Mujeres Emprendedoras del Callao", OrganizationKind.OSB.value):
                await registration.answer(session, draft=draft, value=value, today=now.date(), now=now,
                                          cipher=runtime.cipher)
            await whatsapp_screens.remember(session, user_id=meeting.person.id, flow=FLOW, now=now,
                                            screen=asking.question(draft, i18n=i18n, cipher=runtime.cipher))


async def crowd_steps(crowd: list[WhatsAppPerson], actions: list[Action]) -> tuple[float, list[float]]:
    """Everyone at once, each taking the actions in order; every step timed."""
    latencies: list[float] = []

    async def one_person(person: WhatsAppPerson) -> None:
        for action in actions:
            started = wall.perf_counter()
            await action(person)
            latencies.append(wall.perf_counter() - started)

    started = wall.perf_counter()
    await asyncio.gather(*(one_person(person) for person in crowd))
    return wall.perf_counter() - started, latencies


def busiest_second(moments: list[float]) -> int:
    """The most of these moments (seconds, sorted) in any one-second window."""
    most, first = 0, 0
    for last, moment in enumerate(moments):
        while moments[first] <= moment - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def one_round(database_url: str, storage_dir: Path, round_number: int) -> Round:
    result = Round()
    # Meta delivers a busy number's webhooks side by side (one at a time, as the tests have
    # them, the stand-in's own line would set the pace: bench/README.md).
    standin = CloudApiStandIn(token=TOKEN, clock=SystemClock(), webhook_concurrency=WEBHOOK_CONCURRENCY)
    standin.expect_processed_signal = True
    await standin.start()
    wa = WhatsAppUnderTest(database_url=database_url, storage_dir=storage_dir, clock=SystemClock(), standin=standin)
    await wa.start()
    try:
        standin, channel, runtime = wa.standin, wa.channel, wa.runtime
        assert standin is not None and channel is not None and runtime is not None
        assert standin.messages_per_second == LIMIT, "the stand-in's throughput limit must be on"
        standin.action_timeout = ACTION_TIMEOUT_SECONDS
        channel.worker.poll_seconds = POLL_SECONDS  # production's (the tests' harness looks more often)
        first = 51_900_000_000 + round_number * 100_000
        crowd = [standin.person(str(first + n), name=f"Líder {n}") for n in range(PEOPLE)]
        await halfway_through_registration(runtime, crowd)
        await crowd_steps(crowd, WARM_UP)
        if any(not any(c.id.startswith(DISTRICT_PREFIX) for c in person.choices) for person in crowd):
            raise RuntimeError("not everyone was offered the district list")
        counter = Counter(runtime.database)
        sent_before = len(standin.sent)
        counter.on = True
        processor = wall.process_time()
        result.seconds, result.latencies = await crowd_steps(crowd, MEASURED)
        result.processor = wall.process_time() - processor
        counter.on = False
        result.statements, result.commits = counter.statements, counter.commits
        sent = standin.sent[sent_before:]
        result.messages = len(sent)
        result.busiest_second = busiest_second(sorted(message.sent_at.timestamp() for message in sent))
        result.throughput_refused = sum(1 for call in standin.calls if call.error_code == meta.THROUGHPUT)
        async with wa.session() as session:
            result.at_the_next_question = await session.scalar(
                select(func.count()).select_from(RegistrationDraft).join(User, User.id == RegistrationDraft.user_id)
                .where(RegistrationDraft.step == Step.MEMBERS_PERUVIAN, User.wa_id.in_([p.wa_id for p in crowd]))
            ) or 0
    finally:
        await wa.stop()
    return result


def bench(backend: str, database_url: str, storage_dir: Path) -> list[Row]:
    migrate.upgrade(database_url)
    errors = ErrorsLogged()
    channel_log = logging.getLogger("handlers.whatsapp")
    channel_log.addHandler(errors)
    try:
        rounds = [asyncio.run(one_round(database_url, storage_dir, n)) for n in range(ROUNDS)]
    finally:
        channel_log.removeHandler(errors)
    ordered = sorted(rounds, key=lambda r: r.steps_per_second)
    median = ordered[(len(ordered) - 1) // 2]  # the lower of two middles
    everyone = all(r.at_the_next_question == PEOPLE and r.steps == PEOPLE * len(MEASURED) for r in rounds)
    refused = sum(r.throughput_refused for r in rounds)
    steps = sum(r.steps for r in rounds)
    return [
        (backend, f"every draft at the next question, {len(rounds)} rounds of {PEOPLE}",
         " ".join(str(r.at_the_next_question) for r in rounds), f"{PEOPLE}", verdict(everyone)),
        (backend, "errors the channel logged", str(len(errors.messages)), "0", verdict(not errors.messages)),
        (backend, "steps per second, every round", " ".join(f"{r.steps_per_second:.0f}" for r in rounds), "", ""),
        (backend, "steps per second, median round", f"{median.steps_per_second:.0f}",
         f">= {TARGET_STEPS_PER_SECOND:.0f}", verdict(median.steps_per_second >= TARGET_STEPS_PER_SECOND)),
        (backend, "steps per second / the limit", f"{median.steps_per_second / LIMIT:.2f}", "", ""),
        (backend, "step p50 / p99", f"{median.percentile(50):.2f} s / {median.percentile(99):.2f} s", "", ""),
        (backend, "messages the bot sent per second", f"{median.messages_per_second:.0f} / {LIMIT:.0f} = "
         f"{median.messages_per_second / LIMIT:.2f} (busiest second {median.busiest_second})", "", ""),
        (backend, "130429 answers (limit on at 80/s)", str(refused), "0", verdict(refused == 0)),
        (backend, "processor per step (stand-in and people included), every round",
         " ".join(f"{1000 * r.processor / r.steps:.1f}" for r in rounds) + " ms", "", ""),
        (backend, "statements / commits per step",
         f"{sum(r.statements for r in rounds) / steps:.1f} / {sum(r.commits for r in rounds) / steps:.1f}", "", ""),
    ]


def main() -> int:
    return run_on_both_backends("whatsapp", bench)


if __name__ == "__main__":
    sys.exit(main())
