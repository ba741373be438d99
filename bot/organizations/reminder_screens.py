"""The follow-up's check-in with a quiet organization's leaders, as a screen built when it is
due (bot/messaging/reminder_screens.py delivers it on every channel); None once the
organization was heard from.
"""

from __future__ import annotations

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.screens import Screen, escape, screen
from bot.messaging.models import Reminder
from bot.organizations import followup
from bot.organizations.models import Organization


def checkin(i18n: Translator, organization: Organization) -> Screen:
    return screen(i18n.gettext(
        "👋 Hello from the programme! We have not heard from <b>%(name)s</b> for a while. How is the organization doing? "
        "Write us a line here, or see what is new with /myorg, /ruos and /trainings.") % {"name": escape(organization.name)})


async def still_quiet(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    async with runtime.database.session() as session:
        organization = await followup.still_quiet(session, int(reminder.payload["organization_id"]), reminder.recipient_id)
    return None if organization is None else checkin(i18n, organization)


SCREENS = {followup.CHECKIN_KIND: still_quiet}
