"""What a trainings screen shows, read in one call each: the channel renders it and opens no
query of its own (a handler parses, calls one of these, renders what it returns).

A session's card also says what its reader may do now (`SessionCard.actions`), so every
channel offers the same choices: enroll or join the waitlist, leave, check in, take or pass
a seat held for them, get the certificate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.people.authority import Viewer
from bot.people.models import User
from bot.trainings import records
from bot.trainings import sessions as trainings
from bot.trainings.models import (
    Certificate,
    Enrollment,
    EnrollmentState,
    Topic,
    TopicVote,
    TrainingSession,
)


async def topic_map(session: AsyncSession) -> dict[str, Topic]:
    return {topic.code: topic for topic in await trainings.topics(session)}


# --- /trainings: the upcoming sessions, and one session as a leader sees it ----------------------


@dataclass(frozen=True)
class Upcoming:
    sessions: list[TrainingSession]
    taken: dict[int, int]  # seats held, per session
    topics: dict[str, Topic]


async def upcoming(session: AsyncSession, *, now: datetime, limit: int = 200) -> Upcoming:
    found = await trainings.upcoming_sessions(session, now=now, limit=limit)
    return Upcoming(found, await trainings.seats_taken_by_session(session, [t.id for t in found]), await topic_map(session))


@dataclass(frozen=True)
class SessionCard:
    training: TrainingSession
    taken: int
    topics: dict[str, Topic]
    mine: Enrollment | None  # the reader's place on its list, if any
    position: int | None  # in line, when waitlisted
    actions: tuple[str, ...] = field(default=())  # enroll|waitlist, here, take, pass, cert, leave: in this order


async def session_card(session: AsyncSession, *, session_id: int, user_id: int | None, now: datetime) -> SessionCard | None:
    """The session and its reader's place on it (None: it is gone)."""
    training = await trainings.get_session(session, session_id)
    if training is None:
        return None
    taken = await trainings.seats_taken(session, session_id)
    mine = await trainings.enrollment_of(session, session_id=session_id, user_id=user_id) if user_id is not None else None
    waiting = mine is not None and mine.state is EnrollmentState.WAITLISTED
    position = await trainings.waitlist_position(session, mine) if waiting and mine is not None else None
    return SessionCard(training, taken, await topic_map(session), mine, position, _actions(training, taken, mine, now))


def _actions(training: TrainingSession, taken: int, mine: Enrollment | None, now: datetime) -> tuple[str, ...]:
    if training.cancelled_at is not None:
        return ()
    upcoming = training.starts_at > now
    if mine is None:
        return (("enroll" if taken < training.capacity else "waitlist"),) if upcoming else ()
    state = mine.state
    actions = {
        EnrollmentState.ENROLLED: ("here",) if training.checkin_open else (),
        EnrollmentState.OFFERED: ("take", "pass"),
        EnrollmentState.ATTENDED: ("cert",),
    }.get(state, ())
    if state in (EnrollmentState.ENROLLED, EnrollmentState.WAITLISTED) and upcoming:
        actions += ("leave",)
    return actions


@dataclass(frozen=True)
class HeldSeat:
    training: TrainingSession
    expires_at: datetime


async def seat_held(session: AsyncSession, *, session_id: int, user_id: int) -> HeldSeat | None:
    """The seat offered to the person, while it is still held for them."""
    mine = await trainings.enrollment_of(session, session_id=session_id, user_id=user_id)
    training = await trainings.get_session(session, session_id)
    if mine is None or training is None or mine.state is not EnrollmentState.OFFERED or mine.offer_expires_at is None:
        return None
    return HeldSeat(training, mine.offer_expires_at)


async def expire_offer(session: AsyncSession, *, session_id: int, user_id: int, now: datetime,
                       claim: timedelta) -> TrainingSession | None:
    """The claim deadline passed: the seat goes to the next in line, announced to them at once.
    The session, or None when the seat was taken or passed in time."""
    offers = await trainings.expire_offer(session, session_id=session_id, user_id=user_id, now=now, claim=claim)
    if offers is None:
        return None
    training = await trainings.get_session(session, session_id)
    await trainings.announce_offers(session, offers, now=now)
    return training


