"""A project report's deadline reminders as screens, built when one is due
(bot/messaging/reminder_screens.py delivers them on every channel): 7 days and 1 day before,
then the day after and weekly while it is not sent. None once the report is sent or the
recipient no longer leads the organization.
"""

from __future__ import annotations

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.screens import Screen
from bot.messaging.models import Reminder
from bot.projects import report_screens as shown
from bot.projects import reports


async def due_soon(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    async with runtime.database.session() as session:
        found = await reports.still_due(session, report_id=int(reminder.payload["report_id"]), recipient_id=reminder.recipient_id)
    if found is None:
        return None
    return shown.due_soon(i18n, found.report, found.project.title, days=int(reminder.payload["n"]))


async def overdue(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    report_id = int(reminder.payload["report_id"])
    async with runtime.database.session() as session:
        found = await reports.still_due(session, report_id=report_id, recipient_id=reminder.recipient_id)
        if found is None:
            return None
        # Weekly after the first: the next one is planned as this one goes.
        await reports.plan_next_overdue(session, report_id=report_id, recipient_id=reminder.recipient_id, n=int(reminder.payload["n"]),
                                        now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    return shown.overdue(i18n, found.report, found.project.title)


SCREENS = {reports.DUE_SOON: due_soon, reports.OVERDUE: overdue}
