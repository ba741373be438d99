"""Training sessions: the calendar, enrollment with exact seats and a waitlist, reminders.

Seats are exact under a crowd. Every change to who holds a seat in a session (enrolling,
leaving, taking or passing an offered seat, an offer expiring) first locks the session's row
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer, and Voces one SQLite connection,
so its transactions already run one after the other), then counts the seats held and writes
in the same transaction. Two hundred presses on a thirty-seat session therefore meet at the
lock one after the other, and each sees the count the one before it committed: thirty seats,
a hundred and seventy places in line, in the order they reached the lock. The Telegram side
(handlers.trainings.browse.seat_line) makes that the order Telegram delivered the presses in.

When a seat frees, the first in line is offered it (`OFFERED`, holding the seat) until a
deadline; they take it or pass, and once the deadline passes the offer goes to the next.

Attendance, certificates, feedback and topic votes are in `bot.trainings.records`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone, delete_once, transition
from bot.core.validation import InvalidInput, clean_text
from bot.messaging import notices, reminders
from bot.people import authority
from bot.people.authority import SESSION_OUT_OF_SCOPE, NotAllowed, Viewer, require_coordinator
from bot.people.models import User
from bot.trainings.models import (
    HOLDS_SEAT,
    Enrollment,
    EnrollmentState,
    Topic,
    TrainingSession,
)

REMINDER_KIND = "training.reminder"
OFFER_KIND = "training.offer"
OFFER_EXPIRY_KIND = "training.offer_expiry"
# How long before the start each reminder goes; the last one is urgent (it must not wait
# for the end of quiet hours, by then the session has begun).
REMINDERS_BEFORE = {"24h": (timedelta(hours=24), False), "1h": (timedelta(hours=1), True)}


class TrainingError(InvalidInput):
    """What a leader or coordinator cannot do with a session now: nothing was changed."""


class MissingPrerequisite(TrainingError):
    def __init__(self, topic: Topic | None) -> None:
        super().__init__(NEEDS_PREREQUISITE, topic=topic.name_en if topic else "?")
        self.topic = topic


NOT_FOUND = N_("That training session no longer exists.")
CANCELLED = N_("That training session was cancelled.")
CLOSED = N_("Enrollment for this session is closed.")
ALREADY_IN = N_("You are already on the list of this session.")
NOT_IN = N_("You are not on the list of this session.")
OFFER_GONE = N_("That seat is no longer held for you.")
NEEDS_PREREQUISITE = N_("This session asks that you first attend a session on %(topic)s.")


# --- reading --------------------------------------------------------------------------------


async def topics(session: AsyncSession) -> list[Topic]:
    return list(await session.scalars(select(Topic).order_by(Topic.created_at, Topic.code)))


async def topic(session: AsyncSession, code: str) -> Topic | None:
    return await session.get(Topic, code)


async def add_topic(session: AsyncSession, *, user_id: int, code: str, name_es: str, name_en: str, now: datetime) -> Topic:
    """A new topic (staff and coordinators): the programme adds them as needs appear."""
    await require_coordinator(session, user_id=user_id)
    if await session.get(Topic, code) is not None:
        raise AlreadyDone(N_("That topic already exists."))
    added = Topic(code=code, name_es=name_es, name_en=name_en, created_at=now)
    session.add(added)
    await session.flush()
    return added


async def upcoming_sessions(session: AsyncSession, *, now: datetime, limit: int = 10) -> list[TrainingSession]:
    """Sessions not cancelled that have not started yet, soonest first."""
    query = (
        select(TrainingSession)
        .where(TrainingSession.cancelled_at.is_(None), TrainingSession.starts_at > now)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def get_session(session: AsyncSession, session_id: int) -> TrainingSession | None:
    return await session.get(TrainingSession, session_id)


async def seats_taken(session: AsyncSession, session_id: int) -> int:
    held = select(func.count()).select_from(Enrollment).where(
        Enrollment.session_id == session_id, Enrollment.state.in_(HOLDS_SEAT)
    )
    return int(await session.scalar(held) or 0)


async def seats_taken_by_session(session: AsyncSession, session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = await session.execute(
        select(Enrollment.session_id, func.count())
        .where(Enrollment.session_id.in_(session_ids), Enrollment.state.in_(HOLDS_SEAT))
        .group_by(Enrollment.session_id)
    )
    return {session_id: count for session_id, count in rows.all()}


async def enrollment_of(session: AsyncSession, *, session_id: int, user_id: int) -> Enrollment | None:
    return await session.scalar(
        select(Enrollment).where(Enrollment.session_id == session_id, Enrollment.user_id == user_id)
        .execution_options(populate_existing=True)
    )


async def waitlist_position(session: AsyncSession, enrollment: Enrollment) -> int:
    """1 for the first in line."""
    ahead = select(func.count()).select_from(Enrollment).where(
        Enrollment.session_id == enrollment.session_id,
        Enrollment.state == EnrollmentState.WAITLISTED,
        Enrollment.id < enrollment.id,
    )
    return int(await session.scalar(ahead) or 0) + 1


@dataclass(frozen=True)
class Person:
    """Who to tell about a session: enough to write to them in their language."""

    user_id: int
    telegram_id: int
    language: str
    state: EnrollmentState


async def people_on_list(session: AsyncSession, session_id: int) -> list[Person]:
    """Everyone enrolled, offered or waiting, in list order (those told of a change)."""
    rows = await session.execute(
        select(User.id, User.telegram_id, User.language, Enrollment.state)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.session_id == session_id)
        .order_by(Enrollment.id)
    )
    return [Person(*row) for row in rows.all()]


# --- enrolling, leaving, the waitlist -------------------------------------------------------


async def _lock(session: AsyncSession, session_id: int) -> TrainingSession:
    """The session's row, locked until this transaction ends: seat changes queue here."""
    training = await session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if training is None:
        raise TrainingError(NOT_FOUND)
    return training


