"""One broadcast to 10 000 people at Telegram's limit, and people who write meanwhile.

    .venv/bin/python -m bench broadcast
    VOCES_BENCH_POSTGRES_URL=postgresql://user@localhost/postgres .venv/bin/python -m bench broadcast
    VOCES_BENCH_RECIPIENTS=2000 .venv/bin/python -m bench broadcast     # a shorter run

One process holds the Bot API emulator, with its global flood limit on (30 messages a second,
answered with 429 and retry_after beyond it, as Telegram does), and the real Application on a
freshly migrated database holding 10 000 leaders who consented (written straight to the
database) plus 20 more people who talk to the bot.

First, with nothing being sent, the 20 people each send /help and tap a button of /settings
(which edits the card in place) several times, a second or two apart as a person would:
the latency of each step is timed from the moment it is sent to the moment the bot has fully
answered it. Then the broadcast starts (written through the service, as /broadcast does),
and once it is going the same 20 people do the same again. Measured:

- the broadcast's rate, from its first delivery to its last, as a fraction of the limit
  (target >= 0.95);
- 429 Too Many Requests answers after the first second (target 0);
- how long it took;
- /help and button latency p50 / p99, without and during the broadcast (target: p99 during
  under one second, people's answers never waiting behind the bulk sends).

Exits 1 when a target is missed.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time as wall
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import func, insert, select

from bench import (
    Row,
    run_on_both_backends,
    verdict,
)
from bot.broadcasts import broadcasts
from bot.broadcasts.models import Broadcast, BroadcastDelivery, BroadcastState, DeliveryState
from bot.core import migrate
from bot.core.clock import SystemClock
from bot.organizations.models import (
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.people.models import Role, User
from bot.people.people import CONSENT_NOTICE_VERSION
from bot.playground.emulator import FIRST_USER_ID, BotApiEmulator, SimulatedUser
from tests.harness import BotUnderTest

RECIPIENTS = int(os.environ.get("VOCES_BENCH_RECIPIENTS", "10000"))
TALKERS = 20
ROUNDS = 5  # per talker: /help, then a tap
LIMIT = 30  # the emulator's flood limit, Telegram's documented 30 a second
TARGET_RATE = 0.95
TARGET_P99_SECONDS = 1.0
DISTRICT, ELSEWHERE = "070101", "150103"


async def populate(bot: BotUnderTest, recipients: list[SimulatedUser], talkers: list[SimulatedUser], author: SimulatedUser) -> int:
    """Everyone as rows: leaders of organizations in DISTRICT; talkers elsewhere. Returns the author's id."""
    now = datetime.now(UTC)
    person = {"language": "es", "role": Role.LEADER, "consent_version": CONSENT_NOTICE_VERSION, "consent_at": now,
              "first_seen": now, "last_seen": now, "reachable": True, "staff_from_settings": False}
    organization = {"kind": OrganizationKind.OSB, "address": "Av. 1", "founded_year": 2020, "contact_phone": "+51987654321",
                    "board_term_start": date(2025, 1, 1), "board_term_end": date(2027, 1, 1), "members_peruvian": 0,
                    "members_venezuelan": 0, "members_other": 0, "focus_areas": [],
                    "status": VerificationStatus.VERIFIED, "created_at": now, "updated_at": now}
    async with await bot.session() as session:
        for group, district in ((recipients, DISTRICT), (talkers, ELSEWHERE)):
            for start in range(0, len(group), 1000):
                chunk = group[start:start + 1000]
                user_ids = (await session.scalars(insert(User).returning(User.id), [
                    {**person, "telegram_id": user.id, "display_name": user.first_name} for user in chunk])).all()
                org_ids = (await session.scalars(insert(Organization).returning(Organization.id), [
                    {**organization, "name": f"Org {user.id}", "district_ubigeo": district} for user in chunk])).all()
                await session.execute(insert(Leadership), [
                    {"user_id": u, "organization_id": o, "role": LeaderRole.OWNER, "joined_at": now, "acting": True}
                    for u, o in zip(user_ids, org_ids, strict=True)])
        author_id = await session.scalar(insert(User).returning(User.id), [
            {**person, "telegram_id": author.id, "display_name": "Luis", "role": Role.COORDINATOR}])
    assert author_id is not None
    return author_id


async def talk(talkers: list[SimulatedUser]) -> tuple[list[float], list[float]]:
    """Each talker: /help, then a tap on their settings card, ROUNDS times. Latencies in s."""
    helps: list[float] = []
    taps: list[float] = []

    async def one(user: SimulatedUser) -> None:
        pause = random.Random(user.id)  # people read before they tap: a second or two
        for _round in range(ROUNDS):
            await asyncio.sleep(pause.uniform(0.5, 2.5))
            started = wall.perf_counter()
            await user.sends("/help")
            helps.append(wall.perf_counter() - started)
            await asyncio.sleep(pause.uniform(0.5, 2.5))
            started = wall.perf_counter()
            await user.taps_data("set:kind:trainings")  # a switch on their /settings card
            taps.append(wall.perf_counter() - started)

    await asyncio.gather(*(one(user) for user in talkers))
    return helps, taps


