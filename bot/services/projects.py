"""Projects organizations carry out with a funder: what each organization has on the go.

Activity and beneficiary reports, with their photos, build on this.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.projects import Project


async def projects_of(session: AsyncSession, *, organization_id: int) -> list[Project]:
    """The organization's projects, the most recently started first."""
    query = (
        select(Project)
        .where(Project.organization_id == organization_id)
        .order_by(Project.starts_on.desc(), Project.id.desc())
    )
    return list(await session.scalars(query))
