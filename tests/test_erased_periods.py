"""After someone exercises their right to erasure, the programme's figures for *every* period
the console offers stay what they were: this month, last month, this year and since the start
(the tallies keep the month of what they count: bot/console/console.py)."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import update

from bot.trainings.models import Enrollment, EnrollmentState
from tests.flows import consented, register_organization
from tests.test_staff_console import a_funded_project_with_an_approved_report_and_a_proposal
from tests.test_trained_demographics import a_session

PERIODS = ("Este mes", "Mes pasado", "Este año", "Desde el inicio")


async def attends(bot, person, session_id: int) -> None:
    await person.sends(f"/start training_{session_id}")
    await person.taps("Inscribirme")
    async with await bot.session() as session:
        await session.execute(update(Enrollment).where(Enrollment.session_id == session_id)
                              .values(state=EnrollmentState.ATTENDED, attended_at=bot.clock.now()))


async def every_sheet(staff) -> dict[str, dict[str, object]]:
    sheets = {}
    for period in PERIODS:
        await staff.sends("/indicadores")
        await staff.taps(period)
        sheet = load_workbook(io.BytesIO(staff.documents[-1].content))["Indicadores"]
        # (A split with nobody in it may be listed with 0 or not at all.)
        sheets[period] = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[1] != 0}
    return sheets


async def test_every_periods_figures_stay_after_an_erasure(bot, newcomer, staff):
    pedro = bot.user(first_name="Pedro", language_code="es")
    for person in (newcomer, pedro, staff):
        await consented(person)
    await register_organization(newcomer)                                  # 23 November
    await a_funded_project_with_an_approved_report_and_a_proposal(bot)    # its report: January to June
    await attends(bot, newcomer, await a_session(bot))                     # trained in November…
    bot.clock.advance(timedelta(days=12))                                  # 5 December
    await attends(bot, newcomer, await a_session(bot))                     # …and in December
    await attends(bot, pedro, await a_session(bot))

    before = await every_sheet(staff)
    await newcomer.sends("/deletedata")
    await newcomer.taps("Sí, borrar mis datos")
    after = await every_sheet(staff)

    for period in PERIODS:
        assert after[period] == before[period], period
    # And the figures are the ones each period should have (so the comparison is not empty).
    trained = {period: before[period]["Personas capacitadas"] for period in PERIODS}
    assert trained == {"Este mes": 2, "Mes pasado": 1, "Este año": 2, "Desde el inicio": 2}
    new = {period: before[period].get("Organizaciones nuevas en el periodo", 0) for period in PERIODS}
    assert new == {"Este mes": 0, "Mes pasado": 1, "Este año": 1, "Desde el inicio": 1}
    assert before["Este año"]["Personas alcanzadas"] == 15 and "Personas alcanzadas" not in before["Mes pasado"]
