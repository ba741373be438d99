"""Registros Públicos in the figures: organizations whose inscription is recorded
(bot/ruos/public_registry.py), counted from the day they were inscribed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.audit import Viewer
from bot.console.figures.areas import Figures
from bot.organizations.models import Organization
from bot.ruos.models import RegistryInscription


async def add_inscribed(session: AsyncSession, who: Viewer, result: Figures) -> None:
    rows = await session.execute(
        select(Organization.district_ubigeo, RegistryInscription.inscribed_on)
        .join(RegistryInscription, RegistryInscription.organization_id == Organization.id).where(who.organizations())
    )
    for district, inscribed_on in rows.all():
        if inscribed_on <= result.period.end:
            result.inscribed_in_registry += 1
            result.inscribed_by_district[district] += 1


async def inscriptions_of(session: AsyncSession, organization_ids: list[int]) -> list[tuple[str, date]]:
    """(district, day inscribed) of these organizations: what erasure tallies."""
    rows = await session.execute(
        select(Organization.district_ubigeo, RegistryInscription.inscribed_on)
        .join(RegistryInscription, RegistryInscription.organization_id == Organization.id)
        .where(Organization.id.in_(organization_ids))
    )
    return [(district, day) for district, day in rows.all()]
