"""What the people area shows, as screens (bot/core/screens.py): first contact and the data
notice, /help, /language, /settings and /stop. The data rights (/mydata, /deletedata, /correct)
are in bot/people/rights_screens.py.

The choices' ids are the callback data Telegram's buttons have always carried (`consent:yes`,
`lang:es`, `set:kind:ruos` …), so a button left in a chat by an older version still works.
Commands are written as the person's channel has them typed: `command` turns a command's
English name into that (on Telegram, "ayuda" for a Spanish speaker).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from bot.broadcasts.labels import MESSAGE_KIND_NAMES
from bot.broadcasts.models import NotificationSettings
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, escape, screen
from bot.people import consent_notice
from bot.people.commands import (
    COORDINATOR_COMMANDS,
    LEADER_COMMANDS,
    STAFF_COMMANDS,
    STAFF_ONLY_COMMANDS,
)
from bot.people.labels import LANGUAGE_NAMES
from bot.people.models import Channel, Role, Sex
from bot.people.privacy import Withdrawal

CommandName = Callable[[str], str]  # a command's English name → as the person types it, no slash


def english(name: str) -> str:
    return name


# --- the data notice and consent -----------------------------------------------------------------


def notice_text(i18n: Translator, *, greeting: bool, channel: Channel = Channel.TELEGRAM) -> str:
    """The short data notice, naming the channel the person writes on (Ley 29733: where the data goes)."""
    return "\n".join(consent_notice.notice_lines(i18n.gettext, channel=channel, greeting=greeting))


def full_notice_text(i18n: Translator, channel: Channel = Channel.TELEGRAM) -> str:
    return "\n".join(consent_notice.full_notice_lines(i18n.gettext, channel=channel))


def notice_choices(i18n: Translator, *, more: bool = True, other_language: bool = True) -> list[list[Choice]]:
    """Accept or not, read the whole notice, or read it in the other language (not where the
    language was asked just before, as on WhatsApp: then three choices fit its buttons)."""
    _ = i18n.gettext
    other = next(code for code in SUPPORTED_LANGUAGES if code != i18n.language)
    rows = [[Choice("consent:yes", _("✅ I accept")), Choice("consent:no", _("I do not accept"))]]
    if more:
        rows.append([Choice("consent:more", _("Read more"))])
    if other_language:
        rows.append([Choice(f"consent:lang:{other}", LANGUAGE_NAMES[other])])
    return rows


def notice(i18n: Translator, *, greeting: bool, channel: Channel = Channel.TELEGRAM, other_language: bool = True) -> Screen:
    """The short data notice, naming the person's channel, with the question: what a person sees first."""
    return screen(notice_text(i18n, greeting=greeting, channel=channel), notice_choices(i18n, other_language=other_language))


def full_notice(i18n: Translator, *, channel: Channel = Channel.TELEGRAM, other_language: bool = True) -> Screen:
    return screen(full_notice_text(i18n, channel), notice_choices(i18n, more=False, other_language=other_language))


def welcome_back(i18n: Translator, *, name: str | None, sex: Sex | None, role: Role, command: CommandName = english) -> Screen:
    """/start from someone who already accepted."""
    return screen(i18n.addressed("Welcome back, %(name)s!", sex) % {"name": escape(name or "")}
                  + "\n\n" + help_text(i18n, role=role, command=command))


def accepted(i18n: Translator) -> Screen:
    """In place of the notice, once accepted."""
    return screen(i18n.gettext("✅ Thank you. You accepted the data notice."))


def next_step(i18n: Translator, *, role: Role, command: CommandName = english) -> Screen:
    """What to do once consent is given."""
    return screen(i18n.gettext("Your next step: register your organization with /register.") + "\n\n"
                  + help_text(i18n, role=role, command=command))


def declined(i18n: Translator, withdrawal: Withdrawal) -> Screen:
    """After "I do not accept": what stays, what went, and how to come back."""
    _ = i18n.gettext
    if withdrawal.had_consented:
        lines = [
            _("You withdrew your consent. I stopped whatever you were doing and discarded what you had not finished."),
            _("What you registered before stays with the programme; see it with /mydata and erase it with /deletedata."),
            _("Send /start whenever you change your mind."),
        ]
        if withdrawal.trainings_left:
            lines.insert(1, i18n.ngettext(
                "I gave up your place in %(count)s upcoming training session, so the next person in line can have it.",
                "I gave up your places in %(count)s upcoming training sessions, so the next people in line can have them.",
                withdrawal.trainings_left) % {"count": withdrawal.trainings_left})
    else:
        lines = [
            _("Understood. I have not kept your name or anything you would register."),
            _("Without accepting you can still read /help and change the /language."),
            _("Registering an organization, uploading documents and signing up for trainings need your consent. Send /start whenever you change your mind."),
        ]
    return screen("\n".join(lines))


# --- /language ----------------------------------------------------------------------------------------