@dataclass(frozen=True)
class Enrolled:
    enrollment: Enrollment
    training: TrainingSession
    position: int | None  # in the waitlist; None with a seat


async def enroll(session: AsyncSession, *, session_id: int, user_id: int, now: datetime, quiet: reminders.QuietHours | None = None) -> Enrolled:
    """A seat if one is free, else a place at the end of the waitlist."""
    training = await _lock(session, session_id)
    if training.cancelled_at is not None:
        raise TrainingError(CANCELLED)
    if training.starts_at <= now or (training.enroll_until is not None and training.enroll_until <= now):
        raise TrainingError(CLOSED)
    if await enrollment_of(session, session_id=session_id, user_id=user_id) is not None:
        raise AlreadyDone(ALREADY_IN)
    if training.prerequisite_topic and not await attended_topic(session, user_id=user_id, topic=training.prerequisite_topic):
        raise MissingPrerequisite(await session.get(Topic, training.prerequisite_topic))
    free = await seats_taken(session, session_id) < training.capacity
    # Someone who was offered a seat waits too when others are in line before them.
    enrollment = Enrollment(
        session_id=session_id, user_id=user_id, created_at=now,
        state=EnrollmentState.ENROLLED if free else EnrollmentState.WAITLISTED,
    )
    session.add(enrollment)
    await session.flush()
    if free:
        await schedule_reminders(session, training, user_id=user_id, now=now, quiet=quiet)
        return Enrolled(enrollment, training, None)
    return Enrolled(enrollment, training, await waitlist_position(session, enrollment))


async def attended_topic(session: AsyncSession, *, user_id: int, topic: str) -> bool:
    attended = (
        select(Enrollment.id)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(Enrollment.user_id == user_id, Enrollment.state == EnrollmentState.ATTENDED, TrainingSession.topic == topic)
        .limit(1)
    )
    return await session.scalar(attended) is not None


@dataclass(frozen=True)
class Offer:
    """A seat held for the first in line until `expires_at`."""

    session_id: int
    user_id: int
    telegram_id: int
    language: str
    expires_at: datetime


async def leave(session: AsyncSession, *, session_id: int, user_id: int, now: datetime, claim: timedelta) -> list[Offer]:
    """Off the list (a seat or a place in line); a freed seat is offered to the next."""
    training = await _lock(session, session_id)
    await delete_once(
        session, Enrollment, where={"session_id": session_id, "user_id": user_id},
        also=[Enrollment.state.in_([EnrollmentState.ENROLLED, EnrollmentState.WAITLISTED, EnrollmentState.OFFERED])],
        already=AlreadyDone(NOT_IN),
    )
    await reminders.cancel_prefix(session, prefix=f"training:{session_id}:user:{user_id}:")
    return await _offer_free_seats(session, training, now=now, claim=claim)


