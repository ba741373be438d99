"""/ruos as a domain step machine (bot/ruos/conversation.py): the step being asked is the
`ChecklistDraft`'s, the album being received is kept with it rather than in the chat's memory,
and a person halfway through a registration move when the bot is upgraded (the draft and the
conversation row as the old handlers left them) finishes it with the same texts and names.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.core.conversation_models import ChannelUserData, ConversationStep
from bot.people.models import User
from bot.ruos.models import ChecklistDraft, RegistrationStage, RuosRegistration
from tests.test_ruos import PAGES, leader, organization_led_by  # noqa: F401 - the fixture


async def test_a_leader_halfway_through_a_registration_move_when_the_bot_is_upgraded_finishes_it_then_sends_an_album(bot, leader):  # noqa: F811
    organization_id = await organization_led_by(bot, leader)
    await leader.sends("/ruos")
    await leader.taps("Registration status")
    await leader.taps("We handed it in")
    await leader.sends("EXP-2026-0412")
    assert "On what date did you hand it in?" in leader.last_text
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == leader.id))
        draft = await session.get(ChecklistDraft, user_id)
        assert (draft.step, draft.answers["expediente"]) == ("submitted_on", "EXP-2026-0412")   # the domain keeps the step
        steps = list(await session.scalars(select(ConversationStep.step).where(ConversationStep.flow == "ruos")))
        assert steps == ["submitted_on"]                                                          # the same names
    await bot.restart()
    await leader.sends("a sticker's worth of nothing")                      # bad input: said, and asked again
    assert "⚠️" in leader.last_text and "On what date did you hand it in?" in leader.last_text
    await leader.sends("20/11/2026")
    assert "Saved. The registration is now: 📨 handed in to the municipality." in leader.texts_since_last_action[0]
    assert "Expediente EXP-2026-0412, handed in on November 20, 2026" in leader.last_text
    async with await bot.session() as session:
        registration = await session.get(RuosRegistration, organization_id)
        assert registration.stage is RegistrationStage.SUBMITTED
        assert await session.get(ChecklistDraft, user_id) is None
        assert not list(await session.scalars(select(ConversationStep.step).where(ConversationStep.flow == "ruos")))

    # The album being received is kept with the upload, not in the chat's memory.
    await leader.taps("Copy of the minute book")
    await leader.taps("Upload")
    await leader.uploads_album(PAGES)
    assert len(leader.replies) == 1 and "pages received: 3" in leader.last_text              # one receipt, edited
    receipt = leader.last_message["message_id"]
    async with await bot.session() as session:
        draft = await session.get(ChecklistDraft, user_id)
        assert draft.answers["album"]["receipt"] == receipt and draft.answers["album"]["group"]
        kept = await session.get(ChannelUserData, leader.id)
        assert kept is None or "ruos_album" not in kept.data
    await leader.taps("Done")
    assert "📤 Copy of the minute book" in leader.last_text
    async with await bot.session() as session:
        assert await session.get(ChecklistDraft, user_id) is None                                 # gone with the upload