def language_choices() -> list[Choice]:
    return [Choice(f"lang:{code}", LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES]


def language_picker(i18n: Translator, *, back: bool = False) -> Screen:
    """/language; from /settings (`back`) with a way back to the settings."""
    rows = [language_choices()]
    if back:
        rows.append([Choice("set:back", i18n.gettext("⬅️ Back"))])
    return screen(i18n.gettext("Which language do you prefer?"), rows)


def language_changed(i18n: Translator) -> Screen:
    """Said in the new language."""
    return screen(i18n.gettext("Done: I will speak English with you."))


# --- /help, and answers outside a flow ------------------------------------------------------------------


def help_text(i18n: Translator, *, role: Role, command: CommandName = english) -> str:
    """What the person can do, by role: the leaders' commands, then trainings, then staff."""
    _ = i18n.gettext

    def listed(commands: tuple[tuple[str, str], ...]) -> list[str]:
        return [f"/{command(name)} — {_(description)}" for name, description in commands]

    lines = [_("<b>What I can do</b>"), *listed(LEADER_COMMANDS)]
    if role in (Role.COORDINATOR, Role.STAFF):
        lines += ["", _("<b>Trainings</b>"), *listed(COORDINATOR_COMMANDS)]
    if role is Role.STAFF:
        lines += ["", _("<b>Staff</b>"), *listed(STAFF_COMMANDS + STAFF_ONLY_COMMANDS)]
    return "\n".join(lines)


def help_screen(i18n: Translator, *, role: Role, command: CommandName = english) -> Screen:
    return screen(help_text(i18n, role=role, command=command))


def nothing_to_cancel(i18n: Translator) -> Screen:
    return screen(i18n.gettext("There is nothing to cancel right now."))


def unknown_command(i18n: Translator, *, role: Role, command: CommandName = english) -> Screen:
    return screen(i18n.gettext("I do not know that command.") + "\n\n" + help_text(i18n, role=role, command=command))


def not_understood(i18n: Translator, *, role: Role, command: CommandName = english) -> Screen:
    """Text (or anything else) that arrived outside a flow."""
    return screen(i18n.gettext("I did not understand that message.") + "\n\n" + help_text(i18n, role=role, command=command))


def sticker(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Nice sticker! I only understand text and commands. Send /help to see what I can do."))


def file_outside_a_flow(i18n: Translator) -> Screen:
    return screen(i18n.gettext("To send a document for your organization's RUOS checklist, open /ruos and choose the requirement first. I have not kept this file."))


# --- /settings and /stop ------------------------------------------------------------------------------

# Quiet hours to choose from, by a short code for the choice: (start, end); None: the programme's.
QUIET_CHOICES: dict[str, tuple[time, time] | None] = {
    "default": None,
    "2207": (time(22, 0), time(7, 0)),
    "2009": (time(20, 0), time(9, 0)),
    "none": (time(0, 0), time(0, 0)),
}


def _span(start: time, end: time) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def quiet_text(i18n: Translator, row: NotificationSettings | None, *, programme: tuple[time, time]) -> str:
    """The quiet hours in force for a person: their own, or the programme's (`programme`)."""
    _ = i18n.gettext
    if row is None or row.quiet_start is None or row.quiet_end is None:
        (start, end), own = programme, False
    else:
        start, end, own = row.quiet_start, row.quiet_end, True
    if start == end:
        return _("none")
    return _span(start, end) if own else _("%(span)s (the programme's)") % {"span": _span(start, end)}


def settings(i18n: Translator, row: NotificationSettings | None, *, language: str, programme: tuple[time, time]) -> Screen:
    """The settings card: language, quiet hours, each kind of message on or off, pause."""
    _ = i18n.gettext
    muted = set(row.muted) if row else set()
    paused = row is not None and row.paused_at is not None
    lines = [_("⚙️ <b>Your settings</b>"),
             _("Language: %(language)s") % {"language": LANGUAGE_NAMES.get(language, language)},
             _("Quiet hours (nothing I send on my own arrives then): %(hours)s") % {"hours": quiet_text(i18n, row, programme=programme)},
             _("Messages I send on my own, tap to switch them on or off:")]
    if paused:
        lines.insert(1, _("⏸ Paused: I send you nothing on my own until you send /start."))
    rows = [[Choice(f"set:kind:{kind.value}", ("✅ " if kind.value not in muted else "▫️ ") + _(name))]
            for kind, name in MESSAGE_KIND_NAMES.items()]
    rows.append([Choice("set:lang", _("🌐 Language")), Choice("set:quiet", _("🌙 Quiet hours"))])
    rows.append([Choice("set:resume", _("▶️ Resume messages"))] if paused else [Choice("set:pause", _("⏸ Pause everything (/stop)"))])
    return screen("\n".join(lines), rows)


def quiet_menu(i18n: Translator, *, programme: tuple[time, time]) -> Screen:
    _ = i18n.gettext
    labels = {
        "default": _("The programme's, %(span)s") % {"span": _span(*programme)},
        "2207": "22:00–07:00", "2009": "20:00–09:00", "none": _("No quiet hours"),
    }
    rows = [[Choice(f"set:quiet:{code}", label)] for code, label in labels.items()]
    rows.append([Choice("set:back", _("⬅️ Back"))])
    return screen(_("When should I keep quiet? Times are Lima time."), rows)


PAUSED = N_("⏸ Paused. I will send you no announcements or reminders until you send /start. I still answer whatever you write to me.")


def paused(i18n: Translator, *, newly: bool) -> Screen:
    return screen(i18n.gettext(PAUSED) if newly else i18n.gettext("Already paused. Send /start to get messages again."))


def resumed(i18n: Translator, *, announcements: bool) -> Screen:
    """/start after /stop; announcements stay off if the person switched them off in /settings."""
    if announcements:
        return screen(i18n.gettext("▶️ Messages resumed: you will get announcements and reminders again."))
    return screen(i18n.gettext("▶️ Messages resumed: you will get reminders again. Announcements stay off, as you chose in /settings."))
