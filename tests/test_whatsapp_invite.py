"""Inviting a co-leader on WhatsApp: /invitar gives a wa.me link to the business number with the
text prefilled; someone new who sends it is asked the language and the data notice first, then
joins; the link works once."""

from __future__ import annotations

import re
from urllib.parse import unquote

from sqlalchemy import select

from bot.organizations.models import LeaderRole, Leadership
from bot.people import people
from bot.people.models import Channel
from tests.test_whatsapp_registration import register_on_whatsapp
from tests.whatsapp_harness import consented, wa  # noqa: F401 - the fixture


async def test_an_owner_invites_a_co_leader_with_a_wa_me_link_that_works_once(wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    await ana.writes("/invitar")
    assert "Todavía no diriges" in ana.last.text          # nothing to invite to yet
    await register_on_whatsapp(ana)
    await ana.writes("invitar")
    link = re.search(r"https://wa\.me/(\d+)\?text=(\S+)", ana.last.text)
    assert link and link.group(1) == wa.standin.display_phone_number
    prefilled = unquote(link.group(2))
    assert "join_" in prefilled

    rosa = wa.person("Rosa Quispe")                        # someone new opens the link and sends the text
    await rosa.writes(prefilled)
    assert "Te invitaron" in rosa.texts[0] and "¿Qué idioma prefieres?" in rosa.last.text
    await rosa.presses("lang:es")
    await rosa.presses("consent:yes")
    assert "Ahora eres dirigente de *Mujeres Emprendedoras del Callao*" in rosa.last.text
    async with wa.session() as session:
        person = await people.by_address(session, channel=Channel.WHATSAPP, wa_id=rosa.wa_id)
        leadership = await session.scalar(select(Leadership).where(Leadership.user_id == person.id))
        assert leadership is not None and leadership.role is LeaderRole.CO_LEADER

    luis = wa.person("Luis")                               # the same link again: used
    await consented(luis)
    await luis.writes(prefilled)
    assert "ya fue usado" in luis.last.text
