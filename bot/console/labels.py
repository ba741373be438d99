"""How the console's codes read: an organization's follow-up state, the kinds of what waits for
staff (with their icons), what the audit log records, and a district by its name."""

from __future__ import annotations

from bot.console.models import ActivityState
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_

ACTIVITY = {
    ActivityState.ACTIVE: N_("active"),
    ActivityState.INACTIVE: N_("inactive"),
    ActivityState.DISSOLVED: N_("dissolved"),
}
NO_STAGE = N_("not started")
KIND = {
    "registration": N_("Registration to verify"),
    "ruos_item": N_("RUOS document to review"),
    "proposal": N_("Project proposal"),
    "report": N_("Project report to review"),
    "broadcast": N_("Broadcast waiting for approval"),
    "question": N_("Question from a leader"),
}
# Each kind's icon, on the line and on the button, where a phone has no room for its name.
KIND_ICON = {"registration": "🏠", "ruos_item": "📄", "proposal": "💡", "report": "📊", "broadcast": "📣", "question": "❓"}

AUDIT_ACTION = {
    "org.read": N_("read the status of"),
    "pending.read": N_("read the pending list"),
    "figures.read": N_("read the figures"),
    "export": N_("exported the workbook"),
    "quiet.read": N_("read the quiet organizations"),
    "audit.read": N_("read the audit log"),
    "org.mark_inactive": N_("marked inactive"),
    "org.mark_dissolved": N_("marked dissolved"),
    "org.mark_active": N_("marked active again"),
    "scope.set": N_("set the districts of a coordinator"),
    "org.review.read": N_("opened the registration of"),
    "org.verified": N_("verified"),
    "org.needs_changes": N_("asked for changes to"),
    "ruos.item.read": N_("opened a RUOS document of"),
    "ruos.item.verified": N_("verified a RUOS document of"),
    "ruos.item.rejected": N_("asked for changes to a RUOS document of"),
    "ruos.stage": N_("recorded the RUOS stage of"),
    "project.move": N_("moved a project of"),
    "project.comment": N_("commented on a project of"),
    "project.fund": N_("funded a project of"),
    "report.approved": N_("approved a report of"),
    "report.changes": N_("asked for changes to a report of"),
    "role.set": N_("changed the role of someone"),
}


def district_name(code: str) -> str:
    district = district_by_ubigeo(code)
    return district.name if district else code
