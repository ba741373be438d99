"""Projects an organization carries out with a funder's support, and what it must report.

Activities, beneficiaries (by nationality, sex and age) and photos will hang off a project.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class Project(Base):
    """A project belongs to its organization: erasing the organization erases it too."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str | None] = mapped_column(Text)
    funder: Mapped[str | None] = mapped_column(String(160))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    report_due_on: Mapped[date | None]
    created_at: Mapped[datetime]
