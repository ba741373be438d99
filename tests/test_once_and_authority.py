"""Every state change happens once, and who may act is decided when they act, not when the flow
began. Presses "at the same moment" go through the emulator together (`asyncio.gather`):
different people are served concurrently (handlers.context.OnePersonAtATime), so on
PostgreSQL their updates really do race; one person's two taps are served one after the other.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.organizations.models import (
    LeaderRole,
    Leadership,
    Organization,
    OrganizationChange,
    VerificationStatus,
)
from bot.people.models import Role, User
from bot.ruos.models import (
    ChecklistItem,
    ItemStatus,
    RegistrationStage,
    RuosRegistration,
    StoredFile,
)
from tests.flows import consented, invite_link, joins_as_co_leader, register_organization
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_ruos import PAGES, PDF, organization_led_by

ALREADY_DONE_ES = "ya estaba hecho"
SECOND_STAFF_TELEGRAM_ID = 900_002


def told(person, words: str) -> int:
    """How many messages in the person's chat say `words`."""
    return sum(words in (message.get("text") or "") for message in person.messages)


def button_data(person, label: str) -> tuple[str, int]:  # noqa: ANN001
    """A button's callback data and message, to press it again after the bot replaced it."""
    for message in reversed(person.messages):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    return button["callback_data"], message["message_id"]
    raise AssertionError(f"no button {label!r} for {person!r}")


async def count(bot, model) -> int:  # noqa: ANN001
    async with await bot.session() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def two_staff_members(bot, language: str = "es"):  # noqa: ANN001, ANN201
    """Lucía and Jorge, both on ADMIN_IDS, both having accepted the data notice."""
    bot.settings_overrides["admin_ids"] = frozenset({STAFF_TELEGRAM_ID, SECOND_STAFF_TELEGRAM_ID})
    await bot.restart()
    staff = [bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code=language),
             bot.user(SECOND_STAFF_TELEGRAM_ID, first_name="Jorge", language_code=language)]
    for person in staff:
        await consented(person)
    return staff


# --- once --------------------------------------------------------------------------------------


