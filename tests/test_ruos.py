"""The RUOS checklist: a Callao organization goes from an empty checklist to registered, with
uploads, a staff review, status changes and reminders; staff reload the requirement files."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bot.core.i18n import translator
from bot.organizations.models import (
    BoardMember,
    BoardRole,
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
)
from bot.people.models import User
from bot.people.people import CONSENT_NOTICE_VERSION
from bot.ruos.models import (
    ChecklistItem,
    ItemStatus,
    RegistrationStage,
    RuosRegistration,
    StoredFile,
)
from bot.ruos.requirements import DEFAULT_DIRECTORY
from tests.flows import consented
from tests.harness import STAFF_TELEGRAM_ID

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def picture(colour: str, image_format: str = "PNG") -> bytes:
    """A real picture: the bot decodes every image it keeps (bot/core/uploads.py). A PNG made like
    this has no metadata, so the bot's clean copy of it is the same bytes."""
    out = io.BytesIO()
    Image.new("RGB", (48, 64), colour).save(out, format=image_format, optimize=True)
    return out.getvalue()


PAGES = [picture(colour) for colour in ("white", "ivory", "linen")]  # three pages of the minute book
JPEG = picture("beige", "JPEG")  # the minute book again, with the notary's stamp


def word_document(*, macros: bool = False) -> bytes:
    """A .docx as Word saves it, in the parts that tell what it is (with macros, a .docm's)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Acta de elección</w:document>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"Attribute VB_Name")
    return out.getvalue()


WORD = word_document()
TOO_LARGE = b"%PDF-1.4\n".ljust(21 * 1024 * 1024, b"0")  # over Telegram's 20 MB for bots

CARMEN_DE_LA_LEGUA = "070103"  # Callao: no list of its own, so the province's list applies
CALLAO_CERCADO = "070101"  # the Provincial Municipality's own district


async def organization_led_by(bot, leader, *, district: str = CARMEN_DE_LA_LEGUA, documents=("CE", "DNI"),
                              term_end: date = date(2027, 2, 28), name: str = "Mujeres Emprendedoras del Callao") -> int:
    """A registered organization whose leader (the simulated user) already consented."""
    now = bot.clock.now()
    cipher = bot.runtime.cipher
    async with await bot.session() as session:
        leader_row = User(
            telegram_id=leader.id, display_name=leader.first_name, language=leader.language_code[:2],
            consent_version=CONSENT_NOTICE_VERSION, consent_at=now, first_seen=now, last_seen=now,
        )
        organization = Organization(
            name=name, kind=OrganizationKind.OSB, district_ubigeo=district, address="Av. Argentina 1234",
            founded_year=2021, members_peruvian=12, members_venezuelan=25, focus_areas=["health"],
            contact_phone="+51987654321", board_term_start=date(2025, 3, 1), board_term_end=term_end,
            created_at=now, updated_at=now,
        )
        organization.board = [
            BoardMember(position=position, role=role, full_name=f"Member {position}", id_document_type=document,
                        id_number_encrypted=cipher.encrypt("001234567"))
            for position, (role, document) in enumerate(zip((BoardRole.PRESIDENT, BoardRole.TREASURER), documents, strict=False))
        ]
        session.add_all([leader_row, organization])
        await session.flush()
        session.add(Leadership(user_id=leader_row.id, organization_id=organization.id, role=LeaderRole.OWNER, joined_at=now))
        leader_row.active_organization_id = organization.id
        return organization.id


async def sends_a_document(leader, item: str, content: bytes, file_name: str) -> None:
    """The leader opens /ruos, uploads one PDF for `item` and sends it for review."""
    await leader.sends("/ruos")
    await leader.taps(item)
    await leader.taps("Upload")
    await leader.uploads_document(content, file_name, "application/pdf")
    await leader.taps("Done")


@pytest.fixture
def leader(bot):  # noqa: ANN201
    return bot.user(first_name="Carmen", language_code="en")


@pytest.fixture
async def staff_member(bot):  # noqa: ANN201
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff)
    return staff


async def test_a_callao_organization_goes_from_an_empty_checklist_to_registered(bot, leader, staff_member):
    organization_id = await organization_led_by(bot, leader)

    await leader.sends("/ruos")
    card = leader.last_text
    assert "Single Registry of Social Organizations (RUOS) of Callao" in card
    assert "Carmen de la Legua Reynoso has no list of its own" in card         # the fallback says so
    assert "Identity documents" in card and "Carné de extranjería (CE)" in card
    assert "not confirmed" in card and "is accepted" not in card
    assert card.index("Identity documents") < card.index("Request with sworn statement")   # early
    assert "Ready: 0%" in card
    assert "Next step: Send “Request with sworn statement”" in card

    # A PDF for the request.
    await leader.taps("Request with sworn")
    assert "sworn statement: whoever signs it" in leader.last_text
    await leader.taps("Upload")
    await leader.uploads_document(PDF, "solicitud.pdf", "application/pdf")
    assert "pages received: 1" in leader.last_text

    # What cannot be kept is refused with a reason, and the upload goes on.
    await leader.uploads_document(TOO_LARGE, "acta-escaneada.pdf", "application/pdf")
    assert "21 MB" in leader.last_text and "up to 20 MB" in leader.last_text
    await leader.uploads_document(WORD, "acta.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "PDF file or as photos" in leader.last_text
    await leader.uploads_document(b"", "vacio.pdf", "application/pdf")
    assert "empty" in leader.last_text
    await leader.taps("Done")
    assert "📤 Request with sworn statement — sent, waiting for the programme's review" in leader.last_text
    assert "Ready: 5%" in leader.last_text                                        # 1 of 9, half until checked

    # A three-photo album: one receipt, updated page by page.
    await leader.taps("Copy of the minute book")
    await leader.taps("Upload")
    await leader.uploads_album(PAGES)
    assert len(leader.replies) == 1
    assert "pages received: 3" in leader.last_text
    await leader.taps("Done")

    async with await bot.session() as session:
        files = (await session.scalars(select(StoredFile).order_by(StoredFile.id))).all()
        leader_id = await session.scalar(select(User.id).where(User.telegram_id == leader.id))
    assert [f.item_code for f in files] == ["solicitud-dj", "libro-actas", "libro-actas", "libro-actas"]
    assert [f.mime_type for f in files] == ["application/pdf", "image/png", "image/png", "image/png"]
    assert len({f.media_group_id for f in files[1:]}) == 1 and files[0].media_group_id is None
    for stored, content in zip(files, [PDF, *PAGES], strict=True):
        assert stored.sha256 == hashlib.sha256(content).hexdigest() and stored.size == len(content)
        assert bot.runtime.files.read(stored.storage_path) == content              # kept encrypted
        assert stored.uploaded_by_id == leader_id and stored.telegram_file_id
    assert files[0].original_name == "solicitud.pdf"

    # Staff review: the album needs changes, the request is fine.
    await staff_member.sends("/review")
    assert "Documents waiting for review" in staff_member.last_text
    await staff_member.taps("Copy of the minute book")
    assert [document.content for document in staff_member.documents] == PAGES     # from the bot's own store
    await staff_member.taps("Ask for changes")
    await staff_member.sends("The page with the notary's stamp is missing.")
    assert "asked the leaders" in staff_member.last_text
    assert "asks for changes" in leader.last_text and "notary's stamp is missing" in leader.last_text

    await staff_member.sends("/review")
    await staff_member.taps("Request with sworn")
    await staff_member.taps("Verify")
    assert "it is ready" in leader.last_text

    # The leader sends the minute book again from the message that asked for it.
    await leader.taps("Send it again")
    await leader.uploads_photo(JPEG)
    assert "pages received: 1" in leader.last_text                                 # the old pages are replaced
    await leader.taps("Done")
    assert "✏️" not in leader.last_text and "Ready: 16%" in leader.last_text        # (1 + 1/2) of 9
    async with await bot.session() as session:
        replaced = await session.scalars(select(StoredFile).where(StoredFile.superseded_at.is_not(None)))
        assert sorted(f.sha256 for f in replaced) == sorted(hashlib.sha256(page).hexdigest() for page in PAGES)

    # Handed in, with a date that is checked.
    await leader.taps("Registration status")
    await leader.taps("We handed it in")
    await leader.sends("EXP-2026-001234")
    await leader.sends("30/11/2026")
    assert "in the future" in leader.last_text
    await leader.sends("18/11/2026")
    assert "Expediente EXP-2026-001234, handed in on November 18, 2026" in leader.last_text

    # Observed, then registered.
    await leader.taps("Registration status")
    await leader.taps("We got observations")
    await leader.sends("The statutes lack the minutes approving them")
    await leader.sends("05/12/2026")
    assert "Answer the municipality's observations by December 5, 2026" in leader.last_text
    await leader.taps("Registration status")
    await leader.taps("Registered in the RUOS")
    await leader.sends("RUOS-0456-2026")
    await leader.sends("22/11/2026")
    assert "registered in the RUOS" in leader.last_text
    assert "RUOS number RUOS-0456-2026, resolution of November 22, 2026" in leader.last_text
    async with await bot.session() as session:
        registration = await session.get(RuosRegistration, organization_id)
    assert registration.stage is RegistrationStage.REGISTERED
    assert (registration.expediente, registration.submitted_on) == ("EXP-2026-001234", date(2026, 11, 18))
    assert registration.observation_deadline is None

    # The formalization path is offered next.
    await leader.taps("Registros Públicos")
    assert "Registering the non-profit civil association at the Public Registries" in leader.last_text
    assert "Name reservation" in leader.last_text

    # 60 days before the board's term ends (28 February 2027), the leaders hear of it.
    bot.clock.advance(days=37)                                                     # 30 December 2026, 10:00 in Lima
    assert await bot.run_reminders() == 1
    assert "ends on February 28, 2027, in 60 days" in leader.last_text
    await leader.sends("/ruos")
    assert "Board renewal due" in leader.last_text


async def test_the_weekly_nudge_and_the_observation_deadline_stop_once_done(bot, leader):
    await organization_led_by(bot, leader)
    await leader.sends("/ruos")

    bot.clock.advance(days=7)
    assert await bot.run_reminders() == 1
    assert "9 required documents for the RUOS of Mujeres Emprendedoras del Callao are still missing" in leader.last_text

    await leader.taps("Open the checklist")
    await leader.taps("Registration status")
    await leader.taps("We handed it in")
    await leader.sends("E-77")
    await leader.sends("30/11/2026")                                               # today, a week later
    await leader.taps("Registration status")
    await leader.taps("We got observations")
    await leader.sends("The croquis has no street names")
    await leader.sends("10/12/2026")

    bot.clock.advance(days=8)                                                      # 8 December, 10:00 in Lima
    await bot.run_reminders()
    assert "must be answered by December 10, 2026" in leader.last_text
    assert "The croquis has no street names" in leader.last_text

    await leader.taps("Registration status")
    await leader.taps("Observations answered")
    assert "handed in to the municipality" in leader.last_text
    reminder_before = leader.last_text
    bot.clock.advance(days=14)
    await bot.run_reminders()                                                      # no nudge, no deadline
    assert leader.last_text == reminder_before


async def test_a_district_with_its_own_list_and_a_board_of_dni_holders_get_no_warnings(bot, leader):
    await organization_led_by(bot, leader, district=CALLAO_CERCADO, documents=("DNI", "DNI"))
    await leader.sends("/ruos")
    assert "Single Registry of Social Organizations (RUOS) of Callao" in leader.last_text
    assert "no list of its own" not in leader.last_text
    assert "Identity documents" not in leader.last_text


async def test_only_a_leader_of_the_organization_can_use_its_buttons(bot, leader):
    organization_id = await organization_led_by(bot, leader)
    stranger = bot.user(first_name="Pedro", language_code="en")
    await organization_led_by(bot, stranger, name="Olla Común Los Jazmines")
    await stranger.sends("/ruos")
    await stranger.taps_data(f"ruos:u:{organization_id}:ruos-callao:libro-actas")
    assert "You are not a leader of that organization" in stranger.last_text
    await stranger.taps_data("ruos:i:not-a-number")
    assert "no longer active" in stranger.last_alert                  # answered as every old button is
    assert "Olla Común Los Jazmines" in stranger.last_text              # and their own checklist shown
    await stranger.taps_data("ruos:i")                                  # too few parts
    assert "no longer active" in stranger.last_alert


async def test_staff_reload_the_requirement_files_and_a_broken_file_keeps_the_lists_in_use(bot, leader, tmp_path: Path):
    directory = tmp_path / "requirements"
    shutil.copytree(DEFAULT_DIRECTORY, directory)
    bot.settings_overrides["requirements_dir"] = directory
    await bot.restart()
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff)
    await organization_led_by(bot, leader)

    callao = directory / "ruos-callao.yaml"
    original = callao.read_text(encoding="utf-8")
    callao.write_text(original.replace("    required: true\n", "    required: maybe\n", 1), encoding="utf-8")
    broken_line = original[: original.index("    required: true\n")].count("\n") + 1
    await staff.sends("/reload_requirements")
    assert "were not reloaded" in staff.last_text
    assert f"In ruos-callao.yaml, line {broken_line}:" in staff.last_text

    await leader.sends("/reload_requirements")
    assert "Only programme staff" in leader.last_text
    await leader.sends("/ruos")
    assert "Request with sworn statement" in leader.last_text                      # the lists in use stay

    callao.write_text(original.replace("Request with sworn statement", "Request with a sworn statement"), encoding="utf-8")
    await staff.sends("/reload_requirements")
    assert "Requirement lists reloaded" in staff.last_text
    await leader.sends("/ruos")
    assert "Request with a sworn statement" in leader.last_text


async def test_a_one_page_item_keeps_the_latest_file_and_the_same_file_is_kept_once(bot, leader):
    await organization_led_by(bot, leader)
    await leader.sends("/ruos")
    await leader.taps("Sketch of the premises")
    await leader.taps("Upload")
    await leader.uploads_photo(PAGES[0])
    await leader.uploads_photo(PAGES[0])
    assert "already sent this same file" in leader.last_text
    await leader.uploads_document(PDF, "croquis.pdf", "application/pdf")
    async with await bot.session() as session:
        current = (await session.scalars(select(StoredFile).where(StoredFile.superseded_at.is_(None)))).all()
        item = await session.scalar(select(ChecklistItem))
    assert [f.mime_type for f in current] == ["application/pdf"]
    assert item.status is ItemStatus.UPLOADED and item.revision == 2


SPANISH_READY = translator("es").gettext("missing") != "missing"


@pytest.mark.skipif(not SPANISH_READY, reason="the /ruos translations (notes/es_ruos.py) are not in the catalog yet")
async def test_a_spanish_speaking_leader_reads_the_checklist_in_spanish(bot):
    carmen = bot.user(first_name="Carmen", language_code="es")
    await organization_led_by(bot, carmen)
    await carmen.sends("/ruos")
    assert "Carmen de la Legua Reynoso todavía no tiene una lista propia" in carmen.last_text
    assert "no está confirmado" in carmen.last_text
    assert "Solicitud con declaración jurada — falta" in carmen.last_text


async def test_an_upload_in_progress_survives_a_restart(bot, leader):
    await organization_led_by(bot, leader)
    await leader.sends("/ruos")
    await leader.taps("Founding minutes")
    await leader.taps("Upload")

    await bot.restart()

    await leader.uploads_photo(PAGES[0])
    assert "“Founding minutes”: pages received: 1" in leader.last_text


async def test_staff_open_any_organization_by_number_and_update_its_status(bot, leader, staff_member):
    organization_id = await organization_led_by(bot, leader)
    await staff_member.sends(f"/ruos {organization_id}")
    assert "Mujeres Emprendedoras del Callao" in staff_member.last_text
    await staff_member.taps("Registration status")
    await staff_member.taps("We handed it in")
    await staff_member.sends("EXP-9")
    await staff_member.sends("20/11/2026")
    assert "Expediente EXP-9, handed in on November 20, 2026" in staff_member.last_text
    # The leaders hear it, with the way to their checklist.
    assert "The programme staff updated the RUOS registration of Mujeres Emprendedoras del Callao: 📨 handed in to the municipality." in leader.last_text
    await leader.taps("Open the checklist")
    assert "Expediente EXP-9" in leader.last_text
    async with await bot.session() as session:
        registration = await session.get(RuosRegistration, organization_id)
        staff_id = await session.scalar(select(User.id).where(User.telegram_id == STAFF_TELEGRAM_ID))
    assert registration.stage is RegistrationStage.SUBMITTED and registration.updated_by_id == staff_id


async def test_a_leader_takes_back_pages_sent_by_mistake_before_the_review(bot, leader):
    await organization_led_by(bot, leader)
    await leader.sends("/ruos")
    await leader.taps("Copy of the minute book")
    await leader.taps("Upload")
    await leader.uploads_album(PAGES)
    await leader.taps("Done")

    await leader.taps("Copy of the minute book")
    assert "(pages: 3)" in leader.last_text
    await leader.taps("Take the pages back")
    assert "Take back the 3 pages sent for “Copy of the minute book, legalized by a notary”?" in leader.last_text
    await leader.taps("No, keep them")
    assert "(pages: 3)" in leader.last_text                                      # nothing happened
    await leader.taps("Take the pages back")
    await leader.taps("Yes, take them back")
    assert "missing" in leader.last_text and "(pages: 3)" not in leader.last_text and "📤 Upload" in leader.buttons
    assert "Take the pages back" not in leader.buttons

    async with await bot.session() as session:
        files = (await session.scalars(select(StoredFile))).all()
    assert len(files) == 3 and all(f.superseded_at is not None for f in files)   # kept, superseded

    await leader.taps("Upload")                                                   # and again, from page one
    await leader.uploads_photo(JPEG)
    assert "pages received: 1" in leader.last_text
