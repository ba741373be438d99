"""The second pair of eyes on a broadcast above the approval threshold.

Nobody who shaped what goes out approves it: not its author, nor anyone who changed or
submitted it (`BroadcastContributor`, written by bot/broadcasts/broadcasts.py with every change).
Every change and every submission is a new version (`Broadcast.version`), and an Approve or
Send back button carries the version it was made for: the decision's UPDATE expects it, so a
button for a version changed since is refused, whoever presses it.

Nor does anyone approve what reaches beyond the districts they follow (`covers`). The districts
a broadcast can reach are its author's (read again, as its audience is) narrowed by the
districts its audience names, if it names any; every district when neither narrows it. An
approver covers it when they follow every district (staff, a coordinator whose /scope lists
none), or when their districts include every district it can reach. So a coordinator of Callao
approves a colleague's broadcast to Callao, but not one to every leader, nor one of a
coordinator who also follows Comas. Who is asked (`approvers`), who is offered the buttons
(`may_approve`), what /pending lists (`waiting_for`) and the decision itself read the same rule.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts import broadcasts
from bot.broadcasts.models import Broadcast, BroadcastContributor, BroadcastState
from bot.console import audit
from bot.console.models import CoordinatorDistrict
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone, transition
from bot.core.validation import InvalidInput
from bot.messaging import notices
from bot.people import authority
from bot.people.models import Role, User

NOT_YOUR_OWN = N_("Someone else has to approve it: a second pair of eyes is the point.")
SHAPED_BY_YOU = N_("You changed or submitted this broadcast, so someone else has to approve it: a second pair of eyes is the point.")
CHANGED_SINCE = N_("This broadcast was changed after this button was made. Open it again (/pending or /broadcast) to see what it says now.")
ALREADY_DECIDED = N_("This broadcast was already approved, rejected or cancelled.")
NOT_IN_YOUR_DISTRICTS = N_("That broadcast reaches districts you do not follow.")
BEYOND_YOUR_DISTRICTS = N_("This broadcast reaches districts you do not follow, so a coordinator who follows them, or programme staff, has to approve it.")


async def reachable_districts(session: AsyncSession, *, broadcast: Broadcast) -> frozenset[str] | None:
    """The districts the broadcast can reach (None: every district): its author's, narrowed by
    the districts its audience names. An erased author's counts as every district."""
    theirs = None if broadcast.author_id is None else await authority.followed_districts(session, user_id=broadcast.author_id)
    named = frozenset(broadcast.audience.get("district", [])) or None
    if theirs is None or named is None:
        return theirs if named is None else named
    return theirs & named


def covers(who: authority.Viewer, districts: frozenset[str] | None) -> bool:
    """Whether the approver follows every district the broadcast can reach."""
    return who.districts is None or (districts is not None and districts <= who.districts)


def _covering(districts: frozenset[str] | None) -> ColumnElement[bool]:
    """`covers`, as a condition on `User` (staff and coordinators)."""
    follows_all = or_(User.role == Role.STAFF, User.id.not_in(select(CoordinatorDistrict.user_id)))
    if districts is None:
        return follows_all
    if not districts:  # it can reach nobody
        return true()
    follows_these = User.id.in_(
        select(CoordinatorDistrict.user_id).where(CoordinatorDistrict.district_ubigeo.in_(sorted(districts)))
        .group_by(CoordinatorDistrict.user_id).having(func.count(func.distinct(CoordinatorDistrict.district_ubigeo)) == len(districts))
    )
    return or_(follows_all, follows_these)


async def shaped(session: AsyncSession, *, broadcast: Broadcast, user_id: int) -> bool:
    """Did the person write, change or submit it? Then they may not approve it."""
    if broadcast.author_id == user_id:
        return True
    return await session.scalar(broadcasts.shapers(broadcast.id).where(BroadcastContributor.user_id == user_id)) is not None


async def may_approve(session: AsyncSession, *, broadcast: Broadcast, user_id: int) -> bool:
    """Whether to offer the person Approve / Send back where they opened it."""
    if broadcast.state is not BroadcastState.AWAITING_APPROVAL:
        return False
    try:
        who = await authority.coordinator(session, user_id=user_id)
    except authority.NotAllowed:
        return False
    return (covers(who, await reachable_districts(session, broadcast=broadcast))
            and not await shaped(session, broadcast=broadcast, user_id=user_id))


async def may_see(session: AsyncSession, *, broadcast: Broadcast, user_id: int) -> bool:
    """Whether the person may open it (its card, its preview, how its sending goes): its author,
    staff, and coordinators who follow every district it can reach, as its approvers do."""
    try:
        who = await authority.coordinator(session, user_id=user_id)
    except authority.NotAllowed:
        return False
    return who.may_change(broadcast.author_id) or covers(who, await reachable_districts(session, broadcast=broadcast))


async def approvers(session: AsyncSession, *, broadcast: Broadcast) -> list[User]:
    """Who is asked for the second pair of eyes: coordinators and staff who can still be
    reached, did not shape it, and follow every district it can reach."""
    found = await session.scalars(
        select(User).where(User.role.in_([Role.COORDINATOR, Role.STAFF]), User.reachable.is_(True),
                           User.id != broadcast.author_id, User.id.not_in(broadcasts.shapers(broadcast.id)),
                           _covering(await reachable_districts(session, broadcast=broadcast)))
        .order_by(User.id)
    )
    return list(found)


