"""The programme's figures for a period, in the viewer's districts, computed once: /stats,
/indicators, /export's totals and /proposals' people reached all come from here, and read each
figure through the registry (registry.py), which names it and says how it is counted.

Counts include the anonymous tallies erasure leaves (erased.py), so the totals of every period
do not change when someone exercises their right to erasure.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.console.audit import Viewer
from bot.console.figures import areas, erased, public_registry
from bot.console.figures.areas import Figures, Period, ZoneOf
from bot.projects.reports import BeneficiaryTotals
from bot.trainings import sessions as trainings


async def compute(session: AsyncSession, *, who: Viewer, period: Period, zone_of: ZoneOf, now: datetime) -> Figures:
    """The one source of /stats, /indicators, /export's totals and /proposals' people reached."""
    result = Figures(period)
    await areas.organizations(session, who, result, zone_of)
    await public_registry.add_inscribed(session, who, result)
    await areas.leaders(session, who, result, zone_of)
    await areas.proposals(session, who, result, zone_of)
    result.beneficiaries = await people_reached(session, who=who, period=period, zone_of=zone_of)
    await areas.sessions(session, who, result, zone_of, now)
    await areas.trained(session, who, result, zone_of)
    await areas.certificates_and_ballots(session, who, result, zone_of)
    await erased.add_erased(session, who, result)
    result.topics = {topic.code: topic for topic in await trainings.topics(session)}
    audit.record(session, who, "figures.read", now=now, detail=f"{period.start or ''}..{period.end}")
    return result


async def people_reached(session: AsyncSession, *, who: Viewer, period: Period, zone_of: ZoneOf) -> BeneficiaryTotals:
    """People reached by the approved reports counting in the period (`report_day`), erased
    organizations' included: what /stats, /indicators, /export and /proposals all say."""
    totals = BeneficiaryTotals()
    for _district, counts, spent, day in await areas.approved_reports(session, None, who, zone_of):
        if areas.in_period(day, period):
            totals.add(counts, spent)
    await erased.add_erased_reached(session, who, period, totals)
    return totals


async def people_reached_so_far(session: AsyncSession, *, staff_id: int, today: date, zone_of: ZoneOf) -> BeneficiaryTotals:
    """/proposals' programme-wide people reached: the registry's "people_reached" since the
    start, as the staff member sees it (NotAllowed for anyone else)."""
    who = await audit.staff_viewer(session, user_id=staff_id)
    return await people_reached(session, who=who, period=Period(None, today), zone_of=zone_of)
