"""How fast Voces answers a crowd, compared with a bare python-telegram-bot echo bot.

    .venv/bin/python -m bench conversation
    VOCES_BENCH_POSTGRES_URL=postgresql://user@localhost/postgres .venv/bin/python -m bench conversation

One process and one event loop hold the Bot API emulator, the bot and 500 simulated users who
all write at once. Each user waits for the answer to a message before sending the next, as a
person would; a step is one message (or button press) and the bot's complete answer to it.
Per backend (SQLite; PostgreSQL too when the variable is set: a new database on that server,
dropped afterwards), one emulator serves both bots, one after the other:

- the baseline, a bare PTB bot that echoes text: same emulator, same 64 concurrent updates,
  same polling, no database;
- Voces, the real Application from `build_application` on a freshly migrated database. Its
  users have accepted the data notice and answered the first questions of /register (written
  through the domain services) and, before the clock starts, search for their district. The
  three measured steps each commit the draft's answer and its step before the next question
  goes out: tapping the district found, typing the address, typing the founding year.

The ratio of the two throughputs is the result (target: Voces at least half as fast).

Voces keeps its messages within Telegram's documented flood limit of 30 a second
(the SendBudget of handlers/ratelimit.py). That pace, not the bot, would set the result,
and the echo bot has no such pacing, so it is switched off here: the benchmark measures what
handling a step costs. Exits 1 when the ratio misses its target.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time as wall
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bench import (
    Row,
    run_on_both_backends,
    verdict,
)
from bot.core import conversations, migrate
from bot.core.clock import SystemClock
from bot.core.crypto import IdNumberCipher
from bot.core.db import Database
from bot.organizations import registration
from bot.organizations.models import OrganizationKind, RegistrationDraft
from bot.organizations.registration import Step
from bot.people import people
from bot.people.models import User
from bot.playground.emulator import FIRST_USER_ID, BotApiEmulator, SimulatedUser
from handlers.organizations.registration import FLOW
from tests.harness import BOT_TOKEN, TEST_ID_KEY, BotUnderTest

USERS = 500
CONCURRENT_UPDATES = 64  # what Voces's OnePersonAtATime allows
TARGET_RATIO = 0.5
# Runs on a shared machine vary by about 15 % from one minute to the next: the result is the
# median of several rounds (VOCES_BENCH_ROUNDS to change it).
ROUNDS = int(os.environ.get("VOCES_BENCH_ROUNDS", "3"))
# Under this load an answer can take many seconds; the emulator's default gives up at 15.
ACTION_TIMEOUT_SECONDS = 120.0

Action = Callable[[SimulatedUser], Awaitable[None]]


def sends(text: str) -> Action:
    return lambda user: user.sends(text)


def taps(label: str) -> Action:
    return lambda user: user.taps(label)


ECHO_WARM_UP = [sends("hola")]
ECHO_MEASURED = [sends("uno"), sends("dos"), sends("tres")]
VOCES_WARM_UP = [sends("carmen legua")]
VOCES_MEASURED = [taps("Carmen de la Legua Reynoso"), sends("Av. Argentina 1234"), sends("2021")]


@dataclass(frozen=True)
class Measurement:
    seconds: float
    latencies: list[float]  # one per step, in seconds

    @property
    def steps_per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[percent - 1]


async def crowd(users: list[SimulatedUser], actions: list[Action]) -> Measurement:
    """All users at once, each taking the actions in order; every step is timed."""
    latencies: list[float] = []

    async def one_person(user: SimulatedUser) -> None:
        for action in actions:
            started = wall.perf_counter()
            await action(user)
            latencies.append(wall.perf_counter() - started)

    started = wall.perf_counter()
    await asyncio.gather(*(one_person(user) for user in users))
    return Measurement(wall.perf_counter() - started, latencies)


# --- the baseline -----------------------------------------------------------------------------


class ObservedEchoApplication(Application):  # type: ignore[type-arg]
    """Tells the emulator when an update is fully handled, as tests/harness.py does for Voces."""

    emulator: BotApiEmulator

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if isinstance(update, Update):
                self.emulator.mark_processed(update.update_id)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(message.text)


async def measure_echo(emulator: BotApiEmulator, users: list[SimulatedUser]) -> Measurement:
    application = (
        ApplicationBuilder()
        .application_class(ObservedEchoApplication)
        .token(BOT_TOKEN)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
        .concurrent_updates(CONCURRENT_UPDATES)
        .request(HTTPXRequest(connection_pool_size=CONCURRENT_UPDATES))  # as Voces
        .build()
    )
    application.emulator = emulator
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        await crowd(users, ECHO_WARM_UP)
        measurement = await crowd(users, ECHO_MEASURED)
        await application.updater.stop()
        await application.stop()
    if any(user.last_text != "tres" for user in users):
        raise RuntimeError("the echo bot did not answer everyone")
    return measurement


# --- Voces ------------------------------------------------------------------------------------


async def reach_the_district_question(database_url: str, users: list[SimulatedUser]) -> None:
    """People who accepted the notice and named their organization and its type."""
    database = Database(database_url)
    cipher = IdNumberCipher(TEST_ID_KEY)
    now = datetime.now(UTC)
    async with database.session() as session:
        for user in users:
            person = (await people.meet(session, telegram_id=user.id, language="es", admin_ids=(), now=now)).person
            await people.give_consent(session, user=person, display_name=user.first_name, now=now)
            draft = await registration.start_draft(session, user=person, now=now)
            for value in ("Mujeres Emprendedoras del Callao", OrganizationKind.OSB.value):
                await registration.answer(session, draft=draft, value=value, today=now.date(), now=now, cipher=cipher)
            # PTB's conversation key in a private chat: (chat id, user id), and both are the user's.
            await conversations.save_step(session, flow=FLOW, key=(user.id, user.id), step=draft.step, now=now)
    await database.dispose()


async def measure_voces(
    emulator: BotApiEmulator, users: list[SimulatedUser], database_url: str, storage_dir: Path
) -> Measurement:
    await reach_the_district_question(database_url, users)
    voces = BotUnderTest(emulator=emulator, database_url=database_url, storage_dir=storage_dir, clock=SystemClock())
    await voces.start()
    try:
        assert voces.application is not None
        limiter = voces.application.bot.rate_limiter
        assert isinstance(limiter, AIORateLimiter)
        limiter.budget.rate = 10**9  # Telegram's 30 messages a second: see the module docstring
        await crowd(users, VOCES_WARM_UP)
        measurement = await crowd(users, VOCES_MEASURED)
        async with await voces.session() as session:
            at_the_next_question = await session.scalar(
                select(func.count())
                .select_from(RegistrationDraft)
                .join(User, User.id == RegistrationDraft.user_id)
                .where(RegistrationDraft.step == Step.MEMBERS_PERUVIAN, User.telegram_id.in_([user.id for user in users]))
            )
    finally:
        await voces.stop()
    if at_the_next_question != len(users):
        raise RuntimeError(f"only {at_the_next_question} of {len(users)} registrations reached the members question")
    return measurement


# --- the run ----------------------------------------------------------------------------------


async def measure_rounds(database_url: str, storage_dir: Path, rounds: int) -> list[tuple[Measurement, Measurement]]:
    """The echo bot and Voces, one after the other, `rounds` times on one emulator.

    Alternating them, and comparing each Voces run with the echo run just before it, keeps a
    slow moment of the machine from counting against one bot only.
    """
    results = []
    async with BotApiEmulator() as emulator:
        emulator.expect_processed_signal = True
        emulator.action_timeout = ACTION_TIMEOUT_SECONDS
        echo_users = [emulator.user(FIRST_USER_ID + n, first_name=f"Eco {n}") for n in range(USERS)]
        for round_number in range(rounds):
            first_leader = FIRST_USER_ID + USERS * (round_number + 1)
            leaders = [emulator.user(first_leader + n, first_name=f"Líder {n}") for n in range(USERS)]
            baseline = await measure_echo(emulator, echo_users)
            voces = await measure_voces(emulator, leaders, database_url, storage_dir)
            results.append((baseline, voces))
    return results


def bench(backend: str, database_url: str, storage_dir: Path, rounds: int = ROUNDS) -> list[Row]:
    migrate.upgrade(database_url)
    results = asyncio.run(measure_rounds(database_url, storage_dir, rounds))
    ratios = [voces.steps_per_second / baseline.steps_per_second for baseline, voces in results]
    ratio = statistics.median(ratios)
    # The round whose ratio is the median stands for the run in the other rows.
    baseline, voces = results[ratios.index(sorted(ratios)[len(ratios) // 2])]
    spread = f"{min(ratios):.2f}–{max(ratios):.2f}" if len(ratios) > 1 else f"{ratio:.2f}"
    return [
        *rows_for(backend, "echo bot", baseline),
        *rows_for(backend, "Voces", voces),
        (backend, f"Voces / echo bot, {len(ratios)} rounds", spread, "", ""),
        (backend, "Voces / echo bot, median", f"{ratio:.2f}", f">= {TARGET_RATIO}", verdict(ratio >= TARGET_RATIO)),
    ]


def rows_for(backend: str, bot_name: str, measurement: Measurement) -> list[Row]:
    latency = f"{measurement.percentile(50):.2f} s / {measurement.percentile(95):.2f} s"
    return [
        (backend, f"{bot_name}: steps per second", f"{measurement.steps_per_second:.0f}", "", ""),
        (backend, f"{bot_name}: latency p50 / p95", latency, "", ""),
    ]


def main() -> int:
    return run_on_both_backends("conversation", bench)


if __name__ == "__main__":
    sys.exit(main())
