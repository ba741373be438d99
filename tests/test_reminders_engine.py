"""The reminders engine against a real SQLite file, with a clock the tests move by hand.

Each test tells a small story: something is scheduled, time passes (or the bot restarts),
and the fake deliverer shows what people would have received.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import bot.models  # noqa: F401  (every table, for create_all)
from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.messaging.models import Reminder, ReminderState
from bot.messaging.reminders import (
    DeliveryOutcome,
    QuietHours,
    ReminderEngine,
    cancel,
    cancel_prefix,
    schedule,
)
from bot.people.models import User

LIMA = ZoneInfo("America/Lima")
QUIET = QuietHours(time(21, 0), time(8, 0), LIMA)
# 10:00 in Lima: outside quiet hours.
MONDAY_10_AM = datetime(2026, 11, 23, 10, 0, tzinfo=LIMA)


def lima(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LIMA)


class ProcessKilled(BaseException):
    """Stands for the process dying: nothing after it runs, not even `except Exception`."""


class FakeDeliverer:
    """Records what would have reached Telegram; answers with a chosen outcome per key."""

    def __init__(self, outcomes: dict[str, DeliveryOutcome] | None = None) -> None:
        self.outcomes = outcomes or {}
        self.delivered: list[str] = []
        self.crash_on: str | None = None

    async def __call__(self, reminder: Reminder) -> DeliveryOutcome:
        await asyncio.sleep(0)  # let an overlapping tick run in between, as a network call would
        outcome = self.outcomes.get(reminder.key, DeliveryOutcome.SENT)
        if outcome is DeliveryOutcome.SENT:
            self.delivered.append(reminder.key)
        if reminder.key == self.crash_on:
            raise ProcessKilled
        return outcome


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_10_AM.astimezone(UTC))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated database per test: SQLite, and PostgreSQL where CI provides one."""
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def carmen(database: Database, clock: FakeClock) -> int:
    return await add_user(database, clock, telegram_id=5001)


@pytest.fixture
def deliverer() -> FakeDeliverer:
    return FakeDeliverer()


async def add_user(database: Database, clock: FakeClock, *, telegram_id: int) -> int:
    async with database.session() as session:
        user = User(
            telegram_id=telegram_id, language="es", first_seen=clock.now(), last_seen=clock.now()
        )
        session.add(user)
        await session.flush()
        return user.id


def start_engine(
    database: Database, clock: FakeClock, deliverer: FakeDeliverer, **options: Any
) -> ReminderEngine:
    return ReminderEngine(
        database,
        clock=clock,
        zone=LIMA,
        quiet_start=time(21, 0),
        quiet_end=time(8, 0),
        grace=timedelta(hours=12),
        deliver=deliverer,
        **options,
    )


async def remind(
    database: Database,
    clock: FakeClock,
    recipient_id: int,
    key: str,
    due_at: datetime,
    **options: Any,
) -> Reminder:
    async with database.session() as session:
        return await schedule(
            session,
            key=key,
            recipient_id=recipient_id,
            kind="training.session_tomorrow",
            due_at=due_at,
            clock=clock,
            **options,
        )


async def stored(database: Database, key: str) -> Reminder:
    async with database.session() as session:
        return (await session.scalars(select(Reminder).where(Reminder.key == key))).one()


async def test_a_reminder_fires_once_when_due_and_not_before(database, clock, carmen, deliverer):
    engine = start_engine(database, clock, deliverer)
    await remind(database, clock, carmen, "training:17:user:1", lima(23, 11))

    assert await engine.run_due() == 0
    clock.set(lima(23, 10, 59))
    assert await engine.run_due() == 0
    clock.set(lima(23, 11))
    assert await engine.run_due() == 1
    clock.advance(hours=1)
    assert await engine.run_due() == 0

    assert deliverer.delivered == ["training:17:user:1"]
    sent = await stored(database, "training:17:user:1")
    assert (sent.state, sent.attempts, sent.sent_at) == (ReminderState.SENT, 1, lima(23, 11))


