"""What people who consented send on WhatsApp, routed to the areas: typed commands in either
language (`/registrar` or `/register`, with or without the slash), the words for the menu
("menú", "menu", "ayuda", "help", "hola"), a choice's id, or typed text for the flow whose
question was shown last (the `flow` kept with the screen).

WhatsApp has one "/" command list for everyone, so the menu lists the leaders' commands this
channel answers (`COMMANDS`), each a choice of a list screen. A slash command always leaves the
flow a person is in (the flow's answers are saved, as on Telegram); the bare words do only
outside a flow, so a typed answer such as an organization's name is never read as a command.
"start" (with or without the slash) resumes what /stop paused, then shows the menu.
"""

from __future__ import annotations

from bot.core.db import DbSession
from bot.core.i18n import N_, Translator
from bot.core.runtime import Runtime
from bot.core.screens import Choice, Screen, screen
from bot.core.validation import fold_text
from bot.messaging import window
from bot.messaging.whatsapp_screens import Shown
from bot.people.commands import LEADER_COMMANDS, SPANISH
from handlers.whatsapp import (
    correct,
    deliver,
    leaders,
    myorg,
    people_area,
    projects,
    questions,
    registration,
    reminder_answers,
    reports,
    ruos,
    trainings,
)
from handlers.whatsapp.render import Chosen, Reply, Sent, Typed
from handlers.whatsapp.reply import Reply as Answer

# The leaders' commands WhatsApp answers today, in the menu's order.
COMMANDS = ("register", "invite", "trainings", "mytrainings", "checkin", "ask", "settings", "mydata", "opinion",
            "deletedata")
# Answered when typed, and on the "/" list, but not on the menu (one list holds 10 rows).
LISTED_ONLY = ("myorg", "topics", "language", "correct", "ruos", "projects", "propose", "report", "stop")
MENU_WORDS = frozenset({"menu", "hola", "ayuda", "help", "inicio", "start", "buenas", "hello", "hi"})
COMMAND_PREFIX = "cmd:"
_ENGLISH = {spanish: english for english, spanish in SPANISH.items()}
_DESCRIPTIONS = {**dict(LEADER_COMMANDS), "checkin": N_("Check in at a session with its code")}


def command_name(name: str, language: str) -> str:
    """A command as a person types it in their language, without the slash."""
    return SPANISH.get(name, name) if language == "es" else name


def command_of(typed: str, *, in_flow: bool) -> str | None:
    """The command a typed message names (its English name), or None."""
    words = fold_text(typed).strip().split()
    if not words:
        return None
    slash = words[0].startswith("/")
    word = words[0].lstrip("/").rstrip("!.?¡¿")
    if in_flow and not slash:
        return None
    if len(words) > 1 and not slash:  # a sentence, not a command
        return None
    if word == "start":  # /start resumes what /stop paused, then the menu
        return "start"
    if word in MENU_WORDS:
        return "help"
    name = _ENGLISH.get(word, word)
    if name in COMMANDS + LISTED_ONLY or name in ("cancel", "start", "verify", "skip"):
        return name
    return "unknown" if slash else None


def arguments(typed: str) -> str:
    """What follows a typed command (the code of `/asistencia K7M2QX`)."""
    words = typed.strip().split(maxsplit=1)
    return words[1] if len(words) > 1 else ""


def slash_commands(i18n: Translator) -> list[tuple[str, str]]:
    """WhatsApp's "/" command list, one for everyone (at most 30, names ≤ 32, hints ≤ 256): the
    leaders' commands this channel answers, in `i18n`'s language (each answers in both)."""
    return [(command_name(name, i18n.language), i18n.gettext(_DESCRIPTIONS[name])[:256]) for name in COMMANDS + LISTED_ONLY]


def menu(i18n: Translator, *, problem: str | None = None) -> Screen:
    """The leaders' commands as a list: a row each, the command as typed and what it does."""
    _ = i18n.gettext
    # The menu is what /help answers: no row for it, so the rows fit one list (10 at most).
    rows = [[Choice(f"{COMMAND_PREFIX}{name}", f"/{command_name(name, i18n.language)}", _(_DESCRIPTIONS[name]))]
            for name in COMMANDS if name != "help"]
    shown = screen(_("<b>What I can do</b>") + "\n" + _("Choose an option, or type its command."), rows)
    return shown.warned(problem) if problem else shown