async def _offer_free_seats(session: AsyncSession, training: TrainingSession, *, now: datetime, claim: timedelta) -> list[Offer]:
    """Offer each free seat to the next in line (the session's row is locked by the caller),
    who is told at once (`announce_offers`)."""
    if training.cancelled_at is not None or training.starts_at <= now:
        return []
    free = training.capacity - await seats_taken(session, training.id)
    if free <= 0:
        return []
    expires_at = min(now + claim, training.starts_at)
    waiting = await session.execute(
        select(Enrollment, User.telegram_id, User.language)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.session_id == training.id, Enrollment.state == EnrollmentState.WAITLISTED)
        .order_by(Enrollment.id)
        .limit(free)
    )
    offers = []
    for enrollment, telegram_id, language in waiting.all():
        enrollment.state, enrollment.offer_expires_at = EnrollmentState.OFFERED, expires_at
        offers.append(Offer(training.id, enrollment.user_id, telegram_id, language, expires_at))
        await reminders.schedule(
            session, key=_key(training.id, enrollment.user_id, "offer-expiry"), recipient_id=enrollment.user_id,
            kind=OFFER_EXPIRY_KIND, due_at=expires_at, urgent=True, replace=True,
            payload={"session_id": training.id, "expires_at": expires_at.isoformat()},
        )
    await session.flush()
    await announce_offers(session, offers, now=now)
    return offers


async def announce_offers(session: AsyncSession, offers: list[Offer], *, now: datetime) -> None:
    """Tell each of the next in line at once, through the reminders engine (urgent: quiet hours
    do not hold it), woken when the seat's change is committed."""
    for offer in offers:
        await reminders.schedule(
            session, key=_key(offer.session_id, offer.user_id, "offer"), recipient_id=offer.user_id,
            kind=OFFER_KIND, due_at=now, urgent=True, replace=True,
            payload={"session_id": offer.session_id, "expires_at": offer.expires_at.isoformat()},
        )
    if offers:
        reminders.wake_after_commit(session, kind=OFFER_KIND)


async def release_upcoming(session: AsyncSession, *, user_id: int, now: datetime, claim: timedelta) -> int:
    """Someone who withdraws consent or is erased leaves every session that has not started (a
    seat, a place in line, a seat held for them), so nobody waits behind a seat no one will use:
    each freed seat goes to the next in line, who is told at once. Returns how many sessions."""
    upcoming = await session.scalars(
        select(Enrollment.session_id).join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(Enrollment.user_id == user_id, TrainingSession.starts_at > now, TrainingSession.cancelled_at.is_(None),
               Enrollment.state.in_([EnrollmentState.ENROLLED, EnrollmentState.WAITLISTED, EnrollmentState.OFFERED]))
        .order_by(Enrollment.session_id)  # one order of row locks for everyone: no deadlock
    )
    left = 0
    for session_id in list(upcoming):
        try:
            await leave(session, session_id=session_id, user_id=user_id, now=now, claim=claim)  # announces the offers
        except AlreadyDone:
            continue  # they left it a moment ago
        left += 1
    return left


async def take_offer(session: AsyncSession, *, session_id: int, user_id: int, now: datetime, quiet: reminders.QuietHours | None = None) -> TrainingSession:
    training = await _lock(session, session_id)
    if training.cancelled_at is not None:
        raise TrainingError(CANCELLED)
    await transition(
        session, Enrollment,
        where={"session_id": session_id, "user_id": user_id, "state": EnrollmentState.OFFERED},
        also=[Enrollment.offer_expires_at > now],
        values={"state": EnrollmentState.ENROLLED, "offer_expires_at": None},
        already=AlreadyDone(OFFER_GONE),
    )
    await reminders.cancel(session, key=_key(session_id, user_id, "offer-expiry"))
    await schedule_reminders(session, training, user_id=user_id, now=now, quiet=quiet)
    return training


