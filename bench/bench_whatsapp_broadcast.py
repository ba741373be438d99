"""One broadcast to 10 000 people split between Telegram and WhatsApp, each channel at its own rate.

    .venv/bin/python -m bench wabroadcast
    VOCES_BENCH_POSTGRES_URL=postgresql://user@localhost/postgres .venv/bin/python -m bench wabroadcast
    VOCES_BENCH_RECIPIENTS=2000 .venv/bin/python -m bench wabroadcast     # a shorter run

One process holds the Bot API emulator with its flood limit on (30 messages a second, 429
beyond), the WhatsApp Cloud API stand-in with Meta's 80 messages a second per number (130429
beyond), and the real Application on a freshly migrated database, with WhatsApp's broadcast
side added to the same broadcaster (as `handlers/whatsapp/channel.py` does). The recipients are
leaders who consented, written straight to the database: a share on Telegram, the rest on
WhatsApp (`VOCES_BENCH_WHATSAPP_SHARE`, by default 80/110, so both channels need about the same
time and running them one after the other would take twice as long as at once). Of the
WhatsApp leaders, 2 % last wrote yesterday: they get the marketing template, within the daily
limit. The broadcast is written through the service, as /broadcast does. Measured:

- each channel's rate, from its first delivery to its last, as a fraction of its own limit
  (target >= 0.90);
- the total time against each channel's own time: target, the longer of the two plus 10 %
  (running the channels one after the other would take their sum);
- 429 / 130429 answers (the pacing should keep them at or near 0).

Exits 1 when a target is missed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time as wall
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench import Row, run_on_both_backends, verdict
from bot.broadcasts import broadcasts
from bot.broadcasts.models import Broadcast, BroadcastDelivery, BroadcastState, DeliveryState
from bot.core import migrate
from bot.core.clock import SystemClock
from bot.messaging import window
from bot.organizations.models import (
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.people.models import Channel, Role, User
from bot.people.people import CONSENT_NOTICE_VERSION
from bot.playground.emulator import FIRST_USER_ID, BotApiEmulator
from bot.playground.whatsapp import CloudApiStandIn, meta
from handlers.whatsapp.channel import ClientSender
from handlers.whatsapp.client import WhatsAppClient
from handlers.whatsapp.deliver import WhatsAppBroadcasts
from tests.harness import BotUnderTest

RECIPIENTS = int(os.environ.get("VOCES_BENCH_RECIPIENTS", "10000"))
TELEGRAM_LIMIT = 30  # the emulator's flood limit, Telegram's documented 30 a second
WHATSAPP_LIMIT = 80  # the stand-in's, Meta's default per number
WHATSAPP_SHARE = float(os.environ.get("VOCES_BENCH_WHATSAPP_SHARE", str(WHATSAPP_LIMIT / (WHATSAPP_LIMIT + TELEGRAM_LIMIT))))
OUTSIDE_WINDOW_SHARE = 0.02
TARGET_RATE = 0.90
TARGET_OVERLAP = 1.10
TOKEN = "EAAG-bench-token"
DISTRICT = "070101"


async def populate(bot: BotUnderTest, standin: CloudApiStandIn, telegram: int, whatsapp: int) -> int:
    """Leaders of organizations in DISTRICT on both channels, as rows; returns the author's id."""
    now = datetime.now(UTC)
    person = {"language": "es", "role": Role.LEADER, "consent_version": CONSENT_NOTICE_VERSION, "consent_at": now - timedelta(days=3),
              "first_seen": now, "last_seen": now, "reachable": True, "staff_from_settings": False}
    organization = {"kind": OrganizationKind.OSB, "address": "Av. 1", "founded_year": 2020, "contact_phone": "+51987654321",
                    "board_term_start": date(2025, 1, 1), "board_term_end": date(2027, 1, 1), "members_peruvian": 0,
                    "members_venezuelan": 0, "members_other": 0, "focus_areas": [],
                    "status": VerificationStatus.VERIFIED, "created_at": now, "updated_at": now}
    quiet_every = round(1 / OUTSIDE_WINDOW_SHARE)
    rows: list[dict] = [{**person, "telegram_id": FIRST_USER_ID + n, "display_name": f"Líder {n}"} for n in range(telegram)]
    for n in range(whatsapp):
        wrote = now - timedelta(hours=30 if n % quiet_every == 0 else 1)
        contact = standin.person(name=f"Lideresa {n}")
        contact.last_wrote_at = wrote
        rows.append({**person, "channel": Channel.WHATSAPP, "wa_id": contact.wa_id, "display_name": contact.name,
                     "last_inbound_at": wrote})
    rows.sort(key=lambda row: hash(row["display_name"]))  # the channels interleaved, as people sign up
    async with await bot.session() as session:
        for start in range(0, len(rows), 1000):
            chunk = rows[start:start + 1000]
            user_ids = (await session.scalars(insert(User).returning(User.id), chunk)).all()
            org_ids = (await session.scalars(insert(Organization).returning(Organization.id), [
                {**organization, "name": f"Org {row['display_name']}", "district_ubigeo": DISTRICT} for row in chunk])).all()
            await session.execute(insert(Leadership), [
                {"user_id": u, "organization_id": o, "role": LeaderRole.OWNER, "joined_at": now, "acting": True}
                for u, o in zip(user_ids, org_ids, strict=True)])
        author_id = await session.scalar(insert(User).returning(User.id), [
            {**person, "telegram_id": FIRST_USER_ID + telegram + 1, "display_name": "Luis", "role": Role.COORDINATOR}])
    assert author_id is not None
    return author_id


