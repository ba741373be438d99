"""What a leader sees of the projects, as screens (bot/core/screens.py): /projects (the
organization's projects), a project's card (with staff's moves when staff read it), /propose's
questions, the screens over them (resume, which district, which answer to change) and the
summary card before sending. /report's screens and the report PDF: bot/projects/report_screens.py;
staff's /proposals and /reportreview: bot/projects/staff_screens.py.

The choices' ids are the callback data Telegram's buttons have always carried (`prj:open:<id>`,
`prj:theme:<code>`, `rep:go:<report>` …), so a button left in a chat by an older version still
works. What the channel knows and the domain does not (the proposal document's name as the bot
stores it) is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, bold, escape, one_per_row, screen
from bot.core.textlimits import CALLBACK_DATA_LIMIT, shorten
from bot.messaging.render import soles
from bot.projects import drafts, projects
from bot.projects.labels import FREQUENCY, PROJECT_STATUS, REPORT_STATUS, THEME
from bot.projects.models import Project, ProjectEvent, ProjectReport, ProjectStatus, ReportStatus
from bot.projects.projects import Step
from bot.projects.reports import BeneficiaryTotals

ROWS_PER_PAGE = 10  # as handlers.common lists records: the first ten, then a page at a time
NOT_LEADING = N_("You do not lead an organization in Voces yet. Register one with /register.")
QUESTION = {
    Step.TITLE: N_("What is the project called? A short title, for example: Huertos familiares en Carmen de la Legua."),
    Step.THEME: N_("What is its theme?"),
    Step.OBJECTIVE: N_("What is its objective? In two or three sentences: what will change, and for whom."),
    Step.POPULATION: N_("Who is it for (the target population)? For example: 40 Venezuelan and Peruvian mothers of the neighbourhood."),
    Step.DISTRICT: N_("In which district will it take place? Type part of the name, for example Comas or SJL."),
    Step.START: N_("When will it start? Send the full date, for example 01/02/2027."),
    Step.END: N_("When will it end? Send the full date, for example 31/07/2027."),
    Step.AMOUNT: N_("How much do you ask for, in soles? For example 2500."),
    Step.DOCUMENT: N_("If you have the full proposal as a document (PDF or Word), send it now. Otherwise tap Skip."),
    Step.COMMENT: N_("Write your comment for the leaders: they will read it as you write it, with a button to revise the proposal."),
    Step.FUND_AMOUNT: N_("How much is granted, in soles? For example 2500."),
}
MOVE_BUTTON = {
    ProjectStatus.SELECTED: N_("⭐ Select"),
    ProjectStatus.NOT_SELECTED: N_("Not selected"),
    ProjectStatus.IMPLEMENTING: N_("🛠 Implementation started"),
    ProjectStatus.CLOSED: N_("🏁 Close"),
}


def callback(*parts: object) -> str:
    """A projects button's id (`prj:…`)."""
    data = ":".join(["prj", *(str(part) for part in parts)])
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return data


def report_callback(*parts: object) -> str:
    """The /report conversation's buttons (`rep:…`), leaders' and staff's alike."""
    data = ":".join(["rep", *(str(part) for part in parts)])
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return data


# --- how a project reads ----------------------------------------------------------------------------------


