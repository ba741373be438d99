"""What a leader sees of /report, as screens (bot/core/screens.py): the reports waiting, the
opening words, each question (bot/projects/report_drafts.py returns the step), the parts to
change, the receipt of the photos and documents sent, the summary card, the deadline reminders;
and an approved report as a PDF, the screen's file.

The choices' ids are the callback data Telegram's buttons have always carried (`rep:go:<report>`,
`rep:more`, `rep:evdone` …), so a button left in a chat by an older version still works.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.core import uploads
from bot.core.i18n import Translator
from bot.core.screens import Choice, File, Screen, escape, one_per_row, screen
from bot.core.textlimits import shorten
from bot.core.validation import day_text
from bot.documents import project_report as report_pdf
from bot.messaging.render import soles
from bot.projects import report_drafts
from bot.projects.labels import AGE_LABEL, GROUP, NATIONALITY, NATIONALITY_TOTAL, SEX_LABEL
from bot.projects.models import Project, ProjectFile, ProjectReport, ReportStatus
from bot.projects.report_drafts import Mismatch
from bot.projects.reports import (
    ACTIVITY_DATE,
    ACTIVITY_MORE,
    ACTIVITY_PLACE,
    ACTIVITY_WHAT,
    AGE,
    AGE_GROUPS,
    COUNT,
    DIFFICULTIES,
    EVIDENCE,
    LESSONS,
    NATIONALITIES,
    SEX,
    SEXES,
    SPENT,
    ReportContext,
)
from bot.projects.screens import ROWS_PER_PAGE
from bot.projects.screens import report_callback as callback

# --- how a report reads -------------------------------------------------------------------------------------


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


# --- /report: which report, and its opening --------------------------------------------------------------


def waiting(i18n: Translator, found: Sequence[tuple[ProjectReport, Project]]) -> Screen:
    """The reports waiting for the person's projects (the first ten), one in progress first."""
    _ = i18n.gettext
    if not found:
        return screen(_("No report is waiting for your projects now. Funded projects and their reports are in /projects."))
    # The choices carry the report's number and due date; the projects' names, too long for a
    # phone's button, are in the message above, numbered as the choices are.
    choices, lines = [], []
    for index, (report, project) in enumerate(found[:ROWS_PER_PAGE], start=1):
        values = {"index": index, "number": report.number, "date": i18n.date(report.due_on, "short"), "title": escape(project.title)}
        if report.status is ReportStatus.CHANGES_REQUESTED:
            label = _("%(index)s. ✏️ Fix report %(number)s") % values
        elif report.step is not None:
            label = _("%(index)s. ▶️ Continue report %(number)s") % values
        else:
            label = _("%(index)s. Report %(number)s · due %(date)s") % values
        choices.append(Choice(callback("go", report.id), label, description=shorten(project.title, 72)))
        lines.append(_("%(index)s. <b>%(title)s</b>: report %(number)s, due %(date)s") % values)
    draft = next((pair for pair in found if pair[0].step is not None), None)
    if draft is not None:
        text = _("You have a report in progress for “%(title)s”: continue where you left off?") % {"title": escape(draft[1].title)}
    else:
        text = _("Which report do you want to write?")
    return screen(text + "\n\n" + "\n".join(lines), one_per_row(choices))


def opening(i18n: Translator, step: report_drafts.Step) -> Screen | None:
    """Said before the first question: the programme's request for changes, or what the report is."""
    _ = i18n.gettext
    if step.opening == report_drafts.CHANGES:
        return screen(_("The programme asked for these changes:") + f"\n\n<i>{escape(step.report.review_comment or '')}</i>")
    if step.opening == report_drafts.FIRST:
        return screen(_("Let us write the %(period)s of “%(title)s”. I save every answer: you can stop and continue later with /report.") % {
            "period": period_text(i18n, step.report), "title": escape(step.title)})
    return None


# --- the questions ------------------------------------------------------------------------------------------


def parts(i18n: Translator) -> Screen:
    """From the summary card: which part to change."""
    _ = i18n.gettext
    choices = [Choice(callback("edit", code), label) for code, label in (
        ("activities", _("Activities")), ("people", _("People reached")), ("spent", _("Money spent")),
        ("difficulties", _("Difficulties")), ("lessons", _("Lessons")), ("evidence", _("Photos and documents")))]
    return screen(_("Which part do you want to change? Activities and people are entered again in full."),
                  [*(choices[i:i + 2] for i in range(0, len(choices), 2)), [Choice(callback("summary"), _("⬅️ Back to the summary"))]])