async def test_a_restarted_engine_does_not_send_a_delivered_reminder_again(
    database, clock, carmen, deliverer
):
    await remind(database, clock, carmen, "training:17:user:1", lima(23, 11))
    clock.set(lima(23, 11))
    await start_engine(database, clock, deliverer).run_due()

    # The bot restarts: a new engine, a new connection pool, the same database file.
    reopened = Database(database.url)
    engine = start_engine(reopened, clock, deliverer)
    report = await engine.recover_on_start()
    await engine.run_due()
    await reopened.dispose()

    assert (report.uncertain, report.dropped) == (0, 0)
    assert deliverer.delivered == ["training:17:user:1"]


async def test_a_reminder_left_sending_by_a_crash_is_never_sent_again(
    database, clock, carmen, deliverer
):
    await remind(database, clock, carmen, "training:17:user:1", lima(23, 11))
    clock.set(lima(23, 11))
    deliverer.crash_on = "training:17:user:1"  # delivered, then the process dies before recording
    with pytest.raises(ProcessKilled):
        await start_engine(database, clock, deliverer).run_due()

    reopened = Database(database.url)
    engine = start_engine(reopened, clock, deliverer)
    report = await engine.recover_on_start()
    clock.advance(minutes=5)
    await engine.run_due()
    await reopened.dispose()

    assert report.uncertain == 1
    assert deliverer.delivered == ["training:17:user:1"]
    assert (await stored(database, "training:17:user:1")).state == ReminderState.UNCERTAIN


async def test_a_deliverer_that_raises_leaves_the_reminder_uncertain(database, clock, carmen):
    async def broken_deliverer(reminder: Reminder) -> DeliveryOutcome:
        raise RuntimeError("the message may or may not have gone out")

    await remind(database, clock, carmen, "training:17:user:1", lima(23, 11))
    clock.set(lima(23, 11))
    engine = start_engine(database, clock, FakeDeliverer())
    engine.set_deliverer(broken_deliverer)

    assert await engine.run_due() == 0
    clock.advance(hours=1)
    assert await engine.run_due() == 0
    uncertain = await stored(database, "training:17:user:1")
    assert (uncertain.state, uncertain.last_error) == (
        ReminderState.UNCERTAIN,
        "deliverer raised RuntimeError",
    )


async def test_after_downtime_recent_misses_are_sent_and_stale_ones_dropped(
    database, clock, carmen, deliverer
):
    await remind(database, clock, carmen, "report:deadline:org42", lima(23, 11))
    await remind(database, clock, carmen, "training:17:user:1", lima(24, 9))

    # The bot was down from Monday 10:00 to Tuesday 12:00 (grace: 12 hours).
    clock.set(lima(24, 12))
    engine = start_engine(database, clock, deliverer)
    report = await engine.recover_on_start()
    await engine.run_due()

    assert (report.uncertain, report.dropped) == (0, 1)
    assert deliverer.delivered == ["training:17:user:1"]
    assert (await stored(database, "report:deadline:org42")).state == ReminderState.DROPPED


async def test_scheduling_in_quiet_hours_moves_a_non_urgent_reminder_to_eight_in_lima(
    database, clock, carmen
):
    late = await remind(
        database, clock, carmen, "ruos:missing:org42:statute", lima(23, 22, 30), quiet=QUIET
    )
    early = await remind(
        database, clock, carmen, "ruos:missing:org42:minutes", lima(24, 3), quiet=QUIET
    )
    daytime = await remind(
        database, clock, carmen, "ruos:missing:org42:ids", lima(24, 15), quiet=QUIET
    )

    assert late.due_at == lima(24, 8)
    assert early.due_at == lima(24, 8)
    assert daytime.due_at == lima(24, 15)


async def test_an_urgent_reminder_keeps_its_time_in_quiet_hours(database, clock, carmen):
    urgent = await remind(
        database, clock, carmen, "training:17:moved", lima(23, 22, 30), quiet=QUIET, urgent=True
    )

    assert urgent.due_at == lima(23, 22, 30)