async def pass_offer(session: AsyncSession, *, session_id: int, user_id: int, now: datetime, claim: timedelta) -> list[Offer]:
    """They do not want the seat: off the list, and the seat goes to the next in line."""
    training = await _lock(session, session_id)
    await delete_once(
        session, Enrollment, where={"session_id": session_id, "user_id": user_id, "state": EnrollmentState.OFFERED},
        already=AlreadyDone(OFFER_GONE),
    )
    await reminders.cancel(session, key=_key(session_id, user_id, "offer-expiry"))
    return await _offer_free_seats(session, training, now=now, claim=claim)


async def expire_offer(session: AsyncSession, *, session_id: int, user_id: int, now: datetime, claim: timedelta) -> list[Offer] | None:
    """The claim deadline passed: the seat goes to the next. None if the offer was settled."""
    training = await _lock(session, session_id)
    gone = await session.execute(
        delete(Enrollment).where(
            Enrollment.session_id == session_id, Enrollment.user_id == user_id,
            Enrollment.state == EnrollmentState.OFFERED, Enrollment.offer_expires_at <= now,
        ).execution_options(synchronize_session="fetch")
    )
    if gone.rowcount == 0:  # type: ignore[attr-defined]
        return None
    return await _offer_free_seats(session, training, now=now, claim=claim)


# --- reminders --------------------------------------------------------------------------------


def _key(session_id: int, user_id: int, what: str) -> str:
    return f"training:{session_id}:user:{user_id}:{what}"


async def schedule_reminders(session: AsyncSession, training: TrainingSession, *, user_id: int, now: datetime, quiet: reminders.QuietHours | None = None) -> None:
    """The 24 h and 1 h reminders for one person with a seat (again, when the session moves)."""
    for name, (before, urgent) in REMINDERS_BEFORE.items():
        key = _key(training.id, user_id, name)
        due_at = training.starts_at - before
        if due_at <= now:
            await reminders.cancel(session, key=key)
            continue
        await reminders.schedule(
            session, key=key, recipient_id=user_id, kind=REMINDER_KIND, due_at=due_at, urgent=urgent,
            quiet=quiet, replace=True, payload={"session_id": training.id, "before": name, "starts_at": training.starts_at.isoformat()},
        )


async def reminder_still_due(session: AsyncSession, *, session_id: int, user_id: int, starts_at: str,
                             now: datetime | None = None) -> TrainingSession | None:
    """The session a reminder is about, if the person still holds a seat, it did not move and
    (given `now`) it has not begun: a reminder held until they wrote is not sent late."""
    training = await session.get(TrainingSession, session_id)
    if training is None or training.cancelled_at is not None or training.starts_at.isoformat() != starts_at:
        return None
    if now is not None and training.starts_at <= now:
        return None
    enrollment = await enrollment_of(session, session_id=session_id, user_id=user_id)
    if enrollment is None or enrollment.state is not EnrollmentState.ENROLLED:
        return None
    return training


# --- coordinators: creating, editing, cancelling ---------------------------------------------

SESSION_FIELDS = ("topic", "title", "description", "online", "venue", "district_ubigeo", "starts_at", "ends_at",
                  "capacity", "enroll_until", "prerequisite_topic")


def _values(answers: dict[str, Any]) -> dict[str, Any]:
    values = {name: answers.get(name) for name in SESSION_FIELDS}
    for name in ("starts_at", "ends_at", "enroll_until"):
        if isinstance(values[name], str):
            values[name] = datetime.fromisoformat(values[name])
    return values


def _require_place_in_scope(who: Viewer, answers: dict[str, Any], *, was: str | None = None) -> None:
    """An in-person session goes in a district the person follows (kept as it was: allowed)."""
    district = None if answers.get("online") else answers.get("district_ubigeo")
    if district is not None and district != was:
        who.require_in_scope(district)


async def choose_district(session: AsyncSession, *, user_id: int, district_ubigeo: str) -> None:
    """The district typed for a session, refused when the person does not follow it."""
    who = await authority.coordinator(session, user_id=user_id)
    who.require_in_scope(district_ubigeo)


async def create_session(session: AsyncSession, *, user_id: int, answers: dict[str, Any], now: datetime) -> TrainingSession:
    who = await authority.coordinator(session, user_id=user_id)
    _require_place_in_scope(who, answers)
    training = TrainingSession(**_values(answers), created_by_id=user_id, created_at=now)
    session.add(training)
    await session.flush()
    audit.record(session, user_id, "training.create", now=now, detail=f"session {training.id}")
    return training


