"""How the reminders engine copes with 100 000 pending reminders.

    .venv/bin/python -m bench reminders
    VOCES_BENCH_POSTGRES_URL=postgresql://user@localhost/postgres .venv/bin/python -m bench reminders

Fills a fresh SQLite file (and, when the variable is set, a fresh PostgreSQL database created
on that server and dropped afterwards) with 100 000 reminders due in the coming weeks, then
measures in a fresh process, as a bot starting on a full table would be:

- start-up: a new Database and engine, `recover_on_start()` and a first `run_due()` with
  nothing due (the interpreter's start and the imports are shown apart);
- resident memory right after that start-up;
- fire delay: 1 000 of the reminders fall due over a few seconds and a loop calls `run_due()`
  every second, as the JobQueue would; the delay is delivery time minus due time.

Quiet hours are set to cover the run and the firing reminders are urgent, so every tick also
runs the quiet-hours statement: the measured path is the slowest one, at any time of day.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time as wall
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil
from sqlalchemy import insert, select, update

import bot.models  # noqa: F401  (every table, for create_all)
from bench import (
    Row,
    any_failed,
    create_postgres_database,
    drop_postgres_database,
    print_table,
    verdict,
)
from bot.core.clock import SystemClock
from bot.core.db import Base, Database
from bot.messaging.models import Reminder, ReminderState
from bot.messaging.reminders import DeliveryOutcome, ReminderEngine
from bot.people.models import User

PENDING_REMINDERS = 100_000
RECIPIENTS = 1_000
FIRING_REMINDERS = 1_000
FIRING_WINDOW_SECONDS = 5.0
TICK_INTERVAL_SECONDS = 1.0
INSERT_CHUNK = 10_000
ZONE = ZoneInfo("America/Lima")
REPO_ROOT = Path(__file__).resolve().parents[1]

TARGETS = {"startup_s": 3.0, "rss_mb": 150.0, "delay_p99_s": 2.0}


async def fill(database_url: str) -> float:
    """Create the tables and insert the reminders; returns the seconds the insert took."""
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    now = datetime.now(UTC)
    started = wall.perf_counter()
    async with database.session() as session:
        await session.execute(
            insert(User),
            [
                {"telegram_id": 10_000 + n, "language": "es", "first_seen": now, "last_seen": now}
                for n in range(RECIPIENTS)
            ],
        )
        for chunk in chunks(range(PENDING_REMINDERS), INSERT_CHUNK):
            await session.execute(insert(Reminder), [pending_row(n, now) for n in chunk])
    elapsed = wall.perf_counter() - started
    await database.dispose()
    return elapsed


def chunks(numbers: range, size: int) -> Iterator[range]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]


def pending_row(n: int, now: datetime) -> dict[str, Any]:
    return {
        "key": f"bench:training:{n}",
        "recipient_id": n % RECIPIENTS + 1,
        "kind": "training.session_tomorrow",
        "payload": {"training_id": n},
        # From tomorrow on, one every 30 seconds: about five weeks of reminders.
        "due_at": now + timedelta(days=1, seconds=30 * n),
        "urgent": False,
        "state": ReminderState.PENDING,
        "attempts": 0,
        "created_at": now,
    }


async def measure(database_url: str, imports_s: float) -> dict[str, float]:
    """Runs in the fresh subprocess: start-up, memory, then the fire delay."""
    delays: list[float] = []

    async def deliver(reminder: Reminder) -> DeliveryOutcome:
        delays.append((datetime.now(UTC) - reminder.due_at).total_seconds())
        return DeliveryOutcome.SENT

    local_now = datetime.now(ZONE)
    started = wall.perf_counter()
    database = Database(database_url)
    engine = ReminderEngine(
        database,
        clock=SystemClock(),
        zone=ZONE,
        quiet_start=(local_now - timedelta(hours=1)).time(),
        quiet_end=(local_now + timedelta(hours=2)).time(),
        grace=timedelta(hours=12),
        deliver=deliver,
    )
    await engine.recover_on_start()
    await engine.run_due()
    startup_s = wall.perf_counter() - started
    rss_mb = psutil.Process().memory_info().rss / 2**20

    idle_ticks = []
    for _ in range(20):
        tick_started = wall.perf_counter()
        await engine.run_due()
        idle_ticks.append(wall.perf_counter() - tick_started)

    await make_some_due(database)
    loop = asyncio.get_running_loop()
    first_tick = loop.time()
    deadline = first_tick + FIRING_WINDOW_SECONDS + 15
    tick = 0
    while len(delays) < FIRING_REMINDERS and loop.time() < deadline:
        await engine.run_due()
        tick += 1
        await asyncio.sleep(max(0.0, first_tick + tick * TICK_INTERVAL_SECONDS - loop.time()))
    await database.dispose()

    delays.sort()
    return {
        "imports_s": imports_s,
        "startup_s": startup_s,
        "rss_mb": rss_mb,
        "idle_tick_ms": statistics.median(idle_ticks) * 1000,
        "fired": len(delays),
        "delay_p50_s": delays[len(delays) // 2] if delays else float("inf"),
        "delay_p99_s": delays[int(len(delays) * 0.99) - 1] if delays else float("inf"),
        "delay_max_s": delays[-1] if delays else float("inf"),
    }


async def make_some_due(database: Database) -> None:
    """Bring the first reminders forward so that they fall due over the next few seconds."""
    now = datetime.now(UTC)
    async with database.session() as session:
        ids = (
            await session.scalars(select(Reminder.id).order_by(Reminder.id).limit(FIRING_REMINDERS))
        ).all()
        # ORM bulk UPDATE by primary key: one executemany.
        await session.execute(
            update(Reminder),
            [
                {"id": reminder_id, "due_at": now + timedelta(seconds=seconds), "urgent": True}
                for reminder_id, seconds in zip(ids, firing_offsets(), strict=True)
            ],
        )


def firing_offsets() -> Iterator[float]:
    """Seconds from now: the first half a second away, then evenly over the firing window."""
    for n in range(FIRING_REMINDERS):
        yield 0.5 + FIRING_WINDOW_SECONDS * n / FIRING_REMINDERS


def run_in_fresh_process(database_url: str) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_reminders", "--measure", database_url],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def bench(backend: str, database_url: str) -> list[Row]:
    insert_s = asyncio.run(fill(database_url))
    result = run_in_fresh_process(database_url)
    result_of = {name: verdict(result[name] < target) for name, target in TARGETS.items()}
    return [
        (backend, f"insert {PENDING_REMINDERS:,} reminders", f"{insert_s:.2f} s", "", ""),
        (backend, "interpreter start and imports", f"{result['imports_s']:.2f} s", "", ""),
        (backend, "engine start-up", f"{result['startup_s']:.3f} s", "< 3 s", result_of["startup_s"]),
        (
            backend,
            "resident memory after start",
            f"{result['rss_mb']:.0f} MB",
            "< 150 MB",
            result_of["rss_mb"],
        ),
        (backend, "idle tick (median)", f"{result['idle_tick_ms']:.2f} ms", "", ""),
        (backend, "reminders fired", f"{result['fired']:.0f} of {FIRING_REMINDERS:,}", "", ""),
        (backend, "fire delay p50", f"{result['delay_p50_s']:.3f} s", "", ""),
        (
            backend,
            "fire delay p99",
            f"{result['delay_p99_s']:.3f} s",
            "< 2 s",
            result_of["delay_p99_s"],
        ),
        (backend, "fire delay max", f"{result['delay_max_s']:.3f} s", "", ""),
    ]


def main() -> int:
    if sys.argv[1:2] == ["--measure"]:
        imports_s = wall.time() - psutil.Process().create_time()
        print(json.dumps(asyncio.run(measure(sys.argv[2], imports_s))))
        return 0

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="voces-bench-") as workdir:
        rows += bench("sqlite", f"sqlite+aiosqlite:///{Path(workdir) / 'reminders.sqlite3'}")
    if server_url := os.environ.get("VOCES_BENCH_POSTGRES_URL"):
        database_url = asyncio.run(create_postgres_database(server_url))
        try:
            rows += bench("postgresql", database_url)
        finally:
            asyncio.run(drop_postgres_database(database_url))

    print_table(rows)
    return 1 if any_failed(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
