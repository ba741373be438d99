"""What every part of /ruos shares: the flow's name, the words for statuses, stages and
questions, the callback data, and reading who is asking.
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup, Update

from bot.core.i18n import N_, Translator
from bot.core.runtime import Runtime
from bot.ruos import Step
from bot.ruos import conversation as flow
from bot.ruos.labels import RUOS_STAGE
from bot.ruos.models import ItemStatus
from handlers.common import error_text, keyboard, leave
from handlers.context import VocesContext
from handlers.guards import button_number

FLOW = "ruos"
CALLBACK_DATA_LIMIT = 64

STATUS_ICON = {
    ItemStatus.MISSING: "⬜",
    ItemStatus.UPLOADED: "📤",
    ItemStatus.VERIFIED: "✅",
    ItemStatus.REJECTED: "✏️",
}
STATUS = {
    ItemStatus.MISSING: N_("missing"),
    ItemStatus.UPLOADED: N_("sent, waiting for the programme's review"),
    ItemStatus.VERIFIED: N_("checked by the programme"),
    ItemStatus.REJECTED: N_("changes requested"),
}
STAGE = RUOS_STAGE  # beside the enum, in the domain: notices say it too
QUESTION = {
    Step.EXPEDIENTE: N_("What is the expediente number the municipality gave you? Write it as it appears on your copy of the request (the cargo)."),
    Step.SUBMITTED_ON: N_("On what date did you hand it in? Send the full date, for example 18/11/2026."),
    Step.OBSERVATIONS: N_("What did the municipality observe? Write it briefly, as it appears in their notice."),
    Step.DEADLINE: N_("By what date must you answer the observations? Send the full date, for example 05/12/2026."),
    Step.RUOS_NUMBER: N_("What is the organization's RUOS registration number? It appears on the resolution."),
    Step.RESOLUTION_DATE: N_("What is the date of the resolution? Send the full date, for example 10/12/2026."),
    Step.INSCRIBED_ON: N_("On what date was the association inscribed in Registros Públicos? Send the full date, for example 18/11/2026."),
    Step.REGISTRY_OFFICE: N_("Which registry office inscribed it? For example: Lima, or Callao."),
    Step.PARTIDA: N_("What is its partida electrónica number? Write it as it appears on the registry's record, for example 11223344."),
    Step.REASON: N_("What must the leaders change? Write the reason: they will read it as you write it."),
}


def callback(*parts: object) -> str:
    data = ":".join(["ruos", *(str(part) for part in parts)])
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


def question(context: VocesContext, turn: flow.Turn) -> str:
    """The question the turn asks, after what was wrong with the last answer, if anything."""
    assert turn.asks is not None
    text = context.gettext(QUESTION[turn.asks])
    if turn.problem is not None:
        return f"⚠️ {error_text(context, turn.problem)}\n\n{text}"
    return text


def integer(value: str) -> int:
    return button_number(value)


def open_checklist_button(i18n: Translator, organization_id: int, procedure_code: str) -> InlineKeyboardMarkup:
    return keyboard([[(i18n.gettext("📋 Open the checklist"), callback("list", organization_id, procedure_code))]])
