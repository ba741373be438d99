"""Leaders say their sex and nationality only if they wish (asked once after their first seat in
a training, always changeable in /correct), /mydata shows what they said, and the programme's
totals of leaders trained by sex and nationality count it, also after the person is erased."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.people.models import Nationality, Sex, User
from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession
from tests.flows import consented, register_organization
from tests.test_staff_console import make_coordinator

ASKED = "solo si quieres"
CARMEN_DE_LA_LEGUA = "070103"


async def a_session(bot) -> int:
    now = bot.clock.now()
    async with await bot.session() as session:
        training = TrainingSession(topic="leadership", title="Liderazgo comunitario", starts_at=now + timedelta(days=3),
                                   ends_at=now + timedelta(days=3, hours=2), venue="Local comunal", capacity=10, created_at=now)
        session.add(training)
        await session.flush()
        return training.id


async def everyone_attended(bot, session_id: int) -> None:
    async with await bot.session() as session:
        await session.execute(update(Enrollment).where(Enrollment.session_id == session_id)
                              .values(state=EnrollmentState.ATTENDED, attended_at=bot.clock.now()))


async def declared(bot, telegram_id: int) -> tuple[Sex | None, Nationality | None]:
    async with await bot.session() as session:
        return tuple((await session.execute(select(User.sex, User.nationality).where(User.telegram_id == telegram_id))).one())


async def indicators(staff) -> dict[str, object]:
    """The indicator sheet's rows on people trained, since the start."""
    await staff.sends("/indicadores")
    await staff.taps("Desde el inicio")
    sheet = load_workbook(io.BytesIO(staff.documents[-1].content))["Indicadores"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)
            if str(row[0]).startswith("Personas capacitadas")}


async def test_leaders_say_it_after_their_first_seat_or_in_correct_and_the_trained_totals_count_it_even_after_erasure(bot, newcomer, staff):
    session_id = await a_session(bot)
    pedro, rosa = bot.user(first_name="Pedro", language_code="es"), bot.user(first_name="Rosa", language_code="es")
    for person in (newcomer, pedro, rosa):
        await consented(person)
    await register_organization(newcomer)                                 # in Carmen de la Legua Reynoso, Callao
    # Rosa says it first in /correct: enrolling does not ask her again.
    await rosa.sends("/corregir")
    await rosa.taps("✏️ Sexo y nacionalidad")
    await rosa.taps("Prefiero no decirlo")
    await rosa.taps("Peruana")
    assert "Guardé: Prefiero no decirlo · Peruana" in rosa.last_text

    for person in (newcomer, pedro, rosa):
        await person.sends(f"/start training_{session_id}")
        await person.taps("Inscribirme")
    assert ASKED in newcomer.last_text and "Prefiero no decirlo" in newcomer.buttons and "⏭ Saltar" in newcomer.buttons
    assert ASKED not in " ".join(rosa.texts_since_last_action)
    await newcomer.taps("Mujer")
    await bot.restart()                                                   # the first answer is kept; the buttons still work
    await newcomer.taps("Venezolana")
    assert "Guardé: Mujer · Venezolana" in newcomer.last_text
    await pedro.taps("⏭ Saltar")                                          # Pedro skips: nothing is kept
    assert "no guardé nada" in pedro.last_text
    assert await declared(bot, pedro.id) == (None, None)
    await newcomer.sends(f"/start training_{await a_session(bot)}")       # another seat never asks again
    await newcomer.taps("Inscribirme")
    assert ASKED not in " ".join(newcomer.texts_since_last_action)

    await newcomer.sends("/misdatos")
    assert "Sexo: Mujer · Nacionalidad: Venezolana" in newcomer.last_text
    data = json.loads(next(f.content for f in newcomer.documents if f.file_name.endswith(".json")))
    assert (data["records"]["users"][0]["sex"], data["records"]["users"][0]["nationality"]) == ("female", "venezuelan")

    await everyone_attended(bot, session_id)
    before = await indicators(staff)
    assert before["Personas capacitadas"] == 3
    # Only Ana leads an organization: Pedro and Rosa are other members, not "leaders trained".
    assert (before["Personas capacitadas: dirigentes de una organización"], before["Personas capacitadas: otros miembros"]) == (1, 2)
    by_sex = {group: before[f"Personas capacitadas: {group}"] for group in ("mujeres", "hombres", "otro", "sexo sin indicar")}
    by_nationality = {group: before[f"Personas capacitadas: {group}"]
                      for group in ("venezolanos", "peruanos", "otras nacionalidades", "nacionalidad sin indicar")}
    assert by_sex == {"mujeres": 1, "hombres": 0, "otro": 0, "sexo sin indicar": 2}       # Pedro skipped, Rosa preferred not to say
    assert by_nationality == {"venezolanos": 1, "peruanos": 1, "otras nacionalidades": 0, "nacionalidad sin indicar": 1}
    assert all(isinstance(value, int) for value in (*by_sex.values(), *by_nationality.values()))
    topic = next(key for key in before if str(key).endswith(", mujeres"))
    assert before[topic] == 1
    await staff.sends("/estadisticas")
    assert "mujeres: 1 · sexo sin indicar: 2" in " ".join(staff.texts_since_last_action)

    luis = bot.user(first_name="Luis", language_code="es")               # follows Ana's district only
    await make_coordinator(bot, luis, [CARMEN_DE_LA_LEGUA])
    scoped = await indicators(luis)
    assert (scoped["Personas capacitadas"], scoped["Personas capacitadas: mujeres"]) == (1, 1)
    assert scoped["Personas capacitadas: sexo sin indicar"] == 0 and scoped["Personas capacitadas: otros miembros"] == 0

    await newcomer.sends("/borrardatos")
    await newcomer.taps("Sí, borrar mis datos")
    assert await indicators(staff) == before                               # the totals outlive the erasure
    assert await indicators(luis) == scoped                               # her tallies keep her district


