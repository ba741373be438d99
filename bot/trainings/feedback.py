"""After a session, its attendees rate it from 1 to 5 and may add a comment: a two-step flow
whose state (the session being commented on) is the person's `FeedbackDraft`, so a restart
or an upgrade between the rating and the comment loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, parse_text
from bot.trainings import records
from bot.trainings.models import FeedbackDraft

COMMENT = "comment"  # the step: a comment is awaited
COMMENT_MAX = 1000


@dataclass(frozen=True)
class Step:
    name: str | None  # COMMENT: asked (again, with `problem`); None: the flow is over
    problem: InvalidInput | None = None
    saved: bool = False  # the comment was kept


async def rate(session: AsyncSession, *, user_id: int, session_id: int, rating: int, now: datetime) -> Step:
    """The rating is kept (refusals raise, nothing changes) and the comment is asked next."""
    await records.rate(session, user_id=user_id, session_id=session_id, rating=rating)
    draft = await session.get(FeedbackDraft, user_id)
    if draft is None:
        session.add(FeedbackDraft(user_id=user_id, session_id=session_id, updated_at=now))
    else:
        draft.session_id, draft.updated_at = session_id, now
    return Step(COMMENT)


async def answer(session: AsyncSession, *, user_id: int, value: str, at_session: int | None = None) -> Step:
    """The comment typed. `at_session`: the session the channel kept for a comment asked before
    the draft existed (an upgrade in between). Nothing to comment on ends the flow quietly."""
    draft = await session.get(FeedbackDraft, user_id)
    session_id = draft.session_id if draft is not None else at_session
    try:
        text = parse_text(value, field_max=COMMENT_MAX, multiline=True)
    except InvalidInput as error:
        return Step(COMMENT, problem=error)
    if session_id is None:
        return Step(None)
    try:
        await records.comment(session, user_id=user_id, session_id=session_id, text=text)
    except AlreadyDone:
        saved = False
    else:
        saved = True
    if draft is not None:
        await session.delete(draft)
    return Step(None, saved=saved)


async def skip(session: AsyncSession, *, user_id: int) -> None:
    """No comment: the flow is over."""
    draft = await session.get(FeedbackDraft, user_id)
    if draft is not None:
        await session.delete(draft)
