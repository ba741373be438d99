"""The projects' leader-facing screens (bot/projects/screens.py, report_screens.py): every one fits
WhatsApp's limits with every choice reachable and typed text never turning into markup, the
approved report's PDF is the screen's file, and Telegram shows /projects, a project's card,
/propose's and /report's questions with exactly the keyboards handlers/projects/ built itself
before screens (the same callback data, so old buttons keep working).

Pure functions, no bot: test_projects.py, test_projects_later.py, test_project_drafts.py and
test_forged_buttons.py show the same screens through the Bot API emulator.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.core.districts import all_districts
from bot.core.i18n import translator
from bot.core.screens import Screen, check_markup, escape
from bot.core.textlimits import page_of, shorten
from bot.organizations.models import Organization
from bot.projects import drafts, report_drafts
from bot.projects import report_screens as reported
from bot.projects import screens as projects_shown
from bot.projects import staff_screens as staff
from bot.projects.models import (
    Project,
    ProjectEvent,
    ProjectFile,
    ProjectReport,
    ProjectStatus,
    ProjectTheme,
    ReportFrequency,
    ReportStatus,
)
from bot.projects.projects import MOVES, ProposalView, Step
from bot.projects.report_drafts import Mismatch
from bot.projects.reports import (
    ACTIVITY_DATE,
    ACTIVITY_MORE,
    ACTIVITY_PLACE,
    ACTIVITY_WHAT,
    DIFFICULTIES,
    EVIDENCE,
    LESSONS,
    SPENT,
    SUMMARY,
    BeneficiaryTotals,
    ReportContext,
)
from handlers import screens as telegram
from handlers.common import keyboard, page_navigation
from handlers.whatsapp.render import render
from tests.test_screens import ids_shown, within_limits
from tests.test_training_screens import formatted

ES = translator("es")
EN = translator("en")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TYPED = "Huertos <familiares> *comunales*_de_Comas & Co"  # what a leader typed: never markup anywhere
PEOPLE = {
    "peruvian": {"total": 10, "sex": {"female": 6, "male": 4, "unstated": 0},
                 "sex_age": {"female": {"0_11": 1, "12_17": 2, "18_59": 3, "60_plus": 0},
                             "male": {"0_11": 0, "12_17": 1, "18_59": 2, "60_plus": 1}}},
    "venezuelan": {"total": 5, "sex": {"female": 5, "male": 0, "unstated": 0},
                   "sex_age": {"female": {"0_11": 0, "12_17": 0, "18_59": 5, "60_plus": 0}}},
    "other": {"total": 0},
}


def project(number: int = 4, status: ProjectStatus = ProjectStatus.FUNDED, **changes) -> Project:
    values = {
        "id": number, "organization_id": 1, "title": f"{TYPED} {number} " + "muy largo " * (number % 3) * 6,
        "summary": None, "funder": f"Fondo {TYPED}" if number % 2 else None,
        "starts_on": date(2027, 2, 1), "ends_on": date(2027, 7, 31), "report_due_on": date(2027, 3, 31),
        "created_at": NOW, "status": status, "theme": ProjectTheme.CHILDREN_ARTS_SPORT, "objective": f"Cambiar {TYPED}",
        "target_population": f"40 madres {TYPED}", "district_ubigeo": "150110", "requested_cents": 250000,
        "granted_cents": 240000 if status in (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING) else None,
    }
    return Project(**{**values, **changes})


def report(number: int = 1, status: ReportStatus = ReportStatus.DUE, **changes) -> ProjectReport:
    start = date(2027, 2, 1) + timedelta(days=31 * (number - 1))
    values = {
        "id": 10 + number, "project_id": 4, "number": number, "period_start": start, "period_end": start + timedelta(days=27),
        "due_on": start + timedelta(days=35), "status": status, "version": 1, "step": None, "scratch": {},
        "activities": [{"date": start.isoformat(), "place": f"Local {TYPED}", "what": f"Taller {TYPED} " * 6}] * 2,
        "beneficiaries": PEOPLE, "spent_cents": 85050, "difficulties": f"Lluvias {TYPED}", "lessons": f"Planear {TYPED}",
        "review_comment": f"Falta {TYPED}", "reviewed_at": NOW if status is ReportStatus.APPROVED else None,
        "approved_version": 1 if status is ReportStatus.APPROVED else None,
        "approved_beneficiaries": PEOPLE if status is ReportStatus.APPROVED else None,
        "approved_spent_cents": 85050 if status is ReportStatus.APPROVED else None, "updated_at": NOW,
    }
    return ProjectReport(**{**values, **changes})


def events() -> list[ProjectEvent]:
    comments = [ProjectEvent(id=n, project_id=4, at=NOW - timedelta(days=30 - n), comment=f"Comentario {n} {TYPED}") for n in range(1, 8)]
    moves = [ProjectEvent(id=10 + n, project_id=4, at=NOW - timedelta(days=20 - n), from_status=a.value, to_status=b.value)
             for n, (a, b) in enumerate([(ProjectStatus.PROPOSAL, ProjectStatus.SELECTED), (ProjectStatus.SELECTED, ProjectStatus.FUNDED)])]
    return comments + moves


REPORTS = [report(1, ReportStatus.APPROVED), report(2, ReportStatus.APPROVED), report(3, ReportStatus.CHANGES_REQUESTED), report(4)]
DOCUMENT = f"propuesta-{TYPED}.pdf (“{TYPED}”)"


def card(status: ProjectStatus = ProjectStatus.FUNDED, *, staff: bool = False, reports=(), document: str | None = DOCUMENT):
    return projects_shown.ProjectCard(project(status=status), f"Comedor {TYPED}", document, events(), list(reports),
                                      BeneficiaryTotals(reports=2, total=30), staff=staff)


CARDS = {  # the situations that change what a card offers
    "card: leader, funded, a report due": card(reports=REPORTS),
    "card: leader, a proposal to revise": card(ProjectStatus.PROPOSAL, document=None),
    "card: leader, closed": card(ProjectStatus.CLOSED, reports=REPORTS[:2]),
    "card: staff, selected": card(ProjectStatus.SELECTED, staff=True),
    "card: staff, funded with reports": card(staff=True, reports=REPORTS),
    "card: staff, a proposal": card(ProjectStatus.PROPOSAL, staff=True, document=None),
}
VIEW = ProposalView(f"{TYPED}", ProjectTheme.HUMAN_RIGHTS, f"Cambiar {TYPED}", f"Madres {TYPED}", "150110",
                    date(2027, 2, 1), date(2027, 7, 31), 250000, DOCUMENT)


def proposal(name: Step, **changes) -> drafts.Step:
    return drafts.Step(name.value, VIEW, **changes)


def asked(name: str, **changes) -> report_drafts.Step:
    return report_drafts.Step(name, changes.pop("report", report(3, ReportStatus.CHANGES_REQUESTED)), TYPED, 4, **changes)


REPORT_STEPS = [ACTIVITY_DATE, ACTIVITY_PLACE, ACTIVITY_WHAT, ACTIVITY_MORE, "count:peruvian", "count:venezuelan",
                "sex:peruvian", "age:peruvian:female", "age:venezuelan:female", SPENT, DIFFICULTIES, LESSONS, EVIDENCE, SUMMARY]


def approved() -> ReportContext:
    evidence_of = ReportContext(report(2, ReportStatus.APPROVED), project(), Organization(name=f"Comedor {TYPED}"))
    return evidence_of


EVIDENCE_FILES = [ProjectFile(original_name=f"foto {n}.jpg", mime_type="image/jpeg", sha256=f"{n:064x}") for n in range(3)]


def every_screen(i18n) -> dict[str, Screen]:
    """Each leader-facing projects screen, in the situations that change what it shows."""
    districts = tuple(d for d in all_districts() if "San" in d.name)[:12]
    waiting = [(report(n, ReportStatus.CHANGES_REQUESTED if n == 1 else ReportStatus.DUE, step="spent" if n == 2 else None),
                project(n)) for n in range(1, 13)]
    return {
        "not leading": projects_shown.not_leading(i18n),
        "projects: none": projects_shown.projects_of(i18n, f"Comedor {TYPED}", []),
        "projects: a few": projects_shown.projects_of(i18n, f"Comedor {TYPED}", [project(n) for n in range(1, 4)]),
        "projects: many": projects_shown.projects_of(i18n, f"Comedor {TYPED}", [project(n) for n in range(1, 14)]),
        **{name: projects_shown.project_card(i18n, found) for name, found in CARDS.items()},
        "proposal begun": projects_shown.proposal_begun(i18n, f"Comedor {TYPED}"),
        **{f"proposal: {name.value}": projects_shown.proposal_step(i18n, proposal(name)) for name in Step},
        "proposal: a problem": projects_shown.question(i18n, proposal(Step.START)).warned(i18n.gettext(drafts.TYPE_IT)),
        "proposal: resume?": projects_shown.proposal_step(i18n, proposal(Step.TITLE, screen=drafts.RESUME)),
        "proposal: which district?": projects_shown.proposal_step(i18n, proposal(Step.DISTRICT, screen=drafts.DISTRICTS, districts=districts)),
        "proposal: which answer?": projects_shown.proposal_step(i18n, proposal(Step.SUMMARY, screen=drafts.PARTS)),
        "proposal sent": projects_shown.proposal_sent(i18n, revised=False),
        "proposal sent again": projects_shown.proposal_sent(i18n, revised=True),
        "proposal paused": projects_shown.proposal_paused(i18n),
        "reports: none": reported.waiting(i18n, []),
        "reports: waiting": reported.waiting(i18n, waiting),
        "report: changes asked": reported.opening(i18n, asked(ACTIVITY_DATE, opening=report_drafts.CHANGES)),
        "report: begun": reported.opening(i18n, asked(ACTIVITY_DATE, opening=report_drafts.FIRST)),
        **{f"report: {name}": reported.question(i18n, asked(name)) for name in REPORT_STEPS},
        "report: which part?": reported.parts(i18n),
        "report: ages do not add up": reported.question(i18n, asked("age:peruvian:female")).warned(reported.mismatch_text(
            i18n, Mismatch(nationality="peruvian", dimension="age", total=6, counted=5, sex="female", typed=[1, 2, 2, 0]))),
        "report: files received": reported.files_received(i18n, 7),
        "report: the same file": reported.file_again(i18n),
        "report: a file refused": reported.file_refused(i18n, i18n.gettext(drafts.TOO_LARGE)),
        "report submitted": reported.submitted(i18n),
        "report paused": reported.paused(i18n),
        "report due soon": reported.due_soon(i18n, report(3), TYPED, days=3),
        "report overdue": reported.overdue(i18n, report(3), TYPED),
        "report PDF": reported.approved_pdf(i18n, approved(), EVIDENCE_FILES),
    }


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_every_projects_screen_fits_whatsapp_and_every_choice_on_it_is_reachable(i18n):
    shown = every_screen(i18n)
    for name, one in shown.items():
        assert one is not None, name
        check_markup(one.text)  # both channels can render it; typed text stayed text
        messages = render(one, to="51987654321", gettext=i18n.gettext, media_ids=[f"M{n}" for n in range(len(one.files))])
        within_limits(messages)
        assert not any("*comunales*" in text for text in formatted(messages)), name  # typed, never bold
        if one.choices:
            assert ids_shown(replace(one, files=()), i18n.gettext) == {c.id for c in one.choices}, name
        else:
            assert all(m["type"] != "interactive" for m in messages), name
    # The approved report is a PDF and nothing else, named as the handler named it.
    pdf = shown["report PDF"]
    (file,) = pdf.files
    assert pdf.text == "" and not pdf.choices and file.mime == "application/pdf" and file.data.startswith(b"%PDF")
    assert file.name == i18n.gettext("report-%(project)s-%(number)s.pdf") % {"project": 4, "number": 2}
    assert [m["type"] for m in render(pdf, to="1", gettext=i18n.gettext, media_ids=["M"])] == ["document"]
    # Every theme is one choice away on WhatsApp too; a project in a list has its status beside it.
    assert [c.id for c in shown["proposal: theme"].choices] == [f"prj:theme:{theme.value}" for theme in ProjectTheme]
    assert shown["projects: a few"].choices[0].description == i18n.gettext("💰 funded")
    # /report lists ten reports, the project's name where WhatsApp's list has room for it.
    assert [c.id for c in shown["reports: waiting"].choices] == [f"rep:go:{10 + n}" for n in range(1, 11)]


# --- Telegram: the keyboards handlers/projects/ built before -------------------------------------------------


def old_card_keyboard(i18n, found: projects_shown.ProjectCard):
    """handlers/projects/card.py's show_project, as it was."""
    _ = i18n.gettext
    rows = []
    item, staff = found.project, found.staff
    due = next((r for r in found.reports if r.status in (ReportStatus.DUE, ReportStatus.CHANGES_REQUESTED)), None)
    if not staff and due is not None and item.status in (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING):
        rows.append([(_("📝 Write report %(number)s") % {"number": due.number}, f"rep:go:{due.id}")])
    if found.document_name is not None:
        rows.append([(_("📎 Proposal document"), f"prj:doc:{item.id}")])
    if staff:
        moves = {ProjectStatus.SELECTED: "⭐ Select", ProjectStatus.NOT_SELECTED: "Not selected",
                 ProjectStatus.IMPLEMENTING: "🛠 Implementation started", ProjectStatus.CLOSED: "🏁 Close"}
        if item.status is ProjectStatus.SELECTED:
            rows.append([(_("💰 Fund"), f"prj:fund:{item.id}")])
        rows += [[(_(moves[to]), f"prj:to:{item.id}:{to.value}")] for to in moves if item.status in MOVES[to]]
        rows.append([(_("💬 Comment"), f"prj:cm:{item.id}")])
        rows.append([(_("⬅️ All projects"), "prj:list:p1")])
    elif item.status in (ProjectStatus.PROPOSAL, ProjectStatus.SELECTED):
        rows.append([(_("✏️ Revise the proposal"), f"prj:rev:{item.id}")])
    approved_ = [r for r in found.reports if r.status is ReportStatus.APPROVED]
    rows[:0] = [[(_("📄 Report %(number)s (PDF)") % {"number": r.number}, f"rep:pdf:{r.id}"),
                 *([(_("📋 Open report %(number)s") % {"number": r.number}, f"rep:rv:{r.id}")] if staff else [])] for r in approved_]
    return keyboard(rows) if rows else None


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_shows_the_projects_and_a_project_card_with_the_same_buttons_as_before(i18n):
    _ = i18n.gettext
    shown = every_screen(i18n)
    for name, found in CARDS.items():
        assert telegram.render(shown[name])[1] == old_card_keyboard(i18n, found), name
    listed = [project(n) for n in range(1, 14)]
    text, markup = telegram.render(shown["projects: many"])
    assert markup == keyboard([[(f"📂 {shorten(p.title, 50)}", f"prj:open:{p.id}")] for p in listed[:10]])
    assert text.startswith(_("<b>Projects of %(name)s</b>") % {"name": "Comedor Huertos &lt;familiares&gt; *comunales*_de_Comas &amp; Co"})
    assert telegram.render(shown["projects: none"]) == (
        _("<b>%(name)s</b> has no projects in Voces yet.") % {"name": "Comedor Huertos &lt;familiares&gt; *comunales*_de_Comas &amp; Co"}
        + "\n\n" + _("Propose one with /propose."), None)
    # The card says the status, what was granted, the reports, the last five comments and six moves.
    funded = shown["card: leader, funded, a report due"].text
    assert _("Granted: %(value)s") % {"value": "S/ 2,400.00"} in funded
    assert "Comentario 7" in funded and "Comentario 2" not in funded
    assert f"4. {i18n.date(REPORTS[3].period_start, 'short')}" in funded


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_asks_the_proposal_and_the_report_with_the_same_buttons_as_before(i18n):
    _ = i18n.gettext
    shown = every_screen(i18n)
    themes = ["Women's enterprise", "Human rights", "Risk management", "Education", "Culture",
              "Music, sport and art for children and adolescents", "Emotional wellbeing and family", "Primary health care"]
    parts = [("title", "Title"), ("theme", "Theme"), ("objective", "Objective"), ("population", "Target population"),
             ("district", "District"), ("dates", "Dates"), ("amount", "Amount"), ("document", "Document")]
    report_parts = [("activities", "Activities"), ("people", "People reached"), ("spent", "Money spent"),
                    ("difficulties", "Difficulties"), ("lessons", "Lessons"), ("evidence", "Photos and documents")]
    done = keyboard([[(_("✅ Done"), "rep:evdone")]])
    old = {
        "proposal: theme": keyboard([[(_(label), f"prj:theme:{theme.value}")] for theme, label in zip(ProjectTheme, themes, strict=True)]),
        "proposal: document": keyboard([[(_("Skip"), "prj:skipdoc")]]),
        "proposal: fund_frequency": keyboard([[(_("Monthly reports"), "prj:freq:monthly")], [(_("Quarterly reports"), "prj:freq:quarterly")],
                                              [(_("One final report"), "prj:freq:final")]]),
        "proposal: summary": keyboard([[(_("✏️ Edit an answer"), "prj:edit")], [(_("✅ Send to the programme"), "prj:send")]]),
        "proposal: resume?": keyboard([[(_("Continue"), "prj:resume"), (_("Start over"), "prj:restart")]]),
        "proposal: which answer?": keyboard([*([(_(label), f"prj:edit:{code}") for code, label in parts[i:i + 2]] for i in range(0, 8, 2)),
                                             [(_("⬅️ Back to the summary"), "prj:summary")]]),
        "proposal: title": None, "proposal: amount": None,
        "report: act_more": keyboard([[(_("➕ Add another activity"), "rep:more")], [(_("That is all"), "rep:nomore")]]),
        "report: evidence": done, "report: files received": done, "report: the same file": done, "report: a file refused": done,
        "report: summary": keyboard([[(_("✏️ Change a part"), "rep:edit")], [(_("✅ Submit to the programme"), "rep:submit")]]),
        "report: which part?": keyboard([*([(_(label), f"rep:edit:{code}") for code, label in report_parts[i:i + 2]] for i in range(0, 6, 2)),
                                         [(_("⬅️ Back to the summary"), "rep:summary")]]),
        "report: act_date": None, "report due soon": keyboard([[(_("📝 Write the report"), "rep:go:13")]]),
        "report overdue": keyboard([[(_("📝 Write the report"), "rep:go:13")]]),
    }
    for name, markup in old.items():
        assert telegram.render(shown[name])[1] == markup, name
    districts = tuple(d for d in all_districts() if "San" in d.name)[:12]
    assert telegram.render(shown["proposal: which district?"])[1] == keyboard(
        [[(f"{d.name} ({d.province})", f"prj:district:{d.ubigeo}")] for d in districts])
    # /report: the buttons carry the number and due date, the names are numbered in the text above.
    text, markup = telegram.render(shown["reports: waiting"])
    first = markup.inline_keyboard
    assert [row[0].callback_data for row in first] == [f"rep:go:{10 + n}" for n in range(1, 11)]
    assert first[0][0].text == _("%(index)s. ✏️ Fix report %(number)s") % {"index": 1, "number": 1}
    assert first[1][0].text == _("%(index)s. ▶️ Continue report %(number)s") % {"index": 2, "number": 2}
    assert text.startswith(_("You have a report in progress for “%(title)s”: continue where you left off?") % {
        "title": "Huertos &lt;familiares&gt; *comunales*_de_Comas &amp; Co 2 " + "muy largo " * 12})
    # A problem goes above the question again, as it always did.
    assert shown["proposal: a problem"].text == "⚠️ " + _(drafts.TYPE_IT) + "\n\n" + _(projects_shown.QUESTION[Step.START])
    mismatch = shown["report: ages do not add up"].text
    assert mismatch.startswith("⚠️ " + _("%(who)s: their ages add up to %(counted)s, but you said there were %(total)s. Check the numbers and send them again.") % {
        "who": _("Peruvian women and girls"), "counted": 5, "total": 6} + "\n" + _("You sent: %(numbers)s") % {"numbers": "1 2 2 0"})