def percentiles(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100)
    return f"{cuts[49] * 1000:.0f} / {cuts[98] * 1000:.0f} ms"


async def run(database_url: str, storage_dir: Path) -> list[tuple[str, str, str, str]]:
    async with BotApiEmulator(send_limit_per_second=LIMIT) as emulator:
        emulator.expect_processed_signal = True
        emulator.action_timeout = 60.0
        recipients = [emulator.user(FIRST_USER_ID + n, first_name=f"Líder {n}", language_code="es") for n in range(RECIPIENTS)]
        talkers = [emulator.user(FIRST_USER_ID + RECIPIENTS + n, first_name=f"Habla {n}", language_code="es") for n in range(TALKERS)]
        author = emulator.user(FIRST_USER_ID + RECIPIENTS + TALKERS, first_name="Luis", language_code="es")
        bot = BotUnderTest(emulator=emulator, database_url=database_url, storage_dir=storage_dir, clock=SystemClock(),
                           settings_overrides={"quiet_hours_start": time(0, 0), "quiet_hours_end": time(0, 0),
                                               "broadcast_approval_threshold": RECIPIENTS * 2})
        await bot.start()
        try:
            author_id = await populate(bot, recipients, talkers, author)
            for user in talkers:
                await user.sends("/settings")
            helps_idle, taps_idle = await talk(talkers)

            rate_limited_before = emulator.stats.rate_limited
            now = datetime.now(UTC)
            async with await bot.session() as session:
                draft = await broadcasts.draft_of(session, user_id=author_id, now=now)
                await broadcasts.set_text(session, broadcast_id=draft.id, user_id=author_id, language="es",
                                          text="📣 Taller de liderazgo el sábado a las 10:00 en la Municipalidad.")
                await broadcasts.toggle_audience(session, broadcast_id=draft.id, user_id=author_id, name="district", value=DISTRICT)
                await broadcasts.submit(session, broadcast_id=draft.id, user_id=author_id, send_at=now, now=now,
                                        default_language="es", approval_threshold=RECIPIENTS * 2)
            started = wall.perf_counter()
            assert bot.application is not None
            bot.application.broadcasts.wake()  # type: ignore[attr-defined]
            await asyncio.sleep(1.0)
            rate_limited_after_first_second = emulator.stats.rate_limited
            await asyncio.sleep(4.0)
            helps_busy, taps_busy = await talk(talkers)
            while True:
                async with await bot.session() as session:
                    state = await session.scalar(select(Broadcast.state).where(Broadcast.id == draft.id))
                if state is BroadcastState.DONE:
                    break
                await asyncio.sleep(0.5)
            duration = wall.perf_counter() - started
            async with await bot.session() as session:
                first, last, delivered = (await session.execute(
                    select(func.min(BroadcastDelivery.sent_at), func.max(BroadcastDelivery.sent_at), func.count())
                    .where(BroadcastDelivery.broadcast_id == draft.id, BroadcastDelivery.state == DeliveryState.DELIVERED)
                )).one()
        finally:
            await bot.stop()
        late_429 = emulator.stats.rate_limited - rate_limited_after_first_second
        rate = (delivered - 1) / (last - first).total_seconds()
        fraction = rate / LIMIT
        received = sum(1 for user in recipients if user.messages)
        return [
            ("recipients delivered", f"{delivered} of {RECIPIENTS} ({received} chats received it)", f"= {RECIPIENTS}",
             verdict(delivered == RECIPIENTS == received)),
            ("broadcast rate / limit", f"{rate:.1f}/s / {LIMIT}/s = {fraction:.3f}", f">= {TARGET_RATE}", verdict(fraction >= TARGET_RATE)),
            ("429 after the first second", f"{late_429} (first second: {rate_limited_after_first_second - rate_limited_before})", "0",
             verdict(late_429 == 0)),
            ("duration", f"{duration:.0f} s", "", ""),
            ("/help p50 / p99, no broadcast", percentiles(helps_idle), "", ""),
            ("/help p50 / p99, during it", percentiles(helps_busy), f"p99 < {TARGET_P99_SECONDS * 1000:.0f} ms",
             verdict(statistics.quantiles(helps_busy, n=100)[98] < TARGET_P99_SECONDS)),
            ("button p50 / p99, no broadcast", percentiles(taps_idle), "", ""),
            ("button p50 / p99, during it", percentiles(taps_busy), f"p99 < {TARGET_P99_SECONDS * 1000:.0f} ms",
             verdict(statistics.quantiles(taps_busy, n=100)[98] < TARGET_P99_SECONDS)),
        ]


def bench(backend: str, database_url: str, storage_dir: Path) -> list[Row]:
    migrate.upgrade(database_url)
    return [(backend, *row) for row in asyncio.run(run(database_url, storage_dir))]


def main() -> int:
    return run_on_both_backends("broadcast", bench)


if __name__ == "__main__":
    sys.exit(main())
