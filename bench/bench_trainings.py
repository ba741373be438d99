"""A crowd enrolling: 200 leaders press "Enroll" on a 30-seat session in the same second.

    .venv/bin/python -m bench trainings
    VOCES_BENCH_POSTGRES_URL=postgresql://user@localhost/postgres .venv/bin/python -m bench trainings

The real Application (through the tests' `BotUnderTest`) polls the project's Bot API emulator
in one process and one event loop with 200 simulated leaders who accepted the data notice
and opened the session's link. All of them then tap "Enroll" at once (`asyncio.gather`), and
each press is timed from the tap until the bot has fully handled it (the emulator is told, as
in the tests). Reported per backend, from the median of three rounds (`VOCES_BENCH_ROUNDS`),
each on a new session with 200 new people:

- seats given and places in line (must be exactly 30 and 170: checked, not timed);
- the time until the last press is answered, **target < 10 s**;
- p50 / p99 of one press's answer;
- the same again with every request about a leader's chat taking 50 ms to be answered
  (`emulator.slow_chats`), as a round trip to Telegram's servers does: presses on one session
  are served in line, so what a press does while holding its place must not include talking
  to Telegram (`handlers.trainings.browse.changing_seats`).

As in the conversation benchmark, the 30-messages-a-second pacing of Telegram's flood limit is
switched off: it measures what handling the crowd costs the bot. With it on, the ~430 counted
messages of this crowd (an edited card and a message each, an .ics for the thirty seated)
take about 15 s to go out whatever the bot does.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time as wall
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from bench import (
    Row,
    run_on_both_backends,
    verdict,
)
from bot.core import migrate
from bot.playground.emulator import BotApiEmulator
from bot.trainings.models import Enrollment, EnrollmentState
from tests.harness import BotUnderTest
from tests.test_trainings_crowd import CROWD, SEATS, crowd_before_a_session

ROUNDS = int(os.environ.get("VOCES_BENCH_ROUNDS", "3"))
TARGET_LAST_SECONDS = 10.0
TELEGRAM_ROUND_TRIP = 0.05


@dataclass(frozen=True)
class Round:
    last_answered: float
    latencies: list[float]
    seats: int
    waiting: int

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def one_round(database_url: str, storage_dir: Path, number: int, round_trip: float) -> Round:
    async with BotApiEmulator() as emulator:
        emulator.expect_processed_signal = True
        bot = BotUnderTest(emulator=emulator, database_url=database_url, storage_dir=storage_dir)
        await bot.start()
        try:
            session_id, leaders = await crowd_before_a_session(bot, first_id=300_000_000 + 1000 * number)
            if round_trip:
                emulator.slow_chats.update((person.id, round_trip) for person in leaders)
            started = wall.perf_counter()

            async def press(person) -> float:  # noqa: ANN001
                await person.taps("Enroll")
                return wall.perf_counter() - started

            latencies = list(await asyncio.gather(*(press(person) for person in leaders)))
            last = wall.perf_counter() - started
            async with await bot.session() as session:
                counted = dict((await session.execute(
                    select(Enrollment.state, func.count()).where(Enrollment.session_id == session_id).group_by(Enrollment.state)
                )).all())
        finally:
            await bot.stop()
    return Round(last, latencies, counted.get(EnrollmentState.ENROLLED, 0), counted.get(EnrollmentState.WAITLISTED, 0))


async def measure(database_url: str, storage_dir: Path, rounds: int, round_trip: float, first: int = 0) -> list[Round]:
    return [await one_round(database_url, storage_dir, first + number, round_trip) for number in range(rounds)]


def bench(backend: str, database_url: str, storage_dir: Path, rounds: int = ROUNDS) -> list[Row]:
    migrate.upgrade(database_url)
    rows: list[Row] = []
    for round_trip, first in ((0.0, 0), (TELEGRAM_ROUND_TRIP, rounds)):
        results = asyncio.run(measure(database_url, storage_dir, rounds, round_trip, first))
        lasts = [result.last_answered for result in results]
        median = results[lasts.index(statistics.median_low(lasts))]
        exact = all(result.seats == SEATS and result.waiting == CROWD - SEATS for result in results)
        within = f", Telegram answering in {round_trip * 1000:.0f} ms" if round_trip else ""
        rows += [
            (backend, f"seats / waitlist, {len(results)} rounds{within}", f"{median.seats} / {median.waiting}",
             f"{SEATS} / {CROWD - SEATS}", verdict(exact)),
            (backend, f"last of {CROWD} presses answered{within}", f"{median.last_answered:.2f} s",
             f"< {TARGET_LAST_SECONDS:.0f} s", verdict(median.last_answered < TARGET_LAST_SECONDS)),
            (backend, "one press answered p50 / p99", f"{median.percentile(50):.2f} s / {median.percentile(99):.2f} s", "", ""),
            (backend, "last answered, every round", " ".join(f"{value:.2f}" for value in lasts), "", ""),
        ]
    return rows


def main() -> int:
    return run_on_both_backends("trainings", bench)


if __name__ == "__main__":
    sys.exit(main())