def proposal_card(i18n: Translator, details: projects.ProposalView) -> str:
    _ = i18n.gettext
    district = district_by_ubigeo(details.district_ubigeo) if details.district_ubigeo else None
    period = (_("%(start)s to %(end)s") % {"start": i18n.date(details.starts_on), "end": i18n.date(details.ends_on)}
              if details.starts_on and details.ends_on else "—")
    lines = [
        bold(escape(details.title or "—")),
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
    lines = [bold(escape(project.title)), _("Status: %(status)s") % {"status": _(PROJECT_STATUS[project.status])}]
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


# --- /projects and a project's card ---------------------------------------------------------------------


def not_leading(i18n: Translator) -> Screen:
    return screen(i18n.gettext(NOT_LEADING))


def projects_of(i18n: Translator, organization: str, found: list[Project]) -> Screen:
    """The organization's projects, each as a few lines and (the first ten) a choice to open it."""
    _ = i18n.gettext
    name = escape(organization)
    if not found:
        return screen(_("<b>%(name)s</b> has no projects in Voces yet.") % {"name": name} + "\n\n" + _("Propose one with /propose."))
    parts = [_("<b>Projects of %(name)s</b>") % {"name": name}, *(project_text(i18n, project) for project in found)]
    return screen("\n\n".join(parts), one_per_row([
        Choice(callback("open", project.id), f"📂 {shorten(project.title, 50)}", description=_(PROJECT_STATUS[project.status]))
        for project in found[:ROWS_PER_PAGE]]))


@dataclass(frozen=True)
class ProjectCard:
    """What a project's card shows, read in one go by the handler."""

    project: Project
    organization: str
    document_name: str | None  # the proposal document as the bot names it, if there is one
    events: list[ProjectEvent]
    reports: list[ProjectReport]
    reached: BeneficiaryTotals
    staff: bool  # the reader is staff: the moves, comments and funding


def project_card(i18n: Translator, card: ProjectCard) -> Screen:
    """A project for its leaders (the report due, revising) or for staff (the moves)."""
    _ = i18n.gettext
    project, reports = card.project, card.reports
    lines = [_("<b>%(organization)s</b> · project") % {"organization": escape(card.organization)},
             _("Status: %(status)s") % {"status": _(PROJECT_STATUS[project.status])}, "",
             proposal_card(i18n, projects.project_view(project, card.document_name))]
    if project.granted_cents is not None:
        lines.append(_("Granted: %(value)s") % {"value": soles(i18n, project.granted_cents)})
    if reports:
        lines += ["", _("<b>Reports</b>")]
        lines += [f"{r.number}. {i18n.date(r.period_start, 'short')}–{i18n.date(r.period_end, 'short')}: {_(REPORT_STATUS[r.status])}" for r in reports]
        lines.append(_("People reached (approved reports): %(count)s") % {"count": i18n.number(card.reached.total)})
    comments = [e for e in card.events if e.comment and e.to_status is None]
    if comments:
        lines += ["", _("<b>Comments</b>")] + [f"{i18n.date(e.at, 'short')}: <i>{escape(e.comment or '')}</i>" for e in comments[-5:]]
    moved = [e for e in card.events if e.to_status in set(ProjectStatus) and e.from_status != e.to_status]
    if moved:
        lines += ["", _("<b>History</b>")] + [f"{i18n.date(e.at, 'short')}: {_(PROJECT_STATUS[ProjectStatus(e.to_status)])}" for e in moved[-6:]]
    return screen("\n".join(lines), _card_rows(i18n, card))


def _card_rows(i18n: Translator, card: ProjectCard) -> list[list[Choice]]:
    _ = i18n.gettext
    project, reports = card.project, card.reports
    rows: list[list[Choice]] = []
    due = next((r for r in reports if r.status in (ReportStatus.DUE, ReportStatus.CHANGES_REQUESTED)), None)
    if not card.staff and due is not None and project.status in (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING):
        rows.append([Choice(report_callback("go", due.id), _("📝 Write report %(number)s") % {"number": due.number})])
    if card.document_name is not None:
        rows.append([Choice(callback("doc", project.id), _("📎 Proposal document"))])
    if card.staff:
        if project.status is ProjectStatus.SELECTED:
            rows.append([Choice(callback("fund", project.id), _("💰 Fund"))])
        rows += [[Choice(callback("to", project.id, status.value), _(label))]
                 for status, label in MOVE_BUTTON.items() if project.status in projects.MOVES[status]]
        rows.append([Choice(callback("cm", project.id), _("💬 Comment"))])
        rows.append([Choice(callback("list", "p1"), _("⬅️ All projects"))])
    elif project.status in projects.REVISABLE:
        rows.append([Choice(callback("rev", project.id), _("✏️ Revise the proposal"))])
    approved = [r for r in reports if r.status is ReportStatus.APPROVED][-ROWS_PER_PAGE:]
    # Staff also open an approved report's card: its evidence, and reopening it for changes.
    rows[:0] = [[Choice(report_callback("pdf", r.id), _("📄 Report %(number)s (PDF)") % {"number": r.number}),
                 *([Choice(report_callback("rv", r.id), _("📋 Open report %(number)s") % {"number": r.number})] if card.staff else [])]
                for r in approved]
    return rows


# --- /propose ---------------------------------------------------------------------------------------------


def proposal_begun(i18n: Translator, organization: str) -> Screen:
    return screen(i18n.gettext("Let us write the project proposal of %(name)s. I save every answer as you go: you can stop and continue later with /propose.")
                  % {"name": escape(organization)})


def proposal_step(i18n: Translator, step: drafts.Step) -> Screen:
    """What the draft's step shows: its question (after the last answer's problem, if `problem`,
    already in screen markup), or one of the screens over it (resume, which district, which part)."""
    _ = i18n.gettext
    if step.screen == drafts.RESUME:
        return screen(_("You have a proposal in progress. Continue where you left off, or start over?"),
                      [[Choice(callback("resume"), _("Continue")), Choice(callback("restart"), _("Start over"))]])
    if step.screen == drafts.DISTRICTS:
        return screen(_("Which of these is it? If it is not here, type the name again."),
                      one_per_row([Choice(callback("district", d.ubigeo), f"{d.name} ({d.province})") for d in step.districts]))
    if step.screen == drafts.PARTS:
        parts = [Choice(callback("edit", code), label) for code, label in (
            ("title", _("Title")), ("theme", _("Theme")), ("objective", _("Objective")), ("population", _("Target population")),
            ("district", _("District")), ("dates", _("Dates")), ("amount", _("Amount")), ("document", _("Document")))]
        return screen(_("Which answer do you want to change?"),
                      [*(parts[i:i + 2] for i in range(0, len(parts), 2)), [Choice(callback("summary"), _("⬅️ Back to the summary"))]])
    return question(i18n, step)


def question(i18n: Translator, step: drafts.Step) -> Screen:
    """The question of the draft's step (staff's comment and funding steps too), or the summary card."""
    _ = i18n.gettext
    name = Step(step.name)
    if name is Step.THEME:
        return screen(_(QUESTION[name]), one_per_row([Choice(callback("theme", theme.value), _(label)) for theme, label in THEME.items()]))
    if name is Step.DOCUMENT:
        return screen(_(QUESTION[name]), [[Choice(callback("skipdoc"), _("Skip"))]])
    if name is Step.FUND_FREQUENCY:
        return screen(_("How often will they report? Each report is due on the last day of its period."),
                      one_per_row([Choice(callback("freq", frequency.value), _(label)) for frequency, label in FREQUENCY.items()]))
    if name is Step.SUMMARY:
        return screen(_("Please check the proposal:") + "\n\n" + proposal_card(i18n, step.view), [
            [Choice(callback("edit"), _("✏️ Edit an answer"))], [Choice(callback("send"), _("✅ Send to the programme"))]])
    return screen(_(QUESTION[name]))


def proposal_sent(i18n: Translator, *, revised: bool) -> Screen:
    _ = i18n.gettext
    text = _("📨 The proposal was sent again to the programme.") if revised else _("📨 Proposal sent. The programme staff will read it; I will tell you here about every comment and decision.")
    return screen(text + "\n\n" + _("See your projects with /projects."))


def proposal_paused(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Paused. Your answers are saved: send /propose to continue."))
