"""Quiet organizations: a friendly check-in when none of the leaders wrote for a while, a place
on staff's list if they stay silent, and staff marking them inactive or dissolved.

The daily sweep (`sweep`) decides from the leaders' last message (`User.last_seen`):

- silent for QUIET_AFTER_DAYS and not checked on since they last wrote → each consenting
  leader gets a check-in reminder (kind ``followup:checkin``), and the time is noted;
- still silent QUIET_LISTING_DAYS after the check-in → listed for staff (/quiet);
- a leader wrote since → the follow-up starts over.

An organization staff marked inactive or dissolved is left alone: no check-ins, no reminders,
and it counts apart in the indicators. Marking it active again starts the follow-up anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.console.audit import Viewer
from bot.console.models import ActivityState, OrganizationFollowUp
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone, transition
from bot.messaging import reminders
from bot.organizations.models import Leadership, Organization
from bot.people.authority import NotAllowed, leader_role
from bot.people.models import User

CHECKIN_KIND = "followup:checkin"


def checkin_prefix(organization_id: int) -> str:
    return f"followup:org{organization_id}:"


# Keys of the other reminders scheduled for an organization (RUOS nudges, board term), which
# stop once staff mark it inactive or dissolved.
ORGANIZATION_REMINDER_PREFIXES = ("ruos:missing:{id}:", "ruos:deadline:{id}:", "ruos:term:{id}:")


@dataclass(frozen=True)
class SweepReport:
    checked_in: list[int]  # organizations whose leaders were sent a check-in
    listed: list[int]  # organizations now listed for staff


async def _last_contacts(session: AsyncSession) -> dict[int, datetime | None]:
    """Each organization's last message from a leader (None: it has no leader left)."""
    rows = await session.execute(
        select(Organization.id, func.max(User.last_seen))
        .outerjoin(Leadership, Leadership.organization_id == Organization.id)
        .outerjoin(User, User.id == Leadership.user_id)
        .group_by(Organization.id)
    )
    return dict(rows.all())  # type: ignore[arg-type]


async def sweep(session: AsyncSession, *, now: datetime, quiet_after: timedelta, listing_after: timedelta) -> SweepReport:
    contacts = await _last_contacts(session)
    followups = {f.organization_id: f for f in await session.scalars(select(OrganizationFollowUp))}
    checked_in: list[int] = []
    listed: list[int] = []
    for organization_id, last in contacts.items():
        followup = followups.get(organization_id)
        if followup is not None and followup.state is not ActivityState.ACTIVE:
            continue
        if last is None or now - last < quiet_after:
            if followup is not None and (followup.checked_in_at or followup.listed_at):
                followup.checked_in_at = followup.listed_at = None  # they wrote: start over
            continue
        if followup is None:
            followup = OrganizationFollowUp(organization_id=organization_id, state=ActivityState.ACTIVE)
            session.add(followup)
        if followup.checked_in_at is None or followup.checked_in_at < last:
            followup.checked_in_at, followup.listed_at = now, None
            await _schedule_checkins(session, organization_id, now)
            checked_in.append(organization_id)
        elif followup.listed_at is None and now - followup.checked_in_at >= listing_after:
            followup.listed_at = now
            listed.append(organization_id)
    await session.flush()
    return SweepReport(checked_in, listed)


async def _schedule_checkins(session: AsyncSession, organization_id: int, now: datetime) -> None:
    leaders = await session.scalars(
        select(User).join(Leadership, Leadership.user_id == User.id).where(Leadership.organization_id == organization_id)
    )
    for leader in leaders:
        if not leader.has_consented:  # withdrawing consent stops every message but erasure's
            continue
        await reminders.schedule(
            session, key=f"{checkin_prefix(organization_id)}user{leader.id}:{now.date().isoformat()}",
            recipient_id=leader.id, kind=CHECKIN_KIND, payload={"organization_id": organization_id}, due_at=now,
        )


async def still_quiet(session: AsyncSession, organization_id: int, recipient_id: int) -> Organization | None:
    """For the check-in's renderer: the organization, if it is still followed up as active and
    the recipient still leads it (someone who left it since is not asked about it)."""
    organization = await session.get(Organization, organization_id)
    followup = await session.get(OrganizationFollowUp, organization_id)
    if organization is None or followup is None or followup.state is not ActivityState.ACTIVE or followup.checked_in_at is None:
        return None
    if await leader_role(session, user_id=recipient_id, organization_id=organization_id) is None:
        return None
    return organization


@dataclass(frozen=True)
class QuietOrganization:
    organization_id: int
    name: str
    district_ubigeo: str
    last_contact: datetime | None
    checked_in_at: datetime | None


async def listed(session: AsyncSession, *, who: Viewer, now: datetime) -> list[QuietOrganization]:
    """The organizations still silent after their check-in, the longest silent first."""
    contacts = await _last_contacts(session)
    rows = await session.execute(
        select(Organization, OrganizationFollowUp)
        .join(OrganizationFollowUp, OrganizationFollowUp.organization_id == Organization.id)
        .where(OrganizationFollowUp.state == ActivityState.ACTIVE, OrganizationFollowUp.listed_at.is_not(None), who.organizations())
    )
    found = [
        QuietOrganization(o.id, o.name, o.district_ubigeo, contacts.get(o.id), f.checked_in_at) for o, f in rows.all()
    ]
    oldest = datetime.min.replace(tzinfo=now.tzinfo)
    found.sort(key=lambda q: (q.last_contact or oldest, q.organization_id))
    audit.record(session, who, "quiet.read", now=now, detail=f"{len(found)} listed")
    return found


MARKED_ALREADY = N_("That was already done: %(name)s was marked a moment ago. Nothing was changed.")


async def mark(session: AsyncSession, *, who: Viewer, organization_id: int, state: ActivityState, now: datetime) -> Organization:
    """Staff mark an organization inactive, dissolved, or active again (once per press)."""
    if not who.is_staff:
        raise NotAllowed(audit.ONLY_STAFF)
    organization = await audit.organization_in_scope(session, who, organization_id)
    if organization is None:
        raise NotAllowed(N_("That organization no longer exists."))
    if await session.get(OrganizationFollowUp, organization_id) is None:
        session.add(OrganizationFollowUp(organization_id=organization_id, state=ActivityState.ACTIVE))
        await session.flush()
    others = tuple(s for s in ActivityState if s is not state)
    await transition(
        session, OrganizationFollowUp, where={"organization_id": organization_id, "state": others},
        values={"state": state, "marked_at": now, "marked_by_id": who.user_id, "checked_in_at": None, "listed_at": None},
        already=AlreadyDone(MARKED_ALREADY, name=organization.name),
    )
    if state is not ActivityState.ACTIVE:
        await reminders.cancel_prefix(session, prefix=checkin_prefix(organization_id))
        for prefix in ORGANIZATION_REMINDER_PREFIXES:
            await reminders.cancel_prefix(session, prefix=prefix.format(id=organization_id))
    audit.record(session, who, f"org.mark_{state.value}", now=now, organization_id=organization_id)
    return organization
