"""/newtraining as a domain step machine (bot/trainings/drafts.py): the step being
asked is kept with the draft, and a person halfway through the flow when the bot is upgraded
(a draft written by the old handler, without its step; the chat layer's persisted state)
finishes it on the new code with the same conversation and state names.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.conversation_models import ChannelUserData, ConversationStep
from bot.people.models import User
from bot.trainings.models import (
    Enrollment,
    EnrollmentState,
    FeedbackDraft,
    TrainingDraft,
    TrainingSession,
)
from tests.flows import newtraining_in_person_up_to_the_district
from tests.test_trainings import THURSDAY_10_LIMA, add_session, coordinator, leader


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


async def test_the_comment_after_a_rating_is_asked_from_a_row_and_one_asked_before_the_upgrade_is_still_taken(bot):
    rosa = await leader(bot, "Rosa")
    first, second = await add_session(bot), await add_session(bot, title="Cuentas claras", starts_at=THURSDAY_10_LIMA + timedelta(days=1))
    bot.clock.set(THURSDAY_10_LIMA + timedelta(days=2))
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == rosa.id))
        session.add_all([Enrollment(session_id=sid, user_id=user_id, state=EnrollmentState.ATTENDED, created_at=bot.clock.now(),
                                    attended_at=bot.clock.now()) for sid in (first, second)])
    await rosa.taps_data(f"tr:rate:{first}:4")
    assert "Thank you for your rating: 4 ⭐" in rosa.last_text
    async with await bot.session() as session:
        assert (await session.get(FeedbackDraft, user_id)).session_id == first          # the flow's state is a row
        kept = await session.get(ChannelUserData, rosa.id)
        assert kept is None or "feedback_session" not in kept.data                         # not PTB's user data
    await bot.restart()
    await rosa.sends("\u200b")                                                             # bad input: said, and asked again
    assert "Write your comment, or send /skip." in rosa.last_text
    await rosa.sends("Muy útil, gracias")
    assert "Thank you! The coordinators will read it." in rosa.last_text

    # A comment asked for by the old code: its session in PTB's user data, no row.
    await rosa.taps_data(f"tr:rate:{second}:5")
    async with await bot.session() as session:
        await session.delete(await session.get(FeedbackDraft, user_id))
        kept = await session.get(ChannelUserData, rosa.id)
        if kept is None:
            session.add(ChannelUserData(user_id=rosa.id, data={"feedback_session": second}))
        else:
            kept.data = {**kept.data, "feedback_session": second}
    await bot.restart()
    await rosa.sends("Claro y práctico")
    assert "Thank you! The coordinators will read it." in rosa.last_text
    async with await bot.session() as session:
        comments = dict((await session.execute(select(Enrollment.session_id, Enrollment.comment).where(Enrollment.user_id == user_id))).all())
        assert comments == {first: "Muy útil, gracias", second: "Claro y práctico"}
        assert await session.get(FeedbackDraft, user_id) is None