# --- staff: /proposals, the people reached, funding, /reportreview ----------------------------------------------


def staff_screens(i18n) -> dict[str, Screen]:
    """Each staff screen of the projects, in the situations that change what it shows."""
    found = [(project(n, ProjectStatus.PROPOSAL if n % 3 else ProjectStatus.SELECTED), f"Comedor {n} {TYPED}") for n in range(1, 24)]
    waiting = [(report(n, ReportStatus.SUBMITTED), project(n), f"Comedor {n} {TYPED}") for n in range(1, 14)]
    reached = BeneficiaryTotals(reports=2, total=15, by_nationality={"peruvian": 10, "venezuelan": 5, "other": 0},
                                by_nationality_sex_age={("peruvian", "female", "0_11"): 1, ("venezuelan", "unsplit", "18_59"): 5})
    found_report = ReportContext(report(2, ReportStatus.SUBMITTED), project(), Organization(name=f"Comedor {TYPED}"))
    return {
        "proposals: none": staff.proposals(i18n, [], reached=0, page=1),
        **{f"proposals: page {page}": staff.proposals(i18n, found, reached=1234, page=page) for page in (1, 2, 3)},
        "reached in detail": staff.reached(i18n, reached),
        "commented": staff.commented(i18n, f"Comedor {TYPED}"),
        "fund anyway?": staff.fund_anyway(i18n, f"• {escape(TYPED)}", project_id=4, frequency=ReportFrequency.QUARTERLY),
        "reviews: none": staff.review_list(i18n, [], page=1),
        **{f"reviews: page {page}": staff.review_list(i18n, waiting, page=page) for page in (1, 2)},
        "review: submitted": staff.review_card(i18n, found_report, evidence=3),
        "review: approved": staff.review_card(i18n, approved(), evidence=3),
        "approved": staff.approved(i18n, approved()),
        "what to change?": staff.what_to_change(i18n),
        "changes requested": staff.changes_requested(i18n, found_report),
        "why reopen?": staff.why_reopen(i18n),
        "reopen?": staff.reopen_for_changes(i18n, approved(), f"Corregir {TYPED}"),
        "reopened": staff.reopened(i18n, approved()),
        "kept approved": staff.kept_approved(i18n),
    }


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_every_staff_screen_of_the_projects_fits_whatsapp_with_every_choice_reachable(i18n):
    for name, one in staff_screens(i18n).items():
        check_markup(one.text)
        messages = render(one, to="51987654321", gettext=i18n.gettext)
        within_limits(messages)
        assert not any("*comunales*" in text for text in formatted(messages)), name
        if one.choices:
            assert ids_shown(one, i18n.gettext) == {c.id for c in one.choices}, name


