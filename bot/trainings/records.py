"""What a session leaves behind: attendance (check-in by code or by the coordinator),
no-shows, certificates and their verification, feedback, a leader's history, the coordinator's
lists, and the topic votes in which leaders choose what comes next.

The read functions here (`roster`, `attendance_by_session`, `enrolled_user_ids`) are also what
exports, statistics and targeted broadcasts read.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone, transition
from bot.messaging import notices
from bot.organizations.models import Leadership, Organization
from bot.people import authority
from bot.people.authority import require_coordinator
from bot.people.models import User
from bot.trainings.models import (
    Ballot,
    Certificate,
    Enrollment,
    EnrollmentState,
    FeedbackDraft,
    Topic,
    TopicVote,
    TrainingDraft,
    TrainingSession,
)
from bot.trainings.sessions import TrainingError, running_session

# No 0/O, 1/I/L: the code is read aloud in a room and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

WRONG_CODE = N_("That is not the check-in code of a session you are enrolled in, or check-in is closed.")
NOT_ATTENDED = N_("A certificate is given to those who attended the session.")

# Attendance follows the clock: check-in opens this long before the session starts and closes
# when it ends; closing attendance (the no-shows, the rating question) and certificates come
# only once it has ended.
CHECKIN_OPENS_BEFORE = timedelta(minutes=30)
CHECKIN_NOT_YET = N_("Check-in opens at %(time)s, 30 minutes before the session starts.")
CHECKIN_OVER = N_("This session ended at %(time)s, so check-in is over. Attendance can still be marked by hand from its lists.")
CLOSE_NOT_YET = N_("Attendance can be closed once the session has ended, from %(time)s. Until then leaders can still check in.")
LEADER_CHECKIN_OVER = N_("Check-in for this session closed at %(time)s, when it ended.")
NOT_ENDED = N_("The certificate is given once the session has ended, from %(time)s.")


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def checkin_opens_at(training: TrainingSession) -> datetime:
    return training.starts_at - CHECKIN_OPENS_BEFORE


def require_ended(training: TrainingSession, *, now: datetime, message: str = NOT_ENDED) -> None:
    """What comes after a session (no-shows, the rating question, certificates) waits for its end."""
    if now < training.ends_at:
        raise TrainingError(message, time=training.ends_at)


# --- attendance -------------------------------------------------------------------------------


async def open_checkin(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> str:
    """Open check-in and return its code (the same one if it was open already)."""
    training = await running_session(session, user_id=user_id, session_id=session_id)
    audit.record(session, user_id, "training.checkin_open", now=now, detail=f"session {session_id}")
    if training.cancelled_at is not None:
        raise TrainingError(N_("That training session no longer exists."))
    if now < checkin_opens_at(training):
        raise TrainingError(CHECKIN_NOT_YET, time=checkin_opens_at(training))
    if now >= training.ends_at:
        raise TrainingError(CHECKIN_OVER, time=training.ends_at)
    if not training.checkin_code:
        training.checkin_code = new_code(6)
    training.checkin_open = True
    await session.flush()
    return training.checkin_code


async def close_checkin(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> int:
    """Close check-in: whoever held a seat and did not come is a no-show, whoever came is asked
    how useful it was. Returns how many did not come."""
    training = await running_session(session, user_id=user_id, session_id=session_id)
    require_ended(training, now=now, message=CLOSE_NOT_YET)
    audit.record(session, user_id, "training.checkin_close", now=now, detail=f"session {session_id}")
    await transition(session, TrainingSession, where={"id": session_id, "checkin_open": True}, values={"checkin_open": False})
    result = await session.execute(
        update(Enrollment)
        .where(Enrollment.session_id == session_id, Enrollment.state == EnrollmentState.ENROLLED)
        .values(state=EnrollmentState.NO_SHOW)
        .execution_options(synchronize_session=False)
    )
    for person in await attendees(session, session_id):
        await notices.tell(
            session, recipient_id=person.id, about="training.feedback", now=now,
            says=[notices.line(N_("Thank you for coming to <b>%(title)s</b>! How useful was it, from 1 to 5? Your certificate is in /mytrainings."),
                               title=training.title)],
            choices=[[notices.choice(f"tr:rate:{session_id}:{n}", words=f"{n} ⭐") for n in range(1, 6)]])
    return int(result.rowcount or 0)


async def check_in(session: AsyncSession, *, user_id: int, code: str, now: datetime) -> TrainingSession:
    """The leader said the code (or tapped the button while open): attended."""
    code = normalize_code(code)
    training = await session.scalar(
        select(TrainingSession)
        .join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .where(TrainingSession.checkin_open.is_(True), TrainingSession.checkin_code == code, Enrollment.user_id == user_id,
               Enrollment.state.in_([EnrollmentState.ENROLLED, EnrollmentState.NO_SHOW, EnrollmentState.ATTENDED]))
    )
    if training is None or now < checkin_opens_at(training):
        raise TrainingError(WRONG_CODE)
    if now >= training.ends_at:
        raise TrainingError(LEADER_CHECKIN_OVER, time=training.ends_at)
    await transition(
        session, Enrollment,
        where={"session_id": training.id, "user_id": user_id, "state": (EnrollmentState.ENROLLED, EnrollmentState.NO_SHOW)},
        values={"state": EnrollmentState.ATTENDED, "attended_at": now},
        already=AlreadyDone(N_("You are already checked in. Thank you for coming!")),
    )
    return training


async def mark_attendance(session: AsyncSession, *, user_id: int, session_id: int, leader_id: int, attended: bool, now: datetime) -> None:
    """The coordinator marks someone on the list as present or absent."""
    training = await running_session(session, user_id=user_id, session_id=session_id)
    if now < checkin_opens_at(training):
        raise TrainingError(CHECKIN_NOT_YET, time=checkin_opens_at(training))
    audit.record(session, user_id, "training.attendance", now=now, subject_id=leader_id,
                 detail=f"session {session_id}: {'present' if attended else 'absent'}")
    held = (EnrollmentState.ENROLLED, EnrollmentState.NO_SHOW, EnrollmentState.ATTENDED)
    await transition(
        session, Enrollment, where={"session_id": session_id, "user_id": leader_id, "state": held},
        values={"state": EnrollmentState.ATTENDED if attended else EnrollmentState.NO_SHOW,
                "attended_at": now if attended else None},
    )


# --- certificates -----------------------------------------------------------------------------


async def acting_organization_name(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(
        select(Organization.name)
        .join(Leadership, Leadership.organization_id == Organization.id)
        .where(Leadership.user_id == user_id)
        .order_by(Leadership.acting.desc(), Leadership.joined_at)
        .limit(1)
    )


async def certificate_for(session: AsyncSession, *, session_id: int, user_id: int, now: datetime) -> tuple[Certificate, TrainingSession]:
    """The person's certificate for a session they attended, issued the first time it is asked."""
    enrollment = await session.scalar(
        select(Enrollment).where(Enrollment.session_id == session_id, Enrollment.user_id == user_id)
    )
    training = await session.get(TrainingSession, session_id)
    if enrollment is None or training is None or enrollment.state is not EnrollmentState.ATTENDED:
        raise TrainingError(NOT_ATTENDED)
    require_ended(training, now=now)
    certificate = await session.scalar(
        select(Certificate).where(Certificate.session_id == session_id, Certificate.user_id == user_id)
    )
    if certificate is None:
        person = await session.get(User, user_id)
        assert person is not None
        certificate = Certificate(
            code=new_code(8), session_id=session_id, user_id=user_id, holder_name=person.display_name or "—",
            organization_name=await acting_organization_name(session, user_id), issued_at=now,
        )
        session.add(certificate)
        await session.flush()
    return certificate, training


