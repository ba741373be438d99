"""How the projects area shows its records: a proposal's card, a project in /projects, a
report's card and the people reached, in the reader's language; staff's paged lists of projects
and reports. Shared by handlers/projects/
(proposals, staff decisions), handlers/projects/reports.py (reports, reminders) and
handlers/projects/review.py (staff's review, the PDF)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import TypeVar

from telegram import Update

from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_, Translator
from bot.core.textlimits import page_of
from bot.messaging.render import soles
from bot.people import people
from bot.people.authority import ONLY_STAFF
from bot.people.models import Role, User
from bot.projects import projects, reports
from bot.projects.labels import PROJECT_STATUS
from bot.projects.models import (
    Project,
    ProjectReport,
    ProjectStatus,
    ProjectTheme,
    ReportStatus,
)
from bot.projects.reports import AGE_GROUPS, NATIONALITIES, SEXES, UNSPLIT
from handlers.common import ROWS_PER_PAGE, escape, page_navigation, page_number, reply
from handlers.context import VocesContext
from handlers.guards import button_number

THEME = {
    ProjectTheme.WOMEN_ENTERPRISE: N_("Women's enterprise"),
    ProjectTheme.HUMAN_RIGHTS: N_("Human rights"),
    ProjectTheme.RISK_MANAGEMENT: N_("Risk management"),
    ProjectTheme.EDUCATION: N_("Education"),
    ProjectTheme.CULTURE: N_("Culture"),
    ProjectTheme.CHILDREN_ARTS_SPORT: N_("Music, sport and art for children and adolescents"),
    ProjectTheme.WELLBEING_FAMILY: N_("Emotional wellbeing and family"),
    ProjectTheme.PRIMARY_HEALTH: N_("Primary health care"),
}
STATUS = PROJECT_STATUS  # beside the enum, in the domain: notices say it too
REPORT_STATUS = {
    ReportStatus.DUE: N_("to be sent"),
    ReportStatus.SUBMITTED: N_("sent, waiting for review"),
    ReportStatus.CHANGES_REQUESTED: N_("changes requested"),
    ReportStatus.APPROVED: N_("approved"),
}
NATIONALITY = {"peruvian": N_("Peruvian"), "venezuelan": N_("Venezuelan"), "other": N_("Other nationalities")}
NATIONALITY_TOTAL = {"peruvian": N_("Peruvian people"), "venezuelan": N_("Venezuelan people"), "other": N_("people of other nationalities")}
SEX_LABEL = {"female": N_("female"), "male": N_("male"), "unstated": N_("other or not stated")}
AGE_LABEL = {"0_11": N_("0–11"), "12_17": N_("12–17"), "18_59": N_("18–59"), "60_plus": N_("60 or more")}
UNSPLIT_LABEL = N_("age not split by sex")  # reports approved before the ages were asked per sex
# One nationality and sex, as the age question and its mismatch name them (whole phrases, so
# that each language can agree them).
GROUP = {
    ("peruvian", "female"): N_("Peruvian women and girls"),
    ("peruvian", "male"): N_("Peruvian men and boys"),
    ("peruvian", "unstated"): N_("Peruvian people of other sex or not stated"),
    ("venezuelan", "female"): N_("Venezuelan women and girls"),
    ("venezuelan", "male"): N_("Venezuelan men and boys"),
    ("venezuelan", "unstated"): N_("Venezuelan people of other sex or not stated"),
    ("other", "female"): N_("Women and girls of other nationalities"),
    ("other", "male"): N_("Men and boys of other nationalities"),
    ("other", "unstated"): N_("People of other nationalities, of other sex or not stated"),
}


REPORT_FLOW = "report"  # the /report conversation, which staff's review steps share
CALLBACK_DATA_LIMIT = 64


def report_callback(*parts: object) -> str:
    """The /report conversation's buttons (`rep:…`), leaders' and staff's alike."""
    data = ":".join(["rep", *(str(part) for part in parts)])
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return data


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