@dataclass(frozen=True)
class Changed:
    training: TrainingSession
    moved: bool
    told: list[Person]
    offers: list[Offer]


async def update_session(session: AsyncSession, *, user_id: int, session_id: int, answers: dict[str, Any], now: datetime,
                         claim: timedelta, quiet: reminders.QuietHours | None = None) -> Changed:
    """Save an edit (its author and staff only); a moved session moves its reminders, more
    seats go to those waiting."""
    who = await authority.coordinator(session, user_id=user_id)
    training = await _lock(session, session_id)
    who.require_may_change(training.created_by_id)
    if training.cancelled_at is not None:
        raise TrainingError(CANCELLED)
    _require_place_in_scope(who, answers, was=training.district_ubigeo)
    before = training.starts_at
    values = _values(answers)
    if values["capacity"] < await seats_taken(session, session_id):
        raise TrainingError(N_("More people already hold a seat than that capacity. Ask them to leave first, or choose a larger number."))
    for name, value in values.items():
        setattr(training, name, value)
    await session.flush()
    moved = training.starts_at != before
    audit.record(session, user_id, "training.update", now=now, detail=f"session {session_id}{' moved' if moved else ''}")
    told = await people_on_list(session, session_id)
    for person in told:
        if person.state is EnrollmentState.ENROLLED:
            await schedule_reminders(session, training, user_id=person.user_id, now=now, quiet=quiet)
    offers = await _offer_free_seats(session, training, now=now, claim=claim)
    told = [p for p in told if p.user_id not in {o.user_id for o in offers}]
    heading = (N_("📣 <b>The session you are on the list of moved to a new date.</b> Your reminders moved with it. Here it is now:") if moved
               else N_("📣 <b>The session you are on the list of has changed.</b> Here it is now:"))
    for person in told:
        await notices.tell(session, recipient_id=person.user_id, about="training.changed", now=now, urgent=True,  # it may be tomorrow
                           says=[notices.line(heading), notices.text("\n\n"), notices.part("training_card", session_id=session_id)])
    return Changed(training, moved, told, offers)


