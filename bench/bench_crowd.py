"""A crowd at Telegram's limit: 300 people write /start at once, press the button they get and
send /help.

    .venv/bin/python -m bench crowd
    VOCES_BENCH_POSTGRES_URL=postgresql://user@localhost/postgres .venv/bin/python -m bench crowd

One process holds the Bot API emulator, with its flood limit on (30 messages a second in any
one-second window, answered with 429 and retry_after beyond it, as Telegram does), and the real
Application on a freshly migrated database. 300 people who never wrote to the bot send /start
in the same moment (after an announcement, say); each, as soon as the bot has answered, presses
"✅ I accept" on the data notice it got (an answer to the press, the notice edited, the next
step sent), then sends /help. Each person waits for the bot's complete answer before the next
step, with no pause to read: the worst a crowd can do. Reported per step:

- first answer p50 / p99: from the input to the first message or edit in that person's chat;
- complete answer p99: from the input until the bot has fully handled it;
- for the press, the callback answer p99: from the press to `answerCallbackQuery`, which ends
  the spinner on the button and which Telegram refuses once too late (**target < 1 s**);
- for /start, the last first answer, from the moment all wrote (**target N/30 + 2 s**: the
  limit lets 300 messages out in 10 s);
- everyone answered, every step (checked);
- 429 answers after the first second (**target 0**), and messages per second while the crowd
  is served, against the limit.

`VOCES_BENCH_CROWD` changes the crowd's size, `VOCES_BENCH_ROUNDS` the rounds per backend
(2; each with new people: every number is from the slowest round). Exits 1 when a target is
missed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import time as wall
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import Row, run_on_both_backends, verdict
from bot.core import migrate
from bot.core.clock import SystemClock
from bot.people.models import User
from bot.playground.emulator import FIRST_USER_ID, BotApiEmulator, SimulatedUser
from tests.harness import BotUnderTest

CROWD = int(os.environ.get("VOCES_BENCH_CROWD", "300"))
ROUNDS = int(os.environ.get("VOCES_BENCH_ROUNDS", "2"))
LIMIT = 30  # the emulator's flood limit, Telegram's documented 30 a second
TARGET_CALLBACK_SECONDS = 1.0
SLACK_SECONDS = 2.0  # the last first answer within CROWD / LIMIT + this
STEPS = ("/start", "press", "/help")


class TimedEmulator(BotApiEmulator):
    """The emulator, noting when each chat receives a message, an edit or a button's answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown: dict[int, list[float]] = defaultdict(list)  # chat id → when messages and edits arrived
        self.answered: dict[int, list[float]] = defaultdict(list)  # chat id → when presses were answered
        self.sent_at: list[float] = []  # every counted message

    def _shown(self, call: Any) -> None:
        now = wall.perf_counter()
        self.sent_at.append(now)
        if call.chat is not None:
            self.shown[call.chat.id].append(now)

    async def _send_message(self, call: Any) -> Any:
        result = await super()._send_message(call)
        self._shown(call)
        return result

    async def _edit_message_text(self, call: Any) -> Any:
        result = await super()._edit_message_text(call)
        self._shown(call)
        return result

    async def _answer_callback_query(self, call: Any) -> Any:
        result = await super()._answer_callback_query(call)
        self.answered[call.chat.id].append(wall.perf_counter())
        return result


@dataclass
class Round:
    started: float = 0.0
    first: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})
    complete: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})
    callback: list[float] = field(default_factory=list)
    last_start_answered: float = 0.0
    rate_limited_late: int = 0
    rate_limited_first_second: int = 0
    messages_per_second: float = 0.0
    finished: int = 0
    consented: int = 0


async def one_person(emulator: TimedEmulator, user: SimulatedUser, result: Round) -> None:
    for step in STEPS:
        shown_before = len(emulator.shown[user.id])
        answered_before = len(emulator.answered[user.id])
        started = wall.perf_counter()
        if step == "press":
            await user.taps_data("consent:yes")
        else:
            await user.sends(step)
        result.complete[step].append(wall.perf_counter() - started)
        shown = emulator.shown[user.id][shown_before:]
        if shown:
            result.first[step].append(shown[0] - started)
            if step == "/start":
                result.last_start_answered = max(result.last_start_answered, shown[0] - result.started)
        if step == "press" and len(emulator.answered[user.id]) > answered_before:
            result.callback.append(emulator.answered[user.id][answered_before] - started)
    result.finished += 1


