"""/ruos on WhatsApp through the Cloud API stand-in: a leader opens the checklist and a
requirement's card, sends a PDF and a photo (fetched by media id, checked by their bytes, kept
encrypted), a program is refused as on Telegram, Done shows the checklist, pages are taken back;
the registration status and a move whose questions are typed."""

from __future__ import annotations

from sqlalchemy import select

from bot.ruos.models import ChecklistItem, ItemStatus, StoredFile
from handlers.whatsapp import router
from tests.test_uploads_by_bytes import assert_without_metadata, photo_with_gps
from tests.whatsapp_harness import consented, leading_in_callao, wa  # noqa: F401 - the fixture

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode."


def choice(person, words: str) -> str:  # noqa: ANN001
    [found] = [c.id for c in person.choices if words in c.title or words in c.description]
    return found


async def test_a_leader_sends_a_pdf_and_a_photo_for_her_checklist_and_a_program_is_refused(wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana, language="en")
    ana_id = await leading_in_callao(wa, ana)

    await ana.writes("/ruos")
    assert "Mujeres del Callao · Provincial Municipality of Callao" in ana.last_text
    assert "*Ready:* 0%" in ana.last_text

    await ana.presses(choice(ana, "Request with sworn"))
    assert "sworn statement: whoever signs it" in ana.last_text
    await ana.presses(choice(ana, "Upload"))
    assert "Send “Request with sworn statement” now" in ana.last_text
    await ana.writes("ya lo mando")                                              # text while a file is awaited
    assert "I am waiting for “Request with sworn statement”" in ana.last_text
    await ana.sends_document(PDF, "solicitud.pdf")
    assert "pages received: 1" in ana.last_text
    await ana.sends_document(PROGRAM, "solicitud.exe", mime_type="application/pdf")  # what the phone says decides nothing
    assert "That file is a program, not a document or a photo" in ana.last_text
    assert [c.title for c in ana.choices] == ["✅ Done"]                        # the upload goes on
    await ana.presses("ruos:done")
    assert "📤 Request with sworn statement — sent, waiting for the programme's review" in ana.last_text

    await ana.presses(choice(ana, "Copy of the minute"))
    await ana.presses(choice(ana, "Upload"))
    await ana.sends_image(photo_with_gps("ivory"))
    assert "pages received: 1" in ana.last_text
    await ana.presses("ruos:done")
    assert "*Ready:*" in ana.last_text and "*Ready:* 0%" not in ana.last_text
    await ana.sends_image(photo_with_gps("white"))                             # no upload under way: not kept
    assert "I did not understand that message" in ana.last_text

    async with wa.session() as session:
        files = (await session.scalars(select(StoredFile).order_by(StoredFile.id))).all()
        items = {i.item_code: i.status for i in (await session.scalars(select(ChecklistItem))).all()}
    assert [(f.item_code, f.mime_type) for f in files] == [("solicitud-dj", "application/pdf"), ("libro-actas", "image/jpeg")]
    assert items["solicitud-dj"] is ItemStatus.UPLOADED and items["libro-actas"] is ItemStatus.UPLOADED
    assert all(f.uploaded_by_id == ana_id for f in files)
    assert wa.runtime.files.read(files[0].storage_path) == PDF                   # kept encrypted: read back through the cipher
    assert (wa.runtime.files.root / files[0].storage_path).read_bytes() != PDF
    assert_without_metadata(wa.runtime.files.read(files[1].storage_path))        # the phone's EXIF and GPS gone

    # Pages sent by mistake are taken back, after a question.
    await ana.writes("/ruos")
    await ana.presses(choice(ana, "Copy of the minute"))
    await ana.presses(choice(ana, "Take the pages"))
    assert "Take back the page sent for “Copy of the minute book" in ana.last_text
    await ana.presses(choice(ana, "Yes, take"))
    async with wa.session() as session:
        item = await session.scalar(select(ChecklistItem).where(ChecklistItem.item_code == "libro-actas"))
    assert item.status is ItemStatus.MISSING

    # The registration status, and a move whose questions are answered by typing.
    await ana.writes("/ruos")
    await ana.presses("wa:more:2")                                               # the list's second page
    await ana.presses(choice(ana, "Registration status"))
    assert "Registration status of Mujeres del Callao" in ana.last_text
    await ana.presses(choice(ana, "We handed it in"))
    assert "expediente number" in ana.last_text
    await ana.writes("EXP-2026-001234")
    await ana.writes("99/99/2026")
    assert "⚠️" in ana.last_text and "On what date did you hand it in?" in ana.last_text   # the same question again
    await ana.writes("18/11/2026")
    assert any("Saved. The registration is now" in text for text in ana.texts)
    assert "Expediente EXP-2026-001234, handed in on November 18, 2026" in "\n".join(ana.texts)


def test_ruos_is_on_the_slash_list_and_the_menu_keeps_ten_rows():
    from bot.core.i18n import translator

    i18n = translator("es")
    assert "ruos" in [name for name, _hint in router.slash_commands(i18n)]
    assert len(router.menu(i18n).choices) == 10
