"""What the parts of /myorg share: the flows' names, the questions, which organization the
person acts for (or began editing), and the board-term reminders that follow an edit.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from bot import ruos
from bot.organizations import myorg_screens, organizations
from bot.organizations.models import Organization
from bot.people import people
from bot.people.authority import NO_LONGER_LEADER, NotAllowed, require_leader
from handlers.common import TYPE_IT, ask
from handlers.context import VocesContext

FLOW = "myorg"
REVIEW_FLOW = "review"


def field_question(context: VocesContext, field: str) -> str:
    return myorg_screens.field_question(context.i18n, field)


async def current(context: VocesContext, session):  # noqa: ANN001, ANN201
    person = await people.get(session, context.person.id)  # type: ignore[union-attr]
    acting = await organizations.acting_for(session, user=person)
    if acting is None:
        return person, None, None
    organization = await organizations.load(session, acting[0].id)
    return person, organization, acting[1]


async def editing(context: VocesContext, session):  # noqa: ANN001, ANN201
    """Like `current`, for the organization an edit began for (`choose_field` remembers it), so
    an edit never lands on another one; removed from it meanwhile, NotAllowed."""
    began_for = (context.user_data or {}).get("editing_organization")
    if began_for is None:
        person, organization, role = await current(context, session)
        if organization is None:
            raise NotAllowed(NO_LONGER_LEADER)
        return person, organization, role
    person = await people.get(session, context.person.id)  # type: ignore[union-attr]
    role = await require_leader(session, user_id=person.id, organization_id=began_for)  # type: ignore[union-attr]
    organization = await organizations.load(session, began_for)
    if organization is None:
        raise NotAllowed(NO_LONGER_LEADER)
    return person, organization, role


def not_typed_for(step: str, question: Callable[[VocesContext, str], str] = field_question):  # noqa: ANN201
    """A sticker, photo or file where a typed answer was expected: say so, and ask again."""

    async def not_typed(update: Update, context: VocesContext) -> str:
        flow = REVIEW_FLOW if step == "comment" else FLOW
        return await ask(update, context, flow=flow, step=step, text=f"⚠️ {context.gettext(TYPE_IT)}\n\n{question(context, step)}")

    return not_typed


async def plan_term_reminders(context: VocesContext, session, organization: Organization) -> None:  # noqa: ANN001
    """Board-term reminders follow the term and reach every current leader."""
    await ruos.plan_board_term_reminders(
        session, organization=organization, quiet=context.runtime.reminders.quiet_hours, now=context.runtime.clock.now())
