"""What the projects area's handlers share: who is reading, a button's number, the way into
staff's paged lists. How a project, a proposal and a report read is the domain's
(bot/projects/screens.py, report_screens.py, staff_screens.py); the labels the staff console
reads from here are re-exported."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.people import people
from bot.people.authority import ONLY_STAFF
from bot.people.models import Role, User
from bot.projects.labels import AGE_LABEL, NATIONALITY, PROJECT_STATUS, REPORT_STATUS, SEX_LABEL  # noqa: F401 - the console reads them here
from handlers.common import page_number, reply
from handlers.context import VocesContext
from handlers.guards import button_number

STATUS = PROJECT_STATUS  # beside the enum, in the domain: notices say it too


REPORT_FLOW = "report"  # the /report conversation, which staff's review steps share


def integer(value: str) -> int:
    return button_number(value)


async def current_person(session, context: VocesContext) -> User:  # noqa: ANN001
    person = await people.get(session, context.person.id)  # type: ignore[union-attr]
    assert person is not None, "the gatekeeper creates the person before any handler runs"
    return person


# --- staff's lists: /proposals, /reportreview --------------------------------------------------------------

async def staff_only(update: Update, context: VocesContext) -> bool:
    """Whether a staff command may go on; anyone else is told it is for staff."""
    if context.person is None or context.person.role is not Role.STAFF:
        await reply(update, context, context.gettext(ONLY_STAFF))
        return False
    return True


def staff_list(show: Callable[..., Awaitable[None]]):  # noqa: ANN201 - (command, page button)
    """A staff list's two ways in: its command, which opens the first page (for staff only), and
    the ◀️ / ▶️ button under it (`…:p<n>`), which opens another. `show(update, context, page=n)`
    shows page n."""
    async def command(update: Update, context: VocesContext) -> None:
        if await staff_only(update, context):
            await show(update, context, page=1)

    async def page_button(update: Update, context: VocesContext, args: list[str]) -> object:
        await show(update, context, page=page_number(":".join(args)))
        return None

    return command, page_button