def done_choice(i18n: Translator) -> Choice:
    return Choice(callback("evdone"), i18n.gettext("✅ Done"))


def question(i18n: Translator, asked: report_drafts.Step) -> Screen:
    """The step's question, or the summary card (the parts to change: `parts`)."""
    _ = i18n.gettext
    step, report = asked.name, asked.report
    if step == ACTIVITY_DATE:
        return screen(_("Activity %(number)s: on what date did it take place? Send a date from %(first)s to %(last)s.") % {
            "number": len(report.activities) + 1, "first": day_text(report.period_start), "last": day_text(report.period_end)})
    if step == ACTIVITY_PLACE:
        return screen(_("Where did it take place?"))
    if step == ACTIVITY_WHAT:
        return screen(_("What was done? A few sentences are enough."))
    if step == ACTIVITY_MORE:
        listing = "\n".join(f"• {escape(a['place'])}: {escape(shorten(a['what'], 80))}" for a in report.activities)
        return screen(_("Activities so far:") + "\n" + listing + "\n\n" + _("Was there another activity in this period?"), [
            [Choice(callback("more"), _("➕ Add another activity"))], [Choice(callback("nomore"), _("That is all"))]])
    part, _sep, nationality = step.partition(":")
    nationality, _sep, sex = nationality.partition(":")
    if part == COUNT:
        intro = _("Now the people reached, as numbers only: no names.") + "\n\n" if nationality == NATIONALITIES[0] else ""
        return screen(intro + _("How many <b>%(who)s</b> took part? Send a number (0 if none).") % {"who": _(NATIONALITY_TOTAL[nationality])})
    if part == SEX:
        total = report.beneficiaries[nationality]["total"]
        return screen(_("Of those %(total)s %(who)s, how many were <b>female, male, and other or not stated</b>? Send three numbers separated by spaces, for example 6 4 0.") % {
            "total": total, "who": _(NATIONALITY_TOTAL[nationality])})
    if part == AGE:
        count = report.beneficiaries[nationality]["sex"][sex]
        return screen(_("<b>%(who)s</b> (%(count)s): how many were <b>0–11, 12–17, 18–59 and 60 or more</b>? Send four numbers, for example 2 3 4 1; together they make %(count)s.") % {
            "who": _(GROUP[nationality, sex]), "count": count})
    if step == SPENT:
        return screen(_("How much money did you spend in this period, in soles? For example 850.50 (0 if nothing)."))
    if step == DIFFICULTIES:
        return screen(_("What difficulties did you have?"))
    if step == LESSONS:
        return screen(_("What did you learn (lessons learned)?"))
    if step == EVIDENCE:
        return screen(_("Send photos and documents of the activities: you can send several photos at once. I remove the location and other hidden data from photos.")
                      + "\n\n" + _("⚠️ Do not send photos in which children can be recognised unless their parents or guardians agreed.")
                      + "\n\n" + _("When you are done, tap Done."), [[done_choice(i18n)]])
    return screen(_("Please check the report:") + "\n\n" + report_card(i18n, report, asked.title, asked.evidence), [
        [Choice(callback("edit"), _("✏️ Change a part"))], [Choice(callback("submit"), _("✅ Submit to the programme"))]])


def mismatch_text(i18n: Translator, error: Mismatch) -> str:
    """Which split does not add up, for which nationality (and sex), and what was typed."""
    _ = i18n.gettext
    if error.sex is not None:
        message = _("%(who)s: their ages add up to %(counted)s, but you said there were %(total)s. Check the numbers and send them again.") % {
            "who": _(GROUP[error.nationality, error.sex]), "counted": error.counted, "total": error.total}
    else:
        message = _("The split by sex adds up to %(counted)s, but you said %(total)s %(who)s took part. Check the numbers and send them again.") % {
            "counted": error.counted, "total": error.total, "who": _(NATIONALITY_TOTAL[error.nationality])}
    if error.typed:
        message += "\n" + _("You sent: %(numbers)s") % {"numbers": " ".join(str(n) for n in error.typed)}
    return message