async def test_three_people_sending_the_same_invite_at_once_make_one_co_leader(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.sends("/invite")
    token = invite_link(newcomer.last_text)
    people = [bot.user(first_name=name, language_code="es") for name in ("Rosa", "Pedro", "Yohana")]
    for person in people:
        await consented(person)

    await asyncio.gather(*(person.sends(f"/start {token}") for person in people))

    assert sum("Ahora eres dirigente" in person.last_text for person in people) == 1
    assert sum("ya fue usado" in person.last_text for person in people) == 2
    assert told(newcomer, "se unió a") == 1                        # the owner hears of one
    async with await bot.session() as session:
        roles = sorted(leader.role for leader in await session.scalars(select(Leadership)))
    assert roles == [LeaderRole.CO_LEADER, LeaderRole.OWNER]


async def test_staff_tapping_verify_twice_verify_once_and_the_leaders_hear_it_once(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await consented(staff)
    await staff.sends("/pending")
    await staff.taps("Mujeres Emprendedoras")

    await staff.taps("Verificar")
    assert "Listo" in staff.last_text
    await staff.taps("Verificar")                                  # the same button, again
    assert ALREADY_DONE_ES in staff.last_alert
    await asyncio.gather(staff.taps("Verificar"), staff.taps("Verificar"))
    assert ALREADY_DONE_ES in staff.last_alert

    assert told(newcomer, "verificó") == 1
    async with await bot.session() as session:
        organization = await session.scalar(select(Organization))
    assert organization.status is VerificationStatus.VERIFIED


async def test_one_staff_member_double_taps_verify_at_once(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await consented(staff)
    await staff.sends("/pending")
    await staff.taps("Mujeres Emprendedoras")

    await asyncio.gather(staff.taps("Verificar"), staff.taps("Verificar"))

    assert ALREADY_DONE_ES in staff.last_alert
    assert told(staff, "Listo") == 1
    assert told(newcomer, "verificó") == 1


async def test_two_staff_members_verifying_at_the_same_moment_tell_the_leaders_once(bot, newcomer):
    lucia, jorge = await two_staff_members(bot)
    await consented(newcomer)
    await register_organization(newcomer)
    for person in (lucia, jorge):
        await person.sends("/pending")
        await person.taps("Mujeres Emprendedoras")

    await asyncio.gather(lucia.taps("Verificar"), jorge.taps("Verificar"))

    assert sum(ALREADY_DONE_ES in (person.last_alert or "") for person in (lucia, jorge)) == 1
    assert sum(told(person, "Listo") for person in (lucia, jorge)) == 1
    assert told(newcomer, "verificó") == 1


async def test_two_staff_members_asking_for_changes_and_verifying_at_once_leave_one_review(bot, newcomer):
    lucia, jorge = await two_staff_members(bot)
    await consented(newcomer)
    await register_organization(newcomer)
    for person in (lucia, jorge):
        await person.sends("/pending")
        await person.taps("Mujeres Emprendedoras")
    await jorge.taps("Necesita cambios")

    await asyncio.gather(lucia.taps("Verificar"), jorge.sends("Falta la dirección completa, con el número."))

    news = told(newcomer, "verificó") + told(newcomer, "pide cambios")
    assert news == 1, newcomer.messages
    assert sum(ALREADY_DONE_ES in text for text in (lucia.last_alert or "", jorge.last_text)) == 1


async def staff_opens_the_uploaded_request(bot, leader, staff_member) -> None:  # noqa: ANN001
    await leader.sends("/ruos")
    await leader.taps("Request with sworn")
    await leader.taps("Upload")
    await leader.uploads_document(PDF, "solicitud.pdf", "application/pdf")
    await leader.taps("Done")
    await staff_member.sends("/review")
    await staff_member.taps("Request with sworn")


async def test_staff_verifying_a_document_twice_tell_the_leader_once(bot):
    leader = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, leader)
    staff_member = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff_member)
    await staff_opens_the_uploaded_request(bot, leader, staff_member)
    verify = button_data(staff_member, "Verify")

    await staff_member.taps("Verify")
    assert "Verified" in staff_member.last_text
    await staff_member.taps_data(*verify)                          # the same button, replaced since
    assert "already reviewed" in staff_member.last_alert           # the button's own alert
    await asyncio.gather(staff_member.taps_data(*verify), staff_member.taps_data(*verify))
    assert "already reviewed" in staff_member.last_alert

    assert told(leader, "it is ready") == 1
    async with await bot.session() as session:
        item = await session.scalar(select(ChecklistItem))
    assert item.status is ItemStatus.VERIFIED


async def test_two_staff_members_reviewing_one_document_at_once_tell_the_leader_once(bot):
    lucia, jorge = await two_staff_members(bot, "en")
    leader = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, leader)
    await staff_opens_the_uploaded_request(bot, leader, lucia)
    await jorge.sends("/review")
    await jorge.taps("Request with sworn")

    await asyncio.gather(lucia.taps("Verify"), jorge.taps("Verify"))

    assert told(leader, "it is ready") == 1
    assert sum("already reviewed" in (person.last_alert or "") for person in (lucia, jorge)) == 1


async def test_taking_pages_back_twice_at_once_takes_them_back_once(bot):
    leader = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, leader)
    await leader.sends("/ruos")
    await leader.taps("Copy of the minute book")
    await leader.taps("Upload")
    await leader.uploads_album(PAGES)
    await leader.taps("Done")
    await leader.taps("Copy of the minute book")
    await leader.taps("Take the pages back")

    await asyncio.gather(leader.taps("Yes, take them back"), leader.taps("Yes, take them back"))

    assert "Only pages still waiting for the programme's review can be taken back" in leader.last_alert  # the second tap's
    async with await bot.session() as session:
        item = await session.scalar(select(ChecklistItem))
    assert item.status is ItemStatus.MISSING and item.revision == 4             # three pages, one withdrawal


