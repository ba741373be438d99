"""A leader on WhatsApp, through the Cloud API stand-in: first contact (the language, then the data
notice naming WhatsApp, then consent), the menu of commands typed in either language, and
answers typed as a number or in words, remembered across a restart."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import func, select

from bot.messaging import whatsapp_inbox
from bot.messaging.whatsapp_models import WhatsAppInbound, WhatsAppShown, WhatsAppStatus
from bot.people import people, privacy
from bot.people.models import Channel, User
from handlers.whatsapp import router
from handlers.whatsapp.outgoing import send_screen
from tests.whatsapp_harness import consented, wa  # noqa: F401 - the fixture


async def test_onboarding_asks_the_language_then_the_notice_naming_whatsapp_then_the_menu(wa):  # noqa: F811
    # The number's "/" list, set at start: the leaders' commands, as Spanish speakers type them.
    assert [name for name, _hint in wa.standin.commands][:4] == ["registrar", "invitar", "capacitaciones", "miscapacitaciones"]
    assert ("misdatos", "Ver los datos que Voces guarda sobre ti") in wa.standin.commands
    ana = wa.person("Ana Torres")
    await ana.writes("Hola")
    assert "¿Qué idioma prefieres?" in ana.last.text and "Which language do you prefer?" in ana.last.text
    assert [c.id for c in ana.choices] == ["lang:es", "lang:en"] and ana.last.kind == "button"
    await ana.chooses("Español")
    assert "WhatsApp" in " ".join(ana.texts) and "<b>" not in " ".join(ana.texts)
    assert [c.id for c in ana.choices] == ["consent:yes", "consent:no", "consent:more"]
    await ana.writes("quiero registrarme")                 # the consent gate: the notice again
    assert [c.id for c in ana.choices] == ["consent:yes", "consent:no", "consent:more"]
    await ana.writes("1")                                  # the first choice, typed
    assert "Aceptaste el aviso de datos" in ana.last.text and "/registrar" in ana.last.text
    async with wa.session() as session:
        person = await people.by_address(session, channel=Channel.WHATSAPP, wa_id=ana.wa_id)
        assert person.has_consented and person.display_name == "Ana Torres" and person.language == "es"

    await ana.writes("menú")
    assert ana.last.kind == "list"
    assert [c.id for c in ana.choices] == ["cmd:register", "cmd:invite", "cmd:trainings", "cmd:mytrainings", "cmd:checkin",
                                           "cmd:ask", "cmd:settings", "cmd:mydata", "cmd:opinion", "cmd:deletedata"]
    assert [c.title for c in ana.choices][:3] == ["/registrar", "/invitar", "/capacitaciones"]

    await wa.restart()                                     # the screen shown is kept in the database
    await ana.writes("idioma")                             # the choice's words, after a restart
    assert "¿Qué idioma prefieres?" in ana.last.text
    await ana.writes("english")
    assert "I will speak English with you" in ana.last.text
    await ana.writes("/help")
    assert [c.title for c in ana.choices][:3] == ["/register", "/invite", "/trainings"]
    await ana.writes("whatever this is")
    assert "I did not understand that message." in ana.last.text and ana.last.kind == "list"
    await ana.shares_location(-12.05, -77.04)              # not an answer to anything: the menu again
    assert "I did not understand that message." in ana.last.text and len(ana.replies) == 1
    async with wa.session() as session:
        shown = await session.get(WhatsAppShown, person.id)
        assert shown.flow is None and shown.screen["rows"][0][0]["id"] == "cmd:register"


async def test_someone_who_declines_is_kept_without_a_name_and_asked_again(wa):  # noqa: F811
    john = wa.person("John")
    await john.writes("hello")
    await john.writes("English")
    assert "Before we start: your data" in " ".join(john.texts)
    await john.presses("consent:more")
    assert "Ley 29733" in " ".join(john.texts) and [c.id for c in john.choices] == ["consent:yes", "consent:no"]
    await john.chooses("I do not accept")
    assert "I have not kept your name" in john.last.text
    await john.writes("/register")
    assert [c.id for c in john.choices] == ["consent:yes", "consent:no", "consent:more"]
    async with wa.session() as session:
        everyone = list(await session.scalars(select(User)))
        assert len(everyone) == 1 and not everyone[0].has_consented and everyone[0].display_name is None
        assert everyone[0].language == "en"
        settings = wa.runtime.settings
        await privacy.erase_person(session, user_id=everyone[0].id, now=wa.clock.now(), zone=settings.zone,
                                   claim=settings.training_claim)
    async with wa.session() as session:                    # erased: the person, and the ids of what they sent
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        assert await session.scalar(select(func.count()).select_from(WhatsAppInbound)) == 0


async def test_a_retried_delivery_is_answered_once_and_a_hidden_number_is_found_by_its_bsuid(wa):  # noqa: F811
    rosa = wa.person("Rosa Quispe")
    first = await rosa.writes("Hola")
    assert await wa.standin.deliver_again(first) == 200    # Meta retries what it thinks went unanswered
    await wa.settled()
    assert len(rosa.received) == 1
    await consented(rosa)
    assert "Aceptaste el aviso de datos" in rosa.last.text
    rosa.hides_number = True                               # a username now: only the BSUID comes
    await rosa.writes("hola de nuevo")
    assert rosa.last.to == rosa.user_id and rosa.last.kind == "list"
    async with wa.session() as session:
        (person,) = list(await session.scalars(select(User)))
        assert person.channel is Channel.WHATSAPP and person.wa_id == rosa.wa_id and person.bsuid == rosa.user_id
        assert person.has_consented and person.last_inbound_at == wa.clock.now()
        assert await people.by_address(session, channel=Channel.WHATSAPP, bsuid=rosa.user_id) == person
        rows = list(await session.scalars(select(WhatsAppInbound)))
        assert len(rows) == 5 and all(row.processed_at is not None and not row.payload for row in rows)


async def test_a_screen_the_bot_sends_on_its_own_is_answered_by_its_number(wa):  # noqa: F811
    """What a notice's deliverer calls: the screen is the person's last, so "2" answers it."""
    ana = wa.person("Ana")
    await consented(ana)
    async with wa.session() as session:
        person = await people.by_address(session, channel=Channel.WHATSAPP, wa_id=ana.wa_id)
    await send_screen(wa.runtime, wa.sender, person=person, screen=router.menu(wa.runtime.translator("es")))
    assert (await ana.wait_for_message()).kind == "list"
    await ana.writes("7")                                  # /ajustes, the seventh row
    assert any(c.id == "set:pause" for c in ana.choices)


def test_the_whatsapp_channel_leaves_the_database_to_the_domain():
    """handlers/whatsapp/ parse, call domain functions and render: no SQLAlchemy, no query."""
    for path in sorted((Path(__file__).resolve().parent.parent / "handlers" / "whatsapp").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [name for name in imported if name.split(".")[0] == "sqlalchemy"], path.name
        queries = [node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                   and isinstance(node.func.value, ast.Name) and node.func.value.id in ("session", "later")
                   and node.func.attr in ("get", "execute", "scalar", "scalars", "add", "delete")]
        assert not queries, f"{path.name} queries the database itself: {queries}"


async def test_what_meta_reports_later_is_kept_a_send_outside_the_window_fails_with_131047(wa):  # noqa: F811
    """Status webhooks from the stand-in: sent, delivered, read; a screen sent more than 24 hours
    after the person last wrote is accepted, then reported failed (131047), as Meta does; a
    number not on WhatsApp (131026) is marked unreachable."""
    ana = wa.person("Ana")
    await consented(ana)
    await ana.reads()
    await wa.standin.webhooks_settled()
    async with wa.session() as session:
        assert (await session.get(WhatsAppStatus, ana.last.id)).status == "read"
        person = await people.by_address(session, channel=Channel.WHATSAPP, wa_id=ana.wa_id)
    wa.clock.advance(hours=25)
    assert not whatsapp_inbox.inside_window(person, now=wa.clock.now())
    (late,) = await send_screen(wa.runtime, wa.sender, person=person, screen=router.menu(wa.runtime.translator("es")))
    await wa.standin.webhooks_settled()
    async with wa.session() as session:
        failed = await whatsapp_inbox.failures(session, recipient=ana.wa_id)
        assert [(row.message_id, row.error_code) for row in failed] == [(late, 131047)]
        assert (await people.by_address(session, channel=Channel.WHATSAPP, wa_id=ana.wa_id)).reachable
    ana.reachable = False                                   # gone from WhatsApp
    await send_screen(wa.runtime, wa.sender, person=person, screen=router.menu(wa.runtime.translator("es")))
    await wa.standin.webhooks_settled()
    async with wa.session() as session:
        assert not (await people.by_address(session, channel=Channel.WHATSAPP, wa_id=ana.wa_id)).reachable
