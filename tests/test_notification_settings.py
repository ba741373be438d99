"""/settings and /stop: what people chose to receive holds for broadcasts and reminders, never
for the answers to what they write; reminders that ask for something can be answered."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.broadcasts.models import BroadcastDelivery, DeliveryState
from bot.core.screens import Screen, screen
from bot.messaging import reminders
from bot.messaging.models import Reminder, ReminderState
from bot.messaging.reminder_screens import builds
from bot.organizations.models import Leadership
from bot.people.models import User
from tests.test_broadcasts import (
    CALLAO,
    ES,
    compose_for_callao,
    coordinator,
    copies,
    leaders_in,
    until_done,
)

NUDGE = "test_nudge"  # a reminder kind of this test's own: /stop holds every kind


@builds(NUDGE)
async def render_nudge(reminder, i18n, runtime) -> Screen:  # noqa: ANN001
    return screen("🔔 " + reminder.payload["text"])


async def user_id(bot, person) -> int:
    async with await bot.session() as session:
        return await session.scalar(select(User.id).where(User.telegram_id == person.id))


async def remind(bot, person, text: str, *, kind: str = NUDGE, key: str | None = None, payload: dict | None = None) -> None:
    async with await bot.session() as session:
        await reminders.schedule(session, key=key or f"test:{text}", recipient_id=await user_id(bot, person), kind=kind,
                                 due_at=bot.clock.now(), payload=payload or {"text": text}, clock=bot.clock)
    await bot.run_reminders()


async def test_stop_silences_broadcasts_and_reminders_but_not_answers_until_start(bot):
    ana, rosa = await leaders_in(bot, CALLAO, "es", "es")
    luis = await coordinator(bot)
    await rosa.sends("/stop")
    assert "En pausa" in rosa.last_text
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    assert "It will reach 1 person." in luis.last_text
    await luis.taps("🚀 Send now")
    await until_done(bot, luis)
    assert copies(ana, ES) == 1 and copies(rosa, ES) == 0
    await remind(bot, rosa, "sube tu acta")
    assert not any("sube tu acta" in text for text in rosa.texts_since_last_action)
    await rosa.sends("/ayuda")                         # her own messages are answered as ever
    assert "/ayuda" in rosa.last_text or "Lo que puedo hacer" in rosa.last_text
    await rosa.sends("/misdatos")                      # what she chose is part of her data
    assert "en pausa (/pausar)" in rosa.last_text
    await rosa.sends("/start")
    assert "Mensajes reanudados" in " ".join(rosa.texts_since_last_action)
    await remind(bot, rosa, "sube tu estatuto")
    assert rosa.last_text == "🔔 sube tu estatuto"


async def test_settings_switch_off_a_kind_and_set_quiet_hours(bot):
    ana, rosa = await leaders_in(bot, CALLAO, "es", "es")
    luis = await coordinator(bot)
    await rosa.sends("/ajustes")
    assert "Tus ajustes" in rosa.last_text
    await rosa.taps("✅ Anuncios")                    # no more announcements
    assert "▫️ Anuncios" in rosa.buttons
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    await luis.taps("🚀 Send now")
    broadcast = await until_done(bot, luis)
    async with await bot.session() as session:
        state, reason = (await session.execute(
            select(BroadcastDelivery.state, BroadcastDelivery.reason)
            .where(BroadcastDelivery.broadcast_id == broadcast.id, BroadcastDelivery.user_id == await user_id(bot, rosa))
        )).one()
    assert state is DeliveryState.SKIPPED and reason == "switched off" and copies(rosa, ES) == 0

    await rosa.taps("🌙 Horas de silencio")
    await rosa.taps("20:00–09:00")
    assert "20:00–09:00" in rosa.last_text
    bot.clock.set(datetime(2026, 11, 24, 13, 30, tzinfo=UTC))  # 08:30 in Lima: the programme's quiet hours are over, hers are not
    await remind(bot, rosa, "mañana")
    assert rosa.last_text != "🔔 mañana"
    async with await bot.session() as session:
        due = await session.scalar(select(Reminder.due_at).where(Reminder.key == "test:mañana"))
    assert due == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 09:00 in Lima


async def test_a_reminder_that_asks_for_something_can_be_done_or_put_off_a_day(bot):
    (rosa,) = await leaders_in(bot, CALLAO, "es")
    async with await bot.session() as session:
        organization_id = await session.scalar(select(Leadership.organization_id).where(Leadership.user_id == await user_id(bot, rosa)))
    key = f"ruos:missing:{organization_id}:{await user_id(bot, rosa)}"
    await remind(bot, rosa, "", kind="ruos_missing", key=key, payload={"organization_id": organization_id})
    assert "⏰ Recuérdamelo mañana" in rosa.buttons and "✅ Listo" in rosa.buttons
    await rosa.taps("⏰ Recuérdamelo mañana")
    assert "Te lo recuerdo de nuevo" in rosa.last_text
    await rosa.taps("✅ Listo")
    async with await bot.session() as session:
        states = dict((await session.execute(select(Reminder.key, Reminder.state).where(Reminder.key.startswith(key)))).all())
    assert states and all(state is ReminderState.CANCELLED for state in states.values()), states