# --- authority at the moment of acting ---------------------------------------------------------


async def test_a_co_leader_removed_while_at_the_upload_step_cannot_store_a_file(bot):
    owner = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, owner)
    await owner.sends("/invite")
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await rosa.sends(f"/start {invite_link(owner.last_text)}")
    await rosa.sends("/ruos")
    await rosa.taps("Request with sworn")
    await rosa.taps("Upload")

    await owner.sends("/myorg")                                    # meanwhile the owner removes her
    await owner.taps("Leaders")
    await owner.taps("Remove Rosa")
    assert "Rosa is no longer a co-leader" in owner.texts_since_last_action[0]

    await rosa.uploads_document(PDF, "solicitud.pdf", "application/pdf")
    assert "You are no longer a leader of this organization, so nothing was saved" in rosa.last_text
    assert "Done" not in rosa.buttons
    assert await count(bot, StoredFile) == 0
    await rosa.uploads_document(PDF, "solicitud.pdf", "application/pdf")          # the flow is over
    assert await count(bot, StoredFile) == 0


async def test_the_owner_removing_a_co_leader_twice_removes_them_once(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    await joins_as_co_leader(bot, newcomer)
    await newcomer.sends("/myorg")
    await newcomer.taps("Dirigentes")

    await asyncio.gather(newcomer.taps("Quitar a Rosa"), newcomer.taps("Quitar a Rosa"))

    assert "no es dirigente" in (newcomer.last_alert or "")
    assert told(newcomer, "ya no es dirigente") == 1
    async with await bot.session() as session:
        assert [leader.role for leader in await session.scalars(select(Leadership))] == [LeaderRole.OWNER]


async def test_someone_taken_off_admin_ids_is_no_longer_staff_after_a_restart(bot, staff):
    await consented(staff)
    await staff.sends("/pending")
    assert "equipo del programa" not in staff.last_text
    assert "pendientes" in staff.commands

    bot.settings_overrides["admin_ids"] = frozenset()
    await bot.restart()

    await staff.sends("/pending")
    assert "Solo el equipo del programa" in staff.last_text            # refused, as any leader is
    assert "pendientes" not in staff.commands                         # the leaders' menu again
    async with await bot.session() as session:
        person = await session.scalar(select(User).where(User.telegram_id == STAFF_TELEGRAM_ID))
    assert person.role is Role.LEADER

    bot.settings_overrides["admin_ids"] = frozenset({STAFF_TELEGRAM_ID})        # and back on the list
    await bot.restart()
    await staff.sends("/pending")
    assert "equipo del programa" not in staff.last_text and "pendientes" in staff.commands


async def test_staff_not_granted_by_admin_ids_keep_the_role_whatever_the_list_says(bot):
    carmen = bot.user(first_name="Carmen", language_code="es")
    await consented(carmen)
    async with await bot.session() as session:
        person = await session.scalar(select(User).where(User.telegram_id == carmen.id))
        person.role = Role.STAFF                                   # made staff some other way
    await bot.restart()
    await carmen.sends("/pending")
    assert "equipo del programa" not in carmen.last_text


async def test_two_leaders_recording_the_same_stage_at_once_record_it_once(bot):
    owner = bot.user(first_name="Carmen", language_code="en")
    organization_id = await organization_led_by(bot, owner)
    await owner.sends("/invite")
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await rosa.sends(f"/start {invite_link(owner.last_text)}")
    async with await bot.session() as session:                     # the municipality observed it
        session.add(RuosRegistration(organization_id=organization_id, stage=RegistrationStage.OBSERVED,
                                     observations="The croquis has no street names", updated_at=bot.clock.now()))
    for leader in (owner, rosa):
        await leader.sends("/ruos")
        await leader.taps("Registration status")

    await asyncio.gather(owner.taps("Observations answered"), rosa.taps("Observations answered"))

    saved = [leader for leader in (owner, rosa) if told(leader, "Saved. The registration is now")]
    assert len(saved) == 1
    other = rosa if saved == [owner] else owner
    assert told(other, "The registration status has changed since") == 1
    assert told(other, "updated the RUOS registration") == 1      # told once, by the one who did it
    assert told(saved[0], "updated the RUOS registration") == 0
    async with await bot.session() as session:
        registration = await session.get(RuosRegistration, organization_id)
    assert registration.stage is RegistrationStage.SUBMITTED


async def test_a_co_leader_removed_while_editing_the_card_changes_nothing(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    rosa = await joins_as_co_leader(bot, newcomer)
    await rosa.sends("/myorg")
    await rosa.taps("Editar un dato")
    await rosa.taps("Dirección")

    await newcomer.sends("/myorg")
    await newcomer.taps("Dirigentes")
    await newcomer.taps("Quitar a Rosa")

    await rosa.sends("Jr. Las Flores 456")
    assert "Ya no eres dirigente de esta organización, así que no se guardó nada" in rosa.last_text
    async with await bot.session() as session:
        organization = await session.scalar(select(Organization))
    assert organization.address == "Av. Argentina 1234"
    assert await count(bot, OrganizationChange) == 0
    await rosa.sends("Jr. Las Flores 456")                         # the edit is over
    assert await count(bot, OrganizationChange) == 0


async def test_handing_over_ownership_twice_at_once_hands_it_over_once(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    rosa = await joins_as_co_leader(bot, newcomer)
    await newcomer.sends("/myorg")
    await newcomer.taps("Dirigentes")

    await asyncio.gather(newcomer.taps("Hacer responsable a Rosa"), newcomer.taps("Hacer responsable a Rosa"))

    assert "ya estaba hecho" in (newcomer.last_alert or "").lower()
    assert told(rosa, "Ahora eres la persona responsable") == 1
    async with await bot.session() as session:
        roles = {row.user_id: row.role for row in await session.scalars(select(Leadership))}
    assert sorted(roles.values()) == [LeaderRole.CO_LEADER, LeaderRole.OWNER]


async def test_two_leaders_handing_in_the_request_at_once_record_it_once(bot):
    owner = bot.user(first_name="Carmen", language_code="en")
    organization_id = await organization_led_by(bot, owner)
    await owner.sends("/invite")
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await rosa.sends(f"/start {invite_link(owner.last_text)}")
    for leader in (owner, rosa):
        await leader.sends("/ruos")
        await leader.taps("Registration status")

    await asyncio.gather(owner.taps("We handed it in"), rosa.taps("We handed it in"))   # no record yet
    assert all("expediente number" in leader.last_text for leader in (owner, rosa))
    await asyncio.gather(owner.sends("EXP-1"), rosa.sends("EXP-2"))
    await asyncio.gather(owner.sends("18/11/2026"), rosa.sends("18/11/2026"))

    saved = [leader for leader in (owner, rosa) if told(leader, "Saved. The registration is now")]
    assert len(saved) == 1
    other = rosa if saved == [owner] else owner
    assert told(other, "The registration status has changed since") == 1
    async with await bot.session() as session:
        registration = await session.get(RuosRegistration, organization_id)
    assert registration.stage is RegistrationStage.SUBMITTED
    assert registration.expediente == ("EXP-1" if saved == [owner] else "EXP-2")


async def test_two_co_leaders_sending_pages_for_one_document_at_once_keep_both_pages(bot):
    owner = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, owner)
    await owner.sends("/invite")
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await rosa.sends(f"/start {invite_link(owner.last_text)}")
    for leader in (owner, rosa):
        await leader.sends("/ruos")
        await leader.taps("Copy of the minute book")
        await leader.taps("Upload")
    await asyncio.gather(owner.uploads_photo(PAGES[0]), rosa.uploads_photo(PAGES[1]))
    async with await bot.session() as session:
        item = await session.scalar(select(ChecklistItem))
        assert (item.status, item.revision) == (ItemStatus.UPLOADED, 2)             # both pages counted
    assert await count(bot, StoredFile) == 2
