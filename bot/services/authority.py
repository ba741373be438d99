"""Who may act, decided when the action happens, not when the flow that leads to it began.

A leader may be removed by the owner while at the upload step, or ownership handed over
between their two taps; someone taken off ADMIN_IDS is staff no longer. So every service that
writes on behalf of an organization calls `require_leader` (or `require_leader_or_staff`), and
every staff-only service `require_staff`, right before it writes: each reads the person's
membership or role from the database again instead of trusting what the flow saw.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.models.organizations import LeaderRole, Leadership
from bot.models.people import Role, User
from bot.validation import InvalidInput

NO_LONGER_LEADER = N_("You are no longer a leader of this organization, so nothing was saved. See what you lead with /myorg.")
ONLY_OWNER = N_("Only the organization's owner can do that.")
ONLY_STAFF = N_("Only programme staff can do that.")
ONLY_COORDINATORS = N_("Only training coordinators and programme staff can do that.")


class NotAllowed(InvalidInput):
    """The person may not (or may no longer) do this: nothing was changed."""


async def leader_role(session: AsyncSession, *, user_id: int, organization_id: int) -> LeaderRole | None:
    """The person's role in the organization as the database has it now (None: not a leader)."""
    return await session.scalar(
        select(Leadership.role).where(Leadership.user_id == user_id, Leadership.organization_id == organization_id)
    )


async def require_leader(session: AsyncSession, *, user_id: int, organization_id: int, owner: bool = False) -> LeaderRole:
    """The person leads the organization now (as its owner, if `owner`); NotAllowed otherwise."""
    role = await leader_role(session, user_id=user_id, organization_id=organization_id)
    if role is None:
        raise NotAllowed(NO_LONGER_LEADER)
    if owner and role is not LeaderRole.OWNER:
        raise NotAllowed(ONLY_OWNER)
    return role


async def is_staff(session: AsyncSession, *, user_id: int) -> bool:
    return await session.scalar(select(User.role).where(User.id == user_id)) is Role.STAFF


async def require_staff(session: AsyncSession, *, user_id: int) -> None:
    if not await is_staff(session, user_id=user_id):
        raise NotAllowed(ONLY_STAFF)


async def is_coordinator(session: AsyncSession, *, user_id: int) -> bool:
    """Coordinators run trainings; staff can do everything coordinators can."""
    return await session.scalar(select(User.role).where(User.id == user_id)) in (Role.COORDINATOR, Role.STAFF)


async def require_coordinator(session: AsyncSession, *, user_id: int) -> None:
    if not await is_coordinator(session, user_id=user_id):
        raise NotAllowed(ONLY_COORDINATORS)


async def require_leader_or_staff(session: AsyncSession, *, user_id: int, organization_id: int) -> LeaderRole | None:
    """For what staff may also do for any organization: the leader's role, or None for staff."""
    if await is_staff(session, user_id=user_id):
        return None
    return await require_leader(session, user_id=user_id, organization_id=organization_id)
