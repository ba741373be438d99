"""/registrar on WhatsApp through the Cloud API stand-in, on the same step machine and screens as
Telegram: lists and buttons answered by tapping, by a typed number or by the option's words, the
phone WhatsApp already knows offered as a choice, a board member, the card; then staff on
Telegram find the WhatsApp leader's organization in /pending and verify it (the same database)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.organizations.models import (
    LeaderRole,
    Leadership,
    Organization,
    RegistrationDraft,
    VerificationStatus,
)
from bot.organizations.registration import Step
from bot.people import people
from bot.people.models import Channel
from handlers.whatsapp.registration import PHONE_MINE
from tests.flows import consented as consented_on_telegram
from tests.whatsapp_harness import consented, wa  # noqa: F401 - the fixture


async def register_on_whatsapp(ana) -> None:  # noqa: ANN001 - a stand-in WhatsAppPerson
    await ana.writes("/registrar")
    assert "Vamos a registrar tu organización" in " ".join(ana.texts)
    await ana.writes("Mujeres Emprendedoras del Callao")
    assert ana.last.kind == "list"                         # four kinds: a list
    await ana.chooses("OSB")
    await ana.writes("carmen legua")
    assert "1. Carmen de la Legua Reynoso" in ana.last.text    # cut on its button: written out above
    await ana.writes("1")                                  # the first of the matches, typed
    await ana.writes("Av. Argentina 1234")
    await ana.writes("mañana por la tarde")                # not a date: said so, and asked again
    assert "⚠️" in ana.last.text and "¿Cuándo se fundó?" in ana.last.text
    await ana.writes("2021")
    for count in ("10", "20", "0"):
        await ana.writes(count)
    await ana.chooses("Salud")
    assert any(c.title.startswith("✅") for c in ana.choices)   # ticked: the question again, a new message
    await ana.writes("listo")                              # the option's words
    assert [c.id for c in ana.choices] == [PHONE_MINE]     # WhatsApp knows the number: offered
    await ana.presses(PHONE_MINE)
    assert "📱" in " ".join(ana.texts)
    await ana.chooses("Presidencia")
    await ana.writes("Carmen Rojas Pérez")
    await ana.chooses("Carné de extranjería")
    await ana.writes("001234567")
    await ana.chooses("Esa es toda la junta")
    await ana.writes("01/02/2025")
    await ana.writes("31/01/2027")
    # The masked number: its stars as look-alikes, which WhatsApp never reads as bold.
    assert "Mujeres Emprendedoras del Callao" in ana.last.text and "∗∗∗∗4567" in ana.last.text
    assert "<b>" not in ana.last.text
    await ana.presses("reg:confirm")
    assert "Mujeres Emprendedoras del Callao" in ana.texts[0]           # the card
    assert "quedó registrada" in ana.last.text


async def test_a_leader_registers_an_organization_with_its_board_on_whatsapp(wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    await register_on_whatsapp(ana)
    async with wa.session() as session:
        organization = await session.scalar(select(Organization).options(selectinload(Organization.board)))
        assert organization.contact_phone == f"+{ana.wa_id}" and organization.status is VerificationStatus.PENDING
        assert [m.full_name for m in organization.board] == ["Carmen Rojas Pérez"]
        person = await people.by_address(session, channel=Channel.WHATSAPP, wa_id=ana.wa_id)
        leadership = await session.scalar(select(Leadership).where(Leadership.user_id == person.id))
        assert leadership.organization_id == organization.id and leadership.role is LeaderRole.OWNER
    await ana.writes("/registrar")                         # a new one: the answers start empty
    assert "¿Cuál es el nombre de tu organización?" in ana.last.text


async def test_a_registration_left_halfway_resumes_after_a_restart_and_slash_commands_leave_it(wa):  # noqa: F811
    luis = wa.person("Luis")
    await consented(luis)
    await luis.writes("/register")
    await luis.writes("Club de Madres Santa Rosa")
    await luis.writes("ayuda")                             # inside the flow a bare word is an answer
    assert "⚠️" in luis.last.text and luis.last.kind == "list"
    await wa.restart()
    await luis.writes("3")                                 # Asociación civil, by its number
    assert "¿En qué distrito está?" in luis.last.text
    await luis.writes("/ayuda")                            # a slash command leaves the flow
    assert luis.last.kind == "list" and luis.choices[0].id == "cmd:register"
    await luis.writes("/registrar")
    assert [c.id for c in luis.choices] == ["reg:resume", "reg:restart"]
    await luis.chooses("Continuar")
    assert "¿En qué distrito está?" in luis.last.text


async def test_staff_on_telegram_verify_an_organization_registered_on_whatsapp(bot, wa, staff):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    await register_on_whatsapp(ana)
    await consented_on_telegram(staff)
    await staff.sends("/pending")
    assert any("Mujeres Emprendedoras" in label for label in staff.buttons)
    await staff.taps("Mujeres Emprendedoras")
    assert "Carmen Rojas Pérez" in staff.last_text
    await staff.taps("Verificar")
    async with wa.session() as session:
        organization = await session.scalar(select(Organization))
        assert organization.status is VerificationStatus.VERIFIED


async def test_someone_whose_number_is_hidden_is_asked_to_type_the_phone(wa):  # noqa: F811
    rosa = wa.person("Rosa", hides_number=True)            # a username: WhatsApp sends no number
    await consented(rosa)
    await rosa.writes("/registrar")
    async with wa.session() as session:                     # straight to the phone step
        draft = await session.scalar(select(RegistrationDraft))
        draft.step = Step.PHONE
    await rosa.writes("/registrar")
    await rosa.chooses("Continuar")
    assert "Escribe el número" in rosa.last.text and rosa.last.choices == []
    await rosa.writes("987 654 321")
    assert "+51 987 654 321" in " ".join(rosa.texts)
