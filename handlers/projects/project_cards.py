"""What the projects area's handlers share: who is reading, a button's number, staff's paged
lists of projects and reports, and the people reached programme-wide. How a project, a
proposal and a report read is the domain's (bot/projects/screens.py, report_screens.py): its
names are re-exported here for the handlers and the staff console that read them from here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import Update

from bot.core.i18n import Translator
from bot.core.textlimits import page_of
from bot.messaging.render import soles
from bot.people import people
from bot.people.authority import ONLY_STAFF
from bot.people.models import Role, User
from bot.projects import reports
from bot.projects.labels import (  # noqa: F401 - re-exported for the handlers and the console
    AGE_LABEL,
    GROUP,
    NATIONALITY,
    NATIONALITY_TOTAL,
    PROJECT_STATUS,
    REPORT_STATUS,
    SEX_LABEL,
    THEME,
    UNSPLIT_LABEL,
)
from bot.projects.report_screens import people_lines, period_text, report_card  # noqa: F401
from bot.projects.reports import AGE_GROUPS, NATIONALITIES, SEXES, UNSPLIT
from bot.projects.screens import project_text, proposal_card, report_callback  # noqa: F401
from handlers.common import ROWS_PER_PAGE, escape, page_navigation, page_number, reply
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

Listed = TypeVar("Listed")


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


def staff_list_page(context: VocesContext, found: Sequence[Listed], *, page: int, callback_prefix: str,
                    entry: Callable[[Listed], tuple[str, str, str, str]]) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """One page of a staff list, ten at a time: a numbered line and a button for each of `found`,
    which `entry` tells as (organization, project title, what follows the title, the button's data),
    and the ◀️ / ▶️ row carrying `callback_prefix`."""
    shown = page_of(found, page, size=ROWS_PER_PAGE)
    lines, rows = [], []
    for number, item in enumerate(shown.items, start=shown.first_index + 1):
        organization, title, after_title, data = entry(item)
        lines.append(f"{number}. {escape(organization)} — {escape(title)}{after_title}")
        rows.append([(f"{number}. {title}", data)])  # the organization is on the line above
    return lines, rows + page_navigation(context, shown, callback_prefix=callback_prefix)







def totals_text(i18n: Translator, totals: reports.BeneficiaryTotals) -> str:
    """People reached by nationality, sex and age, and nationality by each (approved reports)."""
    _ = i18n.gettext
    n = i18n.number
    lines = [_("<b>People reached: %(count)s</b>") % {"count": n(totals.total)},
             i18n.ngettext("From %(count)s approved report; money spent: %(spent)s.", "From %(count)s approved reports; money spent: %(spent)s.", totals.reports) % {
                 "count": totals.reports, "spent": soles(i18n, totals.spent_cents)}, ""]
    for nationality in NATIONALITIES:
        by_sex = ", ".join(f"{_(SEX_LABEL[s])} {n(totals.by_nationality_sex.get((nationality, s), 0))}" for s in SEXES)
        by_age = ", ".join(f"{_(AGE_LABEL[a])}: {n(totals.by_nationality_age.get((nationality, a), 0))}" for a in AGE_GROUPS)
        lines.append(f"• {_(NATIONALITY[nationality])}: <b>{n(totals.by_nationality[nationality])}</b> ({by_sex}; {by_age})")
        for sex in (*SEXES, UNSPLIT):  # the cross: the ages of each sex
            ages = [totals.by_nationality_sex_age.get((nationality, sex, a), 0) for a in AGE_GROUPS]
            if sum(ages):
                label = _(UNSPLIT_LABEL) if sex == UNSPLIT else _(SEX_LABEL[sex])
                lines.append(f"   ◦ {label} {n(sum(ages))}: " + ", ".join(f"{_(AGE_LABEL[a])}: {n(c)}" for a, c in zip(AGE_GROUPS, ages, strict=True)))
    lines += ["", _("By sex: %(values)s") % {"values": ", ".join(f"{_(SEX_LABEL[s])} {n(totals.by_sex.get(s, 0))}" for s in SEXES)},
              _("By age: %(values)s") % {"values": ", ".join(f"{_(AGE_LABEL[a])}: {n(totals.by_age.get(a, 0))}" for a in AGE_GROUPS)}]
    return "\n".join(lines)