async def per_channel(bot: BotUnderTest, broadcast_id: int) -> dict[str, tuple[int, float]]:
    """Each channel's deliveries and the seconds from its first to its last."""
    async with await bot.session() as session:
        found = await session.execute(
            select(User.channel, func.count(), func.min(BroadcastDelivery.sent_at), func.max(BroadcastDelivery.sent_at))
            .join(User, User.id == BroadcastDelivery.user_id)
            .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.state == DeliveryState.DELIVERED)
            .group_by(User.channel))
        return {str(channel): (count, (last - first).total_seconds()) for channel, count, first, last in found.all()}


async def run(database_url: str, storage_dir: Path) -> list[tuple[str, str, str, str]]:
    telegram = round(RECIPIENTS * (1 - WHATSAPP_SHARE))
    whatsapp = RECIPIENTS - telegram
    async with BotApiEmulator(send_limit_per_second=TELEGRAM_LIMIT) as emulator, \
            CloudApiStandIn(token=TOKEN, messages_per_second=WHATSAPP_LIMIT) as standin:
        for (language, _kind), template in window.load_templates().items():
            standin.register_template(template.name, language, body=template.body, category=template.category,
                                      quick_replies=(template.button_text,))
        recipients = [emulator.user(FIRST_USER_ID + n, first_name=f"Líder {n}", language_code="es") for n in range(telegram)]
        emulator.user(FIRST_USER_ID + telegram + 1, first_name="Luis", language_code="es")
        bot = BotUnderTest(emulator=emulator, database_url=database_url, storage_dir=storage_dir, clock=SystemClock(),
                           settings_overrides={"quiet_hours_start": time(0, 0), "quiet_hours_end": time(0, 0),
                                               "broadcast_approval_threshold": RECIPIENTS * 2})
        await bot.start()
        sender = ClientSender(WhatsAppClient(base_url=standin.graph_url(), token=TOKEN, phone_number_id=standin.phone_number_id))
        try:
            assert bot.runtime is not None and bot.application is not None
            bot.runtime.broadcasts.add("whatsapp", WhatsAppBroadcasts(bot.runtime, sender))
            author_id = await populate(bot, standin, telegram, whatsapp)
            now = datetime.now(UTC)
            async with await bot.session() as session:
                draft = await broadcasts.draft_of(session, user_id=author_id, now=now)
                await broadcasts.set_text(session, broadcast_id=draft.id, user_id=author_id, language="es",
                                          text="📣 Taller de liderazgo el sábado a las 10:00 en la Municipalidad.")
                await broadcasts.toggle_audience(session, broadcast_id=draft.id, user_id=author_id, name="district", value=DISTRICT)
                await broadcasts.submit(session, broadcast_id=draft.id, user_id=author_id, send_at=now, now=now,
                                        default_language="es", approval_threshold=RECIPIENTS * 2)
            started = wall.perf_counter()
            bot.application.broadcasts.wake()  # type: ignore[attr-defined]
            while True:
                async with await bot.session() as session:
                    state = await session.scalar(select(Broadcast.state).where(Broadcast.id == draft.id))
                if state is BroadcastState.DONE:
                    break
                await asyncio.sleep(0.5)
            duration = wall.perf_counter() - started
            channels = await per_channel(bot, draft.id)
        finally:
            await sender.close()
            await bot.stop()
        throttled = sum(1 for call in standin.calls if call.error_code == meta.THROUGHPUT)
        templates = sum(1 for message in standin.sent if message.kind == "template")
        received_telegram = sum(1 for user in recipients if user.messages)
        received_whatsapp = sum(1 for person in standin.people if person.received)
    rows: list[tuple[str, str, str, str]] = []
    times = []
    for channel, limit, expected, received in (("telegram", TELEGRAM_LIMIT, telegram, received_telegram),
                                               ("whatsapp", WHATSAPP_LIMIT, whatsapp, received_whatsapp)):
        delivered, seconds = channels.get(channel, (0, 0.0))
        rate = (delivered - 1) / seconds if seconds else 0.0
        times.append(seconds)
        rows += [
            (f"{channel}: delivered", f"{delivered} of {expected} ({received} received it)", f"= {expected}",
             verdict(delivered == expected == received)),
            (f"{channel}: rate / its limit", f"{rate:.1f}/s / {limit}/s = {rate / limit:.3f}", f">= {TARGET_RATE}",
             verdict(rate / limit >= TARGET_RATE)),
            (f"{channel}: time, first to last", f"{seconds:.0f} s", "", ""),
        ]
    rows += [
        ("whatsapp: templates (quiet since yesterday)", f"{templates}", "", ""),
        ("429 / 130429 answers", f"{emulator.stats.rate_limited} / {throttled}", "", ""),
        ("total time", f"{duration:.0f} s (sum of the channels' {sum(times):.0f} s)",
         f"<= {TARGET_OVERLAP:.2f} x {max(times):.0f} s", verdict(duration <= TARGET_OVERLAP * max(times) + 2)),
    ]
    return rows


def bench(backend: str, database_url: str, storage_dir: Path) -> list[Row]:
    migrate.upgrade(database_url)
    return [(backend, *row) for row in asyncio.run(run(database_url, storage_dir))]


def main() -> int:
    return run_on_both_backends("wabroadcast", bench)


if __name__ == "__main__":
    sys.exit(main())
