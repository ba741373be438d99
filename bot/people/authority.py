"""Who may act, decided when the action happens, not when the flow that leads to it began.

A leader may be removed by the owner while at the upload step, or ownership handed over
between their two taps; someone taken off ADMIN_IDS is staff no longer. So every service that
writes on behalf of an organization calls `require_leader` (or `require_leader_or_staff`), and
every staff-only service `require_staff`, right before it writes: each reads the person's
membership or role from the database again instead of trusting what the flow saw.

Staff and coordinators act through a `Viewer`, read the same way at every press: who they are,
whether they are staff, and the districts they follow. The one scope rule, applied by every
service that lists, reads, exports or changes what belongs to a district:

- Staff, and coordinators whose `/scope` lists no district, see every district. A coordinator
  with districts sees, lists, reads and acts only inside them; a district outside them is
  refused (`require_in_scope`), whatever old or forged button asks for it.
- Something someone created (a training session, a broadcast, a topic vote) is changed only by
  its author and by staff (`may_change`): a coordinator may not edit or cancel a colleague's.
- A training session's place decides its scope (`sees_session`, `runs_session`): one in person
  belongs to its district; one online has none, so every coordinator sees it in the calendar,
  but only its author, staff and coordinators of every district run it (its lists name leaders
  from anywhere). A session's author always sees and runs their own.
- A broadcast reaches, and counts, only people who lead an organization in its author's
  districts (`leaders`), read when it is counted and again when it goes out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.models import CoordinatorDistrict
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_
from bot.core.validation import InvalidInput
from bot.organizations.models import LeaderRole, Leadership, Organization
from bot.people.models import Role, User

NO_LONGER_LEADER = N_("You are no longer a leader of this organization, so nothing was saved. See what you lead with /myorg.")
ONLY_OWNER = N_("Only the organization's owner can do that.")
ONLY_STAFF = N_("Only programme staff can do that.")
ONLY_COORDINATORS = N_("Only training coordinators and programme staff can do that.")
ONLY_CONSOLE = N_("Only programme staff and coordinators can do that.")
OUT_OF_SCOPE = N_("That organization is not in the districts you follow.")
DISTRICT_OUT_OF_SCOPE = N_("%(district)s is not one of the districts you follow (%(yours)s).")
SESSION_OUT_OF_SCOPE = N_("That training session is not in the districts you follow.")
ONLY_AUTHOR = N_("Only the person who created it, and programme staff, can change it.")


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


# --- staff and coordinators: who they are, and the districts they follow ------------------------


def district_names(codes: frozenset[str] | set[str] | list[str]) -> str:
    names = [found.name if (found := district_by_ubigeo(code)) else code for code in codes]
    return ", ".join(sorted(names))


@dataclass(frozen=True)
class Viewer:
    """A staff member or coordinator, with the districts they follow (None: all of them)."""

    user_id: int
    role: Role
    districts: frozenset[str] | None

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF

    def sees(self, district_ubigeo: str | None) -> bool:
        """Whether the district is one they follow (no district: only for those who follow all)."""
        return self.districts is None or district_ubigeo in self.districts

    def require_in_scope(self, district_ubigeo: str) -> None:
        if not self.sees(district_ubigeo):
            found = district_by_ubigeo(district_ubigeo)
            raise NotAllowed(DISTRICT_OUT_OF_SCOPE, district=found.name if found else district_ubigeo,
                             yours=district_names(self.districts or frozenset()))

    def in_scope(self, district_column: ColumnElement[str | None]) -> ColumnElement[bool]:
        """A condition keeping only the rows whose district they follow."""
        return true() if self.districts is None else district_column.in_(sorted(self.districts))

    def organizations(self, district_column: ColumnElement[str] | None = None) -> ColumnElement[bool]:
        """A condition keeping only the organizations (or rows with a district) in scope."""
        return self.in_scope(Organization.district_ubigeo if district_column is None else district_column)

    def leaders(self) -> ColumnElement[bool]:
        """A condition on `User`: people who lead an organization in their districts."""
        if self.districts is None:
            return true()
        return User.id.in_(
            select(Leadership.user_id).join(Organization, Organization.id == Leadership.organization_id).where(self.organizations())
        )

    def may_change(self, author_id: int | None) -> bool:
        """Something someone created is changed by its author and by staff only."""
        return self.is_staff or (author_id is not None and author_id == self.user_id)

    def require_may_change(self, author_id: int | None) -> None:
        if not self.may_change(author_id):
            raise NotAllowed(ONLY_AUTHOR)

    # A training session: in person, it belongs to its district; online, to nobody's.

    def sees_session(self, district_ubigeo: str | None, author_id: int | None) -> bool:
        return district_ubigeo is None or self.sees(district_ubigeo) or self.may_change(author_id)

    def runs_session(self, district_ubigeo: str | None, author_id: int | None) -> bool:
        """Its lists, check-in and attendance: the author, staff, coordinators of its district."""
        return self.sees(district_ubigeo) or self.may_change(author_id)

    def sessions(self, district_column: ColumnElement[str | None], author_column: ColumnElement[int | None]) -> ColumnElement[bool]:
        """A condition keeping the sessions they see (`sees_session`, in SQL)."""
        if self.districts is None:
            return true()
        return or_(district_column.is_(None), district_column.in_(sorted(self.districts)), author_column == self.user_id)


async def followed_districts(session: AsyncSession, *, user_id: int, role: Role | None = None) -> frozenset[str] | None:
    """The districts a coordinator follows (None: all of them, as for staff)."""
    if role is None:
        role = await session.scalar(select(User.role).where(User.id == user_id))
    if role is Role.STAFF:
        return None
    codes = frozenset(await session.scalars(select(CoordinatorDistrict.district_ubigeo).where(CoordinatorDistrict.user_id == user_id)))
    return codes or None


async def viewer(session: AsyncSession, *, user_id: int, refusal: str = ONLY_CONSOLE) -> Viewer:
    """The person's rights as the database has them now; NotAllowed(refusal) for leaders."""
    role = await session.scalar(select(User.role).where(User.id == user_id))
    if role not in (Role.STAFF, Role.COORDINATOR):
        raise NotAllowed(refusal)
    return Viewer(user_id, role, await followed_districts(session, user_id=user_id, role=role))


async def coordinator(session: AsyncSession, *, user_id: int) -> Viewer:
    """`viewer` for the coordinators' tools (trainings, broadcasts), refused in their words."""
    return await viewer(session, user_id=user_id, refusal=ONLY_COORDINATORS)
