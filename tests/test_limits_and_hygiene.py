"""Everything fits Telegram's limits, and what people type is stored clean.

A board of thirty makes a summary longer than one message: it arrives in parts, the buttons on
the last, and the board can be confirmed and then paged through in /myorg. Bidi overrides,
NUL and zero-width characters never reach the database or staff's lists; a name made only of
invisible characters is refused with a message that says so.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.textlimits import MESSAGE_LIMIT, page_of, split_message, utf16_length, visible_length
from bot.core.validation import InvalidInput, clean_text, parse_text
from bot.organizations.models import BoardMember, Organization
from bot.people.models import User
from bot.playground.telegram_html import parse_html
from bot.ruos.models import ChecklistItem, ItemStatus
from handlers.common import edit_or_reply, keyboard
from tests.flows import consented, register_organization

BOARD_SIZE = 30
# Long but allowed names (the limit is 120): thirty of them make a card of about 5 000 characters.
LONG_NAME = "María Fernanda de los Ángeles Quispe Huamán de Rodríguez Villanueva Castillo Gutiérrez Pérez Núm. {number:02d}"
INVISIBLE_NAME = "\u200b\u200c\u200d\u2060\ufeff"


def member_name(number: int) -> str:
    return LONG_NAME.format(number=number)


# --- the pure pieces ------------------------------------------------------------------------------


def test_a_long_card_is_cut_between_lines_into_messages_that_each_parse_and_fit():
    lines = ["<b>Junta directiva</b>"] + [f"• <i>Presidencia</i>: {member_name(n)} &amp; co — DNI ****{n:04d}" for n in range(80)]
    text = "\n".join(lines)
    parts = split_message(text)
    assert len(parts) >= 2
    for part in parts:
        plain, _entities = parse_html(part)  # Telegram's own parser accepts every part
        assert utf16_length(plain) <= MESSAGE_LIMIT
    # Nothing lost, nothing cut inside a line.
    assert [line for part in parts for line in part.split("\n")] == lines


def test_tags_open_across_a_cut_are_closed_and_opened_again():
    text = "<blockquote>" + "\n".join(f"línea {n} " + "😀" * 30 for n in range(200)) + "</blockquote>"
    parts = split_message(text, limit=1000)
    assert len(parts) > 2
    for part in parts:
        assert part.startswith("<blockquote>") and part.endswith("</blockquote>")
        plain, _entities = parse_html(part)
        assert utf16_length(plain) <= 1000  # emoji count twice, as Telegram counts them


def test_a_single_line_longer_than_a_message_is_cut_between_words_then_characters():
    text = "<b>" + "palabra " * 700 + "</b>\n" + "x" * 5000
    parts = split_message(text)
    assert all(visible_length(part) <= MESSAGE_LIMIT for part in parts)
    for part in parts:
        parse_html(part)
    assert sum(part.count("x") for part in parts) == 5000


def test_a_short_text_is_left_alone():
    assert split_message("<b>Hola</b> &amp; adiós") == ["<b>Hola</b> &amp; adiós"]


def test_pages_cover_the_list_and_a_page_past_the_end_is_the_last():
    items = list(range(25))
    assert page_of(items, 1, size=10).items == list(range(10))
    last = page_of(items, 9, size=10)
    assert (last.number, last.count, list(last.items), last.next, last.previous) == (3, 3, [20, 21, 22, 23, 24], None, 2)
    assert page_of([], 1, size=10).count == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Mujeres\u202e Emprendedoras\x00 del Callao", "Mujeres Emprendedoras del Callao"),
        ("\u2066Ana\u2069  \u200bRojas\ufeff", "Ana Rojas"),
        ("Jose\u0301 Pe\u0301rez", "José Pérez"),  # NFC: one character for é, as typed elsewhere
        ("Olla\tcomún\r\nLos Jazmines\x1b", "Olla común Los Jazmines"),
    ],
)
def test_free_text_is_stored_nfc_without_controls_or_bidi_characters(typed, stored):
    assert parse_text(typed, field_max=120) == stored


def test_multi_line_text_keeps_its_line_breaks_but_not_its_controls():
    assert clean_text("Falta la firma\x00.\r\n\n\n\nY el sello\u202e.", multiline=True) == "Falta la firma.\n\nY el sello."


def test_a_name_made_only_of_invisible_characters_is_refused_with_its_own_message():
    with pytest.raises(InvalidInput) as refused:
        parse_text(INVISIBLE_NAME, field_max=120)
    assert "invisible" in refused.value.message
    with pytest.raises(InvalidInput) as empty:
        parse_text("   ", field_max=120)
    assert "empty" in empty.value.message


# --- the emulator holds the bot to Telegram's limits ------------------------------------------------------


async def test_the_emulator_refuses_what_telegram_refuses(emulator):
    ana = emulator.user()
    async with Bot("123:TEST", base_url=emulator.base_url, base_file_url=emulator.base_file_url) as bot:
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(ana.id, "<b>a</b>" * (MESSAGE_LIMIT + 1), parse_mode=ParseMode.HTML)
        assert emulator.calls[-1].error == "Bad Request: message is too long"
        buttons = [[InlineKeyboardButton(str(n), callback_data=str(n))] for n in range(101)]
        with pytest.raises(BadRequest):
            await bot.send_message(ana.id, "101", reply_markup=InlineKeyboardMarkup(buttons))
        assert emulator.calls[-1].error == "Bad Request: reply markup is too long"
        await bot.send_message(ana.id, "100", reply_markup=InlineKeyboardMarkup(buttons[:100]))


# --- through the chat -----------------------------------------------------------------------------------


async def register_with_a_big_board(leader) -> None:
    await leader.sends("/register")
    await leader.sends("Asociación de Vecinos Venezolanos y Peruanos de San Juan de Lurigancho")
    await leader.taps("OSB")
    await leader.sends("carmen legua")
    await leader.taps("Carmen de la Legua Reynoso")
    await leader.sends("Av. Argentina 1234")
    await leader.sends("2021")
    for count in ("10", "20", "0"):
        await leader.sends(count)
    await leader.taps("Salud")
    await leader.taps("Listo")
    await leader.sends("987654321")
    for number in range(1, BOARD_SIZE + 1):
        await leader.taps("Presidencia" if number == 1 else "Otro cargo")
        await leader.sends(member_name(number))
        await leader.taps("DNI")
        await leader.sends(f"4{number:07d}")
        await leader.taps("Esa es toda la junta" if number == BOARD_SIZE else "Agregar otro miembro")
    await leader.sends("01/02/2025")
    await leader.sends("31/01/2027")


async def test_a_leader_confirms_a_board_of_thirty_and_pages_through_it_in_myorg(bot, newcomer):
    await consented(newcomer)
    await register_with_a_big_board(newcomer)

    # The summary is longer than one message: it comes in parts, the buttons on the last.
    summary = [message for message in newcomer.replies if message.get("text")]
    assert len(summary) >= 2
    assert all(utf16_length(message["text"]) <= MESSAGE_LIMIT for message in summary)
    assert "Revisa tus respuestas" in summary[0]["text"]
    assert all("reply_markup" not in message for message in summary[:-1])
    assert "Periodo de la junta" in summary[-1]["text"]
    shown = "\n".join(message["text"] for message in summary)
    assert all(member_name(number) in shown for number in range(1, BOARD_SIZE + 1))

    # Correcting the board before sending: its list pages too, and the summary comes back whole.
    await newcomer.taps("Editar un dato")
    await newcomer.taps("Junta directiva")
    assert "Pág. 1/3" in newcomer.buttons and sum(label.startswith("❌") for label in newcomer.buttons) == 10
    await newcomer.taps("▶️")
    assert "Pág. 2/3" in newcomer.buttons
    assert newcomer.buttons[0].startswith("❌ 11. María Fernanda")
    await newcomer.taps("Volver al resumen")
    assert len(newcomer.replies) == len(summary)
    await newcomer.taps("Confirmar y enviar")
    assert "quedó registrada" in newcomer.last_text

    async with await bot.session() as session:
        board = (await session.scalars(select(BoardMember).order_by(BoardMember.position))).all()
        assert [member.full_name for member in board] == [member_name(n) for n in range(1, BOARD_SIZE + 1)]

    await newcomer.sends("/myorg")
    assert len(newcomer.replies) >= 2  # the card is as long as the summary was
    assert newcomer.buttons == ["✏️ Editar un dato", "👥 Dirigentes"]
    await newcomer.taps("Editar un dato")
    await newcomer.taps("Junta directiva")
    assert "Pág. 1/3" in newcomer.buttons and "◀️" not in newcomer.buttons
    assert sum(label.startswith("❌") for label in newcomer.buttons) == 10
    await newcomer.taps("▶️")
    assert "Pág. 2/3" in newcomer.buttons and "◀️" in newcomer.buttons
    await newcomer.taps("▶️")
    assert "Pág. 3/3" in newcomer.buttons and "▶️" not in newcomer.buttons
    assert any("****0030" in label for label in newcomer.buttons)
    await newcomer.taps("****0030")  # remove the last member, from the last page
    assert "Pág. 3/3" in newcomer.buttons and not any("****0030" in label for label in newcomer.buttons)
    async with await bot.session() as session:
        assert len((await session.scalars(select(BoardMember))).all()) == BOARD_SIZE - 1


async def test_bidi_overrides_and_nul_are_stored_clean_and_never_reach_staff(bot, staff):
    leader = bot.user(first_name="Ana\u202e", last_name="Rojas\x00", language_code="es")
    await consented(leader)
    await register_organization(leader, name="Mujeres\u202e Emprendedoras\x00 del Callao")
    async with await bot.session() as session:
        organization = await session.scalar(select(Organization))
        assert organization.name == "Mujeres Emprendedoras del Callao"
        person = await session.scalar(select(User).where(User.telegram_id == leader.id))
        assert person.display_name == "Ana Rojas"

    await consented(staff)
    await staff.sends("/pending")
    assert any("Mujeres Emprendedoras" in label for label in staff.buttons)
    assert not any("\u202e" in label for label in staff.buttons)
    await staff.taps("Mujeres Emprendedoras")
    assert "\u202e" not in staff.last_text and "\x00" not in staff.last_text

    # A staff comment is free text too; its line breaks stay, for the leaders to read as written.
    await staff.taps("Necesita cambios")
    await staff.sends("Falta\x00 la firma\u202e del acta.\r\n\n\n\nY el sello\u200b de la presidenta.")
    assert "Falta la firma del acta.\n\nY el sello de la presidenta." in leader.last_text
    async with await bot.session() as session:
        organization = await session.scalar(select(Organization))
        assert organization.status_comment == "Falta la firma del acta.\n\nY el sello de la presidenta."


async def test_a_name_made_only_of_invisible_characters_is_refused_and_asked_again(bot, newcomer):
    await consented(newcomer)
    await newcomer.sends("/register")
    await newcomer.sends(INVISIBLE_NAME)
    assert "caracteres invisibles" in newcomer.last_text
    assert "¿Cuál es el nombre de tu organización?" in newcomer.last_text
    await newcomer.sends("Club de Madres Santa Rosa")
    assert "¿Qué tipo de organización es?" in newcomer.last_text


async def test_a_new_board_member_named_only_with_invisible_characters_is_refused_in_myorg(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.sends("/myorg")
    await newcomer.taps("Editar un dato")
    await newcomer.taps("Junta directiva")
    await newcomer.taps("Agregar un miembro")
    await newcomer.taps("Tesorería")
    await newcomer.sends(INVISIBLE_NAME)
    assert "caracteres invisibles" in newcomer.last_text
    assert "nombre completo del nuevo miembro" in newcomer.last_text
    await newcomer.sends("María\u202e Quispe")
    await newcomer.taps("DNI")
    await newcomer.sends("45678912")
    async with await bot.session() as session:
        names = (await session.scalars(select(BoardMember.full_name))).all()
        assert "María Quispe" in names


async def test_staff_page_through_a_long_pending_list(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    async with await bot.session() as session:
        first = await session.scalar(select(Organization))
        for number in range(2, 24):
            session.add(Organization(
                name=f"Olla Común {number:02d}", kind=first.kind, district_ubigeo=first.district_ubigeo,
                address=first.address, founded_year=2021, members_peruvian=1, members_venezuelan=1, members_other=0,
                focus_areas=first.focus_areas, contact_phone=first.contact_phone,
                board_term_start=first.board_term_start, board_term_end=first.board_term_end,
                status=first.status, created_at=first.created_at, updated_at=first.updated_at,
            ))
        await session.commit()
    await consented(staff)
    await staff.sends("/pending")
    assert "Pág. 1/3" in staff.buttons
    await staff.taps("▶️")
    await staff.taps("▶️")
    assert "Pág. 3/3" in staff.buttons
    assert len(staff.buttons) == 3 + 2  # the last three, ◀️ and where one is


async def test_staff_page_through_a_long_review_list(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    async with await bot.session() as session:
        organization = await session.scalar(select(Organization))
        for number in range(1, 24):
            when = organization.created_at + timedelta(minutes=number)
            session.add(ChecklistItem(
                organization_id=organization.id, procedure_code="ruos-callao", item_code=f"documento-{number:02d}",
                status=ItemStatus.UPLOADED, revision=1, uploaded_at=when, updated_at=when,
            ))
        await session.commit()
    await consented(staff)
    await staff.sends("/review")
    assert "1. Mujeres Emprendedoras del Callao — documento-01" in staff.last_text
    assert "Pág. 1/3" in staff.buttons and sum(label[0].isdigit() for label in staff.buttons) == 10
    await staff.taps("▶️")
    await staff.taps("▶️")
    assert "21. Mujeres Emprendedoras del Callao — documento-21" in staff.last_text
    assert "documento-20" not in staff.last_text
    assert "Pág. 3/3" in staff.buttons and "▶️" not in staff.buttons
    await staff.taps("◀️")
    assert "11. Mujeres" in staff.last_text


async def test_a_text_too_long_to_edit_in_place_replaces_the_message_with_its_first_part_and_sends_the_rest():
    edits, sent = [], []

    class Query:
        message = SimpleNamespace(text="old", text_html="old", reply_markup=None, chat=SimpleNamespace(id=7))

        async def edit_message_text(self, text, reply_markup=None):
            edits.append((text, reply_markup))

    class FakeBot:
        async def send_message(self, chat_id, text, reply_markup=None):
            sent.append((chat_id, text, reply_markup))

    markup = keyboard([[("OK", "x:ok")]])
    update = SimpleNamespace(callback_query=Query(), effective_chat=SimpleNamespace(id=7))
    text = "\n".join(f"<b>{n}</b> " + "x" * 300 for n in range(40))
    await edit_or_reply(update, SimpleNamespace(bot=FakeBot()), text, reply_markup=markup)

    assert len(edits) == 1 and edits[0][1] is None  # the old message keeps no buttons
    assert len(sent) >= 2 and sent[-1][2] is markup and all(m is None for _chat, _text, m in sent[:-1])
    parts = [edits[0][0], *(text for _chat, text, _markup in sent)]
    assert "\n".join(parts) == text


def test_a_label_that_must_be_shortened_ends_in_an_ellipsis_at_a_word_boundary():
    from bot.core.textlimits import shorten

    assert shorten("Asociación de Mujeres Emprendedoras de Canto Grande", 40) == "Asociación de Mujeres Emprendedoras de…"
    assert shorten("Comedor Popular", 40) == "Comedor Popular"                     # short enough: untouched
    assert shorten("Supercalifragilisticexpialidocious-organization", 20) == "Supercalifragilisti…"  # one long word
    assert len(shorten("a " * 100, 30)) <= 30
