"""What every part of /ruos shares: the flow's name, the callback data, asking a question of the
conversation (its words are bot/ruos/screens.py's), and reading who is asking.
"""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot.core.runtime import Runtime
from bot.core.screens import Screen
from bot.ruos import Step
from bot.ruos import conversation as flow
from bot.ruos import screens as shown
from bot.ruos.labels import RUOS_STAGE
from handlers import screens
from handlers.common import ask, error_text, leave
from handlers.context import VocesContext
from handlers.guards import button_number

FLOW = "ruos"
CALLBACK_DATA_LIMIT = 64

STAGE = RUOS_STAGE  # beside the enum, in the domain: notices say it too


def callback(*parts: object) -> str:
    data = shown.data(*parts)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return data


def today_of(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(runtime.settings.zone).date()


def at(context: VocesContext) -> flow.Catalogue:
    """The requirement lists, the day and the quiet hours the conversation acts in."""
    runtime = context.runtime
    return flow.Catalogue(runtime.requirements, today_of(runtime), runtime.clock.now(), runtime.reminders.quiet_hours)


def user_id(context: VocesContext) -> int:
    assert context.person is not None, "the gatekeeper creates the person before any handler runs"
    return context.person.id


async def finish(update: Update, context: VocesContext) -> int:
    """Leave whatever the person was doing in /ruos."""
    async with context.runtime.database.session() as session:
        await flow.end(session, user_id=user_id(context))
    return await leave(update, context, FLOW)


async def ask_screen(update: Update, context: VocesContext, step: Step, shown: Screen) -> str:
    """Record the conversation's step, then show its question (bot/ruos/screens.py)."""
    text, markup = screens.render(shown)
    return await ask(update, context, flow=FLOW, step=step.value, text=text, reply_markup=markup)


def question(context: VocesContext, turn: flow.Turn) -> Screen:
    """The question the turn asks, after what was wrong with the last answer, if anything."""
    assert turn.asks is not None
    problem = error_text(context, turn.problem) if turn.problem is not None else None
    return shown.question(context.i18n, turn.asks, problem=problem)


def integer(value: str) -> int:
    return button_number(value)
