"""The broadcast audience picker reads on a phone: a first screen of kinds of choice, its text
saying what is chosen of each, and a screen per kind with its toggles and a way back. Old toggle
buttons (`bc:t:…`) still work and show the screen they belong to; a kind's screen is refused to
whoever may not change the broadcast, and a forged kind is an old button."""

from __future__ import annotations

from sqlalchemy import select

from bot.broadcasts.models import Broadcast
from tests.test_broadcasts import CALLAO, coordinator, leaders_in
from tests.test_district_scope import NOT_THEIRS, refused
from tests.test_forged_buttons import told_old

FIRST_SCREEN = ["▫️ All leaders", "🧑‍💼 By role", "🏘 By organization type", "📋 By RUOS stage", "🗣 By language",
                "🎓 On a session's list", "📚 Of a topic", "➕ District", "⬅️ Back"]


async def test_the_audience_picker_is_a_short_menu_with_a_screen_per_kind(bot):
    await leaders_in(bot, CALLAO, "es", "en")
    luis = await coordinator(bot)
    pedro = await coordinator(bot, first_name="Pedro")
    await luis.sends("/broadcast")
    async with await bot.session() as session:
        draft = await session.scalar(select(Broadcast.id))
    await luis.taps("👥 Audience")
    assert luis.buttons == FIRST_SCREEN, luis.buttons  # ~20 toggles before: now nine buttons
    assert "🗣 By language: —" in luis.last_text and "🧑‍💼 By role: —" in luis.last_text, luis.last_text
    shown = len(luis.messages)

    await luis.taps("🗣 By language")
    assert luis.buttons == ["▫️ Español", "▫️ English", "⬅️ Back"], luis.buttons
    await luis.taps("▫️ English")                            # the toggle shows its own screen again
    assert luis.buttons == ["▫️ Español", "✅ English", "⬅️ Back"], luis.buttons
    assert "Audience: English" in luis.last_text, luis.last_text
    await luis.taps("⬅️ Back")
    assert luis.buttons == FIRST_SCREEN and "🗣 By language: English" in luis.last_text, luis.last_text

    await luis.taps_data(f"bc:t:{draft}:role:leader")       # an old button from the one-screen picker
    assert "✅ leader" in luis.buttons and "🧑‍💼 By role: —" not in luis.last_text, luis.buttons
    await luis.taps("⬅️ Back")
    await luis.taps("▫️ All leaders")                       # a first-screen toggle stays on the first screen
    assert luis.buttons[0] == "✅ All leaders" and "🧑‍💼 By role: leader" in luis.last_text, luis.last_text
    assert len(luis.messages) == shown                      # every screen replaced the one before it

    assert await refused(pedro, NOT_THEIRS, data=f"bc:audk:{draft}:role")  # another coordinator's draft
    await luis.taps_data(f"bc:audk:{draft}:nope")
    assert told_old(luis)


async def test_a_typed_answer_shows_the_card_again_in_place_of_the_one_it_was_asked_from(bot):
    luis = await coordinator(bot)
    await luis.sends("/broadcast")
    await luis.taps("✏️ English")
    await luis.sends("Workshop on Saturday")
    await luis.taps("🔘 Buttons")
    await luis.sends("Enroll | https://example.org/enroll")
    cards = [m["text"] for m in luis.messages if "Broadcast" in m.get("text", "") and "reply_markup" in m]
    assert len(cards) == 1 and "Workshop on Saturday" in cards[0] and "Enroll" in cards[0], cards  # no stale cards above
    assert luis.last_text == cards[0]                        # and the card is the last thing in the chat

    await luis.taps("👥 Audience")
    await luis.taps("➕ District")
    await luis.sends("callao")
    pickers = [m["text"] for m in luis.messages if "Choose who receives it" in m.get("text", "")]
    assert len(pickers) == 1 and "➕ District: Callao" in pickers[0], pickers