@dataclass(frozen=True)
class Verified:
    certificate: Certificate
    training: TrainingSession


async def verify(session: AsyncSession, *, code: str) -> Verified | None:
    """Whether a certificate with this code was issued (and not erased with its holder)."""
    found = await session.execute(
        select(Certificate, TrainingSession)
        .join(TrainingSession, TrainingSession.id == Certificate.session_id)
        .where(Certificate.code == normalize_code(code))
    )
    row = found.first()
    return Verified(*row) if row else None


# --- a leader's history, and feedback -----------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    training: TrainingSession
    state: EnrollmentState
    certificate_code: str | None
    rated: bool


async def history_of(session: AsyncSession, *, user_id: int) -> list[HistoryEntry]:
    rows = await session.execute(
        select(TrainingSession, Enrollment.state, Certificate.code, Enrollment.rating)
        .join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .outerjoin(Certificate, (Certificate.session_id == TrainingSession.id) & (Certificate.user_id == user_id))
        .where(Enrollment.user_id == user_id)
        .order_by(TrainingSession.starts_at.desc())
    )
    return [HistoryEntry(training, state, code, rating is not None) for training, state, code, rating in rows.all()]


async def rate(session: AsyncSession, *, user_id: int, session_id: int, rating: int) -> None:
    if not 1 <= rating <= 5:
        raise TrainingError(N_("Choose from 1 to 5."))
    await transition(
        session, Enrollment, where={"session_id": session_id, "user_id": user_id, "state": EnrollmentState.ATTENDED},
        values={"rating": rating},
    )