async def cancel_session(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> list[Person]:
    """Cancelled (by its author or staff), kept for the record; its reminders go; returns who
    to tell."""
    who = await authority.coordinator(session, user_id=user_id)
    training = await _lock(session, session_id)
    who.require_may_change(training.created_by_id)
    await transition(session, TrainingSession, where={"id": session_id, "cancelled_at": None}, values={"cancelled_at": now})
    await reminders.cancel_prefix(session, prefix=f"training:{session_id}:")
    audit.record(session, user_id, "training.cancel", now=now, detail=f"session {session_id}")
    told = await people_on_list(session, session_id)
    for person in told:
        await notices.tell(
            session, recipient_id=person.user_id, about="training.cancelled", now=now, urgent=True,  # it may be tomorrow
            says=[notices.line(N_("❌ The session <b>%(title)s</b> (%(when)s) was cancelled. Its reminders are cancelled too. See other sessions with /trainings."),
                               title=training.title, when=notices.span(training.starts_at, training.ends_at))])
    return told


async def sessions_of_coordinator(session: AsyncSession, *, user_id: int, now: datetime) -> list[TrainingSession]:
    """The sessions a coordinator sees (staff: every one), from a week ago on, soonest first."""
    who = await authority.coordinator(session, user_id=user_id)
    query = (
        select(TrainingSession)
        .where(TrainingSession.starts_at > now - timedelta(days=7),
               who.sessions(TrainingSession.district_ubigeo, TrainingSession.created_by_id))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    return list(await session.scalars(query))


async def coordinator_session(session: AsyncSession, *, user_id: int, session_id: int) -> tuple[TrainingSession, Viewer] | None:
    """A session's card for a coordinator who sees it, with who they are (None: it is gone)."""
    who = await authority.coordinator(session, user_id=user_id)
    training = await session.get(TrainingSession, session_id)
    if training is None:
        return None
    if not who.sees_session(training.district_ubigeo, training.created_by_id):
        raise NotAllowed(SESSION_OUT_OF_SCOPE)
    return training, who


async def session_to_edit(session: AsyncSession, *, user_id: int, session_id: int) -> TrainingSession | None:
    """The session, for its author or staff to edit (None: it is gone or was cancelled)."""
    who = await authority.coordinator(session, user_id=user_id)
    training = await session.get(TrainingSession, session_id)
    if training is None or training.cancelled_at is not None:
        return None
    who.require_may_change(training.created_by_id)
    return training


async def running_session(session: AsyncSession, *, user_id: int, session_id: int) -> TrainingSession:
    """The session, for someone who runs it: its author, staff, the coordinators of its district."""
    who = await authority.coordinator(session, user_id=user_id)
    training = await session.get(TrainingSession, session_id)
    if training is None:
        raise TrainingError(NOT_FOUND)
    if not who.runs_session(training.district_ubigeo, training.created_by_id):
        raise NotAllowed(SESSION_OUT_OF_SCOPE)
    return training


# --- what coordinators type ----------------------------------------------------------------------

_DATE_TIME = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*(?:,|a las|at)?\s*(\d{1,2})(?:\s*[:h.]\s*(\d{2}))?\s*(am|pm|a\.\s*m\.|p\.\s*m\.)?")
_TIME = re.compile(r"(\d{1,2})(?:\s*[:h.]\s*(\d{2}))?\s*(am|pm|a\.\s*m\.|p\.\s*m\.)?")
PLANNED_AHEAD_MAX = timedelta(days=365)
SEATS_MAX = 500  # a session is a room or a call: a few hundred places at the very most
WHEN_EXAMPLE = N_("Send the date and time, for example 15/03/2027 10:00 (Lima time).")


def _hour(hour: int, minute: int, meridiem: str | None) -> tuple[int, int]:
    if meridiem:
        pm = meridiem.replace(" ", "").replace(".", "").startswith("p")
        if not 1 <= hour <= 12:
            raise InvalidInput(WHEN_EXAMPLE)
        hour = hour % 12 + (12 if pm else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidInput(WHEN_EXAMPLE)
    return hour, minute


def parse_when(text: str, *, zone: ZoneInfo, now: datetime) -> datetime:
    """A future local date and time ("15/03/2027 10:00", "15-3-2027 7 pm"), returned in UTC."""
    match = _DATE_TIME.fullmatch(clean_text(text).lower())
    if not match:
        raise InvalidInput(WHEN_EXAMPLE)
    day, month, year, hour, minute, meridiem = match.groups()
    hour_, minute_ = _hour(int(hour), int(minute or 0), meridiem)
    try:
        moment = datetime(int(year), int(month), int(day), hour_, minute_, tzinfo=zone)
    except ValueError as error:
        raise InvalidInput(WHEN_EXAMPLE) from error
    if moment <= now:
        raise InvalidInput(N_("That moment has already passed. Send a date and time in the future."))
    if moment > now + PLANNED_AHEAD_MAX:
        raise InvalidInput(N_("Sessions are planned at most a year ahead. Send a date and time before %(latest)s."),
                           latest=f"{(now + PLANNED_AHEAD_MAX).astimezone(zone):%d/%m/%Y}")
    return moment.astimezone(UTC)


def parse_end(text: str, *, start: datetime, zone: ZoneInfo) -> datetime:
    """The end: a time on the start's day ("13:00") or a full date and time, after the start."""
    cleaned = clean_text(text).lower()
    match = _TIME.fullmatch(cleaned)
    if match:
        hour_, minute_ = _hour(int(match.group(1)), int(match.group(2) or 0), match.group(3))
        local = start.astimezone(zone)
        end = datetime.combine(local.date(), time(hour_, minute_), tzinfo=zone).astimezone(UTC)
    else:
        end = parse_when(cleaned, zone=zone, now=start)
    if end <= start:
        raise InvalidInput(N_("The end must be after the start. Send the time it ends, for example 13:00."))
    if end - start > timedelta(days=3):
        raise InvalidInput(N_("A session lasts three days at most. Send the time it ends, for example 13:00."))
    return end


def parse_link(text: str) -> str:
    link = clean_text(text)
    if not re.fullmatch(r"https?://\S+\.\S+", link) or len(link) > 300:
        raise InvalidInput(N_("Send the link to join, starting with https://, for example https://meet.google.com/abc-defg-hij."))
    return link
