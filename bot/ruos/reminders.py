"""The reminders that follow a RUOS request (bot/messaging/reminders.py).

Reminder keys, each cancelled once its matter is done, and re-checked by the renderer when due:
- ``ruos:missing:<org>:<user>``: weekly while required items are missing and the request is
  being prepared; planned again a week after each upload or view of the checklist.
- ``ruos:deadline:<org>:<user>``: the deadline to answer the municipality's observations.
- ``ruos:term:<org>:<days>:<user>:<term end>``: the board's term ends in 60 and 15 days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import SystemClock
from bot.messaging.reminders import QuietHours, cancel_prefix, schedule
from bot.organizations.models import Organization
from bot.ruos.checklists import ruos_procedure
from bot.ruos.models import (
    ChecklistItem,
    ItemStatus,
    RegistrationStage,
    RuosRegistration,
)
from bot.ruos.requirements import (
    Procedure,
    RequirementsCatalogue,
)
from bot.ruos.shared import _leaders

NUDGE_INTERVAL = timedelta(days=7)
BOARD_TERM_NOTICE_DAYS = (60, 15)
OBSERVATION_NOTICE = timedelta(days=2)
# Reminders tied to a date go out in the morning, local time.
REMINDER_TIME = time(9, 0)

# Reminder kinds; bot/ruos/reminder_screens.py builds each one's screen.
MISSING_NUDGE = "ruos_missing"
OBSERVATION_DEADLINE = "ruos_deadline"
BOARD_TERM_ENDING = "ruos_term"


def _morning_of(day: date, quiet: QuietHours | None) -> datetime:
    zone = quiet.zone if quiet is not None else UTC
    return datetime.combine(day, REMINDER_TIME, tzinfo=zone).astimezone(UTC)


async def plan_missing_nudges(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    organization: Organization,
    now: datetime,
    quiet: QuietHours | None,
) -> bool:
    """Nudge every leader a week from now while required RUOS items are missing and the
    request is being prepared; otherwise cancel the nudges. Returns whether one is planned."""
    prefix = f"ruos:missing:{organization.id}:"
    procedure, _fallback = ruos_procedure(catalogue, organization)
    row = await session.get(RuosRegistration, organization.id)
    preparing = row is None or row.stage is RegistrationStage.PREPARING
    missing = preparing and await _has_outstanding(session, organization.id, procedure)
    if not missing:
        await cancel_prefix(session, prefix=prefix)
        return False
    for leader in await _leaders(session, organization.id):
        # replace=True: last week's nudge was sent, and this is the next one.
        await schedule(
            session, key=f"{prefix}{leader.id}", recipient_id=leader.id, kind=MISSING_NUDGE,
            due_at=now + NUDGE_INTERVAL, payload={"organization_id": organization.id},
            quiet=quiet, replace=True,
        )
    return True


async def _has_outstanding(session: AsyncSession, organization_id: int, procedure: Procedure) -> bool:
    done = set(
        await session.scalars(
            select(ChecklistItem.item_code).where(
                ChecklistItem.organization_id == organization_id,
                ChecklistItem.procedure_code == procedure.code,
                ChecklistItem.status.in_((ItemStatus.UPLOADED, ItemStatus.VERIFIED)),
            )
        )
    )
    return any(item.required and item.code not in done for item in procedure.items)


async def plan_observation_reminders(
    session: AsyncSession,
    *,
    organization: Organization,
    deadline: date | None,
    now: datetime,
    quiet: QuietHours | None,
) -> None:
    """Remind the leaders two days before the deadline to answer the observations (or on the
    day, if that is already too close); no deadline cancels it."""
    prefix = f"ruos:deadline:{organization.id}:"
    await cancel_prefix(session, prefix=prefix)
    if deadline is None:
        return
    due = next(
        (moment for moment in (_morning_of(deadline - OBSERVATION_NOTICE, quiet), _morning_of(deadline, quiet)) if moment > now),
        None,
    )
    if due is None:
        return
    for leader in await _leaders(session, organization.id):
        await schedule(
            session, key=f"{prefix}{leader.id}", recipient_id=leader.id, kind=OBSERVATION_DEADLINE,
            due_at=due, payload={"organization_id": organization.id, "deadline": deadline.isoformat()},
            quiet=quiet, replace=True,
        )


async def plan_board_term_reminders(
    session: AsyncSession,
    *,
    organization: Organization,
    quiet: QuietHours | None,
    now: datetime | None = None,
) -> None:
    """Tell every leader 60 and 15 days before the board's term ends (in the morning).

    Call it when an organization is registered, when its term changes and when a leader
    joins, with `now` from the runtime's clock (the system clock if None). Reminders already
    past are skipped; the term's end is part of the key, so a new term gets its own reminders
    while those of the old one that went out stay sent.
    """
    now = now or SystemClock().now()
    await cancel_prefix(session, prefix=f"ruos:term:{organization.id}:")
    end = organization.board_term_end
    leaders = await _leaders(session, organization.id)
    for days in BOARD_TERM_NOTICE_DAYS:
        due = _morning_of(end - timedelta(days=days), quiet)
        if due <= now:
            continue
        for leader in leaders:
            await schedule(
                session, key=f"ruos:term:{organization.id}:{days}:{leader.id}:{end.isoformat()}",
                recipient_id=leader.id, kind=BOARD_TERM_ENDING, due_at=due,
                payload={"organization_id": organization.id, "term_end": end.isoformat(), "days": days},
                quiet=quiet,
            )
