"""What the bot starts for someone on WhatsApp outside the 24-hour window (issue 24.4), with
WhatsApp alone configured: a reminder with a template arrives as it, delivered by the engine the
channel started, and "Ver mensaje" shows it whole; a notice no template fits waits, however many
times the engine runs, and goes right after the person writes, once, after the answer to what
she wrote (in quiet hours too: she is awake); a reminder for a training that began meanwhile is
not sent late; erasure takes what still waits.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update

from bot import ruos
from bot.messaging import notices, window
from bot.messaging import reminders as engine
from bot.messaging.models import Reminder, ReminderState
from bot.messaging.whatsapp_models import WhatsAppReach
from bot.people import privacy
from bot.people.models import User
from bot.trainings import sessions as trainings
from bot.trainings.models import TrainingSession
from tests.test_whatsapp_trainings import add_session
from tests.whatsapp_harness import arrives, consented, leading_in_callao, register_templates, wa  # noqa: F401 - the fixture

HELD_NOTICE = "🔔 The programme answered in question #7: see it with /preguntar."


async def states(wa) -> list[tuple[str, ReminderState]]:  # noqa: ANN001, F811
    """The reminders' states once settled: the channel's own engine runs on its timer beside the
    test's `run_due()`, and a row it has claimed (SENDING) is read after its run ends."""
    for _ in range(100):
        async with wa.session() as session:
            found = [(row.kind, row.state) for row in await session.scalars(select(Reminder).order_by(Reminder.id))]
        if all(state is not ReminderState.SENDING for _kind, state in found):
            return found
        await asyncio.sleep(0.05)
    return found


async def test_with_whatsapp_alone_a_reminder_outside_the_window_arrives_as_its_template_and_ver_mensaje_shows_it(wa):  # noqa: F811
    register_templates(wa)
    assert wa.runtime.outgoing.running                      # no Telegram here: the channel started the engine
    ana = wa.person("Ana Torres")
    await consented(ana)
    ana_id = await leading_in_callao(wa, ana)
    wa.clock.advance(timedelta(hours=30))                   # she has not written since
    async with wa.session() as session:
        reminder = await engine.schedule(session, key="ruos:term:test", recipient_id=ana_id, kind=ruos.BOARD_TERM_ENDING,
                                         due_at=wa.clock.now(), payload={"organization_id": 1, "term_end": "2027-01-01", "days": 30})
    # Nobody runs the engine by hand: its own periodic run delivers it.
    template = await arrives(ana, lambda m: m.kind == "template")
    assert template.template is not None and template.template.name == "voces_recordatorio"
    assert "Mujeres del Callao" in template.text
    await ana.presses(f"{window.SHOW_PREFIX}{reminder.id}")  # "Ver mensaje"
    assert "termina el" in ana.last.text or "mandato" in ana.last.text
    assert "Mujeres del Callao" in ana.last.text and ana.last.kind != "template"
    runtime = wa.runtime
    await wa.stop(standin=False)                             # stopped cleanly with the channel
    assert not runtime.outgoing.running


