"""What the bot starts reaches a person on WhatsApp through their own channel (issue 24.2, 24.4):
staff verify on Telegram and the leader on WhatsApp is told there, in their language; after
24 hours without writing she gets the notice's template instead, and its "Ver mensaje"
button brings the whole message; a broadcast reaches her the same way.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.messaging import notices, window
from bot.organizations.models import Organization
from bot.people.models import User
from handlers.whatsapp import deliver
from tests.flows import consented as consented_on_telegram
from tests.test_whatsapp_registration import register_on_whatsapp
from tests.whatsapp_harness import arrives, consented, register_templates, wa  # noqa: F401 - the fixture


def one_clock(bot, wa) -> FakeClock:  # noqa: ANN001, F811
    """The Telegram side and the WhatsApp side of the test read the same time."""
    wa.runtime.clock = bot.clock
    wa.clock = bot.clock
    assert wa.standin is not None
    wa.standin.clock = bot.clock
    return bot.clock


async def test_staff_on_telegram_tell_a_leader_on_whatsapp_inside_and_outside_the_window(bot, wa, staff):  # noqa: F811
    clock = one_clock(bot, wa)
    # One process serves both channels (the `wa` fixture beside `bot`): Telegram's engine
    # delivers to WhatsApp's deliverer.
    register_templates(wa)                                                     # registered with Meta
    ana = wa.person("Ana Torres")
    await consented(ana)
    await register_on_whatsapp(ana)

    await consented_on_telegram(staff)
    await staff.sends("/pending")
    await staff.taps(next(label for label in staff.buttons if "Mujeres Emprendedoras" in label))
    await staff.taps("Verificar")
    await bot.run_reminders()
    await arrives(ana, lambda m: "verificó" in m.text)          # told on her own channel, in Spanish
    assert ana.last.kind != "template"

    clock.advance(timedelta(hours=30))                                   # she has not written since
    async with wa.session() as session:
        ana_id = await session.scalar(select(User.id).where(User.wa_id == ana.wa_id))
        organization = await session.scalar(select(Organization))
    async with bot.runtime.database.session() as session:
        notice = await notices.tell(session, recipient_id=ana_id, about="test", now=clock.now(),
                                    says=[notices.line("✅ The programme staff verified <b>%(name)s</b>. Next: check the RUOS documents with /ruos.",
                                                       name=organization.name)])
    await bot.run_reminders()
    template = await arrives(ana, lambda m: m.kind == "template")
    assert template.template is not None and template.template.name == "voces_aviso"
    assert "Mujeres Emprendedoras" in template.text                     # what it is about, in one line
    await ana.presses(f"{window.SHOW_PREFIX}{notice.id}")               # "Ver mensaje": the window reopens
    assert "verificó" in ana.last.text and "/ruos" in ana.last.text
    async with wa.session() as session:                                  # someone else's message: nothing shown
        assert await deliver.held_screen(session, wa.runtime, person=await session.get(User, ana_id), ref="999999") is None
