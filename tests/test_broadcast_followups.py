"""The second pair of eyes follows the districts the broadcast reaches: a coordinator of Comas is
neither asked, nor offered, nor allowed to approve or send back a broadcast to Callao, nor sees
it in /pending, nor opens it; one who follows Callao is. Whoever is not its author nor staff
sees its card without the buttons that change it, and an old or forged one asks them nothing. A broadcast's
file goes through the one upload rule: a program or a web page is refused and asked for again,
a photo loses its location, recipients get the cleaned copy under the bot's name, and the store
lets it go once the broadcast has gone out or was discarded.

The rules: bot/broadcasts/approval.py (`covers`), broadcasts.may_change and
bot/broadcasts/files.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.broadcasts.models import Broadcast, BroadcastState
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_broadcasts import CALLAO, _texts, compose_for_callao, leaders_in, until_done
from tests.test_broadcasts import coordinator as unscoped_coordinator
from tests.test_district_scope import COMAS, coordinator, refused
from tests.test_uploads_by_bytes import PROGRAM, WEB_PAGE, assert_without_metadata, photo_with_gps

ASKED = "waits for your approval"
BEYOND = "reaches districts you do not follow"
PDF = b"%PDF-1.4\n% the minutes of the assembly\n%%EOF\n"
EDITING = ("✏️ Español", "✏️ English", "👥 Audience", "🏷 Kind", "📎 File", "🔘 Buttons", "🕒 Schedule", "✖ Cancel this broadcast")


async def last_broadcast(bot) -> Broadcast:
    async with await bot.session() as session:
        return await session.scalar(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))


async def test_only_an_approver_who_follows_the_districts_a_broadcast_reaches_is_asked_offered_and_allowed(bot):
    bot.settings_overrides["broadcast_approval_threshold"] = 1
    await bot.restart()
    await leaders_in(bot, CALLAO, "es", "es")
    await leaders_in(bot, COMAS, "es")
    carmen = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    await carmen.sends("/help")                                     # staff the bot knows
    luis = await coordinator(bot, "Luis", [CALLAO])
    pedro = await coordinator(bot, "Pedro", [COMAS])
    maria = await coordinator(bot, "Maria", [CALLAO, COMAS])

    await luis.sends("/broadcast")                                  # "all leaders": Callao's, his district
    await luis.taps("✏️ Español")
    await luis.sends("Reunión el sábado")
    await luis.taps("👥 Audience")
    await luis.taps("▫️ All leaders")
    await luis.taps("⬅️ Back")
    await luis.taps("🚀 Send now")
    assert "must approve it" in luis.last_text
    broadcast = await last_broadcast(bot)
    assert not any(ASKED in text for text in _texts(pedro)), "Comas's coordinator is not asked"
    assert any(ASKED in text for text in _texts(maria)) and any(ASKED in text for text in _texts(carmen))

    await pedro.sends("/pending")                                   # nor is it on his list
    assert "Broadcast waiting" not in pedro.last_text + " ".join(pedro.buttons)
    data = f"{broadcast.id}:{broadcast.version}"
    assert await refused(pedro, BEYOND, data=f"bc:approve:{data}")  # a forged button changes nothing
    assert await refused(pedro, BEYOND, data=f"bc:reject:{data}")
    assert await refused(pedro, "That broadcast reaches districts you do not follow", data=f"bc:show:{broadcast.id}")
    assert await refused(pedro, "That broadcast reaches districts you do not follow", data=f"bc:preview:{broadcast.id}")
    assert not any("Reunión el sábado" in text for text in _texts(pedro)), "nor does he read it"
    assert await refused(pedro, "Only the person who created it", data=f"bc:aud:{broadcast.id}")
    assert await refused(pedro, "Only the person who created it", data=f"bc:text:{broadcast.id}:es")
    await pedro.sends("Texto de Pedro")                             # and no step was waiting for his text
    assert (await last_broadcast(bot)).texts == {"es": "Reunión el sábado"}
    assert (await last_broadcast(bot)).state is BroadcastState.AWAITING_APPROVAL

    await maria.sends("/pending")                                   # Maria follows Callao: hers to approve
    await maria.taps("📣 Broadcast waiting")
    assert "✅ Approve" in maria.buttons and "👁 Preview" in maria.buttons
    assert not set(EDITING) & set(maria.buttons), "Luis's broadcast: only he and staff change it"
    await maria.taps("✅ Approve")
    assert "Approved" in maria.last_text
    assert (await last_broadcast(bot)).approved_by_id is not None


def photo_id(person) -> str:
    [message] = [message for message in person.messages if "photo" in message]
    return message["photo"][-1]["file_id"]


def received_photo(bot, person) -> bytes:
    return bot.emulator._files[photo_id(person)].content  # noqa: SLF001 - what the person would download


async def test_a_broadcasts_file_is_judged_by_its_bytes_cleaned_sent_under_the_bots_name_and_let_go_when_done(bot):
    ana, beto = await leaders_in(bot, CALLAO, "es", "es")
    luis = await unscoped_coordinator(bot)
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    await luis.taps("📎 File")
    await luis.uploads_document(PROGRAM, "programa.pdf", "application/pdf")     # a program announced as a PDF
    assert "That file is a program" in luis.last_text and "Send one photo or one document to go with" in luis.last_text
    await luis.uploads_document(WEB_PAGE, "aviso.pdf", "application/pdf")
    assert "web page" in luis.last_text and "Send one photo or one document to go with" in luis.last_text
    assert (await last_broadcast(bot)).attachment_kind is None
    await luis.uploads_document(photo_with_gps("white"), "IMG_2041.JPG", "application/octet-stream")
    assert "📎 With a photo" in luis.last_text
    stored = (await last_broadcast(bot)).attachment_path
    assert_without_metadata(bot.runtime.files.read(stored))
    await luis.taps("🚀 Send now")
    broadcast = await until_done(bot, luis)
    assert_without_metadata(received_photo(bot, ana))                            # what Ana gets: the cleaned copy
    assert photo_id(ana) == photo_id(beto), "uploaded once, then Telegram's copy"
    assert broadcast.attachment_path is None
    with pytest.raises(FileNotFoundError):                                       # and the store keeps it no more
        bot.runtime.files.read(stored)

    await luis.sends("/broadcast")                                               # a document: the bot's name, not his
    await luis.taps("✏️ Español")
    await luis.sends("Acta de la asamblea")
    await luis.taps("📎 File")
    await luis.uploads_document(PDF, "acta\u202efdp.exe", "application/octet-stream")
    assert "📎 With a document" in luis.last_text
    draft = await last_broadcast(bot)
    await luis.taps("👁 Preview")
    assert luis.documents[-1].file_name == f"anuncio-{draft.id}.pdf" and luis.documents[-1].content == PDF
    await luis.sends("/broadcast")
    await luis.taps("🗑 Discard")
    assert "Cancelled" in luis.last_text
    assert (await last_broadcast(bot)).attachment_path is None
    with pytest.raises(FileNotFoundError):
        bot.runtime.files.read(draft.attachment_path)

    await luis.sends("/broadcast")                                               # erased, his draft's file goes too
    await luis.taps("📎 File")
    await luis.uploads_photo(photo_with_gps("linen"))
    kept = (await last_broadcast(bot)).attachment_path
    bot.runtime.files.read(kept)
    await luis.sends("/deletedata")
    await luis.taps("Yes, erase my data")
    with pytest.raises(FileNotFoundError):
        bot.runtime.files.read(kept)