async def one_round(database_url: str, storage_dir: Path, first_id: int) -> Round:
    result = Round()
    async with TimedEmulator(send_limit_per_second=LIMIT) as emulator:
        emulator.expect_processed_signal = True
        emulator.action_timeout = 120.0
        people = [emulator.user(first_id + n, first_name=f"Líder {n}", language_code="es") for n in range(CROWD)]
        bot = BotUnderTest(emulator=emulator, database_url=database_url, storage_dir=storage_dir, clock=SystemClock())
        await bot.start()
        try:
            await asyncio.sleep(1.5)  # the start-up's own requests (menus) are out of the window
            limited_before = emulator.stats.rate_limited
            sent_before = len(emulator.sent_at)
            result.started = wall.perf_counter()

            async def after_the_first_second() -> None:
                await asyncio.sleep(1.0)
                result.rate_limited_first_second = emulator.stats.rate_limited - limited_before

            counter = asyncio.create_task(after_the_first_second())
            await asyncio.gather(*(one_person(emulator, user, result) for user in people))
            await counter
            result.rate_limited_late = emulator.stats.rate_limited - limited_before - result.rate_limited_first_second
            sent = emulator.sent_at[sent_before:]
            result.messages_per_second = (len(sent) - 1) / (sent[-1] - sent[0])
            async with await bot.session() as session:
                result.consented = await session.scalar(
                    select(func.count()).select_from(User)
                    .where(User.telegram_id.in_([user.id for user in people]), User.consent_at.is_not(None))
                ) or 0
        finally:
            await bot.stop()
        if any("Lo que puedo hacer" not in user.last_text for user in people):
            result.finished = -1  # someone's last answer was not the help
    return result


def p(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1] if len(values) > 1 else values[0]


def bench(backend: str, database_url: str, storage_dir: Path) -> list[Row]:
    migrate.upgrade(database_url)
    rounds = [asyncio.run(one_round(database_url, storage_dir, FIRST_USER_ID + (n + 1) * 100_000)) for n in range(ROUNDS)]
    rows: list[Row] = []
    everyone = all(r.finished == CROWD and r.consented == CROWD and all(len(r.complete[s]) == CROWD for s in STEPS)
                   for r in rounds)
    rows.append((backend, f"everyone answered, {len(rounds)} rounds of {CROWD}",
                 " ".join(f"{r.finished}/{r.consented}" for r in rounds), f"{CROWD}/{CROWD}", verdict(everyone)))
    for step in STEPS:
        first = max(p(r.first[step], 50) for r in rounds), max(p(r.first[step], 99) for r in rounds)
        rows.append((backend, f"{step}: first answer p50 / p99", f"{first[0]:.2f} s / {first[1]:.2f} s", "", ""))
        complete = [p(r.complete[step], 99) for r in rounds]
        rows.append((backend, f"{step}: complete answer p99", " ".join(f"{c:.2f}" for c in complete) + " s", "", ""))
    callback = [p(r.callback, 99) if len(r.callback) == CROWD else float("inf") for r in rounds]
    rows.append((backend, "press: callback answer p50", " ".join(f"{p(r.callback, 50):.2f}" for r in rounds) + " s", "", ""))
    rows.append((backend, "press: callback answer p99", " ".join(f"{c:.2f}" for c in callback) + " s",
                 f"< {TARGET_CALLBACK_SECONDS:.0f} s", verdict(max(callback) < TARGET_CALLBACK_SECONDS)))
    target = CROWD / LIMIT + SLACK_SECONDS
    last = [r.last_start_answered for r in rounds]
    rows.append((backend, "/start: last first answer", " ".join(f"{x:.2f}" for x in last) + " s",
                 f"<= {target:.0f} s", verdict(max(last) <= target)))
    late = [r.rate_limited_late for r in rounds]
    rows.append((backend, "429 after the first second (first second)",
                 " ".join(f"{x} ({r.rate_limited_first_second})" for x, r in zip(late, rounds, strict=True)), "0",
                 verdict(max(late) == 0)))
    rows.append((backend, "messages per second", " ".join(f"{r.messages_per_second:.1f}" for r in rounds) + f" / {LIMIT}",
                 "", ""))
    return rows


def main() -> int:
    # The reminders job skips a tick while the crowd keeps the loop busy: expected here.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    return run_on_both_backends("crowd", bench)


if __name__ == "__main__":
    sys.exit(main())
