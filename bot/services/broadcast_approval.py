"""The second pair of eyes on a broadcast above the approval threshold.

Nobody who shaped what goes out approves it: not its author, nor anyone who changed or
submitted it (`BroadcastContributor`, written by bot/services/broadcasts.py with every change).
Every change and every submission is a new version (`Broadcast.version`), and an Approve or
Send back button carries the version it was made for: the decision's UPDATE expects it, so a
button for a version changed since is refused, whoever presses it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.models.broadcasts import Broadcast, BroadcastContributor, BroadcastState
from bot.services import audit, authority, broadcasts
from bot.services.transitions import AlreadyDone, transition
from bot.validation import InvalidInput

NOT_YOUR_OWN = N_("Someone else has to approve it: a second pair of eyes is the point.")
SHAPED_BY_YOU = N_("You changed or submitted this broadcast, so someone else has to approve it: a second pair of eyes is the point.")
CHANGED_SINCE = N_("This broadcast was changed after this button was made. Open it again (/pending or /broadcast) to see what it says now.")
ALREADY_DECIDED = N_("This broadcast was already approved, rejected or cancelled.")


async def shaped(session: AsyncSession, *, broadcast: Broadcast, user_id: int) -> bool:
    """Did the person write, change or submit it? Then they may not approve it."""
    if broadcast.author_id == user_id:
        return True
    return await session.scalar(broadcasts.shapers(broadcast.id).where(BroadcastContributor.user_id == user_id)) is not None


async def may_approve(session: AsyncSession, *, broadcast: Broadcast, user_id: int) -> bool:
    """Whether to offer the person Approve / Send back where they opened it."""
    return (broadcast.state is BroadcastState.AWAITING_APPROVAL and await authority.is_coordinator(session, user_id=user_id)
            and not await shaped(session, broadcast=broadcast, user_id=user_id))


async def _awaiting(session: AsyncSession, *, broadcast_id: int, version: int) -> Broadcast:
    """The broadcast a decision is about, as the button that carries it saw it."""
    broadcast = await broadcasts.get(session, broadcast_id)
    if broadcast is None:
        raise AlreadyDone(ALREADY_DECIDED)
    if broadcast.version != version:
        raise AlreadyDone(CHANGED_SINCE)
    if broadcast.state is not BroadcastState.AWAITING_APPROVAL:
        raise AlreadyDone(ALREADY_DECIDED)
    return broadcast


async def approve(session: AsyncSession, *, broadcast_id: int, user_id: int, version: int, now: datetime) -> Broadcast:
    """The second pair of eyes: never the author's, nor of anyone who changed or submitted it,
    and for the version the button was made for (the UPDATE expects it, so a change that lands
    first wins and this approval is refused)."""
    await authority.require_coordinator(session, user_id=user_id)
    broadcast = await _awaiting(session, broadcast_id=broadcast_id, version=version)
    if broadcast.author_id == user_id:
        raise InvalidInput(NOT_YOUR_OWN)
    if await shaped(session, broadcast=broadcast, user_id=user_id):
        raise InvalidInput(SHAPED_BY_YOU)
    await transition(session, Broadcast, where={"id": broadcast_id, "state": BroadcastState.AWAITING_APPROVAL, "version": version},
                     values={"state": BroadcastState.SCHEDULED, "approved_by_id": user_id}, already=AlreadyDone(ALREADY_DECIDED))
    audit.record(session, user_id, "broadcast.approve", now=now, detail=f"broadcast {broadcast_id} version {version}")
    return broadcast


async def reject(session: AsyncSession, *, broadcast_id: int, user_id: int, version: int, now: datetime) -> Broadcast:
    await authority.require_coordinator(session, user_id=user_id)
    await _awaiting(session, broadcast_id=broadcast_id, version=version)
    await transition(session, Broadcast, where={"id": broadcast_id, "state": BroadcastState.AWAITING_APPROVAL, "version": version},
                     values={"state": BroadcastState.DRAFT}, already=AlreadyDone(ALREADY_DECIDED))
    audit.record(session, user_id, "broadcast.reject", now=now, detail=f"broadcast {broadcast_id}")
    broadcast = await broadcasts.get(session, broadcast_id)
    assert broadcast is not None
    return broadcast