async def waiting_for(session: AsyncSession, *, who: authority.Viewer) -> list[Broadcast]:
    """The broadcasts waiting for this person's approval (/pending): those they may approve."""
    found = await session.scalars(
        select(Broadcast).where(Broadcast.state == BroadcastState.AWAITING_APPROVAL, Broadcast.author_id.is_distinct_from(who.user_id),
                                Broadcast.id.not_in(select(BroadcastContributor.broadcast_id).where(BroadcastContributor.user_id == who.user_id)))
        .order_by(Broadcast.created_at, Broadcast.id)
    )
    return [broadcast for broadcast in found if covers(who, await reachable_districts(session, broadcast=broadcast))]


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


async def _may_decide(session: AsyncSession, *, broadcast_id: int, user_id: int, version: int) -> Broadcast:
    """A coordinator or staff member, now, who follows every district the broadcast can reach."""
    who = await authority.coordinator(session, user_id=user_id)
    broadcast = await _awaiting(session, broadcast_id=broadcast_id, version=version)
    if not covers(who, await reachable_districts(session, broadcast=broadcast)):
        raise authority.NotAllowed(BEYOND_YOUR_DISTRICTS)
    return broadcast


async def approve(session: AsyncSession, *, broadcast_id: int, user_id: int, version: int, now: datetime) -> Broadcast:
    """The second pair of eyes: never the author's, nor of anyone who changed or submitted it,
    and for the version the button was made for (the UPDATE expects it, so a change that lands
    first wins and this approval is refused)."""
    broadcast = await _may_decide(session, broadcast_id=broadcast_id, user_id=user_id, version=version)
    if broadcast.author_id == user_id:
        raise InvalidInput(NOT_YOUR_OWN)
    if await shaped(session, broadcast=broadcast, user_id=user_id):
        raise InvalidInput(SHAPED_BY_YOU)
    await transition(session, Broadcast, where={"id": broadcast_id, "state": BroadcastState.AWAITING_APPROVAL, "version": version},
                     values={"state": BroadcastState.SCHEDULED, "approved_by_id": user_id}, already=AlreadyDone(ALREADY_DECIDED))
    audit.record(session, user_id, "broadcast.approve", now=now, detail=f"broadcast {broadcast_id} version {version}")
    await _tell_author(session, broadcast, N_("✅ Your broadcast #%(id)s was approved."), now=now)
    return broadcast


async def reject(session: AsyncSession, *, broadcast_id: int, user_id: int, version: int, now: datetime) -> Broadcast:
    await _may_decide(session, broadcast_id=broadcast_id, user_id=user_id, version=version)
    await transition(session, Broadcast, where={"id": broadcast_id, "state": BroadcastState.AWAITING_APPROVAL, "version": version},
                     values={"state": BroadcastState.DRAFT}, already=AlreadyDone(ALREADY_DECIDED))
    audit.record(session, user_id, "broadcast.reject", now=now, detail=f"broadcast {broadcast_id}")
    broadcast = await broadcasts.get(session, broadcast_id)
    assert broadcast is not None
    await _tell_author(session, broadcast, N_("↩️ Your broadcast #%(id)s was sent back to you as a draft. Change it with /broadcast."), now=now)
    return broadcast


async def _tell_author(session: AsyncSession, broadcast: Broadcast, says: str, *, now: datetime) -> None:
    if broadcast.author_id is not None:
        await notices.tell(session, recipient_id=broadcast.author_id, about="broadcast.decided", now=now,
                           says=[notices.line(says, id=broadcast.id)])


async def submit(
    session: AsyncSession, *, broadcast_id: int, user_id: int, send_at: datetime, now: datetime,
    default_language: str, approval_threshold: int,
) -> broadcasts.Submitted:
    """`broadcasts.submit`, and when it needs a second pair of eyes, everyone who may give it
    is asked, with the buttons to preview it and to decide on this version."""
    submitted = await broadcasts.submit(session, broadcast_id=broadcast_id, user_id=user_id, send_at=send_at, now=now,
                                        default_language=default_language, approval_threshold=approval_threshold)
    if submitted.needs_approval:
        broadcast = submitted.broadcast
        b, version = broadcast.id, broadcast.version
        for approver in await approvers(session, broadcast=broadcast):
            await notices.tell(
                session, recipient_id=approver.id, about="broadcast.approval", now=now,
                says=[notices.plural("📣 A broadcast to %(count)s person waits for your approval.",
                                     "📣 A broadcast to %(count)s people waits for your approval.",
                                     submitted.reach.receiving, count=notices.number(submitted.reach.receiving))],
                choices=[[notices.choice(f"bc:preview:{b}", N_("👁 Preview"))],
                         [notices.choice(f"bc:approve:{b}:{version}", N_("✅ Approve")),
                          notices.choice(f"bc:reject:{b}:{version}", N_("↩️ Send back"))]])
    return submitted
