"""Questions in the playground: Rosa has one answered and one open, Yohana one open, so
Carmen's /inbox (/bandeja) has two waiting; one saved answer is already a frequent question a
leader sees in /preguntar; Carmen reads complaints (/quejas). Added only while missing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.organizations.models import Leadership, Organization
from bot.people.models import User
from bot.questions.models import (
    ComplaintHandler,
    Question,
    QuestionMessage,
    QuestionState,
    QuestionTopic,
    SavedAnswer,
)

ANSWERED = ("¿Qué documento sirve para probar la dirección del local comunal para el RUOS?",
            "Un recibo de luz o de agua a nombre de la organización o de su presidenta, o una constancia de posesión de la municipalidad.")
OPEN_ROSA = "¿Podemos usar parte del fondo del huerto para comprar semillas de temporada?"
OPEN_YOHANA = "La municipalidad nos pide el padrón de socios legalizado. ¿Dónde se legaliza?"
SAVED = ("¿Cuánto demora el RUOS?", "La municipalidad tiene 30 días hábiles para responder desde que presentas el expediente completo. "
         "Si te observan algo, el plazo corre de nuevo desde que subsanas.")


async def add_missing(session: AsyncSession, *, rosa: User, yohana: User, staff: User, now: datetime) -> None:
    if await session.scalar(select(Question.id).where(Question.asker_id == rosa.id)) is None:
        await _question(session, rosa, ANSWERED[0], QuestionTopic.RUOS, now - timedelta(days=6), answer=(staff, ANSWERED[1]))
        await _question(session, rosa, OPEN_ROSA, QuestionTopic.OTHER, now - timedelta(hours=3))
    if await session.scalar(select(Question.id).where(Question.asker_id == yohana.id)) is None:
        await _question(session, yohana, OPEN_YOHANA, QuestionTopic.RUOS, now - timedelta(days=1, hours=2))
    if await session.scalar(select(SavedAnswer.id)) is None:
        session.add(SavedAnswer(language="es", title=SAVED[0], text=SAVED[1], uses=3, created_by_id=staff.id, created_at=now))
    if await session.get(ComplaintHandler, staff.id) is None:
        session.add(ComplaintHandler(user_id=staff.id, designated_by_id=staff.id, designated_at=now))


async def _question(session: AsyncSession, asker: User, text: str, topic: QuestionTopic, asked: datetime,
                    answer: tuple[User, str] | None = None) -> None:
    organization = await session.scalar(select(Organization).join(Leadership, Leadership.organization_id == Organization.id)
                                        .where(Leadership.user_id == asker.id).limit(1))
    question = Question(asker_id=asker.id, organization_id=organization.id if organization else None,
                        district_ubigeo=organization.district_ubigeo if organization else None, topic=topic,
                        state=QuestionState.OPEN, asked_at=asked)
    session.add(question)
    await session.flush()
    session.add(QuestionMessage(question_id=question.id, author_id=asker.id, text=text, sent_at=asked))
    if answer is not None:
        answered_at = asked + timedelta(hours=20)
        session.add(QuestionMessage(question_id=question.id, author_id=answer[0].id, from_team=True, text=answer[1], sent_at=answered_at))
        question.state, question.taken_by_id, question.first_answer_at = QuestionState.ANSWERED, answer[0].id, answered_at