def proposal_card(i18n: Translator, details: projects.ProposalView) -> str:
    _ = i18n.gettext
    district = district_by_ubigeo(details.district_ubigeo) if details.district_ubigeo else None
    period = (_("%(start)s to %(end)s") % {"start": i18n.date(details.starts_on), "end": i18n.date(details.ends_on)}
              if details.starts_on and details.ends_on else "—")
    lines = [
        f"<b>{escape(details.title or '—')}</b>",
        _("Theme: %(value)s") % {"value": _(THEME[details.theme]) if details.theme else "—"},
        _("Objective: %(value)s") % {"value": escape(details.objective or "—")},
        _("For: %(value)s") % {"value": escape(details.target_population or "—")},
        _("District: %(value)s") % {"value": escape(district.name) if district else "—"},
        _("Dates: %(value)s") % {"value": period},
        _("Amount requested: %(value)s") % {"value": soles(i18n, details.requested_cents)},
    ]
    if details.document_name:
        lines.append(_("Document: %(value)s") % {"value": escape(details.document_name)})
    return "\n".join(lines)


def project_text(i18n: Translator, project: Project) -> str:
    """A project as /projects lists it."""
    _ = i18n.gettext
    lines = [f"<b>{escape(project.title)}</b>", _("Status: %(status)s") % {"status": _(STATUS[project.status])}]
    if project.summary or project.objective:
        lines.append(f"<i>{escape(project.objective or project.summary or '')}</i>")
    if project.funder:
        lines.append(_("Funder: %(value)s") % {"value": escape(project.funder)})
    period = _("%(start)s to %(end)s") % {"start": i18n.date(project.starts_on), "end": i18n.date(project.ends_on)}
    lines.append(_("Dates: %(value)s") % {"value": period})
    if project.granted_cents is not None:
        lines.append(_("Granted: %(value)s") % {"value": soles(i18n, project.granted_cents)})
    if project.report_due_on and project.status not in (ProjectStatus.CLOSED, ProjectStatus.NOT_SELECTED):
        lines.append(_("Report due: %(date)s") % {"date": i18n.date(project.report_due_on)})
    return "\n".join(lines)


def period_text(i18n: Translator, report: ProjectReport) -> str:
    return i18n.gettext("report %(number)s, %(start)s to %(end)s") % {
        "number": report.number, "start": i18n.date(report.period_start, "short"), "end": i18n.date(report.period_end, "short")}


def people_lines(i18n: Translator, people: dict) -> list[str]:  # type: ignore[type-arg]
    _ = i18n.gettext
    lines = []
    for nationality in NATIONALITIES:
        entry = people.get(nationality)
        if not entry:
            continue
        line = f"• {_(NATIONALITY_TOTAL[nationality])}: <b>{i18n.number(entry['total'])}</b>"
        if entry.get("total") and entry.get("sex"):
            line += " (" + ", ".join(f"{_(SEX_LABEL[s])} {entry['sex'][s]}" for s in SEXES) + ")"
        crossed = entry.get("sex_age") if entry.get("total") else None
        if crossed is None and entry.get("total") and entry.get("age"):  # ages given for all sexes together
            line += " (" + ", ".join(f"{_(AGE_LABEL[a])}: {entry['age'][a]}" for a in AGE_GROUPS) + ")"
        lines.append(line)
        for sex in SEXES if crossed else ():
            if int(entry["sex"].get(sex, 0)) and sex in crossed:
                ages = ", ".join(f"{_(AGE_LABEL[a])}: {crossed[sex][a]}" for a in AGE_GROUPS)
                lines.append(f"   ◦ {_(SEX_LABEL[sex])} {entry['sex'][sex]}: {ages}")
    return lines


def report_card(i18n: Translator, report: ProjectReport, title: str, evidence: int) -> str:
    _ = i18n.gettext
    lines = [f"<b>{escape(title)}</b> — {period_text(i18n, report)}", "", _("<b>Activities</b>")]
    lines += [f"{n}. {i18n.date(date.fromisoformat(a['date']), 'short')}, {escape(a['place'])}: {escape(a['what'])}"
              for n, a in enumerate(report.activities, start=1)] or ["—"]
    total = sum(int((report.beneficiaries.get(n) or {}).get("total", 0)) for n in NATIONALITIES)
    lines += ["", _("<b>People reached: %(count)s</b>") % {"count": i18n.number(total)}, *people_lines(i18n, report.beneficiaries)]
    lines += ["", _("Money spent: %(value)s") % {"value": soles(i18n, report.spent_cents)},
              _("Difficulties: %(value)s") % {"value": escape(report.difficulties or "—")},
              _("Lessons: %(value)s") % {"value": escape(report.lessons or "—")},
              _("Photos and documents: %(count)s") % {"count": evidence}]
    return "\n".join(lines)


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
