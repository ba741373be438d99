"""How a project's status reads."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.projects.models import ProjectStatus

PROJECT_STATUS = {
    ProjectStatus.PROPOSAL: N_("📨 proposal, waiting for the programme"),
    ProjectStatus.SELECTED: N_("⭐ selected"),
    ProjectStatus.FUNDED: N_("💰 funded"),
    ProjectStatus.IMPLEMENTING: N_("🛠 being implemented"),
    ProjectStatus.CLOSED: N_("🏁 closed"),
    ProjectStatus.NOT_SELECTED: N_("not selected"),
}