# --- photos and documents, sending, pausing ------------------------------------------------------------------


def files_received(i18n: Translator, count: int) -> Screen:
    """The receipt of the evidence so far (edited in place while an album arrives)."""
    return screen(i18n.gettext("📎 Files received for this report: %(count)s. Send more, or tap Done.") % {"count": count},
                  [[done_choice(i18n)]])


def file_again(i18n: Translator) -> Screen:
    return screen(i18n.gettext("You had already sent this same file: I kept it once."), [[done_choice(i18n)]])


def file_refused(i18n: Translator, problem: str) -> Screen:
    """A file that could not be kept (`problem`: screen markup); sending more, or Done, goes on."""
    return screen(f"⚠️ {problem}", [[done_choice(i18n)]])


def submitted(i18n: Translator) -> Screen:
    return screen(i18n.gettext("📨 Report sent to the programme. I will tell you here when they review it."))


def paused(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Paused. The report is kept as a draft: send /report to continue."))


# --- the deadline reminders ---------------------------------------------------------------------------------


def due_soon(i18n: Translator, report: ProjectReport, title: str, *, days: int) -> Screen:
    text = i18n.ngettext("⏰ The %(period)s of “%(title)s” is due on %(date)s, in %(days)s day.",
                         "⏰ The %(period)s of “%(title)s” is due on %(date)s, in %(days)s days.", days) % {
        "period": period_text(i18n, report), "title": escape(title), "date": i18n.date(report.due_on), "days": days}
    return screen(text, [[Choice(callback("go", report.id), i18n.gettext("📝 Write the report"))]])


def overdue(i18n: Translator, report: ProjectReport, title: str) -> Screen:
    _ = i18n.gettext
    text = _("⏰ The %(period)s of “%(title)s” was due on %(date)s and has not been sent yet. Send it with /report; if something is in the way, tell the programme staff.") % {
        "period": period_text(i18n, report), "title": escape(title), "date": i18n.date(report.due_on)}
    return screen(text, [[Choice(callback("go", report.id), _("📝 Write the report"))]])


# --- the PDF ---------------------------------------------------------------------------------------------------


def report_pdf_file(i18n: Translator, found: ReportContext, evidence: Sequence[ProjectFile]) -> File:
    """An approved report as a PDF: what was approved, and the SHA-256 of each file kept."""
    _ = i18n.gettext
    report = found.report
    labels = report_pdf.Labels(
        heading=_("Project report"), organization=_("Organization"), project=_("Project"), period=period_text(i18n, report),
        activities=_("Activities"), people=_("People reached"), total=_("Total"),
        nationalities=[_(NATIONALITY[n]) for n in NATIONALITIES], sexes=[_(SEX_LABEL[s]) for s in SEXES],
        ages=[_(AGE_LABEL[a]) for a in AGE_GROUPS], spent=_("Money spent"), difficulties=_("Difficulties"), lessons=_("Lessons learned"),
        evidence=_("Photos and documents kept by Voces (SHA-256)"), by_sex_and_age=_("By sex and age"),
        approved=_("Approved by the programme on %(date)s (version %(version)s).") % {
            "date": i18n.date(report.reviewed_at) if report.reviewed_at else "—", "version": report.approved_version},
    )
    content = report_pdf.render(report_pdf.ReportData(
        organization=found.organization.name, project=found.project.title,
        activities=[(i18n.date(date.fromisoformat(a["date"]), "short"), a["place"], a["what"]) for a in report.activities],
        beneficiaries=report.approved_beneficiaries or {}, spent=soles(i18n, report.approved_spent_cents),
        difficulties=report.difficulties or "", lessons=report.lessons or "",
        evidence=[(uploads.label(f.original_name) or f.mime_type, f.sha256) for f in evidence],
    ), labels)
    name = _("report-%(project)s-%(number)s.pdf") % {"project": found.project.id, "number": report.number}
    return File(name, "application/pdf", data=content)


def approved_pdf(i18n: Translator, found: ReportContext, evidence: Sequence[ProjectFile]) -> Screen:
    """The PDF alone: no text, no choices."""
    return screen("", files=[report_pdf_file(i18n, found, evidence)])
