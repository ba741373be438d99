"""Ask the programme across channels (issue 25): a leader on WhatsApp asks about a RUOS item, a
coordinator on Telegram answers it from /inbox, the leader replies and closes the thread on
WhatsApp, each told on their own channel; an anonymous complaint from WhatsApp keeps nothing of
its sender; a question asked with a photo reaches the coordinator cleaned of its metadata.
"""

from __future__ import annotations

from sqlalchemy import select, update

from bot.console.models import CoordinatorDistrict
from bot.people.models import Role, User
from bot.questions.models import Feedback, Question, QuestionMessage, QuestionState
from tests.flows import consented as consented_on_telegram
from tests.test_uploads_by_bytes import assert_without_metadata, photo_with_gps
from tests.whatsapp_harness import CALLAO, arrives, consented, leading_in_callao, wa  # noqa: F401 - the fixture


async def test_a_leader_on_whatsapp_asks_a_coordinator_on_telegram_answers_she_replies_and_closes(bot, wa):  # noqa: F811
    wa.runtime.clock = wa.clock = bot.clock                            # one time for both sides
    wa.standin.clock = bot.clock
    ana = wa.person("Ana Torres")
    await consented(ana)
    await leading_in_callao(wa, ana)
    luis = bot.user(first_name="Luis", language_code="es")
    await consented_on_telegram(luis)
    async with await bot.session() as session:
        await session.execute(update(User).where(User.telegram_id == luis.id).values(role=Role.COORDINATOR))
        luis_id = await session.scalar(select(User.id).where(User.telegram_id == luis.id))
        session.add(CoordinatorDistrict(user_id=luis_id, district_ubigeo=CALLAO))

    await ana.writes("/preguntar")
    assert "dos días hábiles" in ana.last.text
    await ana.writes("¿Qué documento sirve para probar la dirección del local para el RUOS?")
    assert "¿Sobre qué es tu consulta?" in ana.last.text
    await ana.chooses("📋 RUOS")
    assert "Tu consulta es la número *#1*" in ana.last.text

    await bot.run_reminders()                                          # the outbox tells the coordinator of Callao
    assert "Una nueva consulta, #1, espera en /bandeja." in luis.last_text
    await luis.taps("📂 Abrir")
    assert "Organización: Mujeres del Callao" in luis.last_text and "Tema: RUOS" in luis.last_text
    await luis.taps("✍️ Responder")
    await luis.sends("Un recibo de luz o una constancia de posesión de la municipalidad.")
    await bot.run_reminders()
    answer = await arrives(ana, lambda m: "El equipo escribió sobre tu consulta #1" in m.text)
    assert "recibo de luz" in answer.text                             # the answer itself, on WhatsApp

    await ana.presses("ask:reply:1")
    await ana.writes("¿Puede estar a nombre de la presidenta?")
    assert "El equipo lo verá en #1" in ana.last.text
    await bot.run_reminders()
    assert "Hay un mensaje nuevo en la consulta #1" in luis.last_text
    await ana.writes("/preguntar")
    await ana.presses("ask:mine")
    await ana.presses("ask:view:1")
    assert "El equipo" in ana.last.text and "nombre de la presidenta" in ana.last.text
    await ana.presses("ask:close:1")
    assert "quedó cerrada" in ana.last.text
    await bot.run_reminders()
    assert "la cerró" in luis.last_text                                # the one who took it is told

    async with await bot.session() as session:
        question = await session.scalar(select(Question))
        authors = list(await session.scalars(select(QuestionMessage.from_team).order_by(QuestionMessage.id)))
    assert question.state is QuestionState.CLOSED and authors == [False, True, False]


async def test_an_anonymous_complaint_from_whatsapp_keeps_nothing_of_its_sender(wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    await ana.writes("/opinion")
    await ana.chooses("⚠️ Una queja")
    assert "nadie podrá responderte" in ana.last.text
    await ana.writes("Sin elegir todavía")                              # typed before choosing: asked again
    assert "nadie podrá responderte" in ana.last.text
    await ana.chooses("🕶 De forma anónima")
    await ana.writes("La sesión empezó una hora tarde.")
    assert "Se envió sin tu nombre" in ana.last.text
    async with wa.session() as session:
        complaint = await session.scalar(select(Feedback))
    assert complaint.sender_id is None and complaint.text == "La sesión empezó una hora tarde."


async def test_a_leader_on_whatsapp_asks_with_a_photo_and_the_coordinator_on_telegram_opens_it_clean(bot, wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    await leading_in_callao(wa, ana)
    luis = bot.user(first_name="Luis", language_code="es")
    await consented_on_telegram(luis)
    async with await bot.session() as session:
        await session.execute(update(User).where(User.telegram_id == luis.id).values(role=Role.COORDINATOR))
        luis_id = await session.scalar(select(User.id).where(User.telegram_id == luis.id))
        session.add(CoordinatorDistrict(user_id=luis_id, district_ubigeo=CALLAO))

    await ana.writes("/preguntar")
    await ana.sends_document(b"MZ\x90\x00 a program", "recibo.exe", mime_type="application/octet-stream")
    assert "programa" in ana.last.text                                  # refused, said why; still asking
    await ana.sends_image(photo_with_gps("ivory"), caption="¿Este sello del acta es el correcto?")
    assert "¿Sobre qué es tu consulta?" in ana.last.text
    await ana.chooses("📋 RUOS")
    assert "Tu consulta es la número *#1*" in ana.last.text

    await bot.run_reminders()
    assert "Una nueva consulta, #1, espera en /bandeja." in luis.last_text
    await luis.taps("📂 Abrir")
    assert "sello del acta" in luis.last_text and "📎" in luis.last_text
    await luis.taps(next(label for label in luis.buttons if label.startswith("📎")))
    photo = luis.documents[-1].content
    assert_without_metadata(photo)                                       # the phone's EXIF and GPS gone
    async with await bot.session() as session:
        path = await session.scalar(select(QuestionMessage.file_path).where(QuestionMessage.file_path.is_not(None)))
    assert bot.runtime.files.read(path) == photo and (bot.runtime.files.root / path).read_bytes() != photo  # kept encrypted