async def test_answering_again_replaces_it_and_a_forged_answer_changes_nothing(bot, newcomer):
    await consented(newcomer)
    await newcomer.sends("/corregir")
    assert "Sexo: no lo dijiste · Nacionalidad: no lo dijiste" in newcomer.last_text
    await newcomer.taps("✏️ Sexo y nacionalidad")
    await newcomer.taps("Hombre")
    await newcomer.taps("Peruana")
    await newcomer.taps_data("me:sex:female")                              # an older message's button, pressed again
    assert await declared(bot, newcomer.id) == (Sex.FEMALE, Nationality.PERUVIAN)
    for forged in ("me:sex:nonbinary", "me:nat:" + "x" * 40, "me:sex:"):
        await newcomer.taps_data(forged)
        assert "ya no está activo" in newcomer.last_alert, forged
        assert "Corrige tus datos" in newcomer.last_text                   # the current card instead
    assert await declared(bot, newcomer.id) == (Sex.FEMALE, Nationality.PERUVIAN)


async def test_in_the_playground_jorge_and_yohana_said_it_and_rosa_is_asked_at_her_next_seat(bot, staff):
    from bot.playground import seed

    await seed.seed(bot.runtime)
    await seed.seed(bot.runtime)                                           # changes nothing anyone said
    luis = bot.user(seed.COORDINATOR.telegram_id, first_name="Luis", language_code="es")
    await luis.sends("/sesiones")
    await luis.taps("Cultura")
    await luis.taps("👥 Listas")
    await luis.taps("Presente: Jorge")
    await luis.taps("Presente: Yohana")
    await luis.taps("Presente: Rosa")
    await staff.sends("/estadisticas")
    assert "mujeres: 1 · hombres: 1 · sexo sin indicar: 1" in " ".join(staff.texts_since_last_action)
    rosa = bot.user(seed.LEADER.telegram_id, first_name="Rosa", language_code="es")
    await rosa.sends("/capacitaciones")
    await rosa.taps("Protección de datos")
    await rosa.taps("Inscribirme")
    assert ASKED in rosa.last_text
