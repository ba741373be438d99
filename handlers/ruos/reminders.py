"""The messages of the checklist's reminders: the weekly nudge while documents are missing,
the municipality's deadline for observations, and the end of the board's term. Each one
re-reads the matter when due and is dropped if it no longer applies.
"""

from __future__ import annotations

from bot import ruos
from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.messaging.models import Reminder
from bot.organizations import organizations
from bot.organizations.models import Organization
from bot.ruos.models import RegistrationStage
from bot.ruos.requirements import localized
from handlers.common import escape, keyboard
from handlers.messaging.reminders import Rendered, renders
from handlers.ruos.checklist import next_step_text
from handlers.ruos.common import callback, open_checklist_button, today_of


async def _leader_organization(runtime: Runtime, reminder: Reminder) -> Organization | None:
    """The reminder's organization, if it still exists and the recipient still leads it."""
    async with runtime.database.session() as session:
        organization_id = int(reminder.payload["organization_id"])
        if not await ruos.is_leader(session, user_id=reminder.recipient_id, organization_id=organization_id):
            return None
        return await organizations.load(session, organization_id)


@renders(ruos.MISSING_NUDGE)
async def render_missing(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    organization = await _leader_organization(runtime, reminder)
    if organization is None:
        return None
    async with runtime.database.session() as session:
        # Plans next week's nudge too, or cancels the nudges if nothing is missing any more.
        if not await ruos.plan_missing_nudges(
            session, catalogue=runtime.requirements, organization=organization,
            now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
        ):
            return None
        checklist = await ruos.checklist(session, catalogue=runtime.requirements, organization=organization, today=today_of(runtime))
    _ = i18n.gettext
    missing = sum(view.outstanding for view in checklist.items)
    text = i18n.ngettext(
        "📋 Reminder: %(count)s required document for the RUOS of %(organization)s is still missing.",
        "📋 Reminder: %(count)s required documents for the RUOS of %(organization)s are still missing.",
        missing,
    ) % {
        "count": missing, "organization": escape(organization.name),
    }
    text += "\n\n👉 " + next_step_text(i18n, checklist)
    return Rendered(text, open_checklist_button(i18n, organization.id, checklist.procedure.code))


@renders(ruos.OBSERVATION_DEADLINE)
async def render_deadline(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    organization = await _leader_organization(runtime, reminder)
    if organization is None:
        return None
    async with runtime.database.session() as session:
        checklist = await ruos.checklist(session, catalogue=runtime.requirements, organization=organization, today=today_of(runtime))
    registration = checklist.registration
    assert registration is not None
    deadline = registration.observation_deadline
    if registration.stage is not RegistrationStage.OBSERVED or deadline is None or deadline.isoformat() != reminder.payload["deadline"]:
        return None
    _ = i18n.gettext
    text = _("⏰ The municipality's observations on the RUOS request of %(organization)s must be answered by %(date)s.") % {
        "organization": escape(organization.name), "date": i18n.date(deadline),
    }
    if registration.observations:
        text += "\n\n" + _("Observations: %(text)s") % {"text": f"<i>{escape(registration.observations)}</i>"}
    text += "\n\n" + _("When you have answered them, record it with “Registration status”.")
    markup = keyboard([[(_("📋 Registration status"), callback("status", organization.id))]])
    return Rendered(text, markup)


@renders(ruos.BOARD_TERM_ENDING)
async def render_board_term(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    organization = await _leader_organization(runtime, reminder)
    if organization is None or organization.board_term_end.isoformat() != reminder.payload["term_end"]:
        return None
    _ = i18n.gettext
    procedure, _fallback = ruos.ruos_procedure(runtime.requirements, organization)
    text = i18n.ngettext(
        "⏰ The term of the board of %(organization)s ends on %(date)s, in %(days)s day. Hold the election of the new board in time, and ask the municipality what it needs to record it.",
        "⏰ The term of the board of %(organization)s ends on %(date)s, in %(days)s days. Hold the election of the new board in time, and ask the municipality what it needs to record it.",
        int(reminder.payload["days"]),
    ) % {
        "organization": escape(organization.name), "date": i18n.date(organization.board_term_end), "days": reminder.payload["days"],
    }
    if procedure.renewal_items:
        text += "\n\n" + _("The list of the %(authority)s for renewing the board asks for:") % {
            "authority": escape(localized(procedure.authority, i18n.language)),
        }
        text += "\n" + "\n".join(f"• {escape(localized(item.title, i18n.language))}" for item in procedure.renewal_items)
    return Rendered(text, open_checklist_button(i18n, organization.id, procedure.code))
