"""What a due reminder or notice says, as a screen (bot/core/screens.py), on every channel.

Each reminder kind has an async builder, `(reminder, translator, runtime) -> Screen | None`, in
its area (`SCREENS` of bot/trainings/, projects/, ruos/, organizations/reminder_screens.py),
gathered here at import, so whichever channel delivers imports this module and finds them all.
A builder looks at the matter again when the reminder is due and returns the screen, or None
when there is nothing left to remind (the document was uploaded, the person left the
session): then nothing is sent. A builder never tells anyone; it may plan the next of its
series (a weekly nudge).

A notice (bot/messaging/notices.py) is written from its msgids here; the parts only an area can
write (a session's card, a role's commands) are that area's `PARTS`. A choice's id is the
callback data Telegram's buttons have always carried, so a reminder already in a chat keeps
working. Each channel renders the screen (handlers/screens.py, handlers/whatsapp/render.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from bot import ruos
from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.screens import Choice, Row, Screen, screen
from bot.messaging import notices
from bot.messaging.models import Reminder
from bot.messaging.render import render
from bot.organizations import reminder_screens as organizations
from bot.people import reminder_screens as people
from bot.projects import reminder_screens as projects
from bot.ruos import reminder_screens as ruos_screens
from bot.trainings import reminder_screens as trainings

log = logging.getLogger(__name__)

Builder = Callable[[Reminder, Translator, Runtime], Awaitable[Screen | None]]
# Parts of a notice only an area writes (bot.messaging.notices.part): a card, a role's help.
PartWriter = Callable[[Mapping[str, Any], Translator, Runtime], Awaitable[str]]

BUILDERS: dict[str, Builder] = {**trainings.SCREENS, **projects.SCREENS, **ruos_screens.SCREENS, **organizations.SCREENS}
PARTS: dict[str, PartWriter] = {**trainings.PARTS, **people.PARTS}

# Reminder kinds that ask the person to do something: they carry "✅ Done" (stops that series)
# and "⏰ Remind me tomorrow" (`with_answers`). Reminders that only inform carry neither.
ASKING = frozenset({ruos.MISSING_NUDGE, ruos.OBSERVATION_DEADLINE, ruos.BOARD_TERM_ENDING})


def builds(kind: str) -> Callable[[Builder], Builder]:
    """Register a builder for `kind` besides the areas' (a test's own kind)."""
    def register(builder: Builder) -> Builder:
        BUILDERS[kind] = builder
        return builder

    return register


class UnknownKind(LookupError):
    """A reminder of a kind no area builds: it is not sent."""


async def build(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen | None:
    """The reminder's screen in `i18n`'s language, or None when it no longer applies;
    UnknownKind when no builder knows its kind. Whatever else a builder raises (the database
    failed) is the deliverer's to retry."""
    builder = BUILDERS.get(reminder.kind)
    if builder is None:
        raise UnknownKind(reminder.kind)
    return await builder(reminder, i18n, runtime)


def with_answers(reminder: Reminder, shown: Screen, i18n: Translator) -> Screen:
    """A reminder that asks for something, with "✅ Done" and "⏰ Remind me tomorrow" under it,
    one to a row ("⏰ Remind me tomorrow" is too long to share a row on a phone)."""
    if reminder.kind not in ASKING:
        return shown
    return Screen(text=shown.text, files=shown.files, contact_label=shown.contact_label, rows=(
        *shown.rows,
        (Choice(f"rem:done:{reminder.id}", i18n.gettext("✅ Done")),),
        (Choice(f"rem:later:{reminder.id}", i18n.gettext("⏰ Remind me tomorrow")),),
    ))


async def _with_runtime(writer: PartWriter, runtime: Runtime, args: Mapping[str, Any], i18n: Translator) -> str:
    return await writer(args, i18n, runtime)


async def notice(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Screen:
    """A notice from the outbox, written now in the recipient's language, its choices' ids as
    the domain wrote them."""
    payload = reminder.payload
    if "says" not in payload:  # kept through quiet hours before the outbox: written back then
        return screen(payload["text"], stored_rows(payload.get("markup")))
    parts = {name: partial(_with_runtime, writer, runtime) for name, writer in PARTS.items()}
    written = await render(payload, i18n, parts)
    return screen(written.text, [[Choice(choice_id, label) for label, choice_id in row] for row in written.choices])


def stored_rows(markup: Mapping[str, Any] | None) -> list[Row]:
    """The buttons of a notice written before the outbox, kept as Telegram's inline keyboard
    (`{"inline_keyboard": [[{"text", "callback_data" | "url"}]]}`), as choices with the same
    ids; buttons of any other sort are left out."""
    rows = []
    for row in (markup or {}).get("inline_keyboard", ()):
        rows.append(tuple(Choice(button.get("callback_data") or button.get("url") or "", button["text"], url=button.get("url") or "")
                          for button in row if button.get("callback_data") or button.get("url")))
    return [row for row in rows if row]


BUILDERS[notices.KIND] = notice
