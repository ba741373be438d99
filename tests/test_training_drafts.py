"""/newtraining as a domain step machine (bot/trainings/drafts.py): the step being
asked is kept with the draft, and a person halfway through the flow when the bot is upgraded
(a draft written by the old handler, without its step; the chat layer's persisted state)
finishes it on the new code with the same conversation and state names.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.core.conversation_models import ConversationStep
from bot.people.models import User
from bot.trainings.models import TrainingDraft, TrainingSession
from tests.flows import newtraining_in_person_up_to_the_district
from tests.test_trainings import coordinator


async def test_a_coordinator_halfway_through_newtraining_when_the_bot_is_upgraded_finishes_it(bot):
    luis = await coordinator(bot)
    await newtraining_in_person_up_to_the_district(luis, "Casa de la Juventud, Jr. Huallaga 355")
    assert "In which district?" in luis.last_text
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == luis.id))
        draft = await session.get(TrainingDraft, user_id)
        assert draft.answers["_step"] == "district"                 # the domain keeps the step
        steps = list(await session.scalars(select(ConversationStep.step).where(ConversationStep.flow == "training_session")))
        assert steps == ["district"]                                 # the same conversation and state names
        draft.answers = {k: v for k, v in draft.answers.items() if k != "_step"}  # as the old handler left it
    await bot.restart()
    await luis.sends("San Juan")                                     # two districts match: which one?
    assert "Which one?" in luis.last_text and "San Juan de Miraflores" in luis.buttons
    await luis.taps("San Juan de Miraflores")
    assert "When does it start?" in luis.last_text
    await luis.sends("26/11/2026 10:00")
    await luis.sends("9:00")                                         # bad input: said, and asked again
    assert "The end must be after the start" in luis.texts_since_last_action[0]
    assert "When does it end?" in luis.last_text
    await luis.sends("13:00")
    await luis.sends("501")                                          # the bound on places holds
    assert "How many places are there?" in luis.last_text
    await luis.sends("20")
    await luis.taps("Skip")
    await luis.taps("No, anyone can come")
    assert "Check the session before saving" in luis.last_text and "Places: 20" in luis.last_text
    await luis.taps("Places")                                        # one field from the card, then back to it
    await luis.sends("25")
    assert "Check the session before saving" in luis.last_text and "Places: 25" in luis.last_text
    assert "(San Juan de Miraflores)" in luis.last_text
    await luis.taps("Online or in person")                           # a new mode asks its link, then the card
    await luis.taps("💻 Online")
    assert "Send the link to join the call" in luis.last_text
    await luis.sends("https://meet.jit.si/voces-asamblea")
    assert "Check the session before saving" in luis.last_text and "Places: 25" in luis.last_text
    assert "💻 Online: https://meet.jit.si/voces-asamblea" in luis.last_text
    await luis.taps("Save")
    assert "✅ Saved." in luis.last_text
    async with await bot.session() as session:
        training = await session.scalar(select(TrainingSession).where(TrainingSession.title == "Leading an assembly"))
        assert (training.capacity, training.online, training.district_ubigeo) == (25, True, None)
        assert await session.get(TrainingDraft, user_id) is None