def old_staff_list(i18n, found, *, page: int, prefix: str, data) -> list:
    """handlers/projects/project_cards.py's staff_list_page, as it was: the page's numbered buttons and ◀️ / ▶️."""
    shown = page_of(found, page, size=10)
    rows = [[(f"{number}. {item[1 if len(item) == 3 else 0].title}", data(item))]
            for number, item in enumerate(shown.items, start=shown.first_index + 1)]
    return rows + page_navigation(SimpleNamespace(gettext=i18n.gettext), shown, callback_prefix=prefix)


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_shows_staff_their_lists_and_a_report_to_review_with_the_same_buttons_as_before(i18n):
    _ = i18n.gettext
    shown = staff_screens(i18n)
    found = [(project(n, ProjectStatus.PROPOSAL if n % 3 else ProjectStatus.SELECTED), f"Comedor {n} {TYPED}") for n in range(1, 24)]
    waiting = [(report(n, ReportStatus.SUBMITTED), project(n), f"Comedor {n} {TYPED}") for n in range(1, 14)]
    for page in (1, 2, 3):
        rows = old_staff_list(i18n, found, page=page, prefix="prj:list:p", data=lambda item: f"prj:open:{item[0].id}")
        assert telegram.render(shown[f"proposals: page {page}"])[1] == keyboard([*rows, [(_("📊 People reached, in detail"), "prj:totals")]])
    for page in (1, 2):
        rows = old_staff_list(i18n, waiting, page=page, prefix="rep:rl:p", data=lambda item: f"rep:rv:{item[0].id}")
        assert telegram.render(shown[f"reviews: page {page}"])[1] == keyboard(rows)
    text = shown["proposals: page 2"].text
    assert text.startswith(_("<b>Projects</b>") + "\n" + _("People reached: %(count)s") % {"count": i18n.number(1234)} + "\n\n11. Comedor 11 ")
    assert "\n20. " in text and "\n21. " not in text and "&lt;familiares&gt;" in text
    old = {
        "proposals: none": None, "reviews: none": None,
        "reached in detail": keyboard([[(_("⬅️ All projects"), "prj:list:p1")]]),
        "fund anyway?": keyboard([[(_("✅ Yes, fund it"), "prj:fundok:quarterly"), (_("No"), "prj:open:4")]]),
        "review: submitted": keyboard([[(_("✅ Approve"), "rep:ok:12:1"), (_("✏️ Ask for changes"), "rep:no:12:1")]]),
        "review: approved": keyboard([[(_("📄 PDF"), "rep:pdf:12"), (_("↩️ Reopen for changes"), "rep:ro:12:1")]]),
        "approved": keyboard([[(_("📄 PDF"), "rep:pdf:12")]]),
        "reopen?": keyboard([[(_("↩️ Yes, reopen it"), "rep:rok:12:1"), (_("No, leave it approved"), "rep:rox:12")]]),
    }
    for name, markup in old.items():
        assert telegram.render(shown[name])[1] == markup, name
    assert shown["review: submitted"].text.endswith(_("Status: %(status)s") % {"status": _("sent, waiting for review")})
