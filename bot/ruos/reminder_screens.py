"""The RUOS's reminders as screens (bot/core/screens.py): the weekly nudge while documents are
missing, the municipality's deadline for the observations, and the end of the board's term.
When one is due its builder (`SCREENS`, delivered on every channel by
bot/messaging/reminder_screens.py) re-reads the matter and shows one, or None when it no longer
applies.

Their choices open the checklist (`ruos:list:<org>:<procedure>`) or the registration status
(`ruos:status:<org>`), the callback data Telegram's buttons have always carried.
"""

from __future__ import annotations

from datetime import date

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.screens import Choice, Screen, escape, screen
from bot.messaging.models import Reminder
from bot.organizations.models import Organization
from bot.ruos import conversation as flow
from bot.ruos import reminders as kinds
from bot.ruos.checklists import Checklist, RegistrationView, ruos_procedure
from bot.ruos.models import RegistrationStage
from bot.ruos.requirements import Procedure, localized
from bot.ruos.screens import data, next_step_text


def open_checklist(i18n: Translator, organization_id: int, procedure_code: str) -> list[list[Choice]]:
    return [[Choice(data("list", organization_id, procedure_code), i18n.gettext("📋 Open the checklist"))]]


def missing(i18n: Translator, organization: Organization, checklist: Checklist) -> Screen:
    """How many required documents are still missing, and the next step."""
    count = sum(view.outstanding for view in checklist.items)
    text = i18n.ngettext(
        "📋 Reminder: %(count)s required document for the RUOS of %(organization)s is still missing.",
        "📋 Reminder: %(count)s required documents for the RUOS of %(organization)s are still missing.",
        count,
    ) % {"count": count, "organization": escape(organization.name)}
    text += "\n\n👉 " + next_step_text(i18n, checklist)
    return screen(text, open_checklist(i18n, organization.id, checklist.procedure.code))


def observation_deadline(i18n: Translator, organization: Organization, registration: RegistrationView, deadline: date) -> Screen:
    """The observations must be answered by `deadline`: what they are, and the status to record it."""
    _ = i18n.gettext
    text = _("⏰ The municipality's observations on the RUOS request of %(organization)s must be answered by %(date)s.") % {
        "organization": escape(organization.name), "date": i18n.date(deadline),
    }
    if registration.observations:
        text += "\n\n" + _("Observations: %(text)s") % {"text": f"<i>{escape(registration.observations)}</i>"}
    text += "\n\n" + _("When you have answered them, record it with “Registration status”.")
    return screen(text, [[Choice(data("status", organization.id), _("📋 Registration status"))]])


def board_term_ending(i18n: Translator, organization: Organization, procedure: Procedure, days: int) -> Screen:
    """The board's term ends in `days`: elect the next one, and what the list asks to record it."""
    _ = i18n.gettext
    text = i18n.ngettext(
        "⏰ The term of the board of %(organization)s ends on %(date)s, in %(days)s day. Hold the election of the new board in time, and ask the municipality what it needs to record it.",
        "⏰ The term of the board of %(organization)s ends on %(date)s, in %(days)s days. Hold the election of the new board in time, and ask the municipality what it needs to record it.",
        days,
    ) % {"organization": escape(organization.name), "date": i18n.date(organization.board_term_end), "days": days}
    if procedure.renewal_items:
        text += "\n\n" + _("The list of the %(authority)s for renewing the board asks for:") % {
            "authority": escape(localized(procedure.authority, i18n.language)),
        }
        text += "\n" + "\n".join(f"• {escape(localized(item.title, i18n.language))}" for item in procedure.renewal_items)
    return screen(text, open_checklist(i18n, organization.id, procedure.code))


# --- built when due: the matter read again ------------------------------------------------------


def _at(runtime: Runtime) -> flow.Catalogue:
    today = runtime.clock.now().astimezone(runtime.settings.zone).date()
    return flow.Catalogue(runtime.requirements, today, runtime.clock.now(), runtime.reminders.quiet_hours)


async def still_missing(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    async with runtime.database.session() as session:
        # Plans next week's nudge too, or cancels the nudges if nothing is missing any more.
        found = await flow.reminded_checklist(session, user_id=reminder.recipient_id, organization_id=int(reminder.payload["organization_id"]),
                                              at=_at(runtime), nudge=True)
    if found is None:
        return None
    organization, checklist = found
    return missing(i18n, organization, checklist)


async def deadline_near(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    async with runtime.database.session() as session:
        found = await flow.reminded_checklist(session, user_id=reminder.recipient_id, organization_id=int(reminder.payload["organization_id"]),
                                              at=_at(runtime))
    if found is None:
        return None
    organization, checklist = found
    registration = checklist.registration
    assert registration is not None
    deadline = registration.observation_deadline
    if registration.stage is not RegistrationStage.OBSERVED or deadline is None or deadline.isoformat() != reminder.payload["deadline"]:
        return None
    return observation_deadline(i18n, organization, registration, deadline)


async def term_ending(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    async with runtime.database.session() as session:
        organization = await flow.led_organization(session, user_id=reminder.recipient_id, organization_id=int(reminder.payload["organization_id"]))
    if organization is None or organization.board_term_end.isoformat() != reminder.payload["term_end"]:
        return None
    procedure, _fallback = ruos_procedure(runtime.requirements, organization)
    return board_term_ending(i18n, organization, procedure, int(reminder.payload["days"]))


SCREENS = {kinds.MISSING_NUDGE: still_missing, kinds.OBSERVATION_DEADLINE: deadline_near, kinds.BOARD_TERM_ENDING: term_ending}
