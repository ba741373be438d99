"""A reminder that asks for something carries "✅ Done" and "⏰ Remind me tomorrow" on WhatsApp
too, answered by the same domain functions as Telegram's buttons, checked when they arrive: a
second press changes nothing twice, and the answer is a short message (WhatsApp edits nothing).
"""

from __future__ import annotations

from sqlalchemy import select

from bot import ruos
from bot.messaging import reminders as engine
from bot.messaging.models import Reminder, ReminderState
from bot.organizations.models import Organization
from bot.people.models import User
from handlers.whatsapp import reminder_answers
from handlers.whatsapp.reply import Reply
from tests.whatsapp_harness import arrives, consented, leading_in_callao, wa  # noqa: F401 - the fixture


async def pending_keys(wa) -> list[str]:  # noqa: ANN001, F811
    async with wa.session() as session:
        return sorted(await session.scalars(select(Reminder.key).where(Reminder.state == ReminderState.PENDING)))


async def test_a_leader_on_whatsapp_puts_a_reminder_off_to_tomorrow_then_says_it_is_done(wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    ana_id = await leading_in_callao(wa, ana)
    async with wa.session() as session:
        organization_id = await session.scalar(select(Organization.id))
        reminder = await engine.schedule(session, key="ruos:term:test", recipient_id=ana_id, kind=ruos.BOARD_TERM_ENDING,
                                         due_at=wa.clock.now(), payload={"organization_id": organization_id,
                                                                         "term_end": "2027-01-01", "days": 30})
    shown = await arrives(ana, lambda m: "Mujeres del Callao" in m.text)   # the engine the channel started sends it
    assert {choice.id for choice in shown.choices} >= {f"rem:done:{reminder.id}", f"rem:later:{reminder.id}"}
    assert "✅ Listo" in [choice.title for choice in shown.choices]
    assert "⏰ Recuérdamelo mañana" in shown.text                          # a cut button's words, in full above it

    await ana.presses(f"rem:later:{reminder.id}")
    assert ana.last_text.startswith("⏰ Te lo recuerdo de nuevo el")
    put_off = await pending_keys(wa)
    assert len(put_off) == 1 and put_off[0].startswith("ruos:term:test:later:")
    await ana.presses(f"rem:later:{reminder.id}")                           # twice: still one for tomorrow
    assert ana.last_text.startswith("⏰ Te lo recuerdo de nuevo el")
    assert await pending_keys(wa) == put_off

    bea = wa.person("Bea Quispe")                                           # someone else's reminder, or a forged id
    await consented(bea)
    async with wa.session() as session:
        someone_else = await session.scalar(select(User).where(User.wa_id == bea.wa_id))
        for choice in (f"rem:done:{reminder.id}", f"rem:later:{reminder.id}", "rem:done:x", f"rem:done:{reminder.id}:1"):
            assert not await reminder_answers.pressed(session, runtime=wa.runtime, choice=choice,
                                                      reply=Reply(to=bea.wa_id, person=someone_else, language="es"))
    assert await pending_keys(wa) == put_off

    await ana.presses(f"rem:done:{reminder.id}")
    assert ana.last_text == "✅ Anotado: no te lo vuelvo a recordar."
    assert await pending_keys(wa) == []                                     # the series stopped, tomorrow's too
    await ana.presses(f"rem:done:{reminder.id}")                            # twice: nothing more to stop
    assert ana.last_text == "✅ Anotado: no te lo vuelvo a recordar."
    assert await pending_keys(wa) == []
    assert len(ana.replies) == 1                                            # one short message, nothing else