async def test_a_reminder_found_due_in_quiet_hours_waits_for_the_morning(
    database, clock, carmen, deliverer
):
    await remind(database, clock, carmen, "report:deadline:org42", lima(23, 20, 30))
    await remind(database, clock, carmen, "training:17:cancelled", lima(23, 20, 30), urgent=True)

    # The bot was down from 20:00 to 22:00 Lima.
    clock.set(lima(23, 22))
    engine = start_engine(database, clock, deliverer)
    await engine.recover_on_start()
    await engine.run_due()

    assert deliverer.delivered == ["training:17:cancelled"]
    assert (await stored(database, "report:deadline:org42")).due_at == lima(24, 8)
    clock.set(lima(24, 8))
    await engine.run_due()
    assert deliverer.delivered == ["training:17:cancelled", "report:deadline:org42"]


@pytest.mark.parametrize(
    ("quiet", "moment", "allowed"),
    [
        (QUIET, lima(23, 20, 59), lima(23, 20, 59)),
        (QUIET, lima(23, 21), lima(24, 8)),
        (QUIET, lima(24, 7, 59), lima(24, 8)),
        (QUIET, lima(24, 8), lima(24, 8)),
        (QuietHours(time(13, 0), time(15, 0), LIMA), lima(23, 14), lima(23, 15)),
        (QuietHours(time(13, 0), time(15, 0), LIMA), lima(23, 22), lima(23, 22)),
        (QuietHours(time(8, 0), time(8, 0), LIMA), lima(23, 3), lima(23, 3)),
    ],
)
def test_quiet_hours_allow_a_moment_or_the_end_of_its_quiet_period(quiet, moment, allowed):
    assert quiet.next_allowed(moment) == allowed
    assert quiet.next_allowed(moment).tzinfo is UTC


async def test_a_cancelled_reminder_does_not_fire_until_scheduled_again(
    database, clock, carmen, deliverer
):
    await remind(database, clock, carmen, "training:17:user:1", lima(23, 11))
    async with database.session() as session:
        assert await cancel(session, key="training:17:user:1")
        assert not await cancel(session, key="training:17:user:1")

    clock.set(lima(23, 11))
    engine = start_engine(database, clock, deliverer)
    assert await engine.run_due() == 0

    # She leaves the session, then joins again.
    await remind(database, clock, carmen, "training:17:user:1", lima(23, 12))
    clock.set(lima(23, 12))
    assert await engine.run_due() == 1


async def test_cancelling_by_prefix_spares_other_matters(database, clock, carmen, deliverer):
    for key in (
        "ruos:missing:org42:statute",
        "ruos:missing:org42:minutes",
        "ruos:missing:org420:statute",
        "RUOS:MISSING:ORG42:ids",
    ):
        await remind(database, clock, carmen, key, lima(23, 11))

    async with database.session() as session:
        assert await cancel_prefix(session, prefix="ruos:missing:org42:") == 2
    clock.set(lima(23, 11))
    await start_engine(database, clock, deliverer).run_due()

    assert sorted(deliverer.delivered) == ["RUOS:MISSING:ORG42:ids", "ruos:missing:org420:statute"]


async def test_scheduling_an_existing_pending_key_updates_it_instead_of_duplicating(
    database, clock, carmen, deliverer
):
    first = await remind(
        database, clock, carmen, "training:17:user:1", lima(23, 11), payload={"room": "A"}
    )
    second = await remind(
        database, clock, carmen, "training:17:user:1", lima(23, 15), payload={"room": "B"}
    )

    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Reminder)) == 1
    assert second.id == first.id
    updated = await stored(database, "training:17:user:1")
    assert (updated.due_at, updated.payload) == (lima(23, 15), {"room": "B"})
    clock.set(lima(23, 11))
    assert await start_engine(database, clock, deliverer).run_due() == 0


async def test_scheduling_a_sent_key_again_does_nothing_unless_replaced(
    database, clock, carmen, deliverer
):
    engine = start_engine(database, clock, deliverer)
    await remind(database, clock, carmen, "training:17:user:1", lima(23, 11))
    clock.set(lima(23, 11))
    await engine.run_due()

    again = await remind(database, clock, carmen, "training:17:user:1", lima(23, 12))
    clock.set(lima(23, 12))
    await engine.run_due()
    assert (again.state, again.due_at) == (ReminderState.SENT, lima(23, 11))
    assert deliverer.delivered == ["training:17:user:1"]

    await remind(database, clock, carmen, "training:17:user:1", lima(23, 13), replace=True)
    clock.set(lima(23, 13))
    await engine.run_due()
    assert deliverer.delivered == ["training:17:user:1", "training:17:user:1"]