async def comment(session: AsyncSession, *, user_id: int, session_id: int, text: str) -> None:
    await transition(
        session, Enrollment, where={"session_id": session_id, "user_id": user_id, "state": EnrollmentState.ATTENDED},
        values={"comment": text},
    )


async def attendees(session: AsyncSession, session_id: int) -> list[User]:
    return list(await session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.session_id == session_id, Enrollment.state == EnrollmentState.ATTENDED)
        .order_by(Enrollment.id)
    ))


# --- the coordinator's lists ----------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    user_id: int
    telegram_id: int
    name: str | None
    organization: str | None
    state: EnrollmentState
    enrolled_at: datetime
    attended_at: datetime | None
    rating: int | None


async def roster(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> list[RosterRow]:
    """Everyone on a session's list, in list order (seats and offers first come first), for
    those who run it."""
    await running_session(session, user_id=user_id, session_id=session_id)
    audit.record(session, user_id, "training.roster_read", now=now, detail=f"session {session_id}")
    return await roster_rows(session, session_id)


async def roster_rows(session: AsyncSession, session_id: int) -> list[RosterRow]:
    """The same without the authority check, for callers that checked already (exports)."""
    rows = await session.execute(
        select(Enrollment, User.telegram_id, User.display_name)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.session_id == session_id)
        .order_by(Enrollment.id)
    )
    result = []
    for enrollment, telegram_id, name in rows.all():
        result.append(RosterRow(
            enrollment.user_id, telegram_id, name, await acting_organization_name(session, enrollment.user_id),
            enrollment.state, enrollment.created_at, enrollment.attended_at, enrollment.rating,
        ))
    return result


async def attendance_by_session(session: AsyncSession) -> dict[int, Counter[EnrollmentState]]:
    """For statistics: how many people are in each state, per session."""
    rows = await session.execute(
        select(Enrollment.session_id, Enrollment.state, func.count()).group_by(Enrollment.session_id, Enrollment.state)
    )
    counts: dict[int, Counter[EnrollmentState]] = {}
    for session_id, state, count in rows.all():
        counts.setdefault(session_id, Counter())[state] = count
    return counts


async def enrolled_user_ids(session: AsyncSession, *, session_id: int | None = None, topic: str | None = None,
                            states: tuple[EnrollmentState, ...] = (EnrollmentState.ENROLLED, EnrollmentState.OFFERED,
                                                                    EnrollmentState.WAITLISTED)) -> list[int]:
    """For targeted messages: who is on the list of a session, or of any session of a topic."""
    query = select(Enrollment.user_id).where(Enrollment.state.in_(states)).distinct()
    if session_id is not None:
        query = query.where(Enrollment.session_id == session_id)
    if topic is not None:
        query = query.join(TrainingSession, TrainingSession.id == Enrollment.session_id).where(TrainingSession.topic == topic)
    return list(await session.scalars(query))


# --- topic votes ----------------------------------------------------------------------------------


