"""Coordinators (and staff) run their sessions: /mysessions and each session's card (edit,
cancel, the lists and their XLSX with ids masked, check-in and its code, attendance marked by
hand, feedback asked of attendees when check-in closes); /topicvote to open a vote, see its live
counts and close it with a bar chart; /addtopic. What each shows: bot/trainings/coordinator_screens.py.

Callback data, checked on arrival (a coordinator or staff now; the session must exist):

    trc:list:p<page>   trc:open:<session>   trc:cancel:<session>   trc:cancelok:<session>
    trc:roster:<session>[:p<page>]   trc:xlsx:<session>   trc:checkin:<session>   trc:close:<session>
    trc:mark:<session>:<user>:<1|0>   trc:vote:<max>   trc:voteclose:<vote>
"""

from __future__ import annotations

from telegram import Update

from bot.core.i18n import N_
from bot.core.validation import InvalidInput, parse_text
from bot.trainings import coordinator_screens as shown
from bot.trainings import records, views
from bot.trainings import sessions as trainings
from handlers.common import (
    answer_button,
    page_number,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.show import replace, say
from handlers.trainings.admin import coordinator_only
from handlers.trainings.browse import (
    refuse,
    session_id_of,
    training_link,
)

# --- /mysessions and a session's card --------------------------------------------------------------


@shows_current_card("trc")
async def my_sessions(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return
    page = page_number(update.callback_query.data if update.callback_query else None)
    async with context.runtime.database.session() as session:
        found = await trainings.sessions_of_coordinator(session, user_id=context.person.id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    await replace(update, context, shown.sessions(context.i18n, found, page=page))


async def admin_card(update: Update, context: VocesContext, session_id: int) -> None:
    try:
        async with context.runtime.database.session() as session:
            found = await views.coordinator_card(session, user_id=context.person.id, session_id=session_id)  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    if found is None:
        raise StaleButton(session_id)
    await replace(update, context, shown.card(context.i18n, found, share_link=training_link(context, session_id),
                                               now=context.runtime.clock.now()))


async def open_admin_card(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if await coordinator_only(update, context):
        await admin_card(update, context, session_id_of(update.callback_query.data))  # type: ignore[union-attr]


async def ask_cancel(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            if await trainings.session_to_edit(session, user_id=context.person.id, session_id=session_id) is None:  # type: ignore[union-attr]
                raise StaleButton(session_id)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await replace(update, context, shown.ask_cancel(context.i18n, session_id))


async def cancel_session(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            cancelled = await views.cancel_session(session, user_id=context.person.id, session_id=session_id, now=runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    _training, told = cancelled.training, cancelled.told
    await answer_button(update, context)
    await replace(update, context, shown.cancelled(context.i18n, told=bool(told)))


async def show_roster(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await render_roster(update, context, session_id_of(update.callback_query.data), page=page_number(update.callback_query.data))  # type: ignore[union-attr]


async def render_roster(update: Update, context: VocesContext, session_id: int, *, page: int = 1) -> None:
    try:
        async with context.runtime.database.session() as session:
            rows = await records.roster(session, user_id=context.person.id, session_id=session_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    # Edited in place: marking thirty people must not leave thirty stale lists in the chat.
    await replace(update, context, shown.roster(context.i18n, session_id, rows, page=page))


async def mark(update: Update, context: VocesContext) -> None:
    data = update.callback_query.data  # type: ignore[union-attr]
    session_id, leader_id, present = session_id_of(data), session_id_of(data, 3), data.endswith(":1")
    try:
        async with context.runtime.database.session() as session:
            await records.mark_attendance(session, user_id=context.person.id, session_id=session_id, leader_id=leader_id,  # type: ignore[union-attr]
                                          attended=bool(present), now=context.runtime.clock.now())
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await render_roster(update, context, session_id)


async def export_roster(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            training, rows = await views.roster_of(session, user_id=context.person.id, session_id=session_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await say(update, context, shown.roster_workbook(context.i18n, training, rows, zone=context.runtime.settings.zone))


async def open_checkin(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            code = await records.open_checkin(session, user_id=context.person.id, session_id=session_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await admin_card(update, context, session_id)
    await say(update, context, shown.checkin_opened(context.i18n, code))


async def close_checkin(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            closed = await views.close_checkin(session, user_id=context.person.id, session_id=session_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    _training, no_shows, came = closed.training, closed.no_shows, closed.came
    await answer_button(update, context)
    await admin_card(update, context, session_id)
    await say(update, context, shown.checkin_closed(context.i18n, no_shows=no_shows, asked=len(came)))


# --- /topicvote and /addtopic ------------------------------------------------------------------------


async def topic_vote(update: Update, context: VocesContext) -> None:
    """Open: choose how many topics each leader may pick. Open already: live counts, close."""
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return
    async with context.runtime.database.session() as session:
        found = await views.open_vote_tally(session)
    await say(update, context, shown.vote_to_open(context.i18n) if found is None else shown.vote_open(context.i18n, found[0].id, found[1]))


async def open_vote(update: Update, context: VocesContext) -> None:
    max_choices = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            await records.open_vote(session, user_id=context.person.id, max_choices=max_choices, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await replace(update, context, shown.vote_opened(context.i18n))


async def close_vote(update: Update, context: VocesContext) -> None:
    vote_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            tally = await records.close_vote(session, user_id=context.person.id, vote_id=vote_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await replace(update, context, shown.vote_closed(context.i18n, tally))


async def add_topic(update: Update, context: VocesContext) -> None:
    """/addtopic Nombre en español | Name in English"""
    if not await coordinator_only(update, context):
        return
    text = " ".join(context.args or [])
    names = [part.strip() for part in text.split("|")]
    try:
        if len(names) != 2:
            raise InvalidInput(N_("Send the name in Spanish and in English separated by |, for example /addtopic Oratoria | Public speaking."))
        name_es, name_en = (parse_text(name, field_max=80, min_length=3) for name in names)
        code = "_".join("".join(c for c in name_en.lower() if c.isalnum() or c == " ").split())[:24]
        if not code:
            raise InvalidInput(N_("Write the English name with letters, for example Public speaking."))
        async with context.runtime.database.session() as session:
            added = await trainings.add_topic(session, user_id=context.person.id, code=code, name_es=name_es, name_en=name_en,  # type: ignore[union-attr]
                                              now=context.runtime.clock.now())
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await say(update, context, shown.topic_added(context.i18n, added))
