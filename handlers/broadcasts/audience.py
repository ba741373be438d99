"""/broadcast's audience picker on Telegram: the first screen (the kinds of choice) and each
kind's screen of toggles, built by bot/broadcasts/audience_screens.py and shown in place of the
message whose button was pressed.

Every toggle keeps its callback data `bc:t:<id>:<filter>:<value>` (old buttons in people's
chats still work) and shows again the screen it belongs to. Each screen is checked at press time
as the rest of the card (handlers/broadcasts/flow.load: only who may change the broadcast)."""

from __future__ import annotations

from telegram import Update

from bot.broadcasts import audience as broadcast_audience
from bot.broadcasts import audience_screens as shown
from bot.broadcasts import broadcasts
from bot.broadcasts.models import Broadcast
from bot.trainings import sessions as trainings
from handlers.broadcasts.card import card_of
from handlers.broadcasts.flow import apply_change, button_broadcast_id, data_parts, load, person_id
from handlers.common import answer_button
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_part
from handlers.show import say

KIND_SCREENS = shown.KIND_SCREENS


async def audience_card(update: Update, context: VocesContext, broadcast: Broadcast, *, edit: bool = True) -> None:
    card = await card_of(context, broadcast)
    await say(update, context, shown.audience(context.i18n, card, default_language=context.runtime.settings.default_language), edit=edit)


async def _kind_screen(update: Update, context: VocesContext, broadcast: Broadcast, name: str) -> None:
    await say(update, context, shown.kind(context.i18n, await card_of(context, broadcast), name), edit=True)


async def _sessions_screen(update: Update, context: VocesContext, broadcast: Broadcast) -> None:
    runtime = context.runtime
    async with runtime.database.session() as session:
        upcoming = await broadcast_audience.sessions_to_choose(session, user_id=person_id(context), now=runtime.clock.now())
    await say(update, context, shown.sessions(context.i18n, await card_of(context, broadcast), upcoming), edit=True)


async def _topics_screen(update: Update, context: VocesContext, broadcast: Broadcast) -> None:
    async with context.runtime.database.session() as session:
        found = await trainings.topics(session)
    await say(update, context, shown.topics(context.i18n, await card_of(context, broadcast), found), edit=True)


async def _screen_of(update: Update, context: VocesContext, broadcast: Broadcast, name: str) -> None:
    """The screen a filter's toggles are on."""
    if name in KIND_SCREENS:
        await _kind_screen(update, context, broadcast, name)
    elif name == "session":
        await _sessions_screen(update, context, broadcast)
    elif name == "topic":
        await _topics_screen(update, context, broadcast)
    else:  # all leaders, a district
        await audience_card(update, context, broadcast)


# --- the buttons --------------------------------------------------------------------------------------


async def show_audience(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await audience_card(update, context, await load(update, context, to_change=True))


async def show_kind(update: Update, context: VocesContext) -> None:
    """bc:audk:<id>:<filter>: a kind's screen of toggles."""
    await answer_button(update, context)
    data = update.callback_query.data if update.callback_query else None
    button_part(data, 2)  # the broadcast's number, read as every area reads it
    name = data_parts(update)[3]
    if name not in KIND_SCREENS:
        raise StaleButton(data)
    await _kind_screen(update, context, await load(update, context, to_change=True), name)


async def show_sessions(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await _sessions_screen(update, context, await load(update, context, to_change=True))


async def show_topics(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await _topics_screen(update, context, await load(update, context, to_change=True))


async def toggle_audience(update: Update, context: VocesContext) -> None:
    parts = data_parts(update)
    broadcast_id, name, value = button_broadcast_id(update), parts[3], parts[4]
    if not broadcast_audience.known_choice(name, value):  # a forged value is never kept
        raise StaleButton(update.callback_query.data if update.callback_query else "")
    broadcast = await apply_change(update, context, lambda session: broadcasts.toggle_audience(
        session, broadcast_id=broadcast_id, user_id=person_id(context), name=name, value=value))
    await answer_button(update, context)
    if broadcast is not None:
        await _screen_of(update, context, broadcast, name)


async def no_district(update: Update, context: VocesContext) -> None:
    broadcast_id = button_broadcast_id(update)
    broadcast = await apply_change(update, context, lambda session: broadcasts.clear_audience(
        session, broadcast_id=broadcast_id, user_id=person_id(context), name="district"))
    await answer_button(update, context)
    if broadcast is not None:
        await audience_card(update, context, broadcast)
