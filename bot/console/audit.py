"""Who may use the staff console, what they see of it, and the record of what they did.

Staff see every organization. A coordinator sees the console too, limited to the districts
they are scoped to (`CoordinatorDistrict` rows; none means every district; the rule is
`authority.Viewer`, shared with trainings and broadcasts). Every console
action that reads personal data (a profile, an export, the pending list) or changes state is
written to the audit log by the service that does it, in the same transaction, so a read that
failed half-way is not logged and a logged change cannot be lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.models import AuditEntry, CoordinatorDistrict
from bot.core.i18n import N_
from bot.organizations.models import Organization
from bot.people.authority import OUT_OF_SCOPE, NotAllowed, Viewer, viewer
from bot.people.models import Role, User

__all__ = ["Viewer", "viewer"]  # the one scope rule lives in bot.people.authority

ONLY_STAFF = N_("Only programme staff can do that.")


async def staff_viewer(session: AsyncSession, *, user_id: int) -> Viewer:
    found = await viewer(session, user_id=user_id)
    if not found.is_staff:
        raise NotAllowed(ONLY_STAFF)
    return found


async def organization_in_scope(session: AsyncSession, who: Viewer, organization_id: int) -> Organization | None:
    """The organization if it exists; NotAllowed if it is outside the viewer's districts."""
    organization = await session.get(Organization, organization_id)
    if organization is not None and not who.sees(organization.district_ubigeo):
        raise NotAllowed(OUT_OF_SCOPE)
    return organization


NOT_A_COORDINATOR = N_("That person is not a coordinator: make them one with /role first.")


async def set_districts(session: AsyncSession, *, staff: Viewer, coordinator_id: int, districts: Iterable[str], now: datetime) -> User:
    """Scope a coordinator to these districts (an empty list: every district)."""
    if not staff.is_staff:
        raise NotAllowed(ONLY_STAFF)
    coordinator = await session.get(User, coordinator_id)
    if coordinator is None or coordinator.role is not Role.COORDINATOR:
        raise NotAllowed(NOT_A_COORDINATOR)
    codes = sorted(set(districts))
    await session.execute(delete(CoordinatorDistrict).where(CoordinatorDistrict.user_id == coordinator_id))
    session.add_all(CoordinatorDistrict(user_id=coordinator_id, district_ubigeo=code) for code in codes)
    record(session, staff, "scope.set", now=now, subject_id=coordinator_id, detail=",".join(codes) or "all")
    await session.flush()
    return coordinator


async def coordinators(session: AsyncSession, *, staff: Viewer) -> list[tuple[User, list[str]]]:
    """Every coordinator with the districts they are scoped to (none: all)."""
    if not staff.is_staff:
        raise NotAllowed(ONLY_STAFF)
    people = list(await session.scalars(select(User).where(User.role == Role.COORDINATOR).order_by(User.display_name, User.id)))
    scopes: dict[int, list[str]] = {}
    for row in await session.scalars(select(CoordinatorDistrict).order_by(CoordinatorDistrict.district_ubigeo)):
        scopes.setdefault(row.user_id, []).append(row.district_ubigeo)
    return [(person, scopes.get(person.id, [])) for person in people]


def record(
    session: AsyncSession,
    who: Viewer | int | None,
    action: str,
    *,
    now: datetime,
    organization_id: int | None = None,
    subject_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Write one audit entry in the caller's transaction."""
    actor_id = who.user_id if isinstance(who, Viewer) else who
    session.add(AuditEntry(at=now, actor_id=actor_id, action=action, organization_id=organization_id,
                           subject_id=subject_id, detail=(detail or None) and detail[:120]))


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    organization_id: int | None
    organization_name: str | None
    subject_id: int | None
    detail: str | None


async def entries(
    session: AsyncSession,
    *,
    staff: Viewer,
    person_id: int | None = None,
    organization_id: int | None = None,
    offset: int = 0,
    limit: int = 10,
    now: datetime,
) -> tuple[list[AuditLine], int]:
    """The newest entries first (and how many match): by or about a person, or an organization.

    Reading the log is itself logged.
    """
    if not staff.is_staff:
        raise NotAllowed(ONLY_STAFF)
    conditions: list[ColumnElement[bool]] = []
    if person_id is not None:
        conditions.append((AuditEntry.actor_id == person_id) | (AuditEntry.subject_id == person_id))
    if organization_id is not None:
        conditions.append(AuditEntry.organization_id == organization_id)
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    rows = await session.execute(
        select(AuditEntry, User.display_name, Organization.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(Organization, Organization.id == AuditEntry.organization_id)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    lines = [
        AuditLine(e.at, e.actor_id, actor, e.action, e.organization_id, organization, e.subject_id, e.detail)
        for e, actor, organization in rows.all()
    ]
    filters = ",".join(f for f in (person_id and f"person={person_id}", organization_id and f"org={organization_id}") if f)
    record(session, staff, "audit.read", now=now, organization_id=organization_id, subject_id=person_id, detail=filters or None)
    return lines, total


async def console_people(session: AsyncSession, *, staff: Viewer) -> list[User]:
    """Staff and coordinators, to filter the log by one of them."""
    if not staff.is_staff:
        raise NotAllowed(ONLY_STAFF)
    return list(await session.scalars(
        select(User).where(User.role.in_([Role.STAFF, Role.COORDINATOR])).order_by(User.display_name, User.id)
    ))
