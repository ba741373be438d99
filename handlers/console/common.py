"""What every part of the console shares: who is using it (and the refusal when nobody may),
and how districts and states read."""

from __future__ import annotations

from telegram import Update

from bot.console import audit
from bot.console.audit import Viewer
from bot.console.models import ActivityState
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_, Translator
from bot.people.authority import NotAllowed
from handlers.common import (
    answer_button,
    error_text,
    escape,
    reply,
)
from handlers.context import VocesContext
from handlers.projects import reports as project_reports

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
}
# Each kind's icon, on the line and on the button, where a phone has no room for its name.
KIND_ICON = {"registration": "🏠", "ruos_item": "📄", "proposal": "💡", "report": "📊", "broadcast": "📣"}
# The reports' own words for who was reached.
NATIONALITY, SEX, AGE = project_reports.NATIONALITY, project_reports.SEX_LABEL, project_reports.AGE_LABEL


async def console_viewer(update: Update, context: VocesContext, session, *, staff_only: bool = False) -> Viewer | None:  # noqa: ANN001
    """Who is using the console, read now; a refusal in their language (and None) otherwise."""
    try:
        if staff_only:
            return await audit.staff_viewer(session, user_id=context.person.id)  # type: ignore[union-attr]
        return await audit.viewer(session, user_id=context.person.id)  # type: ignore[union-attr]
    except NotAllowed as error:
        await refuse(update, context, error)
        return None


async def refuse(update: Update, context: VocesContext, error: Exception) -> None:
    text = error_text(context, error)
    await answer_button(update, context, text, alert=True)
    await reply(update, context, text)


def district_name(code: str) -> str:
    district = district_by_ubigeo(code)
    return district.name if district else code


def scope_line(i18n: Translator, who: Viewer) -> str:
    if who.districts is None:
        return i18n.gettext("All districts")
    return i18n.gettext("Your districts: %(names)s") % {"names": ", ".join(escape(district_name(c)) for c in sorted(who.districts))}
