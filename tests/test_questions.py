"""Ask the programme (issue 25): a leader asks about something they have, the coordinator of
their district answers from the inbox, the leader replies and closes; a coordinator of another
district never sees it; a second person cannot take a question someone holds; saved answers
become the leader's frequent questions; an anonymous complaint reaches only the person staff
designated, keeps nothing of its sender, and its reading is in the audit log.

Setup rows go straight to the database where the chat walk is not the point.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from PIL import Image
from sqlalchemy import select

from bot.console.models import AuditEntry, CoordinatorDistrict
from bot.people.models import User
from bot.questions.models import (
    ComplaintHandler,
    Feedback,
    Question,
    QuestionMessage,
    QuestionState,
    SavedAnswer,
)
from tests.flows import consented
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_broadcasts import coordinator, leaders_in

CALLAO = "070101"


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


PHOTO = _png()
MIRAFLORES = "150122"


async def user_id(bot, person) -> int:  # noqa: ANN001
    async with await bot.session() as session:
        return await session.scalar(select(User.id).where(User.telegram_id == person.id))


async def follows(bot, person, district: str) -> None:  # noqa: ANN001
    async with await bot.session() as session:
        session.add(CoordinatorDistrict(user_id=await session.scalar(select(User.id).where(User.telegram_id == person.id)),
                                        district_ubigeo=district))


async def test_a_leader_asks_about_the_ruos_the_district_coordinator_answers_the_leader_replies_and_closes(bot):
    (rosa,) = await leaders_in(bot, CALLAO, "en")
    luis = await coordinator(bot)
    await follows(bot, luis, CALLAO)
    marta = await coordinator(bot, first_name="Marta")
    await follows(bot, marta, MIRAFLORES)

    await rosa.sends("/ask")
    assert "Ask the programme" in rosa.last_text and "two working days" in rosa.last_text
    await rosa.sends("Which document proves the address of our local for the RUOS?")
    assert "What is your question about?" in rosa.last_text
    assert {"🏠 My organization", "📋 RUOS", "💬 Something else"} <= set(rosa.buttons)
    await rosa.taps("📋 RUOS")
    assert "Your question is number #1" in rosa.last_text
    await rosa.taps_data("ask:about:ruos")                          # a second tap sends nothing twice
    async with await bot.session() as session:
        question = await session.scalar(select(Question))
        assert question.state is QuestionState.OPEN and question.district_ubigeo == CALLAO
        assert question.organization_id is not None                 # the context travels with it

    assert "A new question, #1, is waiting" in luis.last_text       # the coordinator of Callao is told
    assert not any("#1" in text for text in marta.texts_since_last_action)

    await marta.sends("/inbox")
    assert "No questions are waiting in your districts" in marta.last_text
    await marta.taps_data(f"ask:open:{question.id}")                # not her district: an old button
    assert marta.last_alert

    await luis.sends("/inbox")
    assert "1 question is waiting" in luis.last_text
    await luis.taps(luis.buttons[0])
    assert "Question #1" in luis.last_text and "About: RUOS" in luis.last_text
    assert "Organization: Org of Leader" in luis.last_text and "Which document proves" in luis.last_text
    await luis.taps("✍️ Answer")
    await luis.sends("A utility bill or a certificate of residence from the municipality.")
    assert "Sent to who asked #1" in luis.last_text

    assert "The team wrote about your question #1" in rosa.last_text
    assert "A utility bill" in rosa.last_text
    await rosa.taps("↩️ Reply")
    await rosa.sends("Can the bill be in the name of the president?")
    assert "The team will see it in #1" in rosa.last_text
    assert "There is a new message on question #1" in luis.last_text

    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff)
    await staff.taps_data(f"ask:take:{question.id}")                  # Luis holds it: refused with his name
    assert "Luis is already answering this question" in (staff.last_alert or staff.last_text)

    await luis.taps_data(f"ask:ans:{question.id}")
    await luis.sends("Yes, with a copy of the board's minutes.")
    await rosa.taps("✅ Close it")
    assert "is closed" in rosa.last_text
    await rosa.taps_data(f"ask:close:{question.id}")                  # again: nothing twice
    assert "already closed" in (rosa.last_alert or rosa.last_text)

    async with await bot.session() as session:
        question = await session.get(Question, question.id)
        messages = list(await session.scalars(select(QuestionMessage).where(QuestionMessage.question_id == question.id)
                                              .order_by(QuestionMessage.id)))
    assert question.state is QuestionState.CLOSED and question.first_answer_at is not None
    assert [m.from_team for m in messages] == [False, True, False, True]

    await staff.sends("/stats")                                       # the figures count it
    texts = " ".join(staff.texts_since_last_action)
    assert "Questions asked: 1" in texts and "Questions answered: 1" in texts


async def test_a_waiting_question_shows_in_pending_is_reminded_after_a_working_day_and_goes_with_its_askers_erasure(bot):
    (rosa,) = await leaders_in(bot, CALLAO, "en")
    luis = await coordinator(bot)
    await follows(bot, luis, CALLAO)
    await rosa.sends("/ask")
    await rosa.uploads_photo(PHOTO, caption="Is this stamp on our minutes the right one?")
    await rosa.taps("🏠 My organization")
    await luis.sends("/pending")
    assert "Question from a leader" in luis.last_text
    await luis.taps(next(label for label in luis.buttons if "❓" in label))
    assert "Question #1" in luis.last_text and "📎" in luis.last_text

    async with await bot.session() as session:
        path = await session.scalar(select(QuestionMessage.file_path))
    assert bot.runtime.files.read(path)
    bot.clock.advance(timedelta(days=3))                              # past a working day, whatever the weekday
    await bot.application.job_queue.get_jobs_by_name("questions waiting")[0].run(bot.application)
    await bot.run_reminders()                                         # the outbox delivers it
    assert "has waited a working day without an answer" in luis.last_text
    await bot.application.job_queue.get_jobs_by_name("questions waiting")[0].run(bot.application)
    await bot.run_reminders()
    assert sum("has waited a working day" in (m.get("text") or "") for m in luis.messages) == 1   # once

    await rosa.sends("/deletedata")
    await rosa.taps("Yes, erase my data")
    async with await bot.session() as session:
        assert await session.scalar(select(Question)) is None and await session.scalar(select(QuestionMessage)) is None
    try:
        bot.runtime.files.read(path)
        kept = True
    except (FileNotFoundError, KeyError, OSError):
        kept = False
    assert not kept


async def test_saved_answers_are_kept_from_a_thread_sent_again_and_shown_as_frequent_questions(bot):
    rosa, ana = await leaders_in(bot, CALLAO, "en", "en")
    luis = await coordinator(bot)
    await follows(bot, luis, CALLAO)

    await rosa.sends("/ask")
    await rosa.sends("When is the next leadership training?")
    await rosa.taps("💬 Something else")
    await luis.sends("/inbox")
    await luis.taps(luis.buttons[0])
    await luis.taps("✍️ Answer")
    await luis.sends("Every month: see /trainings for the dates.")
    await luis.taps("💾 Keep as saved answer")
    await luis.sends("When are the trainings?")
    assert "Kept as a saved answer" in luis.last_text

    await ana.sends("/ask")
    await ana.sends("When are the trainings?")
    await ana.taps("💬 Something else")
    await luis.sends("/inbox")
    await luis.taps(luis.buttons[0])
    await luis.taps("📋 Saved")
    await luis.taps("When are the trainings?")
    await luis.taps("📤 Send it")
    assert "see /trainings for the dates" in ana.last_text
    async with await bot.session() as session:
        saved = await session.scalar(select(SavedAnswer))
    assert saved.uses == 1 and saved.language == "en"

    await rosa.sends("/ask")                                          # now a frequent question
    assert "📌 When are the trainings?" in rosa.buttons
    await rosa.taps("📌 When are the trainings?")
    assert "see /trainings for the dates" in rosa.last_text


async def test_an_anonymous_complaint_reaches_only_the_designated_person_and_keeps_nothing_of_its_sender(bot):
    (rosa,) = await leaders_in(bot, CALLAO, "en")
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff)
    carla = await coordinator(bot, first_name="Carla")
    await staff.sends("/complaints")                                  # staff choose who reads complaints
    await staff.taps("👥 Who reads complaints")
    await staff.taps("▫️ Carla")
    assert "✅ Carla" in staff.buttons
    await staff.taps_data(f"opn:set:{await user_id(bot, carla)}:1")  # a second tap changes nothing
    async with await bot.session() as session:
        assert len(list(await session.scalars(select(ComplaintHandler)))) == 1

    await rosa.sends("/opinion")
    await rosa.taps("⚠️ A complaint")
    assert "nobody can answer you" in rosa.last_text                # told before sending
    await rosa.taps("🕶 Anonymously")
    await rosa.sends("The session in the community hall started an hour late.")
    assert "It went without your name" in rosa.last_text

    async with await bot.session() as session:
        complaint = await session.scalar(select(Feedback))
    assert complaint.sender_id is None and complaint.sent_on.hour == 0 and complaint.sent_on.minute == 0
    assert "A new complaint arrived" in carla.last_text
    assert not any("A new complaint arrived" in text for text in staff.texts_since_last_action)

    await staff.taps_data(f"opn:open:{complaint.id}")                 # staff are not designated: refused
    assert "Only the people staff designated" in (staff.last_alert or "")
    await carla.sends("/complaints")
    await carla.taps(carla.buttons[0])
    assert "started an hour late" in carla.last_text and "anonymous" in carla.last_text
    assert "✍️ Answer" not in carla.buttons                           # nobody to answer
    async with await bot.session() as session:
        readings = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.read.complaint")))
    assert len(readings) == 1 and readings[0].subject_id == complaint.id


async def test_a_signed_suggestion_is_answered_to_its_sender(bot):
    (rosa,) = await leaders_in(bot, CALLAO, "en")
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff)
    await rosa.sends("/opinion")
    await rosa.taps("💡 A suggestion")
    await rosa.taps("👤 With my name")
    await rosa.sends("Please hold a session on Saturdays.")
    assert "A new suggestion arrived" in staff.last_text
    await staff.sends("/complaints")
    await staff.taps(staff.buttons[0])
    assert "Leader" in staff.last_text
    await staff.taps("✍️ Answer")
    await staff.sends("Next month we will try one on a Saturday.")
    assert "An answer to your suggestion" in rosa.last_text and "on a Saturday" in rosa.last_text


async def test_the_playground_seeds_rosas_two_questions_and_carmens_inbox_of_two(bot):
    from bot.playground import seed

    await seed.seed(bot.runtime)
    await seed.seed(bot.runtime)                                      # a restart adds nothing twice
    carmen = bot.user(seed.STAFF.telegram_id, first_name="Carmen", language_code="es")
    await carmen.sends("/bandeja")
    assert "2 consultas esperan" in carmen.last_text
    rosa = bot.user(seed.LEADER.telegram_id, first_name="Rosa", language_code="es")
    await rosa.sends("/preguntar")
    assert "📌 ¿Cuánto demora el RUOS?" in rosa.buttons
    await rosa.taps("📂 Mis consultas")
    assert "respondida" in " ".join(rosa.buttons) and "esperando al equipo" in " ".join(rosa.buttons)
