"""What staff see of the projects, as screens (bot/core/screens.py): /proposals (the open projects,
a page at a time, and the people reached), the people reached in detail, a comment sent, the
reasons to think twice before funding; /reportreview (the reports waiting), a report's card for
review, approving, asking for changes and reopening an approved report.

A project's card (with staff's moves) is bot/projects/screens.py's; the choices' ids are the
callback data Telegram's buttons have always carried (`prj:list:p<n>`, `rep:rv:<report>` …).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.core.i18n import Translator
from bot.core.screens import Choice, Screen, escape, paged, screen
from bot.core.textlimits import page_of, shorten
from bot.messaging.render import soles
from bot.projects.labels import (
    AGE_LABEL,
    NATIONALITY,
    PROJECT_STATUS,
    REPORT_STATUS,
    SEX_LABEL,
    UNSPLIT_LABEL,
)
from bot.projects.models import Project, ProjectReport, ReportFrequency, ReportStatus
from bot.projects.report_screens import period_text, report_card
from bot.projects.reports import (
    AGE_GROUPS,
    NATIONALITIES,
    SEXES,
    UNSPLIT,
    BeneficiaryTotals,
    ReportContext,
)
from bot.projects.screens import ROWS_PER_PAGE, callback, report_callback

Listed = TypeVar("Listed")


def listed(i18n: Translator, found: Sequence[Listed], *, page: int, id_prefix: str,
           entry: Callable[[Listed], tuple[str, str, str, str]]) -> tuple[list[str], list[Sequence[Choice]]]:
    """One page of a staff list, ten at a time: a numbered line and a choice for each of `found`,
    which `entry` tells as (organization, project title, what follows the title, the choice's id),
    and the ◀️ / ▶️ row carrying `id_prefix`."""
    shown = page_of(found, page, size=ROWS_PER_PAGE)
    lines, rows = [], []
    for number, item in enumerate(found, start=1):
        organization, title, after_title, choice_id = entry(item)
        if shown.first_index < number <= shown.first_index + len(shown.items):
            lines.append(f"{number}. {escape(organization)} — {escape(title)}{after_title}")
        rows.append([Choice(choice_id, f"{number}. {title}", description=shorten(organization, 72))])  # the organization is on the line above
    return lines, paged(i18n.gettext, rows, page=shown.number, id_prefix=id_prefix, size=ROWS_PER_PAGE)


# --- /proposals ------------------------------------------------------------------------------------------------


def proposals(i18n: Translator, found: Sequence[tuple[Project, str]], *, reached: int, page: int) -> Screen:
    """The open projects with their organizations, and the people reached so far."""
    _ = i18n.gettext
    header = _("<b>Projects</b>") + "\n" + _("People reached: %(count)s") % {"count": i18n.number(reached)}
    if not found:
        return screen(header + "\n\n" + _("No projects are open."))

    def entry(item: tuple[Project, str]) -> tuple[str, str, str, str]:
        project, name = item
        return name, project.title, f" ({_(PROJECT_STATUS[project.status])})", callback("open", project.id)

    lines, rows = listed(i18n, found, page=page, id_prefix=callback("list", "p"), entry=entry)
    return screen("\n".join([header, "", *lines]), [*rows, [Choice(callback("totals"), _("📊 People reached, in detail"))]])


def totals_text(i18n: Translator, totals: BeneficiaryTotals) -> str:
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


def reached(i18n: Translator, totals: BeneficiaryTotals) -> Screen:
    """Programme-wide people reached by every dimension, and back to the projects."""
    return screen(totals_text(i18n, totals), [[Choice(callback("list", "p1"), i18n.gettext("⬅️ All projects"))]])


def commented(i18n: Translator, organization: str) -> Screen:
    return screen(i18n.gettext("💬 Comment sent to the leaders of %(organization)s.") % {"organization": escape(organization)})


def fund_anyway(i18n: Translator, reasons: str, *, project_id: int, frequency: ReportFrequency) -> Screen:
    """The reasons to think twice before funding (`reasons`: screen markup), and whether to fund it anyway."""
    _ = i18n.gettext
    return screen(_("⚠️ Before you fund it:") + "\n" + reasons + "\n\n" + _("Fund it anyway?"),
                  [[Choice(callback("fundok", frequency.value), _("✅ Yes, fund it")), Choice(callback("open", project_id), _("No"))]])


# --- /reportreview ------------------------------------------------------------------------------------------


def review_list(i18n: Translator, waiting: Sequence[tuple[ProjectReport, Project, str]], *, page: int) -> Screen:
    _ = i18n.gettext
    if not waiting:
        return screen(_("No project reports are waiting for review."))

    def entry(item: tuple[ProjectReport, Project, str]) -> tuple[str, str, str, str]:
        report, project, name = item
        return name, project.title, ", " + period_text(i18n, report), report_callback("rv", report.id)

    lines, rows = listed(i18n, waiting, page=page, id_prefix=report_callback("rl", "p"), entry=entry)
    return screen("\n".join([_("<b>Project reports waiting for review</b>"), "", *lines]), rows)


def review_card(i18n: Translator, found: ReportContext, *, evidence: int) -> Screen:
    """A report as staff review it (its files are sent before it), with what they may do now."""
    _ = i18n.gettext
    report = found.report
    text = f"<b>{escape(found.organization.name)}</b>\n" + report_card(i18n, report, found.project.title, evidence)
    text += "\n\n" + _("Status: %(status)s") % {"status": _(REPORT_STATUS[report.status])}
    rows = []
    if report.status is ReportStatus.SUBMITTED:
        rows.append([Choice(report_callback("ok", report.id, report.version), _("✅ Approve")),
                     Choice(report_callback("no", report.id, report.version), _("✏️ Ask for changes"))])
    if report.status is ReportStatus.APPROVED:
        rows.append([Choice(report_callback("pdf", report.id), _("📄 PDF")),
                     Choice(report_callback("ro", report.id, report.version), _("↩️ Reopen for changes"))])
    return screen(text, rows)


def approved(i18n: Translator, found: ReportContext) -> Screen:
    _ = i18n.gettext
    return screen(_("✅ Approved. I told the leaders of %(organization)s.") % {"organization": escape(found.organization.name)},
                  [[Choice(report_callback("pdf", found.report.id), _("📄 PDF"))]])


def what_to_change(i18n: Translator) -> Screen:
    return screen(i18n.gettext("What must the leaders change? Write it: they will read it as you write it, with a button to reopen the report."))


def changes_requested(i18n: Translator, found: ReportContext) -> Screen:
    return screen(i18n.gettext("✏️ Sent. I asked the leaders of %(organization)s for the changes.") % {
        "organization": escape(found.organization.name)})


def why_reopen(i18n: Translator) -> Screen:
    return screen(i18n.gettext(
        "Why reopen this approved report? Write what must be corrected: the leaders will read it as you write it, with a button to make the changes."))


def reopen_for_changes(i18n: Translator, found: ReportContext, reason: str) -> Screen:
    """The reason as the leaders will read it, and whether to reopen the approved report."""
    _ = i18n.gettext
    report = found.report
    question = (_("Reopen the %(period)s of “%(title)s” (%(organization)s) for changes? The leaders will read:") % {
        "period": period_text(i18n, report), "title": escape(found.project.title), "organization": escape(found.organization.name)}
        + f"\n\n<i>{escape(reason)}</i>\n\n"
        + _("The approved version keeps counting in the totals until a new one is approved. To change the reason, write it again."))
    return screen(question, [[Choice(report_callback("rok", report.id, report.version), _("↩️ Yes, reopen it")),
                              Choice(report_callback("rox", report.id), _("No, leave it approved"))]])


def reopened(i18n: Translator, found: ReportContext) -> Screen:
    return screen(i18n.gettext("↩️ Reopened for changes. I told the leaders of %(organization)s.") % {
        "organization": escape(found.organization.name)})


def kept_approved(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Nothing changed: the report stays approved."))

