"""The messages of the checklist's reminders: the weekly nudge while documents are missing,
the municipality's deadline for observations, and the end of the board's term. Each one
re-reads the matter when due and is dropped if it no longer applies.
"""

from __future__ import annotations

from bot import ruos
from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.messaging.models import Reminder
from bot.ruos import conversation as flow
from bot.ruos import reminder_screens as shown
from bot.ruos.models import RegistrationStage
from handlers.messaging.reminders import Rendered, renders
from handlers.ruos.common import today_of
from handlers.show import rendered


def _at(runtime: Runtime) -> flow.Catalogue:
    return flow.Catalogue(runtime.requirements, today_of(runtime), runtime.clock.now(), runtime.reminders.quiet_hours)


@renders(ruos.MISSING_NUDGE)
async def render_missing(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    async with runtime.database.session() as session:
        # Plans next week's nudge too, or cancels the nudges if nothing is missing any more.
        found = await flow.reminded_checklist(session, user_id=reminder.recipient_id, organization_id=int(reminder.payload["organization_id"]),
                                              at=_at(runtime), nudge=True)
    if found is None:
        return None
    organization, checklist = found
    return rendered(shown.missing(i18n, organization, checklist))


@renders(ruos.OBSERVATION_DEADLINE)
async def render_deadline(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
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
    return rendered(shown.observation_deadline(i18n, organization, registration, deadline))


@renders(ruos.BOARD_TERM_ENDING)
async def render_board_term(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    async with runtime.database.session() as session:
        organization = await flow.led_organization(session, user_id=reminder.recipient_id, organization_id=int(reminder.payload["organization_id"]))
    if organization is None or organization.board_term_end.isoformat() != reminder.payload["term_end"]:
        return None
    procedure, _fallback = ruos.ruos_procedure(runtime.requirements, organization)
    return rendered(shown.board_term_ending(i18n, organization, procedure, int(reminder.payload["days"])))
