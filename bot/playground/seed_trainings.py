"""The playground's trainings: a session Luis the coordinator runs today (full, with one leader
waiting, so check-in, the lists, the waitlist and certificates can be tried at once) and an
open topic vote with a few ballots in.

Like the rest of the seed it only adds what is missing: the session again once its last copy
has ended, the vote again once no vote is open.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.people.models import User
from bot.trainings import sessions as trainings
from bot.trainings.models import (
    Ballot,
    Enrollment,
    EnrollmentState,
    TopicVote,
    TrainingSession,
    TrainingTopic,
)

TODAY_TITLE = "Cultura organizacional positiva: acuerdos de convivencia"


async def add_missing(session: AsyncSession, *, coordinator: User, seated: list[User], waiting: list[User],
                      voters: list[User], now: datetime, zone: ZoneInfo) -> None:
    running = select(TrainingSession.id).where(TrainingSession.title == TODAY_TITLE, TrainingSession.ends_at > now)
    if await session.scalar(running.limit(1)) is None:
        await _session_to_run(session, coordinator=coordinator, seated=seated, waiting=waiting, now=now, zone=zone)
    open_vote = select(TopicVote.id).where(TopicVote.closed_at.is_(None))
    if await session.scalar(open_vote.limit(1)) is None:
        vote = TopicVote(max_choices=2, opened_by_id=coordinator.id, opened_at=now)
        session.add(vote)
        await session.flush()
        choices = [TrainingTopic.TAX, TrainingTopic.BASIC_DESIGN, TrainingTopic.TAX]
        for voter, topic in zip(voters, choices, strict=False):
            session.add(Ballot(vote_id=vote.id, user_id=voter.id, topic=topic))


async def _session_to_run(session: AsyncSession, *, coordinator: User, seated: list[User], waiting: list[User],
                          now: datetime, zone: ZoneInfo) -> None:
    # Starts within a quarter of an hour (on a five-minute mark in Lima): check-in, which opens
    # 30 minutes before, can be opened right away.
    local = now.astimezone(zone)
    starts_at = local.replace(minute=local.minute - local.minute % 5, second=0, microsecond=0) + timedelta(minutes=15)
    training = TrainingSession(
        topic=TrainingTopic.ORGANIZATIONAL_CULTURE, title=TODAY_TITLE,
        description="Cómo acordar normas de convivencia en la organización y cuidarlas entre todas y todos.",
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), venue="https://meet.google.com/voc-esde-mo",
        district_ubigeo=None, online=True, capacity=len(seated), created_by_id=coordinator.id, created_at=now,
    )
    session.add(training)
    await session.flush()
    for person in seated:
        session.add(Enrollment(session_id=training.id, user_id=person.id, state=EnrollmentState.ENROLLED, created_at=now))
        await trainings.schedule_reminders(session, training, user_id=person.id, now=now)
    for person in waiting:
        session.add(Enrollment(session_id=training.id, user_id=person.id, state=EnrollmentState.WAITLISTED, created_at=now))
    await session.flush()
