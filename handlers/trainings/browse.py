"""/trainings for leaders: browse upcoming sessions, open one, enroll or leave, wait in line and
take or pass a freed seat; the session's t.me link; the .ics file. (The 24 h and 1 h reminders
and the offer's deadline: bot/trainings/reminder_screens.py. Check-in, certificates, feedback and ballots: records.py;
coordinators: admin.py and runs.py. What each screen shows is read by bot/trainings/views.py
and laid out by bot/trainings/screens.py; this module parses, calls and renders them.)

Callback data, routed by handlers/trainings/__init__.py and checked on arrival (the session
must exist; the person's place is read again):

    tr:list:p<page>          a page of upcoming sessions       tr:open:<session>   one session
    tr:enroll:<session>      enroll, or join the waitlist      tr:leave:<session>  leave
    tr:take:<session>        take the seat offered             tr:pass:<session>   pass it on
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update

from bot.core.runtime import Runtime
from bot.core.screens import Screen
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, parse_id
from bot.trainings import screens, views
from bot.trainings import sessions as trainings
from handlers.common import (
    answer_button,
    error_text,
    escape,
    page_number,
    reply,
    say_already_done,
)
from handlers.context import VocesContext, step_out_of_line
from handlers.guards import StaleButton, button_part, shows_current_card
from handlers.show import replace, say

log = logging.getLogger(__name__)

LINK_PREFIX = "training_"


# --- how a session is shown (what it shows: bot/trainings/screens.py) -------------------------------


def training_link(context: VocesContext, session_id: int) -> str:
    return f"https://t.me/{context.bot.username}?start={LINK_PREFIX}{session_id}"


def session_id_of(data: str | None, position: int = 2) -> int:
    return button_part(data, position)


async def refuse(update: Update, context: VocesContext, error: InvalidInput) -> None:
    """A domain refusal: an alert on a button (once), or a message."""
    if isinstance(error, AlreadyDone):
        await say_already_done(update, context, error)
        return
    if isinstance(error, trainings.MissingPrerequisite):
        async with context.runtime.database.session() as session:
            topic = await views.prerequisite_topic(session, error)
        text = context.gettext(trainings.NEEDS_PREREQUISITE) % {
            "topic": escape(topic.name(context.i18n.language)) if topic else ""
        }
    else:
        text = error_text(context, error)
    if not await answer_button(update, context, text, alert=True):
        await reply(update, context, text)


# --- /trainings: browse, open, enroll, leave --------------------------------------------------------


@shows_current_card("tr")
async def list_trainings(update: Update, context: VocesContext) -> None:
    # Only the programme's calendar is shown and nothing is kept: no consent needed.
    await answer_button(update, context)
    page = page_number(update.callback_query.data if update.callback_query else None)
    async with context.runtime.database.session() as session:
        found = await views.upcoming(session, now=context.runtime.clock.now())
    await replace(update, context, screens.upcoming(context.i18n, found, page=page))


async def card(context: VocesContext, session_id: int) -> Screen:
    """One session as its reader sees it: the text, and what they can do now."""
    person = context.person
    async with context.runtime.database.session() as session:
        found = await views.session_card(session, session_id=session_id, user_id=person.id if person else None,
                                         now=context.runtime.clock.now())
    if found is None:
        raise StaleButton(session_id)
    return screens.session_card(context.i18n, found, share_link=training_link(context, session_id))


async def show_card(update: Update, context: VocesContext, session_id: int) -> None:
    await replace(update, context, await card(context, session_id))


async def open_session(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await show_card(update, context, session_id_of(update.callback_query.data))  # type: ignore[union-attr]


async def open_from_link(update: Update, context: VocesContext) -> None:
    """t.me/<bot>?start=training_<id>, pasted in a WhatsApp group, opens the session."""
    session_id = parse_id((context.args or [""])[0].removeprefix(LINK_PREFIX))
    if session_id is None:
        await list_trainings(update, context)
        return
    try:
        shown = await card(context, session_id)
    except StaleButton:
        shown = screens.not_found(context.i18n)
    await say(update, context, shown)


SEAT_PRESS = re.compile(r"^tr:(?:enroll|leave|take|pass):(\d+)$")


def seat_line(update: object) -> str | None:
    """Presses that change who holds a session's seats stand in one line per session, served in
    the order Telegram delivered them (handlers.context.OnePersonAtATime): a crowd gets its
    seats and waitlist places first come, first served, although people are served concurrently."""
    query = update.callback_query if isinstance(update, Update) else None
    match = SEAT_PRESS.match(query.data or "") if query is not None and isinstance(query.data, str) else None
    return f"seats:{match.group(1)}" if match else None


@asynccontextmanager
async def changing_seats(runtime: Runtime) -> AsyncIterator[Any]:
    """The seat change of a press in its session's line, committed before the line moves on:
    the next press sees it, while the answers to this one (on a slow connection, maybe) hold
    up no one behind it. A refused press leaves the line as well."""
    try:
        async with runtime.database.session() as session:
            yield session
        await runtime.database.commit()
    finally:
        step_out_of_line()


async def enroll(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    now = runtime.clock.now()
    try:
        async with changing_seats(runtime) as session:
            done = await trainings.enroll(session, session_id=session_id, user_id=context.person.id, now=now,  # type: ignore[union-attr]
                                          quiet=runtime.reminders.quiet_hours)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await show_card(update, context, session_id)
    if done.position is None:
        await say(update, context, screens.enrolled(context.i18n, done.training, sex=sex_of(context), now=now))
    else:
        await say(update, context, screens.waitlisted(context.i18n, done.position))


def sex_of(context: VocesContext) -> str | None:
    """Whom a message speaks to, for the words that agree with them (bot.core.i18n.Translator.addressed)."""
    return context.person.sex if context.person is not None else None


async def leave_session(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with changing_seats(runtime) as session:
            await trainings.leave(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                           now=runtime.clock.now(), claim=runtime.settings.training_claim)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await show_card(update, context, session_id)
    await say(update, context, screens.left(context.i18n))


async def take_seat(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with changing_seats(runtime) as session:
            training = await trainings.take_offer(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                  now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await replace(update, context, screens.seat_taken(context.i18n, training, sex=sex_of(context), now=runtime.clock.now()))


async def pass_seat(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with changing_seats(runtime) as session:
            await trainings.pass_offer(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                now=runtime.clock.now(), claim=runtime.settings.training_claim)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await replace(update, context, screens.seat_passed(context.i18n))