async def test_a_blocked_bot_marks_the_user_unreachable_and_skips_their_next_reminders(
    database, clock, carmen
):
    deliverer = FakeDeliverer({"training:17:user:1": DeliveryOutcome.RECIPIENT_UNREACHABLE})
    engine = start_engine(database, clock, deliverer)
    await remind(database, clock, carmen, "training:17:user:1", lima(23, 11))
    await remind(database, clock, carmen, "training:18:user:1", lima(23, 12))

    clock.set(lima(23, 12))
    assert await engine.run_due() == 0

    async with database.session() as session:
        assert (await session.get_one(User, carmen)).reachable is False
    for key in ("training:17:user:1", "training:18:user:1"):
        failed = await stored(database, key)
        assert (failed.state, failed.last_error) == (ReminderState.FAILED, "recipient unreachable")
    assert deliverer.delivered == []


async def test_a_retry_later_backs_off_and_eventually_fails(database, clock, carmen):
    deliverer = FakeDeliverer({"training:17:user:1": DeliveryOutcome.RETRY_LATER})
    engine = start_engine(
        database, clock, deliverer, max_attempts=3, retry_delay=timedelta(minutes=1)
    )
    await remind(database, clock, carmen, "training:17:user:1", lima(23, 11))

    clock.set(lima(23, 11))
    await engine.run_due()
    assert (await stored(database, "training:17:user:1")).due_at == lima(23, 11, 1)

    clock.set(lima(23, 11, 1))
    await engine.run_due()
    retried = await stored(database, "training:17:user:1")
    assert (retried.state, retried.attempts, retried.due_at) == (
        ReminderState.PENDING,
        2,
        lima(23, 11, 3),  # the wait doubles
    )

    clock.set(lima(23, 11, 2))
    await engine.run_due()
    assert (await stored(database, "training:17:user:1")).attempts == 2

    clock.set(lima(23, 11, 3))
    await engine.run_due()
    failed = await stored(database, "training:17:user:1")
    assert (failed.state, failed.attempts, failed.last_error) == (
        ReminderState.FAILED,
        3,
        "gave up after 3 attempts",
    )


async def test_one_run_delivers_several_batches_in_due_order(database, clock, carmen, deliverer):
    keys = [f"training:17:user:{n:02d}" for n in range(25)]
    for minute, key in reversed(list(enumerate(keys))):
        await remind(database, clock, carmen, key, lima(23, 11, minute))

    clock.set(lima(23, 12))
    assert await start_engine(database, clock, deliverer, batch_size=10).run_due() == 25
    assert deliverer.delivered == keys


async def test_overlapping_ticks_deliver_each_reminder_once(database, clock, deliverer):
    keys = []
    for n in range(60):
        user = await add_user(database, clock, telegram_id=7000 + n)
        keys.append(f"training:17:user:{user}")
        await remind(database, clock, user, keys[-1], lima(23, 11))

    clock.set(lima(23, 11))
    second_process = Database(database.url)
    engines = [
        start_engine(database, clock, deliverer, batch_size=7),
        start_engine(second_process, clock, deliverer, batch_size=7),
    ]
    counts = await asyncio.gather(*(engine.run_due() for engine in engines * 2))
    await second_process.dispose()

    assert sum(counts) == 60
    assert sorted(deliverer.delivered) == sorted(keys)


async def test_logs_name_reminders_without_their_payload(database, clock, carmen, caplog):
    deliverer = FakeDeliverer({"training:17:user:1": DeliveryOutcome.RETRY_LATER})
    engine = start_engine(database, clock, deliverer, max_attempts=1)
    await remind(
        database,
        clock,
        carmen,
        "training:17:user:1",
        lima(23, 11),
        payload={"name": "Carmen Rojas"},
    )

    clock.set(lima(23, 11))
    with caplog.at_level(logging.DEBUG, logger="bot.messaging.reminders"):
        await engine.run_due()

    assert "training:17:user:1" in caplog.text
    assert "Carmen" not in caplog.text
