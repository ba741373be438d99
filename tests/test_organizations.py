"""After registering: the organization card, edits with their history, co-leaders by invite
link, several organizations per person, and staff verification."""

from __future__ import annotations

from sqlalchemy import select

from bot.organizations.models import (
    BoardMember,
    LeaderRole,
    Leadership,
    Organization,
    OrganizationChange,
    VerificationStatus,
)
from tests.flows import consented, invite_link, joins_as_co_leader, register_organization


async def test_myorg_shows_the_card_with_masked_ids_and_an_edit_is_recorded(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.sends("/myorg")
    assert "Mujeres Emprendedoras del Callao" in newcomer.last_text
    assert "****4567" in newcomer.last_text and "001234567" not in newcomer.last_text
    assert "pendiente de revisión" in newcomer.last_text

    await newcomer.taps("Editar un dato")
    await newcomer.taps("Dirección")
    await newcomer.uploads_sticker()
    assert "Envía la nueva dirección" in newcomer.last_text
    await newcomer.sends("x" * 250)
    assert "límite es de 200" in newcomer.last_text
    await newcomer.sends("Jr. Las Flores 456")
    assert "Jr. Las Flores 456" in newcomer.last_text

    async with await bot.session() as session:
        change = await session.scalar(select(OrganizationChange).where(OrganizationChange.field == "address"))
        assert (change.old_value, change.new_value) == ("Av. Argentina 1234", "Jr. Las Flores 456")


async def test_a_district_can_be_corrected_from_the_card(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.sends("/myorg")
    await newcomer.taps("Editar un dato")
    await newcomer.taps("Distrito")
    await newcomer.sends("san juan lurigancho")
    await newcomer.taps("San Juan de Lurigancho")
    assert "San Juan de Lurigancho (Lima)" in newcomer.last_text


async def test_a_co_leader_joins_through_a_one_use_invite_link(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.sends("/invite")
    token = invite_link(newcomer.last_text)

    rosa = bot.user(first_name="Rosa", language_code="es")
    await rosa.sends(f"/start {token}")
    assert "invitaron" in rosa.last_text
    await rosa.taps("✅ Acepto")
    assert "Mujeres Emprendedoras del Callao" in rosa.last_text
    assert "Rosa" in newcomer.last_text                          # the owner is told

    await rosa.sends("/myorg")
    assert "Mujeres Emprendedoras del Callao" in rosa.last_text

    pedro = bot.user(first_name="Pedro", language_code="es")
    await consented(pedro)
    await pedro.sends(f"/start {token}")
    assert "ya fue usado" in pedro.last_text
    async with await bot.session() as session:
        leaders = (await session.scalars(select(Leadership))).all()
        assert sorted(leader.role for leader in leaders) == [LeaderRole.CO_LEADER, LeaderRole.OWNER]

    # Both leaders hear, 60 days ahead, that the board's term (31 January 2027) runs out.
    bot.clock.advance(days=9)                                                     # 2 December 2026
    assert await bot.run_reminders() == 2
    for leader in (newcomer, rosa):
        assert "termina el 31 de enero de 2027, dentro de 60 días" in leader.last_text, leader.last_text


async def test_an_expired_invite_link_is_refused(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.sends("/invite")
    token = invite_link(newcomer.last_text)
    bot.clock.advance(days=8)

    late = bot.user(first_name="Tardía", language_code="es")
    await consented(late)
    await late.sends(f"/start {token}")
    assert "venció" in late.last_text


async def test_the_owner_removes_a_co_leader_and_hands_over_ownership(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    for name in ("Rosa", "Pedro"):
        await newcomer.sends("/invite")
        token = invite_link(newcomer.last_text)
        person = bot.user(first_name=name, language_code="es")
        await consented(person)
        await person.sends(f"/start {token}")

    await newcomer.sends("/myorg")
    await newcomer.taps("Dirigentes")
    assert "Rosa" in newcomer.last_text and "Pedro" in newcomer.last_text
    await newcomer.taps("Quitar a Pedro")
    assert "Pedro" not in newcomer.last_text
    await newcomer.taps("Hacer responsable a Rosa")
    assert "Rosa es ahora la persona responsable" in newcomer.last_text

    async with await bot.session() as session:
        roles = {row.user_id: row.role for row in await session.scalars(select(Leadership))}
        assert sorted(roles.values()) == [LeaderRole.CO_LEADER, LeaderRole.OWNER]


async def test_a_person_leading_two_organizations_picks_which_one_they_act_for(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer, name="Olla Común Los Jazmines")
    await register_organization(newcomer, name="Club de Madres Santa Rosa")
    await newcomer.sends("/myorg")
    assert "Club de Madres Santa Rosa" in newcomer.last_text
    await newcomer.taps("Cambiar de organización")
    await newcomer.taps("Olla Común Los Jazmines")
    assert "<b>" not in newcomer.last_text and "Olla Común Los Jazmines" in newcomer.last_text


async def test_staff_ask_for_changes_and_then_verify_and_the_leaders_hear_it(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await staff.sends("/start")
    await staff.sends("/pending")
    await staff.taps("Mujeres Emprendedoras")
    await staff.taps("Necesita cambios")
    await staff.sends("Falta el número de la resolución anterior en la dirección.")
    assert "Falta el número" in newcomer.last_text and "/miorg" in newcomer.last_text

    await staff.sends("/pending")
    await staff.taps("Mujeres Emprendedoras")
    await staff.taps("Verificar")
    assert "verificó" in newcomer.last_text
    async with await bot.session() as session:
        organization = await session.scalar(select(Organization))
        assert organization.status is VerificationStatus.VERIFIED


async def test_leaders_cannot_use_staff_commands(bot, newcomer):
    await consented(newcomer)
    await newcomer.sends("/pending")
    assert "equipo del programa" in newcomer.last_text


async def test_a_page_button_of_the_old_registrations_list_is_answered_as_an_old_button(bot, newcomer, staff):
    # The registrations-only /pending (pages `org:pending:p…`) gave way to the staff console's;
    # its page buttons may still sit in a staff member's chat.
    await consented(newcomer)
    await register_organization(newcomer)
    await consented(staff)
    await staff.taps_data("org:pending:p2")
    assert "ya no está activo" in (staff.last_alert or "")
    assert "/pendientes" in staff.last_text                              # the org area's card, for staff
    await staff.sends("/pending")                                       # the console's list has it
    assert "Mujeres Emprendedoras" in staff.last_text


async def test_erasing_a_leader_erases_the_organization_they_lead_alone_and_hands_over_a_shared_one(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer, name="Olla Común Los Jazmines")
    await register_organization(newcomer, name="Club de Madres Santa Rosa")
    await joins_as_co_leader(bot, newcomer)                       # Santa Rosa gets a co-leader

    await newcomer.sends("/mydata")
    assert "Olla Común Los Jazmines" in newcomer.last_text and "Club de Madres Santa Rosa" in newcomer.last_text
    await newcomer.sends("/deletedata")
    await newcomer.taps("Sí, borrar mis datos")

    async with await bot.session() as session:
        names = [o.name for o in await session.scalars(select(Organization))]
        assert names == ["Club de Madres Santa Rosa"]
        leadership = await session.scalar(select(Leadership))
        assert leadership.role is LeaderRole.OWNER               # Rosa now owns it
        boards = {m.organization_id for m in await session.scalars(select(BoardMember))}
        assert boards == {leadership.organization_id}             # no board of the erased one