async def prerequisite_topic(session: AsyncSession, error: trainings.MissingPrerequisite) -> Topic | None:
    return (await topic_map(session)).get(error.topic.code) if error.topic else None


# --- coordinators: a session's card, cancelling, lists, check-in -----------------------------------


@dataclass(frozen=True)
class CoordinatorCard:
    training: TrainingSession
    who: Viewer
    topics: dict[str, Topic]
    counts: Counter[EnrollmentState]


async def coordinator_card(session: AsyncSession, *, user_id: int, session_id: int) -> CoordinatorCard | None:
    """The session for a coordinator who sees it (None: it is gone; NotAllowed: not theirs to see)."""
    found = await trainings.coordinator_session(session, user_id=user_id, session_id=session_id)
    if found is None:
        return None
    counts = (await records.attendance_by_session(session)).get(session_id, Counter())
    return CoordinatorCard(found[0], found[1], await topic_map(session), counts)


@dataclass(frozen=True)
class Cancelled:
    training: TrainingSession
    told: list[trainings.Person]


async def cancel_session(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> Cancelled:
    told = await trainings.cancel_session(session, user_id=user_id, session_id=session_id, now=now)
    training = await trainings.get_session(session, session_id)
    assert training is not None
    return Cancelled(training, told)


async def roster_of(session: AsyncSession, *, user_id: int, session_id: int,
                    now: datetime) -> tuple[TrainingSession, list[records.RosterRow]]:
    rows = await records.roster(session, user_id=user_id, session_id=session_id, now=now)
    training = await trainings.get_session(session, session_id)
    assert training is not None
    return training, rows


@dataclass(frozen=True)
class CheckinClosed:
    training: TrainingSession
    no_shows: int
    came: list[User]  # asked for their rating


async def close_checkin(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> CheckinClosed:
    no_shows = await records.close_checkin(session, user_id=user_id, session_id=session_id, now=now)
    came = await records.attendees(session, session_id)
    training = await trainings.get_session(session, session_id)
    assert training is not None
    return CheckinClosed(training, no_shows, came)


async def check_in_by_button(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> TrainingSession | None:
    """The "I am here" button: check-in with the session's own code (None: the session is gone)."""
    training = await trainings.get_session(session, session_id)
    if training is None:
        return None
    return await records.check_in(session, user_id=user_id, code=training.checkin_code or "-", now=now)


async def certificate(session: AsyncSession, *, session_id: int, user_id: int,
                      now: datetime) -> tuple[Certificate, TrainingSession, dict[str, Topic]]:
    found, training = await records.certificate_for(session, session_id=session_id, user_id=user_id, now=now)
    return found, training, await topic_map(session)


# --- topic votes -----------------------------------------------------------------------------------


async def open_vote_tally(session: AsyncSession) -> tuple[TopicVote, records.Tally] | None:
    """The vote open now and its live counts, if one is open."""
    vote = await records.current_vote(session)
    return None if vote is None else (vote, await records.tally(session, vote.id))


@dataclass(frozen=True)
class BallotView:
    vote_id: int
    max_choices: int
    topics: list[Topic]
    chosen: set[str]


async def ballot(session: AsyncSession, *, user_id: int) -> BallotView | None:
    """The person's ballot in the vote open now (None: no vote is open)."""
    vote = await records.current_vote(session)
    if vote is None:
        return None
    chosen = await records.ballot_of(session, vote_id=vote.id, user_id=user_id)
    return BallotView(vote.id, vote.max_choices, await trainings.topics(session), chosen)


async def toggle_choice(session: AsyncSession, *, vote_id: int, user_id: int, topic: str) -> BallotView:
    chosen = await records.toggle_choice(session, vote_id=vote_id, user_id=user_id, topic=topic)
    vote = await records.current_vote(session)
    return BallotView(vote_id, vote.max_choices if vote else len(chosen), await trainings.topics(session), chosen)

