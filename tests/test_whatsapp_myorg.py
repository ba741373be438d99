"""/miorg and /pausar on WhatsApp through the Cloud API stand-in, on the same domain calls and
screens as Telegram: a leader edits a field (a refused value first: the reason, and the same
question again), changes the board, and sees the card again as a new message; an old button
pressed after the organization moved on is refused once; a co-leader removed meanwhile saves
nothing; /pausar holds a reminder back until /start."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.messaging import reminders
from bot.organizations.models import (
    BoardMember,
    BoardRole,
    LeaderRole,
    Leadership,
    Organization,
    OrganizationChange,
    VerificationStatus,
)
from bot.people.models import User
from handlers.whatsapp import router
from tests.test_notification_settings import (
    NUDGE,  # a reminder kind of that test's own, rendered "🔔 <text>"
)
from tests.whatsapp_harness import consented, leading_in_callao, wa  # noqa: F401 - the fixture


async def user_id_of(wa, person) -> int:  # noqa: ANN001, F811
    async with wa.session() as session:
        return await session.scalar(select(User.id).where(User.wa_id == person.wa_id))


async def with_board(wa, organization_user: int) -> tuple[int, list[int]]:  # noqa: F811
    """The organization the user leads gets a board of two (rows straight to the database)."""
    cipher = wa.runtime.cipher
    async with wa.session() as session:
        organization = await session.scalar(select(Organization).join(Leadership).where(Leadership.user_id == organization_user))
        organization.members_peruvian, organization.members_venezuelan, organization.focus_areas = 3, 4, ["health"]
        members = [BoardMember(organization_id=organization.id, position=0, role=BoardRole.PRESIDENT, full_name="Carmen Rojas Pérez",
                               id_document_type="CE", id_number_encrypted=cipher.encrypt("001234567")),
                   BoardMember(organization_id=organization.id, position=1, role=BoardRole.SECRETARY, full_name="Luz Huamán",
                               id_document_type="DNI", id_number_encrypted=cipher.encrypt("45671234"))]
        session.add_all(members)
        await session.flush()
        return organization.id, [m.id for m in members]


async def test_a_leader_edits_her_organization_and_its_board_on_whatsapp(wa):  # noqa: F811
    ana, rosa = wa.person("Ana Torres"), wa.person("Rosa Quispe")
    await consented(ana)
    await consented(rosa)
    ana_id = await leading_in_callao(wa, ana)
    organization_id, (carmen, luz) = await with_board(wa, ana_id)
    rosa_id = await user_id_of(wa, rosa)
    async with wa.session() as session:                    # Rosa co-leads it
        session.add(Leadership(user_id=rosa_id, organization_id=organization_id, role=LeaderRole.CO_LEADER,
                               joined_at=wa.clock.now(), acting=True))

    await ana.writes("/miorg")
    assert "*Mujeres del Callao*" in ana.last.text and "Estado: ✅ verificada" in ana.last.text
    assert [c.id for c in ana.choices] == ["org:edit", "org:leaders"]
    await ana.presses("org:edit")
    assert ana.last.kind == "list" and "org:field:founded" in {c.id for c in ana.choices}
    await ana.presses("org:field:founded")
    await ana.writes("mañana por la tarde")                # not a date: said so, and the same question again
    assert "⚠️" in ana.last.text and "Envía la fecha de fundación" in ana.last.text
    await ana.writes("03/2019")
    assert ana.texts[0] == "✅ Guardado." and "Fundación: marzo de 2019" in ana.last.text

    await ana.presses("org:edit")                          # the members, in three steps
    await ana.presses("org:field:members")
    await ana.writes("0")                                  # Peruvian: none (the Venezuelan four remain)
    await ana.writes("0")                                  # nobody at all: refused, the same step again
    assert "al menos un miembro" in ana.last.text and "<b>" not in ana.last.text and "*venezolanos*" in ana.last.text
    async with wa.session() as session:                    # the refused answer left nothing behind
        assert (await session.get(Organization, organization_id)).members_venezuelan == 4
    await ana.writes("2")
    await ana.writes("10")
    assert "Miembros: 12" in ana.last.text

    await ana.presses("org:edit")                          # the focus areas: ticked, a new message each time
    await ana.presses("org:field:focus")
    await ana.presses("org:focus:education")
    assert {"✅ Educación", "✅ Salud"} <= {c.title for c in ana.choices}
    await ana.presses("org:focus:health")
    await ana.presses("org:focus:education")               # none left: refused, the areas as they are
    assert "al menos un área" in ana.last.text and "✅ Educación" in {c.title for c in ana.choices}
    await ana.chooses("Listo")                             # Done: the card
    assert "Áreas de trabajo: Educación" in ana.last.text

    await ana.presses("org:edit")                          # a change of mind: left, nothing asked any more
    await ana.presses("org:field:name")
    await ana.writes("/cancelar")
    assert ana.texts[0] == "Cancelado. No se cambió nada." and ana.last.kind == "list"
    await ana.writes("Otro nombre")
    assert "No entendí" in ana.last.text

    await ana.presses("org:edit")                          # the board: remove one, add one
    await ana.presses("org:field:board")
    assert f"org:rmboard:{carmen}" in {c.id for c in ana.choices}
    await ana.presses(f"org:rmboard:{carmen}")
    assert f"org:rmboard:{carmen}" not in {c.id for c in ana.choices}
    await ana.presses(f"org:rmboard:{carmen}")             # the old button, on the message before
    assert sum("ya no está en la lista" in text for text in ana.texts) == 1
    assert ana.last.choices and f"org:rmboard:{luz}" in {c.id for c in ana.choices}   # the board as it is
    await ana.presses("org:addboard")
    await ana.presses("org:brole:treasurer")
    await ana.writes("Jo")                                 # too short: the same question again
    assert "⚠️" in ana.last.text and "nombre completo del nuevo miembro" in ana.last.text
    await ana.writes("Julia Mendoza Ríos")
    await ana.presses("org:bdoc:DNI")
    await ana.writes("123")                                # not a DNI: the same question again
    assert "⚠️" in ana.last.text and "número del documento" in ana.last.text
    await ana.writes("45678912")
    assert "Julia Mendoza" in " ".join(c.title + " " + c.description for c in ana.choices) + ana.last.text
    await ana.presses("org:show")                          # the card again, updated: a new message
    card = ana.last.text
    assert "Julia Mendoza Ríos" in card and "Carmen Rojas" not in card and "Luz Huamán" in card
    assert "Estado: ⏳ pendiente" in card                    # changed since staff verified it

    await rosa.writes("/miorg")                            # Rosa begins to rename it…
    await rosa.presses("org:edit")
    await rosa.presses("org:field:name")
    await ana.presses("org:leaders")                       # …while Ana removes her
    assert f"org:rmlead:{rosa_id}" in {c.id for c in ana.choices}
    await ana.presses(f"org:rmlead:{rosa_id}")
    assert "ya no es dirigente" in ana.texts[0]
    await ana.presses(f"org:rmlead:{rosa_id}")             # the old button again: refused, once
    assert sum("no es dirigente de esta organización" in text for text in ana.texts) == 1
    await rosa.writes("Organización de Rosa")
    assert "Ya no eres dirigente de esta organización, así que no se guardó nada." in rosa.last.text

    async with wa.session() as session:
        organization = await session.scalar(select(Organization).where(Organization.id == organization_id)
                                            .options(selectinload(Organization.board)))
        assert organization.name == "Mujeres del Callao" and organization.founded_year == 2019
        assert organization.members_total == 12 and organization.status is VerificationStatus.PENDING
        assert sorted(m.full_name for m in organization.board) == ["Julia Mendoza Ríos", "Luz Huamán"]
        changed = set(await session.scalars(select(OrganizationChange.field).where(OrganizationChange.organization_id == organization_id)))
        assert {"founded_year", "members_other", "board"} <= changed


async def test_pausar_holds_reminders_back_until_start(wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    ana_id = await user_id_of(wa, ana)
    wa.runtime.reminders.set_deliverer(wa.runtime.channels)  # what the bot's periodic job does

    async def remind(text: str) -> None:
        async with wa.session() as session:
            await reminders.schedule(session, key=f"test:{text}", recipient_id=ana_id, kind=NUDGE,
                                     due_at=wa.clock.now(), payload={"text": text}, clock=wa.clock)
        await wa.runtime.reminders.run_due()

    await ana.writes("/pausar")
    assert "En pausa" in ana.last.text
    await remind("sube tu acta")
    await ana.writes("/ayuda")                             # her own messages are answered as ever
    assert ana.last.kind == "list" and not any("sube tu acta" in message.text for message in ana.received)
    await ana.writes("/start")
    assert "Mensajes reanudados" in ana.texts[0]
    await remind("sube tu estatuto")
    assert "🔔 sube tu estatuto" in (await ana.wait_for_message()).text


def test_myorg_and_stop_are_on_the_slash_list_and_the_menu_keeps_ten_rows():
    from bot.core.i18n import translator

    i18n = translator("es")
    names = [name for name, _hint in router.slash_commands(i18n)]
    assert {"miorg", "pausar"} <= set(names) and len(names) <= 30
    assert len(router.menu(i18n).choices) == 10