async def route(session: DbSession, *, runtime: Runtime, reply: Answer, said: Reply, last: Shown | None) -> None:
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    flow = last.flow if last else None
    if isinstance(said, Typed):
        name = command_of(said.text, in_flow=flow is not None)
        if name == "skip" and flow == trainings.FEEDBACK_FLOW:  # no comment after the rating
            await trainings.skip_comment(session, runtime=runtime, reply=reply)
        elif name == "cancel" and flow in (projects.FLOW, reports.FLOW):  # the answers stay saved
            reply.show(projects.paused(i18n) if flow == projects.FLOW else reports.paused(i18n), menu(i18n))
        elif name == "cancel" and flow == myorg.FLOW:  # leaving an edit, in the words Telegram says it
            reply.show(screen(i18n.gettext("Cancelled. Nothing was changed.")), menu(i18n))
        elif name is not None:
            await run_command(session, runtime=runtime, reply=reply, name=name, i18n=i18n, args=arguments(said.text))
        elif flow == registration.FLOW:
            await registration.typed(session, runtime=runtime, reply=reply, text=said.text)
        elif flow == correct.FLOW:
            await correct.typed(session, runtime=runtime, reply=reply, text=said.text)
        elif flow == myorg.FLOW:
            await myorg.typed(session, runtime=runtime, reply=reply, text=said.text, keep=last.keep if last else None)
        elif flow in (trainings.CHECKIN_FLOW, trainings.VERIFY_FLOW, trainings.FEEDBACK_FLOW):
            await trainings.typed(session, runtime=runtime, reply=reply, text=said.text, flow=flow)
        elif flow in ruos.FLOWS and await ruos.typed(session, runtime=runtime, reply=reply, text=said.text):
            pass
        elif flow == projects.FLOW and await projects.typed(session, runtime=runtime, reply=reply, text=said.text):
            pass
        elif flow == reports.FLOW and await reports.typed(session, runtime=runtime, reply=reply, text=said.text):
            pass
        elif questions.owns(flow):
            assert flow is not None
            await questions.typed(session, runtime=runtime, reply=reply, flow=flow, text=said.text)
        else:
            reply.show(menu(i18n, problem=i18n.gettext("I did not understand that message.")))
        return
    if isinstance(said, Sent) and flow == ruos.UPLOAD_FLOW and await ruos.received(session, runtime=runtime, reply=reply, sent=said):
        return
    if not isinstance(said, Chosen):  # an image, a location…: not an answer to anything here
        if flow == registration.FLOW:
            await registration.not_typed(session, runtime=runtime, reply=reply)
        elif not (flow == projects.FLOW and await projects.not_typed(session, runtime=runtime, reply=reply)
                  or flow == reports.FLOW and await reports.not_typed(session, runtime=runtime, reply=reply)
                  or await questions.sent_file(session, runtime=runtime, reply=reply, flow=flow)):
            reply.show(menu(i18n, problem=i18n.gettext("I did not understand that message.")))
        return
    choice = said.id
    if choice.startswith(window.SHOW_PREFIX):  # a template's "Ver mensaje": the whole message
        held = await deliver.held_screen(session, runtime, person=person, ref=choice.removeprefix(window.SHOW_PREFIX))
        reply.show(held if held is not None else menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))
    elif choice.startswith(COMMAND_PREFIX):
        await run_command(session, runtime=runtime, reply=reply, name=choice.removeprefix(COMMAND_PREFIX), i18n=i18n)
    elif choice.startswith(("ask:", "opn:")):
        if not (await questions.pressed(session, runtime=runtime, reply=reply, choice=choice)
                or await questions.anonymity_chosen(session, runtime=runtime, reply=reply, choice=choice, flow=flow)):
            reply.show(menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))
    elif choice.startswith(ruos.PREFIX):
        if not await ruos.pressed(session, runtime=runtime, reply=reply, choice=choice):
            reply.show(menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))
    elif choice.startswith((projects.PREFIX, reports.PREFIX)):
        area = projects if choice.startswith(projects.PREFIX) else reports
        if not await area.pressed(session, runtime=runtime, reply=reply, choice=choice):
            reply.show(menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))
    elif choice.startswith(f"{registration.PREFIX}:"):
        await registration.pressed(session, runtime=runtime, reply=reply, choice=choice)
    elif choice.startswith(myorg.PREFIX):
        if not await myorg.pressed(session, runtime=runtime, reply=reply, choice=choice, keep=last.keep if last else None):
            reply.show(menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))
    elif choice.startswith(reminder_answers.PREFIX):  # a reminder's "✅ Done" / "⏰ Remind me tomorrow"
        if not await reminder_answers.pressed(session, runtime=runtime, reply=reply, choice=choice):
            reply.show(menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))
    elif choice.startswith(correct.PREFIX):
        if not await correct.pressed(session, runtime=runtime, reply=reply, choice=choice):
            reply.show(menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))
    elif choice.startswith((trainings.PREFIX, trainings.VOTE_PREFIX)):
        if not await trainings.pressed(session, runtime=runtime, reply=reply, choice=choice):
            reply.show(menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))
    elif not await people_area.pressed(session, runtime=runtime, reply=reply, choice=choice):
        # A choice of a message whose question is over, or forged: say so, and what can be done.
        reply.show(menu(i18n, problem=i18n.gettext("That button belongs to an earlier question.")))


async def run_command(session: DbSession, *, runtime: Runtime, reply: Answer, name: str, i18n: Translator,
                      args: str = "") -> None:
    if name == "register":
        await registration.start(session, runtime=runtime, reply=reply)
    elif name == "myorg":
        await myorg.card(session, runtime=runtime, reply=reply)
    elif name == "invite":
        await leaders.invite(session, runtime=runtime, reply=reply, business=reply.business)
    elif name in trainings.COMMANDS:
        await trainings.command(session, runtime=runtime, reply=reply, name=name, args=args)
    elif name == "ruos":
        await ruos.command(session, runtime=runtime, reply=reply, args=args)
    elif name in projects.COMMANDS:
        await projects.command(session, runtime=runtime, reply=reply, name=name)
    elif name == "report":
        await reports.command(session, runtime=runtime, reply=reply)
    elif name == "correct":
        await correct.start(session, runtime=runtime, reply=reply)
    elif name == "cancel":
        reply.show(screen(i18n.gettext("Registration paused. Your answers are saved: send /register to continue."))
                   if await registration.has_draft(session, reply=reply) else
                   screen(i18n.gettext("There is nothing to cancel right now.")))
        reply.show(menu(i18n))
    elif name in ("ask", "opinion"):
        await questions.command(session, runtime=runtime, reply=reply, name=name)
    elif name == "start":
        await people_area.resume(session, runtime=runtime, reply=reply)
        reply.show(menu(i18n))
    elif name == "help":
        reply.show(menu(i18n))
    elif name in ("unknown", "skip"):  # /skip outside the comment it skips
        reply.show(menu(i18n, problem=i18n.gettext("I do not know that command.")))
    else:
        await people_area.command(session, runtime=runtime, reply=reply, name=name)
