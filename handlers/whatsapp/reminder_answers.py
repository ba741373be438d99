"""The choices under reminders that ask for something, on WhatsApp (the same ids as Telegram's
buttons, bot.messaging.reminder_screens.with_answers): "✅ Done" (`rem:done:<reminder>`) stops
that series, "⏰ Remind me tomorrow" (`rem:later:<reminder>`) puts this one off by a day.

The same domain functions as Telegram's handlers/messaging/reminder_answers.py, checked when the
choice arrives (the reminder must be the person's; a second press cancels nothing more and
puts it off to the same day). The answer is a short message: WhatsApp edits nothing."""

from __future__ import annotations

import re

from bot.core.db import DbSession
from bot.core.runtime import Runtime
from bot.core.screens import screen
from bot.core.validation import parse_id
from bot.people import notifications
from handlers.whatsapp.reply import Reply

PREFIX = "rem:"
_CHOICE = re.compile(r"rem:(done|later):(\d+)")


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """Done or tomorrow for one of the person's reminders; False for a choice of any other shape,
    or a reminder that is gone or someone else's (the router answers it as an earlier question's)."""
    person = reply.person
    assert person is not None
    shape = _CHOICE.fullmatch(choice)
    reminder_id = parse_id(shape.group(2)) if shape else None
    if shape is None or reminder_id is None:
        return False
    i18n = runtime.translator(person.language)
    try:
        if shape.group(1) == "done":
            await notifications.reminder_done(session, reminder_id=reminder_id, user_id=person.id)
            reply.show(screen(i18n.gettext("✅ Noted: I will not remind you of this again.")))
        else:
            due = await notifications.remind_tomorrow(session, reminder_id=reminder_id, user_id=person.id,
                                                      now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
            reply.show(screen(i18n.gettext("⏰ I will remind you again on %(when)s.") % {"when": i18n.datetime(due, "short")}))
    except notifications.ReminderGone:
        return False
    return True