async def test_a_notice_no_template_fits_waits_for_the_person_and_goes_once_right_after_she_writes(wa):  # noqa: F811
    register_templates(wa)
    ana = wa.person("Ana Torres")
    await consented(ana)
    async with wa.session() as session:                      # her profile gives no name: no template fits
        await session.execute(update(User).where(User.wa_id == ana.wa_id).values(display_name=None))
        ana_id = await session.scalar(select(User.id).where(User.wa_id == ana.wa_id))
    wa.clock.advance(timedelta(hours=30))
    training_id = await add_session(wa, "Liderazgo", starts_in=timedelta(hours=1), enrolled=(ana.wa_id,))
    async with wa.session() as session:
        await notices.tell(session, recipient_id=ana_id, about="test", now=wa.clock.now(), says=[notices.line(HELD_NOTICE)])
        training = await session.get(TrainingSession, training_id)
        await engine.schedule(session, key="training:test:1h", recipient_id=ana_id, kind=trainings.REMINDER_KIND, due_at=wa.clock.now(),
                              payload={"session_id": training_id, "before": "1h", "starts_at": training.starts_at.isoformat()})
    before = len(ana.received)
    for _tick in range(12):                                  # two hours of the engine's runs: neither retried nor given up
        wa.clock.advance(timedelta(minutes=10))
        await wa.runtime.reminders.run_due()
    assert await states(wa) == [(notices.KIND, ReminderState.HELD), (trainings.REMINDER_KIND, ReminderState.HELD)]
    assert len(ana.received) == before                       # nothing went out (no free-form message failing later)
    async with wa.session() as session:                      # /misdatos counts what waits for her
        summary = await privacy.summarize_person(session, user_id=ana_id)
    assert summary.pending_reminders == 2

    await asyncio.gather(ana.writes("hola"), ana.writes("menú"))   # two messages at once
    texts = [m.text for m in ana.received[before:]]
    told = [i for i, text in enumerate(texts) if "pregunta #7" in text or "question #7" in text]
    assert len(told) == 1 and told[0] > 0                    # once, after the answer to what she wrote
    assert not any("Liderazgo" in text for text in texts)    # the training began: not sent late
    await ana.writes("hola")
    assert sum("#7" in m.text for m in ana.received[before:]) == 1
    assert await states(wa) == [(notices.KIND, ReminderState.SENT), (trainings.REMINDER_KIND, ReminderState.SENT)]

    wa.clock.advance(timedelta(hours=42))                    # held again at noon…
    async with wa.session() as session:
        await notices.tell(session, recipient_id=ana_id, about="test2", now=wa.clock.now(), says=[notices.line(HELD_NOTICE)])
    await wa.runtime.reminders.run_due()
    assert (await states(wa))[-1] == (notices.KIND, ReminderState.HELD)
    wa.clock.advance(timedelta(hours=10))                    # …and she writes at 22:00, in quiet hours: she is awake
    await ana.writes("hola")
    assert sum("#7" in m.text for m in ana.received[before:]) == 2
    assert (await states(wa))[-1] == (notices.KIND, ReminderState.SENT)

    wa.clock.advance(timedelta(hours=38))                    # held once more, then she erases her data
    async with wa.session() as session:
        await notices.tell(session, recipient_id=ana_id, about="test3", now=wa.clock.now(), says=[notices.line(HELD_NOTICE)])
    await wa.runtime.reminders.run_due()
    assert (await states(wa))[-1] == (notices.KIND, ReminderState.HELD)
    async with wa.session() as session:
        await privacy.erase_person(session, user_id=ana_id, now=wa.clock.now(), zone=wa.runtime.settings.zone,
                                   claim=wa.runtime.settings.training_claim)
    assert await states(wa) == []


async def test_a_notice_template_counts_against_the_daily_limit_and_waits_for_her_when_it_is_full(wa):  # noqa: F811
    """Meta counts every conversation a template opens, a notice's or reminder's too: it takes a
    place in the daily limit of people reached; with none left, the message waits for her as one
    with no template does, and goes when she writes."""
    register_templates(wa)
    wa.runtime.settings.whatsapp_daily_limit = 1
    ana, rosa = wa.person("Ana Torres"), wa.person("Rosa Díaz", wa_id="51911111111")
    await consented(ana)
    await consented(rosa)
    async with wa.session() as session:
        ana_id = await session.scalar(select(User.id).where(User.wa_id == ana.wa_id))
        rosa_id = await session.scalar(select(User.id).where(User.wa_id == rosa.wa_id))
    wa.clock.advance(timedelta(hours=30))                   # neither has written since
    async with wa.session() as session:
        for person_id in (ana_id, rosa_id):
            await notices.tell(session, recipient_id=person_id, about="test", now=wa.clock.now(),
                               says=[notices.line(HELD_NOTICE)])
    await wa.runtime.reminders.run_due()
    found = await states(wa)
    assert sorted(state for _kind, state in found) == sorted([ReminderState.SENT, ReminderState.HELD])
    async with wa.session() as session:
        reached = list(await session.scalars(select(WhatsAppReach.user_id)))
        held_for = await session.scalar(select(Reminder.recipient_id).where(Reminder.state == ReminderState.HELD))
    assert len(reached) == 1 and held_for not in reached    # one place, taken by the one who got the template
    waiting = ana if held_for == ana_id else rosa
    assert not any(m.kind == "template" for m in waiting.received)
    await waiting.writes("hola")                             # she writes: inside her window, it goes as itself
    assert await arrives(waiting, lambda m: "#7" in m.text and m.kind != "template")
    assert sorted(state for _kind, state in await states(wa)) == [ReminderState.SENT, ReminderState.SENT]
