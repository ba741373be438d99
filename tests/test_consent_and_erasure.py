"""Consent on every path, complete erasure, everything held shown by /mydata, old and forged
buttons, the apology in the person's language, and reminders that failed before sending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from telegram.ext import CommandHandler

from bot.core.conversation_models import ChannelUserData
from bot.core.db import Base
from bot.core.screens import screen
from bot.messaging import reminder_screens
from bot.messaging import reminders as engine
from bot.messaging.models import Reminder, ReminderState
from bot.organizations.models import BoardMember, RegistrationDraft
from bot.people.models import User
from tests.flows import consented, register_organization

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OTHER_PDF = b"%PDF-1.4\n2 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def first_notice_id(user) -> int:
    return next(m["message_id"] for m in user.messages if "consent:no" in str(m.get("reply_markup")))


async def board_names(bot) -> list[str]:
    async with await bot.session() as session:
        return list(await session.scalars(select(BoardMember.full_name)))


async def user_data_texts(bot) -> str:
    async with await bot.session() as session:
        return " ".join(str(row.data) for row in await session.scalars(select(ChannelUserData)))


async def test_declining_an_old_notice_withdraws_consent_and_old_buttons_then_store_nothing(bot, newcomer):
    await newcomer.sends("/start")
    old_notice = first_notice_id(newcomer)
    await newcomer.sends("/start")
    await newcomer.taps("✅ Acepto")                           # on the newer notice
    await register_organization(newcomer)
    await newcomer.sends("/myorg")
    await newcomer.taps("Editar un dato")
    await newcomer.taps("Junta directiva")
    await newcomer.taps("Agregar un miembro")                  # the role buttons are on screen now

    await newcomer.taps_data("consent:no", message_id=old_notice)
    assert "Retiraste tu consentimiento" in newcomer.last_text

    await newcomer.taps("Tesorería")                           # an old button of /myorg
    assert "primero tienes que aceptar" in (newcomer.last_alert or "").lower()
    assert "Leer el aviso de datos" in newcomer.buttons
    await newcomer.sends("Pedro Pérez Gómez")
    assert "primero tienes que aceptar" in newcomer.last_text.lower()
    assert await board_names(bot) == ["Carmen Rojas Pérez"]
    assert "Pedro" not in await user_data_texts(bot)


async def test_a_registration_takes_no_more_answers_after_a_decline_and_starts_afresh(bot, newcomer):
    await newcomer.sends("/start")
    old_notice = first_notice_id(newcomer)
    await newcomer.sends("/start")
    await newcomer.taps("✅ Acepto")
    await newcomer.sends("/register")
    await newcomer.sends("Vecinos Unidos de Comas")
    await newcomer.taps_data("consent:no", message_id=old_notice)
    await newcomer.sends("OSB")
    assert "primero tienes que aceptar" in newcomer.last_text.lower()
    async with await bot.session() as session:
        assert (await session.scalars(select(RegistrationDraft))).all() == []
    await newcomer.taps("Leer el aviso de datos")
    await newcomer.taps("✅ Acepto")
    await newcomer.sends("/register")
    assert "nombre" in newcomer.last_text.lower() and "Vecinos Unidos" not in newcomer.last_text


async def test_forged_buttons_and_typed_answers_from_someone_who_never_consented_keep_nothing(bot):
    stranger = bot.user(first_name="Pedro", language_code="es")
    await stranger.sends("/start")
    await stranger.taps_data("org:brole:president")
    assert "primero tienes que aceptar" in (stranger.last_alert or "").lower()
    await stranger.sends("Pedro Pérez Gómez")
    assert "primero tienes que aceptar" in stranger.last_text.lower()
    await stranger.uploads_document(PDF, "acta.pdf", "application/pdf")
    assert "primero tienes que aceptar" in stranger.last_text.lower()
    assert "Pedro" not in await user_data_texts(bot)
    async with await bot.session() as session:
        person = await session.scalar(select(User).where(User.telegram_id == stranger.id))
    assert person is not None and person.display_name is None


async def upload_to_the_first_item(leader, content: bytes, name: str) -> None:
    await leader.sends("/ruos")
    await leader.taps("Solicitud con declaración")
    await leader.taps("Subir")
    await leader.uploads_document(content, name, "application/pdf")
    await leader.taps("Listo")


async def every_value_in_the_database(bot) -> str:
    values = []
    async with await bot.session() as session:
        for table in Base.metadata.sorted_tables:
            rows = await session.execute(text(f'SELECT * FROM "{table.name}"'))
            values += [str(value) for row in rows.all() for value in row]
    return "\n".join(values)


async def test_erasure_leaves_no_row_file_or_ptb_copy_of_the_person(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)                      # phone 987654321, ID 001234567
    await upload_to_the_first_item(newcomer, PDF, "solicitud.pdf")
    await newcomer.sends("/ruos")
    await newcomer.taps("Solicitud con declaración")
    await newcomer.taps("Retirar")                              # the page is withdrawn, kept superseded
    await newcomer.taps("Sí, retirar")
    await upload_to_the_first_item(newcomer, OTHER_PDF, "solicitud-2.pdf")
    await newcomer.sends("/myorg")
    await newcomer.taps("Editar un dato")
    await newcomer.taps("Junta directiva")
    await newcomer.taps("Agregar un miembro")
    await newcomer.taps("Tesorería")                           # PTB's user data holds the role now
    assert any(bot.storage_dir.rglob("*"))
    await bot.application.update_persistence()

    await newcomer.sends("/deletedata")
    await newcomer.taps("Sí, borrar mis datos")
    assert "borrados" in newcomer.last_text
    await bot.application.update_persistence()                 # PTB's next flush writes nothing back

    everything = await every_value_in_the_database(bot)
    for trace in (str(newcomer.id), "Carmen Rojas", "987654321", "001234567", "solicitud"):
        assert trace not in everything, trace
    assert [path for path in bot.storage_dir.rglob("*") if path.is_file()] == []
    assert newcomer.id not in bot.application.user_data


async def test_mydata_shows_the_phone_board_uploads_and_invitations(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    await upload_to_the_first_item(newcomer, PDF, "solicitud.pdf")
    await newcomer.sends("/invite")
    await newcomer.sends("/mydata")
    shown = newcomer.last_text
    assert "Mujeres Emprendedoras del Callao" in shown
    assert "+51 987 654 321" in shown
    assert "Carmen Rojas Pérez" in shown and "****4567" in shown and "001234567" not in shown
    assert "solicitud.pdf" in shown
    assert "1 invitación que creaste" in shown


async def test_old_and_forged_buttons_get_an_alert_and_the_current_card(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.taps_data("org:bdoc:XX")                    # a document type that does not exist
    assert "ya no está activo" in (newcomer.last_alert or "")
    assert "Mujeres Emprendedoras del Callao" in newcomer.last_text   # the /myorg card
    await newcomer.taps_data("org:rmboard:99999")               # a board member that is gone
    assert "ya no está en la lista" in newcomer.last_text
    assert await board_names(bot) == ["Carmen Rojas Pérez"]
    await newcomer.taps_data("consent:lang:fr")                 # a language the bot does not speak
    assert "ya no está activo" in (newcomer.last_alert or "")
    async with await bot.session() as session:
        person = await session.scalar(select(User).where(User.telegram_id == newcomer.id))
    assert person.language == "es"
    await newcomer.taps_data("nonsense:at:all")
    assert "ya no está activo" in (newcomer.last_alert or "")

    await consented(staff)
    await staff.taps_data("org:verify:99999")                   # an organization that is gone
    assert "ya no está activo" in (staff.last_alert or "") or "ya no existe" in staff.last_text


@pytest.mark.allow_errors
async def test_the_apology_is_in_the_persons_language(bot):
    async def broken(update, context):
        raise RuntimeError("a bug in a handler")

    bot.application.add_handler(CommandHandler("boom", broken), group=-7)
    english = bot.user(first_name="Mary", language_code="en")
    await english.sends("/boom")
    assert any("Sorry, something failed on my side" in t for t in english.texts_since_last_action)


async def test_a_reminder_whose_message_could_not_be_put_together_is_retried_then_given_up(bot, newcomer):
    await consented(newcomer)
    failures = {"left": 1}

    @reminder_screens.builds("test:flaky")
    async def flaky(reminder, i18n, runtime):  # noqa: ANN001, ANN202
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("the database went away while rendering")
        return screen("a reminder that made it")

    @reminder_screens.builds("test:broken")
    async def broken(reminder, i18n, runtime):  # noqa: ANN001, ANN202
        raise ConnectionError("always")

    async with await bot.session() as session:
        person = await session.scalar(select(User).where(User.telegram_id == newcomer.id))
        for kind in ("test:flaky", "test:broken"):
            await engine.schedule(session, key=kind, recipient_id=person.id, kind=kind, due_at=bot.clock.now(), urgent=True)
    assert await bot.run_reminders() == 0                       # neither went out, nothing lost
    for _ in range(6):
        bot.clock.advance(timedelta(hours=2))
        await bot.run_reminders()
    assert "a reminder that made it" in newcomer.last_text
    async with await bot.session() as session:
        states = {r.key: (r.state, r.attempts) for r in await session.scalars(select(Reminder))}
    assert states["test:flaky"] == (ReminderState.SENT, 2)
    assert states["test:broken"] == (ReminderState.FAILED, 5)


async def test_who_withdraws_consent_from_mydata_or_erases_their_data_hands_their_seat_to_the_next_in_line(bot):
    from tests.test_trainings_crowd import crowd_before_a_session, place_in_line

    _session_id, (ana, bea, cai) = await crowd_before_a_session(bot, crowd=3, seats=1)
    for person in (ana, bea, cai):
        await person.taps("Enroll")
    assert place_in_line(cai) == 2

    await ana.sends("/mydata")                                          # withdrawing is as easy as consenting
    await ana.taps("Withdraw my consent")
    assert "give up your places in upcoming trainings" in ana.last_text
    await ana.taps("No, keep it")
    assert "your consent stays" in ana.last_text
    await ana.sends("/mydata")
    await ana.taps("Withdraw my consent")
    await ana.taps("Yes, withdraw it")
    assert "You withdrew your consent" in ana.last_text
    assert "I gave up your place in 1 upcoming training session" in ana.last_text
    await bot.run_reminders()                                           # the next in line is told at once
    assert "A seat freed up" in bea.last_text
    await bea.taps("Take the seat")
    assert "The seat is yours" in " ".join(bea.texts_since_last_action)

    await bea.sends("/deletedata")                                      # erased: her seat goes on too
    await bea.taps("Yes, erase my data")
    await bot.run_reminders()
    assert "A seat freed up" in cai.last_text
    assert "A seat freed up" not in " ".join(ana.texts_since_last_action)   # who withdrew hears nothing more
