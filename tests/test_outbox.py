"""People are told through the outbox: the domain function that makes a change writes the
notice in its own transaction, and the reminders engine delivers it through the recipient's
channel, in their language, within their quiet hours.

Setup rows go straight to the database where the chat walk is not the point.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from bot.broadcasts.models import Broadcast, BroadcastState
from bot.messaging import notices
from bot.messaging.broadcasting import Sent
from bot.messaging.models import Reminder
from bot.messaging.reminders import DeliveryOutcome
from bot.messaging.render import render
from bot.organizations.models import Organization, VerificationStatus
from bot.people import roles
from bot.people.models import Role, User
from tests.flows import consented
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_broadcasts import coordinator, copies, leaders_in, until_done

CALLAO = "070101"


class Interrupted(Exception):
    """Something failed after the change, in the same transaction."""


async def test_a_notice_written_in_a_transaction_that_rolls_back_is_never_sent_and_a_committed_one_goes_out_at_once(bot, newcomer, staff):
    await consented(newcomer)
    await consented(staff)
    async with await bot.session() as session:
        lucia = await session.scalar(select(User.id).where(User.telegram_id == staff.id))
        carmen = await session.scalar(select(User.id).where(User.telegram_id == newcomer.id))
    seen = len(newcomer.messages)

    with pytest.raises(Interrupted):
        async with await bot.session() as session:
            await roles.change_role(session, staff_id=lucia, user_id=carmen, role=Role.COORDINATOR, now=bot.clock.now())
            raise Interrupted
    assert await bot.run_reminders() == 0
    async with await bot.session() as session:
        assert await session.scalar(select(func.count()).select_from(Reminder).where(Reminder.kind == notices.KIND)) == 0
        assert await session.scalar(select(User.role).where(User.id == carmen)) is Role.LEADER
    assert len(newcomer.messages) == seen                              # nobody was told of what did not happen

    async with await bot.session() as session:                          # the same change, committed
        await roles.change_role(session, staff_id=lucia, user_id=carmen, role=Role.COORDINATOR, now=bot.clock.now())
    await newcomer.wait_for_reply(timeout=2.0)                         # the commit woke the engine: no tick awaited
    assert "El equipo del programa te hizo coordinador(a)" in newcomer.last_text, newcomer.last_text
    assert "Capacitaciones" in newcomer.last_text                      # the help of her new role, written by her channel
    assert await bot.run_reminders() == 0                              # sent once
    assert len(newcomer.messages) == seen + 1


async def test_a_notice_in_quiet_hours_waits_and_then_arrives_in_the_language_the_recipient_reads_by_then(bot):
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="es")
    await staff.sends("/start")
    (rosa,) = await leaders_in(bot, CALLAO, "es")
    async with await bot.session() as session:
        await session.execute(update(Organization).values(status=VerificationStatus.PENDING))
        organization_id = await session.scalar(select(Organization.id).where(Organization.name == f"Org of {rosa.first_name}"))
    seen = len(rosa.messages)

    bot.clock.set(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))            # 22:00 in Lima: quiet hours (21:00–08:00)
    await staff.taps_data(f"org:verify:{organization_id}:pending")
    assert "verificada" in staff.last_text, staff.last_text
    assert len(rosa.messages) == seen                                  # held for her morning

    await rosa.sends("/settings")                                      # overnight she reads the bot in English
    await rosa.taps("🌐 Idioma")
    await rosa.taps("English")
    seen = len(rosa.messages)
    bot.clock.set(datetime(2026, 11, 25, 12, 59, tzinfo=UTC))          # 07:59: still quiet
    await bot.run_reminders()
    assert len(rosa.messages) == seen
    bot.clock.set(datetime(2026, 11, 25, 13, 0, tzinfo=UTC))           # 08:00 in Lima
    await bot.run_reminders()
    await rosa.wait_for_reply()
    assert f"The programme staff verified Org of {rosa.first_name}" in rosa.last_text, rosa.last_text
    assert "/ruos" in rosa.last_text
    await bot.run_reminders()
    assert len(rosa.messages) == seen + 1                              # once


class AnotherChannel:
    """What a second channel (WhatsApp, say) adds at start: its deliverer of reminders and
    notices, and its side of broadcasts; here it keeps what it was given."""

    def __init__(self, bot) -> None:  # noqa: ANN001
        self.runtime = bot.runtime
        self.told: list[tuple[int, str, list[str]]] = []
        self.broadcasts: list[tuple[int, str]] = []

    async def __call__(self, reminder: Reminder) -> DeliveryOutcome:
        screen = await render(reminder.payload, self.runtime.translator(reminder.recipient.language), {})
        self.told.append((reminder.recipient_id, screen.text, [choice_id for row in screen.choices for _label, choice_id in row]))
        return DeliveryOutcome.SENT

    async def send(self, broadcast: Broadcast, recipient) -> Sent:  # noqa: ANN001
        self.broadcasts.append((recipient.user_id, broadcast.texts[recipient.language]))
        return Sent(DeliveryOutcome.SENT)

    async def report(self, author, tally, *, final: bool, replacing: int | None) -> int | None:  # noqa: ANN001
        return None


async def test_someone_on_another_channel_hears_through_it_of_what_was_decided_on_telegram(bot):
    other = AnotherChannel(bot)
    bot.runtime.channels.add("whatsapp", other)                        # added by that channel, not the domain
    bot.runtime.broadcasts.add("whatsapp", other)
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="es")
    await staff.sends("/start")
    rosa, wara = await leaders_in(bot, CALLAO, "es", "en")
    async with await bot.session() as session:
        await session.execute(update(User).where(User.telegram_id == wara.id).values(channel="whatsapp", wa_id="51987000123"))
        await session.execute(update(Organization).values(status=VerificationStatus.PENDING))
        wara_id = await session.scalar(select(User.id).where(User.telegram_id == wara.id))
        waras = await session.scalar(select(Organization.id).where(Organization.name == f"Org of {wara.first_name}"))

    await staff.taps_data(f"org:verify:{waras}:pending")               # decided on Telegram, in Spanish
    assert other.told == [(wara_id, f"✅ The programme staff verified <b>Org of {wara.first_name}</b>. Next: check the RUOS documents with /ruos.", [])]
    assert wara.messages == []                                          # nothing through Telegram

    luis = await coordinator(bot)
    async with await bot.session() as session:
        author = await session.scalar(select(User.id).where(User.telegram_id == luis.id))
        session.add(Broadcast(author_id=author, state=BroadcastState.SCHEDULED, texts={"es": "Taller", "en": "Workshop"},
                              audience={"district": [CALLAO]}, buttons=[], created_at=bot.clock.now(), send_at=bot.clock.now()))
    await until_done(bot, luis)
    assert other.broadcasts == [(wara_id, "Workshop")] and copies(rosa, "Taller") == 1 and wara.messages == []


async def test_an_approver_reads_how_many_a_broadcast_reaches_in_their_language_with_its_plural_form(bot):
    bot.settings_overrides["broadcast_approval_threshold"] = 0      # every broadcast waits for a second pair of eyes
    await bot.restart()
    await leaders_in(bot, CALLAO, "es")
    carmen = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="es")
    await carmen.sends("/start")
    luis = await coordinator(bot)
    async with await bot.session() as session:
        author = await session.scalar(select(User.id).where(User.telegram_id == luis.id))
        draft = Broadcast(author_id=author, state=BroadcastState.DRAFT, texts={"es": "Hola", "en": "Hello"},
                          audience={"district": [CALLAO]}, buttons=[], created_at=bot.clock.now())
        session.add(draft)
        await session.flush()
    await luis.taps_data(f"bc:now:{draft.id}")
    assert "must approve it" in luis.last_text
    assert "📣 Una difusión a 1 persona espera tu aprobación." in carmen.last_text, carmen.last_text
    assert carmen.keyboard_rows == [["👁 Vista previa"], ["✅ Aprobar", "↩️ Devolver"]], carmen.keyboard_rows
