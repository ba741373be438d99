"""/broadcast's audience picker, in two screens so it reads on a phone: the first a short menu of
kinds of choice ("All leaders", by role, by organization type, by RUOS stage, by language, on a
session's list, of a topic, a district), its text saying what is chosen of each; the second, per
kind, that kind's toggles and a way back to the first.

Every toggle keeps its callback data `bc:t:<id>:<filter>:<value>` (old buttons in people's
chats still work) and shows again the screen it belongs to. Each screen is checked at press time
as the rest of the card (handlers/broadcasts/flow.load: only who may change the broadcast)."""

from __future__ import annotations

from telegram import Update

from bot.broadcasts import audience as broadcast_audience
from bot.broadcasts import broadcasts
from bot.broadcasts.models import Broadcast
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import N_
from bot.core.textlimits import shorten
from bot.people.labels import LANGUAGE_NAMES, ROLE_NAMES
from bot.people.models import Role
from bot.ruos.models import RegistrationStage
from bot.trainings import sessions as trainings
from handlers.broadcasts.card import (
    ORG_KIND_NAMES,
    RUOS_NAMES,
    audience_lines,
    card_of,
    card_text,
    chosen_lines,
)
from handlers.broadcasts.flow import apply_change, button_broadcast_id, data_parts, load, person_id
from handlers.common import answer_button, edit_or_reply, keyboard, reply
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_part

# The kinds of choice with a screen of toggles of their own: filter → (button, question).
# Sessions and topics have theirs below (bc:sess, bc:topics): their choices come from the database.
KIND_SCREENS = {
    "role": (N_("🧑‍💼 By role"), N_("Which roles? Any of those chosen will do.")),
    "kind": (N_("🏘 By organization type"), N_("Which types of organization? Any of those chosen will do.")),
    "ruos": (N_("📋 By RUOS stage"), N_("At which stage of its RUOS registration is their organization? Any of those chosen will do.")),
    "language": (N_("🗣 By language"), N_("Which languages do they use the bot in? Any of those chosen will do.")),
}
SESSIONS, TOPICS, DISTRICT = N_("🎓 On a session's list"), N_("📚 Of a topic"), N_("➕ District")
# What the first screen's text lists, in its order: (filter, heading).
SUMMARY = (*((name, button) for name, (button, _question) in KIND_SCREENS.items()),
           ("session", SESSIONS), ("topic", TOPICS), ("district", DISTRICT))


def _toggle(broadcast: Broadcast, label: str, name: str, value: str) -> tuple[str, str]:
    mark = "✅" if value in broadcast.audience.get(name, []) else "▫️"
    return (f"{mark} {label}", f"bc:t:{broadcast.id}:{name}:{value}")


def audience_keyboard(context: VocesContext, broadcast: Broadcast):  # noqa: ANN201 - InlineKeyboardMarkup
    """The first screen: "All leaders", then a button for each kind of choice."""
    _ = context.gettext
    b = broadcast.id
    rows = [[_toggle(broadcast, _("All leaders"), "leaders", "yes")],
            *([(_(button), f"bc:audk:{b}:{name}")] for name, (button, _question) in KIND_SCREENS.items()),
            [(_(SESSIONS), f"bc:sess:{b}")], [(_(TOPICS), f"bc:topics:{b}")],
            [(_(DISTRICT), f"bc:dist:{b}")]]
    if broadcast.audience.get("district"):
        rows[-1].append((_("✖ No district"), f"bc:nodist:{b}"))
    rows.append([(_("⬅️ Back"), f"bc:show:{b}")])
    return keyboard(rows)


async def audience_card(update: Update, context: VocesContext, broadcast: Broadcast, *, edit: bool = True) -> None:
    _ = context.gettext
    summary = [(name, _(heading)) for name, heading in SUMMARY]
    card = await card_of(context, broadcast)
    text = "\n".join([card_text(context, card), "", _(
        "Choose who receives it. Everything chosen must match; within a kind any of the choices will do."),
        *chosen_lines(context, card, summary)])
    if edit:
        await edit_or_reply(update, context, text, reply_markup=audience_keyboard(context, broadcast))
    else:
        await reply(update, context, text, reply_markup=audience_keyboard(context, broadcast))


async def _second_screen(update: Update, context: VocesContext, broadcast: Broadcast, question: str, rows: list) -> None:  # noqa: ANN001
    """A kind's screen: its question, who the broadcast reaches now, its toggles and the way back."""
    rows.append([(context.gettext("⬅️ Back"), f"bc:aud:{broadcast.id}")])
    text = "\n".join([question, "", *audience_lines(context, await card_of(context, broadcast))])
    await edit_or_reply(update, context, text, reply_markup=keyboard(rows))


async def _kind_screen(update: Update, context: VocesContext, broadcast: Broadcast, name: str) -> None:
    _ = context.gettext
    choices = {
        "role": [(_(ROLE_NAMES[role]), role.value) for role in Role],
        "kind": [(_(label), kind.value) for kind, label in ORG_KIND_NAMES.items()],
        # "RUOS: " stays in each label: at a phone's width each stage is a row of its own.
        "ruos": [(_(RUOS_NAMES[stage]), stage.value) for stage in RegistrationStage],
        "language": [(LANGUAGE_NAMES[language], language) for language in SUPPORTED_LANGUAGES],
    }[name]
    rows = [[_toggle(broadcast, label, name, value) for label, value in choices]]
    await _second_screen(update, context, broadcast, _(KIND_SCREENS[name][1]), rows)


async def _sessions_screen(update: Update, context: VocesContext, broadcast: Broadcast) -> None:
    """Upcoming sessions to choose from: whoever is on a list (enrolled, offered, waiting)."""
    runtime = context.runtime
    async with runtime.database.session() as session:
        upcoming = await broadcast_audience.sessions_to_choose(session, user_id=person_id(context), now=runtime.clock.now())
    rows = [[_toggle(broadcast, f"{shorten(found.title, 40)} · {context.i18n.datetime(found.starts_at, 'short')}", "session", str(found.id))]
            for found in upcoming]
    await _second_screen(update, context, broadcast, context.gettext("People on the list of which session?") if upcoming
                         else context.gettext("No sessions are coming up."), rows)


async def _topics_screen(update: Update, context: VocesContext, broadcast: Broadcast) -> None:
    async with context.runtime.database.session() as session:
        found = await trainings.topics(session)
    rows = [[_toggle(broadcast, topic.name(context.i18n.language), "topic", topic.code)] for topic in found]
    await _second_screen(update, context, broadcast, context.gettext("People on the list of a session of which topic?"), rows)


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
