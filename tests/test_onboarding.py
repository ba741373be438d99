"""A newcomer meets the bot: the data notice, consent, language, help and cancel."""

from __future__ import annotations

from sqlalchemy import select

from bot.people.models import Role, User
from tests.flows import consented


async def person(bot, telegram_id: int) -> User | None:
    async with await bot.session() as session:
        return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def test_a_newcomer_is_greeted_in_spanish_and_accepts_the_notice(bot, newcomer):
    await newcomer.sends("/start")
    assert "Voces" in newcomer.last_text
    assert "fuera del Perú" in newcomer.last_text          # Telegram stores chats abroad
    assert "/borrardatos" in newcomer.last_text

    await newcomer.taps("✅ Acepto")
    assert "/registrar" in newcomer.last_text
    stored = await person(bot, newcomer.id)
    assert stored.has_consented and stored.display_name == "Carmen Rojas"
    assert stored.language == "es"


async def test_an_english_speaker_reads_the_full_notice_and_accepts(bot):
    maya = bot.user(first_name="Maya", language_code="en-US")
    await maya.sends("/start")
    assert "Before we start: your data" in maya.last_text

    await maya.taps("Read more")
    assert "Ley 29733" in maya.last_text
    assert "http" not in maya.last_text                    # the notice carries no links

    await maya.taps("✅ I accept")
    assert "register your organization" in maya.last_text
    assert (await person(bot, maya.id)).has_consented


async def test_declining_keeps_no_name_and_says_what_still_works(bot, newcomer):
    await newcomer.sends("/start")
    await newcomer.taps("No acepto")
    assert "/ayuda" in newcomer.last_text and "/start" in newcomer.last_text
    stored = await person(bot, newcomer.id)
    assert not stored.has_consented and stored.display_name is None

    await newcomer.sends("/register")
    assert "aceptar" in newcomer.last_text.lower()


async def test_the_notice_switches_language_in_place(bot, newcomer):
    await newcomer.sends("/start")
    await newcomer.taps("English")
    assert "Before we start: your data" in newcomer.last_text
    assert (await person(bot, newcomer.id)).language == "en"


async def test_language_command_changes_the_language_and_the_menu(bot, newcomer):
    await newcomer.sends("/language")
    await newcomer.taps("English")
    assert "I will speak English" in newcomer.last_text
    await newcomer.sends("/help")
    assert "Register your organization" in newcomer.last_text
    assert newcomer.commands["register"] == "Register your organization"


async def test_help_lists_staff_commands_only_for_staff(bot, newcomer, staff):
    await newcomer.sends("/help")
    assert "/registrar" in newcomer.last_text and "/pendientes" not in newcomer.last_text
    await staff.sends("/ayuda")                            # the Spanish name works too
    assert "/pendientes" in staff.last_text
    assert (await person(bot, staff.id)).role is Role.STAFF
    # The menu beside the text box too, from the first message on.
    assert "pendientes" in staff.commands and "registrar" in staff.commands
    assert "pendientes" not in newcomer.commands


async def test_cancel_outside_a_flow_says_there_is_nothing_to_cancel(bot, newcomer):
    await newcomer.sends("/cancel")
    assert "nada que cancelar" in newcomer.last_text.lower()


async def test_text_stickers_and_files_outside_a_flow_get_a_helpful_answer(bot, newcomer):
    await newcomer.sends("hola, buenas tardes")
    assert "primero tienes que aceptar" in newcomer.last_text    # nothing is taken before consent
    await consented(newcomer)
    await newcomer.sends("hola, buenas tardes")
    assert "/ayuda" in newcomer.last_text
    await newcomer.uploads_sticker()
    assert "sticker" in newcomer.last_text.lower()
    await newcomer.uploads_document(b"%PDF-1.4 test", "acta.pdf", "application/pdf")
    assert "/ruos" in newcomer.last_text
    await newcomer.sends("/frobnicate")
    assert "no conozco ese comando" in newcomer.last_text.lower()


async def test_a_person_sees_and_erases_their_data(bot, newcomer):
    await newcomer.sends("/start")
    await newcomer.taps("✅ Acepto")
    await newcomer.sends("/mydata")
    assert "Carmen Rojas" in newcomer.last_text
    await newcomer.sends("/deletedata")
    await newcomer.taps("Sí, borrar mis datos")
    assert "borrados" in newcomer.last_text
    assert await person(bot, newcomer.id) is None


async def test_the_menu_is_set_per_language_at_start(bot, emulator):
    spanish = bot.user(language_code="es")
    english = bot.user(language_code="en")
    assert spanish.commands["registrar"] == "Registrar tu organización"
    assert english.commands["register"] == "Register your organization"


async def test_commands_answer_to_their_spanish_names_and_spanish_texts_name_them(bot, newcomer):
    await consented(newcomer)
    assert "/registrar" in newcomer.last_text and "/register " not in newcomer.last_text
    await newcomer.sends("/registrar")                          # the Spanish name starts the flow
    assert "nombre" in newcomer.last_text.lower()
    await newcomer.sends("/cancelar")
    assert "/registrar" in newcomer.last_text                   # "send /registrar to go on"
    english = bot.user(first_name="Mary", language_code="en")
    await consented(english)
    await english.sends("/ayuda")                               # both names work for everyone
    assert "/register — Register your organization" in english.last_text
    assert english.commands["register"] == "Register your organization"