async def open_vote(session: AsyncSession, *, user_id: int, max_choices: int, now: datetime) -> TopicVote:
    """One vote at a time: opening another while one is open answers 'already done'."""
    await require_coordinator(session, user_id=user_id)
    if await current_vote(session) is not None:
        raise AlreadyDone(N_("A topic vote is already open. Close it before opening another."))
    if not 1 <= max_choices <= 5:
        raise TrainingError(N_("Choose from 1 to 5."))
    vote = TopicVote(max_choices=max_choices, opened_by_id=user_id, opened_at=now)
    session.add(vote)
    await session.flush()
    audit.record(session, user_id, "vote.open", now=now, detail=f"vote {vote.id}")
    return vote


async def current_vote(session: AsyncSession) -> TopicVote | None:
    return await session.scalar(
        select(TopicVote).where(TopicVote.closed_at.is_(None)).order_by(TopicVote.id.desc()).limit(1)
    )


async def ballot_of(session: AsyncSession, *, vote_id: int, user_id: int) -> set[str]:
    return set(await session.scalars(select(Ballot.topic).where(Ballot.vote_id == vote_id, Ballot.user_id == user_id)))


async def toggle_choice(session: AsyncSession, *, vote_id: int, user_id: int, topic: str) -> set[str]:
    """Add or remove one topic from the leader's ballot while the vote is open."""
    vote = await session.scalar(select(TopicVote).where(TopicVote.id == vote_id).with_for_update())
    if vote is None or vote.closed_at is not None:
        raise TrainingError(N_("This topic vote is closed."))
    if await session.get(Topic, topic) is None:
        raise TrainingError(N_("That topic no longer exists."))
    chosen = await ballot_of(session, vote_id=vote_id, user_id=user_id)
    if topic in chosen:
        await session.execute(delete(Ballot).where(Ballot.vote_id == vote_id, Ballot.user_id == user_id, Ballot.topic == topic))
        chosen.discard(topic)
        return chosen
    if len(chosen) >= vote.max_choices:
        raise TrainingError(N_("You already chose %(count)s topics. Remove one to choose another."), count=vote.max_choices)
    session.add(Ballot(vote_id=vote_id, user_id=user_id, topic=topic))
    await session.flush()
    chosen.add(topic)
    return chosen


@dataclass(frozen=True)
class Tally:
    vote: TopicVote
    counts: list[tuple[Topic, int]]  # most chosen first, every topic listed
    voters: int


async def tally(session: AsyncSession, vote_id: int) -> Tally:
    vote = await session.get(TopicVote, vote_id)
    assert vote is not None
    counted = dict((await session.execute(
        select(Ballot.topic, func.count()).where(Ballot.vote_id == vote_id).group_by(Ballot.topic)
    )).all())
    voters = await session.scalar(select(func.count(func.distinct(Ballot.user_id))).where(Ballot.vote_id == vote_id))
    every = list(await session.scalars(select(Topic).order_by(Topic.created_at, Topic.code)))
    ordered = sorted(((topic, counted.get(topic.code, 0)) for topic in every), key=lambda pair: -pair[1])
    return Tally(vote, ordered, int(voters or 0))


async def close_vote(session: AsyncSession, *, user_id: int, vote_id: int, now: datetime) -> Tally:
    """Closed by whoever opened it, or staff."""
    who = await authority.coordinator(session, user_id=user_id)
    vote = await session.get(TopicVote, vote_id)
    if vote is not None:
        who.require_may_change(vote.opened_by_id)
    await transition(session, TopicVote, where={"id": vote_id, "closed_at": None}, values={"closed_at": now})
    audit.record(session, user_id, "vote.close", now=now, detail=f"vote {vote_id}")
    return await tally(session, vote_id)


# --- for /mydata and consent ------------------------------------------------------------------------


async def training_history(session: AsyncSession, *, user_id: int) -> list[tuple[str, str, bool]]:
    """(title, enrollment state, has a certificate) of every session the person is on."""
    return [(entry.training.title, entry.state.value, entry.certificate_code is not None)
            for entry in await history_of(session, user_id=user_id)]


async def forget_training_draft(session: AsyncSession, *, user_id: int) -> None:
    """The person's unfinished /newtraining, and the comment they were asked for."""
    await session.execute(delete(TrainingDraft).where(TrainingDraft.user_id == user_id))
    await session.execute(delete(FeedbackDraft).where(FeedbackDraft.user_id == user_id))
