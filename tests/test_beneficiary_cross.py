"""People reached by nationality × sex × age group: a leader gives the ages of each sex, is told
which nationality and sex does not add up, and staff find the same numbers in the workbook's
cross, before and after the organization is erased; a draft begun when the ages were asked for
all sexes at once goes on."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
from openpyxl import load_workbook
from sqlalchemy import select

from bot.projects.models import ProjectReport, ReportStatus
from tests.flows import consented
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_projects import a_report, ages, funded_project, organization_of

CROSS = "Nationality × sex × age"
# A report approved before the ages were asked per sex: its ages are kept apart in the cross.
OLD_SHAPE = {"venezuelan": {"total": 3, "sex": {"female": 2, "male": 1, "unstated": 0}, "age": ages(1, 0, 2, 0)}}


def cross_of(content: bytes) -> dict[tuple[str, str], list[int]]:
    rows = load_workbook(io.BytesIO(content))[CROSS].iter_rows(min_row=2, values_only=True)
    return {(row[0], row[1]): list(row[2:7]) for row in rows if row and row[0] and isinstance(row[6], int)}


async def rosa_reports_the_people_she_reached(rosa) -> None:
    await rosa.sends("/report")
    await rosa.taps("report 1")
    for answer in ("05/12/2026", "Parque zonal", "Planting day"):
        await rosa.sends(answer)
    await rosa.taps("That is all")
    await rosa.sends("5")        # Peruvian people
    await rosa.sends("3 2 0")    # women, men, other or not stated
    assert "Peruvian women and girls (3): how many were 0–11, 12–17, 18–59 and 60 or more?" in rosa.last_text
    await rosa.sends("1 0 2 0")
    await rosa.sends("0 0 1 2")  # three ages for two men
    assert "Peruvian men and boys: their ages add up to 3, but you said there were 2." in rosa.last_text
    assert "You sent: 0 0 1 2" in rosa.last_text and "together make 2; for example 0 0 2 0" in rosa.last_text
    await rosa.sends("0 0 1 1")
    assert "How many Venezuelan people" in rosa.last_text  # nobody of other or unstated sex: not asked
    await rosa.sends("4")
    await rosa.sends("4 0 0")
    await rosa.sends("1 1 1 1")
    await rosa.sends("1")        # other nationalities
    await rosa.sends("0 0 1")
    assert "People of other nationalities, of other sex or not stated (1)" in rosa.last_text
    await rosa.sends("0 0 0 1")
    for answer in ("0", "Rain", "Start earlier"):
        await rosa.sends(answer)
    await rosa.taps("Done")
    assert "◦ male 2: 0–11: 0, 12–17: 0, 18–59: 1, 60 or more: 1" in rosa.last_text  # the card shows the cross
    await rosa.taps("Submit to the programme")


async def test_the_ages_of_each_sex_reach_the_workbook_cross_which_adds_up_and_outlives_erasure(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    project_id = await funded_project(bot, await organization_of(bot, rosa))
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await staff.sends("/start")
    await rosa_reports_the_people_she_reached(rosa)
    await staff.sends("/reportreview")
    await staff.taps("Huertos familiares")
    await staff.taps("Approve")
    report = await a_report(bot, project_id, 1)
    assert report.approved_beneficiaries["peruvian"]["sex_age"]["male"] == ages(0, 0, 1, 1)
    assert report.approved_beneficiaries["peruvian"]["age"] == ages(1, 0, 3, 1)  # the sum, for every reader of it
    async with await bot.session() as session:
        older = await session.scalar(select(ProjectReport).where(ProjectReport.project_id == project_id, ProjectReport.number == 2))
        older.status, older.version, older.approved_version, older.approved_beneficiaries = ReportStatus.APPROVED, 1, 1, OLD_SHAPE

    await rosa.taps("Get it as a PDF")
    pdf = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(rosa.documents[-1].content)).pages)
    assert "By sex and age" in pdf and "Peruvian, male" in pdf

    bot.clock.set(datetime(2027, 2, 15, 15, 0, tzinfo=UTC))  # both periods over: the figures count them
    await staff.sends("/export")
    cross = cross_of(staff.documents[-1].content)
    assert cross[("Peruvian", "female")] == [1, 0, 2, 0, 3]
    assert cross[("Peruvian", "male")] == [0, 0, 1, 1, 2]
    assert cross[("Venezuelan", "female")] == [1, 1, 1, 1, 4] and cross[("Venezuelan", "male")] == [0, 0, 0, 0, 0]
    assert cross[("Other nationalities", "other or not stated")] == [0, 0, 0, 1, 1]
    assert cross[("Venezuelan", "age not split by sex")] == [1, 0, 2, 0, 3]
    assert cross[("Total", None)] == [3, 1, 6, 3, 13]
    assert sum(row[4] for key, row in cross.items() if key[0] != "Total") == 5 + 4 + 1 + 3
    indicators = {row[0]: row[1] for row in load_workbook(io.BytesIO(staff.documents[-1].content))["Indicators"].iter_rows(values_only=True)}
    assert indicators["People reached"] == 13
    assert indicators["People reached: age not split by sex"] == 3
    # The per-project sheet has the cross too, the older report's ages in columns of their own.
    header, row = load_workbook(io.BytesIO(staff.documents[-1].content))["Beneficiaries"].iter_rows(max_row=2, values_only=True)
    per_project = dict(zip(header, row, strict=True))
    assert per_project["Peruvian / male / 18–59"] == per_project["Peruvian / male / 60 or more"] == 1
    assert per_project["Venezuelan / age not split by sex / 18–59"] == 2
    assert sum(n for name, n in per_project.items() if str(name).count(" / ") == 2) == per_project["People reached"] == 13
    await staff.sends("/proposals")                      # and so has the detail in the chat
    await staff.taps("People reached, in detail")
    assert "◦ male 2: 0–11: 0, 12–17: 0, 18–59: 1, 60 or more: 1" in staff.last_text
    assert "◦ age not split by sex 3: 0–11: 1, 12–17: 0, 18–59: 2, 60 or more: 0" in staff.last_text

    # Rosa, the only leader, erases her data and the organization with it: the cross stays.
    await rosa.sends("/deletedata")
    await rosa.taps("Yes, erase my data")
    async with await bot.session() as session:
        assert (await session.scalars(select(ProjectReport))).first() is None  # what remains are the anonymous tallies
    await staff.sends("/indicators")
    await staff.taps("Since the start")
    assert cross_of(staff.documents[-1].content) == cross


async def test_a_draft_left_at_the_older_all_ages_question_goes_on_per_sex_and_change_a_part_asks_the_people_again(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    project_id = await funded_project(bot, await organization_of(bot, rosa))
    await rosa.sends("/report")
    await rosa.taps("report 1")
    for answer in ("05/12/2026", "Parque zonal", "Planting day"):
        await rosa.sends(answer)
    await rosa.taps("That is all")
    for answer in ("0", "5", "3 2 0"):
        await rosa.sends(answer)
    # As a draft saved before this version stands: at "age:venezuelan", with no ages per sex.
    async with await bot.session() as session:
        report = await session.scalar(select(ProjectReport).where(ProjectReport.project_id == project_id, ProjectReport.number == 1))
        report.step = "age:venezuelan"
        report.beneficiaries = {**report.beneficiaries, "venezuelan": {"total": 5, "sex": {"female": 3, "male": 2, "unstated": 0}}}
    await bot.restart()
    await rosa.sends("1 1 2 1")  # the older question's answer: the ages of all five
    assert "I now ask the ages separately for each sex" in rosa.last_text
    assert "Venezuelan women and girls (3): how many were" in rosa.last_text
    await rosa.sends("1 1 1 0")
    assert "Venezuelan men and boys (2)" in rosa.last_text
    await rosa.sends("0 0 2 0")
    assert "How many people of other nationalities" in rosa.last_text
    venezuelan = (await a_report(bot, project_id, 1)).beneficiaries["venezuelan"]
    assert venezuelan["age"] == ages(1, 1, 3, 0) and venezuelan["sex_age"]["unstated"] == ages(0, 0, 0, 0)

    # On the card, "Change a part" → people asks them all again, the ages per sex with them.
    for answer in ("0", "0", "Rain", "Start earlier"):
        await rosa.sends(answer)
    await rosa.taps("Done")
    assert "People reached: 5" in rosa.last_text
    await rosa.taps("Change a part")
    await rosa.taps("People reached")
    for answer in ("0", "2", "0 2 0", "0 0 2 0", "0"):
        await rosa.sends(answer)
    assert "Please check the report" in rosa.last_text and "People reached: 2" in rosa.last_text
    assert "◦ male 2: 0–11: 0, 12–17: 0, 18–59: 2, 60 or more: 0" in rosa.last_text
