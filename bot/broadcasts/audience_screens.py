"""/broadcast's audience picker, as screens, in two so it reads on a phone: the first a short menu
of kinds of choice ("All leaders", by role, by organization type, by RUOS stage, by language, on a
session's list, of a topic, a district), its text saying what is chosen of each; the second, per
kind, that kind's toggles and a way back to the first.

Every toggle keeps its id `bc:t:<id>:<filter>:<value>` (old buttons in people's chats still
work); which values are known is bot/broadcasts/audience.known_choice's to say."""

from __future__ import annotations

from collections.abc import Sequence

from bot.broadcasts import composing
from bot.broadcasts.labels import ORG_KIND_NAMES, RUOS_NAMES
from bot.broadcasts.models import Broadcast
from bot.broadcasts.screens import audience_lines, card_text, chosen_in
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, screen
from bot.core.textlimits import shorten
from bot.people.labels import LANGUAGE_NAMES, ROLE_NAMES
from bot.people.models import Role
from bot.ruos.models import RegistrationStage
from bot.trainings.models import Topic, TrainingSession

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


def _toggle(broadcast: Broadcast, label: str, name: str, value: str) -> Choice:
    mark = "✅" if value in broadcast.audience.get(name, []) else "▫️"
    return Choice(f"bc:t:{broadcast.id}:{name}:{value}", f"{mark} {label}")


def chosen_lines(i18n: Translator, card: composing.Card, kinds: Sequence[tuple[str, str]]) -> list[str]:
    """What is chosen of each kind of choice, one line each (`kinds`: (filter, heading) pairs)."""
    audience = card.broadcast.audience
    return [f"{heading}: {', '.join(chosen_in(i18n, audience, name, card.names)) or '—'}" for name, heading in kinds]


def audience(i18n: Translator, card: composing.Card, *, default_language: str) -> Screen:
    """The first screen: the card, what is chosen of each kind; "All leaders", then a button for
    each kind of choice."""
    _ = i18n.gettext
    broadcast = card.broadcast
    summary = [(name, _(heading)) for name, heading in SUMMARY]
    text = "\n".join([card_text(i18n, card, default_language=default_language), "", _(
        "Choose who receives it. Everything chosen must match; within a kind any of the choices will do."),
        *chosen_lines(i18n, card, summary)])
    b = broadcast.id
    rows: list[list[Choice]] = [
        [_toggle(broadcast, _("All leaders"), "leaders", "yes")],
        *([Choice(f"bc:audk:{b}:{name}", _(button))] for name, (button, _question) in KIND_SCREENS.items()),
        [Choice(f"bc:sess:{b}", _(SESSIONS))], [Choice(f"bc:topics:{b}", _(TOPICS))],
        [Choice(f"bc:dist:{b}", _(DISTRICT))]]
    if broadcast.audience.get("district"):
        rows[-1].append(Choice(f"bc:nodist:{b}", _("✖ No district")))
    rows.append([Choice(f"bc:show:{b}", _("⬅️ Back"))])
    return screen(text, rows)


def _second_screen(i18n: Translator, card: composing.Card, question: str, rows: list[list[Choice]]) -> Screen:
    """A kind's screen: its question, who the broadcast reaches now, its toggles and the way back."""
    rows = [*rows, [Choice(f"bc:aud:{card.broadcast.id}", i18n.gettext("⬅️ Back"))]]
    return screen("\n".join([question, "", *audience_lines(i18n, card)]), rows)


def kind(i18n: Translator, card: composing.Card, name: str) -> Screen:
    """A kind's toggles (`name` one of KIND_SCREENS), all in one row a phone splits as it needs."""
    _ = i18n.gettext
    choices = {
        "role": [(_(ROLE_NAMES[role]), role.value) for role in Role],
        "kind": [(_(label), kind.value) for kind, label in ORG_KIND_NAMES.items()],
        # "RUOS: " stays in each label: at a phone's width each stage is a row of its own.
        "ruos": [(_(RUOS_NAMES[stage]), stage.value) for stage in RegistrationStage],
        "language": [(LANGUAGE_NAMES[language], language) for language in SUPPORTED_LANGUAGES],
    }[name]
    rows = [[_toggle(card.broadcast, label, name, value) for label, value in choices]]
    return _second_screen(i18n, card, _(KIND_SCREENS[name][1]), rows)


def sessions(i18n: Translator, card: composing.Card, upcoming: Sequence[TrainingSession]) -> Screen:
    """Upcoming sessions to choose from: whoever is on a list (enrolled, offered, waiting)."""
    rows = [[_toggle(card.broadcast, f"{shorten(found.title, 40)} · {i18n.datetime(found.starts_at, 'short')}", "session", str(found.id))]
            for found in upcoming]
    return _second_screen(i18n, card, i18n.gettext("People on the list of which session?") if upcoming
                          else i18n.gettext("No sessions are coming up."), rows)


def topics(i18n: Translator, card: composing.Card, found: Sequence[Topic]) -> Screen:
    rows = [[_toggle(card.broadcast, topic.name(i18n.language), "topic", topic.code)] for topic in found]
    return _second_screen(i18n, card, i18n.gettext("People on the list of a session of which topic?"), rows)
