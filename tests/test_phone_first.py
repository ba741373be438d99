"""Phone first: what a person sees fits and reads well on a 390-pixel screen.

The row rule (bot/core/textlimits.py: a row of k buttons shows labels of 32/k − 2 characters) is
checked on every keyboard of every story by the `bot` fixture (tests/conftest.py); here the
playground's demo people walk the main screens in Spanish, as the issue was found, and the
rest of what a phone needs is checked: charts one per image and portrait, identity numbers
gone from the chat once stored, cut texts that never form a broken command or link.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import update

from bot.core.config import load_settings
from bot.core.textlimits import cut_labels, excerpt, fit_rows, shorten
from bot.documents import charts
from bot.people.models import Sex, User
from bot.playground import seed
from bot.playground.server import Playground
from handlers.channels import ChannelsInLoop
from tests.flows import consented, register_organization
from tests.harness import labels_cut_on_a_phone

pytestmark = pytest.mark.timeout(240)


def test_the_row_rule_puts_long_labels_on_rows_of_their_own():
    roles = ["▫️ dirigente", "▫️ coordinador(a)", "▫️ personal del programa"]
    assert cut_labels([roles]) != []  # as the audience picker had them: "dirige…", "coordi…"
    laid = fit_rows([roles])
    assert cut_labels(laid) == [] and [label for row in laid for label in row] == roles
    assert fit_rows([["◀️", "Pág. 2/3", "▶️"]]) == [["◀️", "Pág. 2/3", "▶️"]]  # what fits stays


def test_a_cut_text_never_ends_in_half_a_command_or_a_link():
    # A broadcast card showed "…escribe /c" and tapping it answered "No conozco ese comando".
    for text in ("Para salir escribe /cancelar", "Inscríbete en https://voces.example.org/taller", "Pregunta a @voces_bot"):
        for limit in range(8, len(text)):
            cut = shorten(text, limit)
            last = (cut.removesuffix("…").split() or [""])[-1]
            if last.startswith(("/", "@", "http")):
                assert last in text.split(), f"{cut!r} ends in half a command or link"
    assert excerpt("<b>Taller</b> el sábado &amp; domingo: /inscribirme", 27) == "Taller el sábado & domingo…"


def test_a_chart_is_portrait_one_to_an_image_and_keeps_its_labels_whole():
    panels = [charts.Bars("Beneficiarios por nacionalidad y sexo", [("Otras nacionalidades, mujeres", 12), ("Venezolana, hombres", 40)]),
              charts.StackedBars("Dirigentes capacitados por tema y sexo", ["Mujeres", "Hombres"],
                                 [("Liderazgo y gestión de organizaciones sociales de base", [5, 3])])]
    for panel, image in zip(panels, charts.phone_charts(panels, empty="Aún no hay datos"), strict=True):
        width, height = Image.open(io.BytesIO(image)).size
        assert height > width >= 1000
        drawn = " ".join(text.get_text().replace("\n", " ") for text in charts.phone_figure(panel, empty="").findobj(lambda a: hasattr(a, "get_text")))
        assert all(label in drawn for label, _values in panel.bars), drawn


async def test_an_identity_number_leaves_the_chat_once_it_is_stored(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer, number="001234567")
    typed = [m for m in newcomer.chat.messages.values() if not m.from_bot and m.data.get("text") == "001234567"]
    assert typed and all(message.deleted for message in typed)
    assert any("borré de este chat tu mensaje con el número" in (m.get("text") or "") for m in newcomer.messages)


async def test_the_demo_people_walk_the_main_screens_and_no_label_is_cut_on_a_phone(tmp_path: Path):
    settings = load_settings(_env_file=None)
    async with Playground(settings, bot=ChannelsInLoop(), port=0, data_dir=tmp_path / "playground") as playground:
        emulator = playground.emulator
        rosa = emulator.user(seed.LEADER.telegram_id)
        for command in ("/miorg", "/ruos", "/proyectos", "/capacitaciones", "/miscapacitaciones", "/informe"):
            await rosa.sends(command)
        assert any("Informe" in label and "vence" in label for label in rosa.buttons), rosa.buttons  # number and date

        luis = emulator.user(seed.COORDINATOR.telegram_id)
        await luis.sends("/sesiones")
        await luis.taps(luis.buttons[0])
        await luis.sends("/sesiones")
        await luis.taps("➕ Nueva sesión")  # a new session from the list, not only from /nuevacapacitacion
        assert "tema" in luis.last_text.lower(), luis.last_text
        await luis.sends("/cancelar")
        await luis.sends("/difundir")
        await luis.taps("👥 Para quién")
        await luis.taps("📋 Por etapa RUOS")  # the picker's first screen: kinds of choice, each a screen of its own
        picker = [button["text"] for row in luis.last_message["reply_markup"]["inline_keyboard"] for button in row]
        assert "▫️ RUOS: en preparación" in picker, picker

        carmen = emulator.user(seed.STAFF.telegram_id)
        await carmen.sends("/ajustes")
        for picker in ("🌙 Horas de silencio", "🌐 Idioma"):  # every picker has a way back to the card
            await carmen.taps(picker)
            await carmen.taps("⬅️ Volver")
            assert "Tus ajustes" in carmen.last_text, carmen.last_text
        for command in ("/pendientes", "/propuestas"):
            await carmen.sends(command)
        await carmen.sends("/estadisticas")
        for _tick in range(100):  # drawing takes a moment, off the event loop, after the figures' text
            if len(photos := [m for m in carmen.messages if "photo" in m]) >= 2:
                break
            await asyncio.sleep(0.1)
        assert len(photos) >= 2 and all(m.get("caption") for m in photos)  # one chart each, each says what it shows
        for message in photos:
            content = emulator._files[message["photo"][-1]["file_id"]].content  # noqa: SLF001 - what the phone downloads
            width, height = Image.open(io.BytesIO(content)).size
            assert height > width, (width, height)

        assert labels_cut_on_a_phone(emulator) == []


async def test_a_message_that_speaks_to_the_person_agrees_with_the_sex_they_declared(bot):
    rosa = bot.user(first_name="Rosa", language_code="es")
    await consented(rosa)
    said = {}
    for sex in (Sex.FEMALE, Sex.MALE, Sex.UNSTATED, None):
        async with await bot.session() as session:
            await session.execute(update(User).where(User.telegram_id == rosa.id).values(sex=sex))
        await rosa.sends("/start")
        said[sex] = rosa.last_text.split("\n")[0]
    assert said == {Sex.FEMALE: "¡Bienvenida de nuevo, Rosa!", Sex.MALE: "¡Bienvenido de nuevo, Rosa!",
                    Sex.UNSTATED: "¡Hola de nuevo, Rosa!", None: "¡Hola de nuevo, Rosa!"}, said
