"""Confidential feedback: a suggestion or a complaint anyone may send, anonymously if they
choose. Complaints reach only the people staff designated for them (`ComplaintHandler`), never
every staff member or coordinator; suggestions reach staff. An anonymous one keeps nothing that
says who sent it: no sender, no language, only the day. Whoever reads a complaint is recorded
in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone, transition
from bot.core.validation import parse_text
from bot.messaging import notices
from bot.people.authority import NotAllowed, require_staff
from bot.people.models import Role, User
from bot.questions.models import ComplaintHandler, Feedback, FeedbackKind, FeedbackState

TEXT_MAX = 2000
ONLY_HANDLERS = N_("Only the people staff designated to handle complaints can read them.")
NO_WAY_BACK = N_("It was sent anonymously: there is nobody to answer.")


@dataclass(frozen=True)
class Sent:
    feedback: Feedback
    told: list[int]  # who is told that it arrived (never what it says)


async def send(session: AsyncSession, *, user: User, kind: FeedbackKind, anonymous: bool, text: str, now: datetime) -> Sent:
    words = parse_text(text, field_max=TEXT_MAX, multiline=True)
    moment = now.replace(hour=0, minute=0, second=0, microsecond=0) if anonymous else now
    feedback = Feedback(kind=kind, sender_id=None if anonymous else user.id, text=words, state=FeedbackState.NEW, sent_on=moment)
    session.add(feedback)
    await session.flush()
    if kind is FeedbackKind.COMPLAINT:
        told = list(await session.scalars(select(ComplaintHandler.user_id).order_by(ComplaintHandler.user_id)))
    else:
        told = list(await session.scalars(select(User.id).where(User.role == Role.STAFF).order_by(User.id)))
    told = [person for person in told if person != user.id or not anonymous]
    says = (N_("⚠️ A new complaint arrived: /complaints") if kind is FeedbackKind.COMPLAINT
            else N_("💡 A new suggestion arrived: /complaints"))
    for person in told:  # that one arrived, never what it says
        await notices.tell(session, recipient_id=person, about=f"feedback.{kind.value}", says=[notices.line(says)], now=now)
    return Sent(feedback, told)


async def is_handler(session: AsyncSession, *, user_id: int) -> bool:
    return await session.get(ComplaintHandler, user_id) is not None


async def _require_reader(session: AsyncSession, user_id: int, kind: FeedbackKind) -> None:
    if kind is FeedbackKind.COMPLAINT:
        if not await is_handler(session, user_id=user_id):
            raise NotAllowed(ONLY_HANDLERS)
    else:
        await require_staff(session, user_id=user_id)


async def listing(session: AsyncSession, *, user_id: int) -> list[Feedback]:
    """What this person may read, open ones first: complaints for handlers, suggestions for staff."""
    kinds = []
    if await is_handler(session, user_id=user_id):
        kinds.append(FeedbackKind.COMPLAINT)
    if await session.scalar(select(User.role).where(User.id == user_id)) is Role.STAFF:
        kinds.append(FeedbackKind.SUGGESTION)
    if not kinds:
        raise NotAllowed(ONLY_HANDLERS)
    return list(await session.scalars(select(Feedback).where(Feedback.kind.in_(kinds), Feedback.state != FeedbackState.CLOSED)
                                      .order_by(Feedback.sent_on, Feedback.id)))


async def read(session: AsyncSession, *, user_id: int, feedback_id: int, now: datetime) -> Feedback:
    """Open one: the reading is recorded in the audit log, and a new one becomes read."""
    feedback = await session.get(Feedback, feedback_id)
    if feedback is None:
        raise LookupError(feedback_id)
    await _require_reader(session, user_id, feedback.kind)
    audit.record(session, user_id, f"feedback.read.{feedback.kind.value}", now=now, subject_id=feedback.id)
    if feedback.state is FeedbackState.NEW:
        feedback.state = FeedbackState.READ
        feedback.handled_by_id = user_id
    await session.flush()
    return feedback


async def answer(session: AsyncSession, *, user_id: int, feedback_id: int, text: str, now: datetime) -> Feedback:
    """The answer goes to the sender (only when they left a way back); once."""
    words = parse_text(text, field_max=TEXT_MAX, multiline=True)
    feedback = await session.get(Feedback, feedback_id)
    if feedback is None:
        raise LookupError(feedback_id)
    await _require_reader(session, user_id, feedback.kind)
    if feedback.sender_id is None:
        raise NotAllowed(NO_WAY_BACK)
    await transition(session, Feedback, where={"id": feedback.id}, values={
        "answer": words, "answered_at": now, "state": FeedbackState.ANSWERED, "handled_by_id": user_id},
        also=[Feedback.state.in_((FeedbackState.NEW, FeedbackState.READ))])
    audit.record(session, user_id, f"feedback.answer.{feedback.kind.value}", now=now, subject_id=feedback.id)
    await session.refresh(feedback)
    says = (N_("📨 An answer to your complaint of %(day)s:") if feedback.kind is FeedbackKind.COMPLAINT
            else N_("📨 An answer to your suggestion of %(day)s:"))
    await notices.tell(session, recipient_id=feedback.sender_id, about="feedback.answer", now=now,
                       says=[notices.line(says, day=notices.date(feedback.sent_on.date())), notices.quote(words)])
    return feedback


async def close(session: AsyncSession, *, user_id: int, feedback_id: int, now: datetime) -> Feedback:
    feedback = await session.get(Feedback, feedback_id)
    if feedback is None:
        raise LookupError(feedback_id)
    await _require_reader(session, user_id, feedback.kind)
    await transition(session, Feedback, where={"id": feedback.id}, values={"state": FeedbackState.CLOSED, "handled_by_id": user_id},
                     also=[Feedback.state != FeedbackState.CLOSED])
    await session.refresh(feedback)
    return feedback


async def designate(session: AsyncSession, *, staff_id: int, user_id: int, handles: bool, now: datetime) -> bool:
    """Staff designate who handles complaints (or stop them); recorded in the audit log."""
    await require_staff(session, user_id=staff_id)
    if handles:
        if await session.get(ComplaintHandler, user_id) is None:
            session.add(ComplaintHandler(user_id=user_id, designated_by_id=staff_id, designated_at=now))
    else:
        result = await session.execute(delete(ComplaintHandler).where(ComplaintHandler.user_id == user_id))
        if not result.rowcount:
            raise AlreadyDone()
    audit.record(session, staff_id, "feedback.handler.on" if handles else "feedback.handler.off", now=now, subject_id=user_id)
    await session.flush()
    return handles


async def who_may_handle(session: AsyncSession, *, staff_id: int) -> list[tuple[User, bool]]:
    """Staff and coordinators, and whether each handles complaints (for staff to choose)."""
    await require_staff(session, user_id=staff_id)
    handlers = set(await session.scalars(select(ComplaintHandler.user_id)))
    team = await session.scalars(select(User).where(User.role.in_((Role.STAFF, Role.COORDINATOR)), User.consent_withdrawn_at.is_(None))
                                 .order_by(User.display_name, User.id))
    return [(person, person.id in handlers) for person in team]
