"""The second pair of eyes follows the districts the broadcast reaches: a coordinator of Comas is
neither asked, nor offered, nor allowed to approve or send back a broadcast to Callao, nor sees
it in /pending; one who follows Callao is. Whoever is not its author nor staff sees its card
without the buttons that change it, and an old or forged one asks them nothing.

The rules: bot/services/broadcast_approval.py (`covers`) and broadcasts.may_change.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.models.broadcasts import Broadcast, BroadcastState
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_broadcasts import CALLAO, _texts, leaders_in
from tests.test_district_scope import COMAS, coordinator, refused

ASKED = "waits for your approval"
BEYOND = "reaches districts you do not follow"
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
    assert "Broadcast waiting for approval" not in pedro.last_text + " ".join(pedro.buttons)
    data = f"{broadcast.id}:{broadcast.version}"
    assert await refused(pedro, BEYOND, data=f"bc:approve:{data}")  # a forged button changes nothing
    assert await refused(pedro, BEYOND, data=f"bc:reject:{data}")
    await pedro.taps_data(f"bc:show:{broadcast.id}")                # its card: nothing to press but the preview
    assert "Reunión el sábado" in pedro.last_text
    assert "✅ Approve" not in pedro.buttons and not set(EDITING) & set(pedro.buttons) and "👁 Preview" in pedro.buttons
    assert await refused(pedro, "Only the person who created it", data=f"bc:aud:{broadcast.id}")
    assert await refused(pedro, "Only the person who created it", data=f"bc:text:{broadcast.id}:es")
    await pedro.sends("Texto de Pedro")                             # and no step was waiting for his text
    assert (await last_broadcast(bot)).texts == {"es": "Reunión el sábado"}
    assert (await last_broadcast(bot)).state is BroadcastState.AWAITING_APPROVAL

    await maria.sends("/pending")                                   # Maria follows Callao: hers to approve
    await maria.taps("Broadcast waiting for approval")
    assert "✅ Approve" in maria.buttons and "👁 Preview" in maria.buttons
    assert not set(EDITING) & set(maria.buttons), "Luis's broadcast: only he and staff change it"
    await maria.taps("✅ Approve")
    assert "Approved" in maria.last_text
    assert (await last_broadcast(bot)).approved_by_id is not None
