"""Community projects and their reports, as leaders and staff live them: a proposal, a comment,
a revision, selection and funding; a report drafted over a restart, sent back, fixed and
approved; totals from approved reports only; photos without their location; deadline reminders
that stop once the report is in; and the approved report as a PDF."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime

import pypdf
from PIL import ExifTags, Image
from sqlalchemy import select

from bot.organizations.models import LeaderRole, Leadership, Organization, OrganizationKind
from bot.people.models import User
from bot.projects import reports as project_reports
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
from bot.projects.projects import periods
from tests.flows import consented
from tests.harness import STAFF_TELEGRAM_ID


def ages(a: int, b: int, c: int, d: int) -> dict[str, int]:
    return {"0_11": a, "12_17": b, "18_59": c, "60_plus": d}


PEOPLE = {
    "peruvian": {"total": 10, "sex": {"female": 6, "male": 4, "unstated": 0},
                 "sex_age": {"female": ages(1, 2, 3, 0), "male": ages(1, 1, 1, 1), "unstated": ages(0, 0, 0, 0)}, "age": ages(2, 3, 4, 1)},
    "venezuelan": {"total": 12, "sex": {"female": 7, "male": 4, "unstated": 1},
                   "sex_age": {"female": ages(1, 1, 4, 1), "male": ages(0, 1, 3, 0), "unstated": ages(0, 0, 1, 0)}, "age": ages(1, 2, 8, 1)},
    "other": {"total": 0, "sex": {"female": 0, "male": 0, "unstated": 0},
              "sex_age": {s: ages(0, 0, 0, 0) for s in ("female", "male", "unstated")}, "age": ages(0, 0, 0, 0)},
}


def photo_with_gps(colour: str) -> bytes:
    """A JPEG as a phone makes it: with the place it was taken in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLatitude: (12.0, 3.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (77.0, 7.0, 15.0),
    }
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG", exif=exif)
    content = out.getvalue()
    assert Image.open(io.BytesIO(content)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo must carry GPS"
    return content


async def organization_of(bot, user, *, name: str = "Mujeres Emprendedoras del Callao") -> int:
    now = bot.clock.now()
    async with await bot.session() as session:
        leader = await session.scalar(select(User).where(User.telegram_id == user.id))
        organization = Organization(
            name=name, kind=OrganizationKind.OSB, district_ubigeo="070103", address="Av. Argentina 1234",
            founded_year=2021, contact_phone="+51987654321", board_term_start=date(2025, 3, 1),
            board_term_end=date(2027, 2, 28), created_at=now, updated_at=now,
        )
        organization.leaders = [Leadership(user_id=leader.id, role=LeaderRole.OWNER, joined_at=now, acting=True)]
        session.add(organization)
        await session.flush()
        return organization.id


async def funded_project(bot, organization_id: int, *, starts_on=date(2026, 12, 1), ends_on=date(2027, 2, 28)) -> int:
    """A project staff already funded, with monthly reports and their reminders."""
    now = bot.clock.now()
    async with await bot.session() as session:
        project = Project(organization_id=organization_id, title="Huertos familiares", theme=ProjectTheme.WOMEN_ENTERPRISE,
                          status=ProjectStatus.FUNDED, starts_on=starts_on, ends_on=ends_on, granted_cents=200000, created_at=now)
        session.add(project)
        await session.flush()
        for number, (start, end) in enumerate(periods(starts_on, ends_on, ReportFrequency.MONTHLY), start=1):
            session.add(ProjectReport(project_id=project.id, number=number, period_start=start, period_end=end, due_on=end,
                                      scratch={}, activities=[], beneficiaries={}, updated_at=now))
        await session.flush()
        await project_reports.plan_deadlines(session, project_id=project.id, now=now, quiet=bot.runtime.reminders.quiet_hours)
        return project.id


async def a_report(bot, project_id: int, number: int) -> ProjectReport:
    async with await bot.session() as session:
        return await session.scalar(select(ProjectReport).where(ProjectReport.project_id == project_id, ProjectReport.number == number))


# --- the whole story -------------------------------------------------------------------------------


async def test_a_proposal_is_commented_revised_funded_and_its_report_is_sent_back_fixed_and_approved(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await organization_of(bot, rosa)
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await staff.sends("/start")

    # Rosa proposes, one question at a time, and sees the card before sending.
    await rosa.sends("/propose")
    await rosa.sends("Huertos familiares")
    await rosa.taps("Women's enterprise")
    await rosa.sends("Mothers grow vegetables together and sell them at the neighbourhood fair.")
    await rosa.sends("40 Venezuelan and Peruvian mothers of the neighbourhood")
    await rosa.sends("carmen legua")
    await rosa.taps("Carmen de la Legua Reynoso")
    await rosa.sends("01/12/2026")
    await rosa.sends("28/02/2027")
    await rosa.sends("S/ 2,500")
    await rosa.uploads_document(b"%PDF-1.4 the full proposal", "propuesta.pdf", "application/pdf")
    assert "Please check the proposal" in rosa.last_text
    assert "Amount requested: S/ 2,500.00" in rosa.last_text and "propuesta.pdf" in rosa.last_text
    await rosa.taps("Send to the programme")
    assert "Proposal sent" in rosa.last_text
    assert "sent a project proposal: Huertos familiares" in staff.last_text

    # Staff comment; Rosa revises from the button in the comment, and sends it again.
    await staff.sends("/proposals")
    await staff.taps("Huertos familiares")
    await staff.taps("Comment")
    await staff.sends("Please say how many fairs you plan.")
    assert "Please say how many fairs you plan." in rosa.last_text
    await rosa.taps("Revise the proposal")
    await rosa.taps("Edit an answer")
    await rosa.taps("Objective")
    await rosa.sends("Mothers grow vegetables together and sell them at three neighbourhood fairs.")
    assert "three neighbourhood fairs" in rosa.last_text
    await rosa.taps("Send to the programme")
    assert "sent again" in rosa.last_text

    # Selected, then funded monthly: Rosa hears of each move.
    await staff.sends("/proposals")
    await staff.taps("Huertos familiares")
    await staff.taps("⭐ Select")
    assert "is now: ⭐ selected" in rosa.last_text
    await staff.taps("Fund")
    await staff.sends("2000")
    await staff.taps("Monthly reports")
    await staff.taps("✅ Yes, fund it")                # her organization is not verified yet: asked once
    assert "funded: S/ 2,000.00" in rosa.last_text and "December 31, 2026" in rosa.last_text
    async with await bot.session() as session:
        project = await session.scalar(select(Project))
        moves = [(e.from_status, e.to_status) for e in await session.scalars(select(ProjectEvent).order_by(ProjectEvent.id)) if e.to_status]
        staff_id = await session.scalar(select(User.id).where(User.telegram_id == STAFF_TELEGRAM_ID))
        who = {e.actor_id for e in await session.scalars(select(ProjectEvent).where(ProjectEvent.to_status == "funded"))}
    assert project.status is ProjectStatus.FUNDED and project.granted_cents == 200000
    assert ("proposal", "selected") in moves and ("selected", "funded") in moves and who == {staff_id}
    async with await bot.session() as session:
        assert [r.due_on for r in await project_reports.reports_of(session, project_id=project.id)] == [
            date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28)]

    # The first report: two activities, then the people reached...
    await rosa.sends("/report")
    await rosa.taps("report 1")
    await rosa.sends("05/12/2026")
    await rosa.sends("Parque zonal")
    await rosa.sends("Planting day with the mothers")
    await rosa.taps("Add another activity")
    await rosa.sends("12/12/2026")
    await rosa.sends("Mercado de Carmen de la Legua")
    await rosa.sends("First fair")
    await rosa.taps("That is all")
    await rosa.sends("10")
    await rosa.sends("6 4 0")
    assert "Peruvian women and girls (6): how many were" in rosa.last_text  # ages asked per sex
    await rosa.sends("1 2 3 0")
    await rosa.sends("1 1 1 1")

    # ... interrupted by a restart and /cancel: /report offers to continue where she was.
    await bot.restart()
    await rosa.sends("/cancel")
    await rosa.sends("/report")
    assert "in progress" in rosa.last_text
    await rosa.taps("Continue")
    assert "Venezuelan people" in rosa.last_text
    await rosa.sends("12")
    await rosa.sends("7 4")
    assert "Send 3 numbers separated by spaces; I read 2." in rosa.last_text
    await rosa.sends("7 4 0")
    assert "The split by sex adds up to 11, but you said 12 Venezuelan people took part." in rosa.last_text
    await rosa.sends("7 4 1")
    await rosa.sends("1 1 4 2")
    assert "Venezuelan women and girls: their ages add up to 8, but you said there were 7." in rosa.last_text
    assert "You sent: 1 1 4 2" in rosa.last_text and "Venezuelan women and girls (7): how many" in rosa.last_text
    for answer in ("1 1 4 1", "0 1 3 0", "0 0 1 0"):  # women, men, other or not stated
        await rosa.sends(answer)
    await rosa.sends("0")  # nobody of other nationalities: no split asked
    assert "How much money" in rosa.last_text
    await rosa.sends("850.50")
    await rosa.sends("The rain delayed the planting.")
    await rosa.sends("Start earlier in the season.")
    assert "children can be recognised" in rosa.last_text
    await rosa.uploads_album([photo_with_gps("red"), photo_with_gps("green"), photo_with_gps("blue")])
    assert "Files received for this report: 3" in rosa.last_text
    await rosa.taps("Done")
    card = rosa.last_text
    assert "People reached: 22" in card and "Photos and documents: 3" in card and "S/ 850.50" in card
    await rosa.taps("Submit to the programme")
    assert "Report sent" in rosa.last_text

    # Staff open it with its evidence and send it back with a comment.
    await staff.sends("/reportreview")
    await staff.taps("Huertos familiares")
    assert len(staff.documents) >= 3
    await staff.taps("Ask for changes")
    await staff.sends("Add the receipts of what you bought.")
    assert "Add the receipts" in rosa.last_text
    assert await project_reports_total(bot) == 0  # nothing approved yet

    # Rosa reopens, fixes the money spent, sends it again; staff approve.
    await rosa.taps("Reopen the report")
    await rosa.taps("Change a part")
    await rosa.taps("Money spent")
    await rosa.sends("900")
    assert "S/ 900.00" in rosa.last_text
    await rosa.taps("Submit to the programme")
    await staff.sends("/reportreview")
    await staff.taps("Huertos familiares")
    await staff.taps("Approve")
    assert "approved the report 1" in rosa.last_text

    report = await a_report(bot, project.id, 1)
    assert report.status is ReportStatus.APPROVED and report.version == 2 and report.approved_version == 2
    assert report.approved_beneficiaries == PEOPLE
    async with await bot.session() as session:
        totals = await project_reports.beneficiary_totals(session)
        files = list(await session.scalars(select(ProjectFile).where(ProjectFile.report_id == report.id)))
    # Sent twice, approved once: counted once.
    assert totals.total == 22 and totals.reports == 1
    assert totals.by_nationality == {"peruvian": 10, "venezuelan": 12, "other": 0}
    assert totals.by_sex == {"female": 13, "male": 8, "unstated": 1}
    assert totals.by_nationality_age[("venezuelan", "18_59")] == 8
    assert totals.spent_cents == 90000

    # Each photo is stored once, with its hash, and without its location.
    assert len(files) == 3 and len({f.sha256 for f in files}) == 3
    for stored in files:
        content = bot.runtime.files.read(stored.storage_path)
        exif = Image.open(io.BytesIO(content)).getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif
        assert hashlib.sha256(content).hexdigest() == stored.sha256

    # The approved report as a PDF, for the funder.
    await rosa.taps("Get it as a PDF")
    pdf = rosa.documents[-1]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Huertos familiares" in text and "Planting day with the mothers" in text and "Mujeres Emprendedoras del Callao" in text


async def project_reports_total(bot) -> int:
    async with await bot.session() as session:
        return (await project_reports.beneficiary_totals(session)).total


# --- totals ------------------------------------------------------------------------------------------


async def test_programme_totals_add_the_latest_approved_version_of_each_report_and_nothing_else(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    first = await funded_project(bot, await organization_of(bot, rosa))
    other = bot.user(first_name="Ana", language_code="en")
    await consented(other)
    second = await funded_project(bot, await organization_of(bot, other, name="Vecinos de Comas"))
    small = {"peruvian": {"total": 3, "sex": {"female": 3, "male": 0, "unstated": 0}, "age": {"0_11": 3, "12_17": 0, "18_59": 0, "60_plus": 0}}}
    async with await bot.session() as session:
        for project_id, number, status, approved in ((first, 1, ReportStatus.APPROVED, PEOPLE), (second, 1, ReportStatus.APPROVED, small),
                                                     (second, 2, ReportStatus.SUBMITTED, None)):
            report = await session.scalar(select(ProjectReport).where(ProjectReport.project_id == project_id, ProjectReport.number == number))
            report.status, report.beneficiaries = status, PEOPLE
            # An approved report revised since: only its approved copy counts.
            report.version, report.approved_version, report.approved_beneficiaries = (3, 2, approved) if approved else (1, None, None)
    async with await bot.session() as session:
        programme = await project_reports.beneficiary_totals(session)
        per_project = {project.id: totals.total for project, _name, totals in await project_reports.totals_per_project(session)}
        only_second = await project_reports.beneficiary_totals(session, project_id=second)
    assert programme.total == 22 + 3 == sum(per_project.values())
    assert per_project == {first: 22, second: 3} and only_second.reports == 1
    assert programme.by_age["0_11"] == 2 + 1 + 3

    # Staff read the same figures in the chat, by every dimension.
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await staff.sends("/proposals")
    assert "People reached: 25" in staff.last_text
    await staff.taps("People reached, in detail")
    assert "People reached: 25" in staff.last_text and "From 2 approved reports" in staff.last_text
    assert "Peruvian: 13 (female 9, male 4, other or not stated 0; 0–11: 5" in staff.last_text


# --- deadlines -------------------------------------------------------------------------------------------


async def test_deadline_reminders_come_7_days_and_1_day_before_then_the_day_after_and_weekly_and_stop_when_submitted(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    project_id = await funded_project(bot, await organization_of(bot, rosa))

    bot.clock.set(datetime(2026, 12, 24, 15, 1, tzinfo=UTC))  # 10:01 in Lima, 7 days before 31 December
    await bot.run_reminders()
    assert "is due on December 31, 2026, in 7 days" in rosa.last_text
    await rosa.taps("Write the report")
    assert "Activity 1" in rosa.last_text

    bot.clock.set(datetime(2026, 12, 30, 15, 1, tzinfo=UTC))
    await bot.run_reminders()
    assert "in 1 day." in rosa.last_text

    # Report 1 goes in on the last day; report 2 is forgotten.
    async with await bot.session() as session:
        report = await session.scalar(select(ProjectReport).where(ProjectReport.project_id == project_id, ProjectReport.number == 1))
        report.activities = [{"date": "2026-12-05", "place": "Parque", "what": "Planting"}]
        report.beneficiaries, report.spent_cents, report.difficulties, report.lessons, report.step = PEOPLE, 0, "None", "Some", "summary"
        leader = await session.scalar(select(User).where(User.telegram_id == rosa.id))
        await project_reports.submit(session, user=leader, report_id=report.id, now=bot.clock.now())
    seen = len(rosa.messages)
    bot.clock.set(datetime(2027, 1, 1, 15, 1, tzinfo=UTC))
    await bot.run_reminders()
    assert len(rosa.messages) == seen  # report 1 is in: no overdue reminder

    bot.clock.set(datetime(2027, 2, 1, 15, 1, tzinfo=UTC))  # the day after report 2 was due
    await bot.run_reminders()
    assert "was due on January 31, 2027 and has not been sent yet" in rosa.last_text
    bot.clock.set(datetime(2027, 2, 8, 15, 2, tzinfo=UTC))  # and again a week later
    seen = len(rosa.messages)
    await bot.run_reminders()
    assert len(rosa.messages) == seen + 1 and "report 2" in rosa.last_text


# --- the reporting schedule ---------------------------------------------------------------------------------


def test_monthly_periods_follow_the_start_day_and_the_last_one_ends_with_the_project():
    assert periods(date(2026, 12, 15), date(2027, 2, 20), ReportFrequency.MONTHLY) == [
        (date(2026, 12, 15), date(2027, 1, 14)), (date(2027, 1, 15), date(2027, 2, 14)), (date(2027, 2, 15), date(2027, 2, 20)),
    ]
    assert periods(date(2027, 1, 31), date(2027, 3, 31), ReportFrequency.MONTHLY)[0] == (date(2027, 1, 31), date(2027, 2, 27))
    assert periods(date(2027, 1, 1), date(2027, 12, 31), ReportFrequency.QUARTERLY)[-1] == (date(2027, 10, 1), date(2027, 12, 31))


# --- the playground ---------------------------------------------------------------------------------------


async def test_the_playground_seeds_a_funded_project_with_one_approved_report_and_the_next_one_due(bot):
    from bot.playground import seed

    await seed.seed(bot.runtime)
    await seed.seed(bot.runtime)  # once
    async with await bot.session() as session:
        project = (await session.scalars(select(Project).where(Project.status == ProjectStatus.IMPLEMENTING))).one()
        statuses = [r.status for r in await project_reports.reports_of(session, project_id=project.id)]
        totals = await project_reports.beneficiary_totals(session)
    assert project.status is ProjectStatus.IMPLEMENTING and project.granted_cents == 250000
    assert statuses[0] is ReportStatus.APPROVED and statuses[1:] == [ReportStatus.DUE] * (len(statuses) - 1)
    assert totals.total == 34 and totals.reports == 1

    rosa = bot.user(seed.LEADER.telegram_id, first_name="Rosa", language_code="es")
    await rosa.sends("/informe")
    assert "informe 2" in " ".join(rosa.buttons).lower()
    await rosa.sends("/proyectos")
    await rosa.taps("Huertos familiares")
    assert "Personas alcanzadas (informes aprobados): 34" in rosa.last_text
    assert "🛠 en ejecución" in rosa.last_text  # the history of its moves
    await rosa.taps("Escribir informe 2")
    assert "Actividad 1" in rosa.last_text


# --- review: pages, and a double tap -------------------------------------------------------------------------


async def submitted(bot, project_id: int) -> list[int]:
    """Every report of the project filled in and submitted (version 1)."""
    async with await bot.session() as session:
        found = await project_reports.reports_of(session, project_id=project_id)
        for report in found:
            report.status, report.version, report.submitted_at = ReportStatus.SUBMITTED, 1, bot.clock.now()
            report.activities = [{"date": "2026-12-05", "place": "Parque", "what": "Planting"}]
            report.beneficiaries, report.spent_cents, report.difficulties, report.lessons = PEOPLE, 0, "Rain", "Earlier"
        return [report.id for report in found]


async def test_staff_page_through_twelve_submitted_reports_and_a_double_tap_approves_once(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    project_id = await funded_project(bot, await organization_of(bot, rosa), ends_on=date(2027, 11, 30))
    ids = await submitted(bot, project_id)
    assert len(ids) == 12
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")

    await staff.sends("/reportreview")
    assert "10. Mujeres Emprendedoras del Callao" in staff.last_text and "11." not in staff.last_text
    assert "Page 1/2" in staff.buttons
    await staff.taps("▶️")
    assert "12. Mujeres Emprendedoras del Callao" in staff.last_text and "report 12" in staff.last_text

    await staff.taps("12. Huertos")  # the button names the project; the line above, its organization
    seen = len(rosa.messages)
    await staff.taps_data(f"rep:ok:{ids[-1]}:1")
    await staff.taps_data(f"rep:ok:{ids[-1]}:1")  # the same tap again, from the same card
    assert staff.last_alert == "That was already done."
    assert len(rosa.messages) == seen + 1 and "approved the report 12" in rosa.last_text
    async with await bot.session() as session:
        events = list(await session.scalars(select(ProjectEvent).where(ProjectEvent.report_id == ids[-1])))
    assert [e.to_status for e in events] == ["approved"]


async def test_a_spanish_leader_reads_which_split_does_not_add_up(bot):
    rosa = bot.user(first_name="Rosa", language_code="es")
    await consented(rosa)
    await funded_project(bot, await organization_of(bot, rosa))
    await rosa.sends("/informe")
    await rosa.taps("informe 1")
    for answer in ("05/12/2026", "Parque zonal", "Día de siembra"):
        await rosa.sends(answer)
    await rosa.taps("Eso es todo")
    assert "personas peruanas" in rosa.last_text
    await rosa.sends("10")
    await rosa.sends("6 3 0")
    assert "La división por sexo suma 9, pero dijiste que participaron 10 personas peruanas." in rosa.last_text
    assert "mujeres, hombres, y otro o sin indicar" in rosa.last_text  # and the same question again
    await rosa.sends("6 4 0")
    await rosa.sends("1 2 3 1")
    assert "Mujeres y niñas peruanas: sus edades suman 7, pero dijiste que eran 6." in rosa.last_text
    assert "Enviaste: 1 2 3 1" in rosa.last_text and "Mujeres y niñas peruanas (6), por edad" in rosa.last_text


# --- erasure -------------------------------------------------------------------------------------------------


async def test_erasing_the_only_leader_takes_the_project_its_reports_history_and_evidence_files(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    project_id = await funded_project(bot, await organization_of(bot, rosa))
    await rosa.sends("/report")
    await rosa.taps("report 1")
    for answer in ("05/12/2026", "Parque zonal", "Planting day"):
        await rosa.sends(answer)
    await rosa.taps("That is all")
    for answer in ("1", "1 0 0", "0 0 1 0", "0", "0", "0", "Rain", "Start earlier"):
        await rosa.sends(answer)
    await rosa.uploads_photo(photo_with_gps("red"))
    async with await bot.session() as session:
        stored = (await session.scalars(select(ProjectFile))).one()
    path = bot.runtime.files.root / stored.storage_path
    assert path.exists()

    await rosa.sends("/deletedata")
    await rosa.taps("Yes, erase my data")
    assert not path.exists()
    async with await bot.session() as session:
        for model in (Project, ProjectReport, ProjectEvent, ProjectFile):
            assert (await session.scalars(select(model))).first() is None, model
    assert project_id


async def proposal_at_the_document_step(rosa) -> None:
    """/propose answered up to the optional document, as a leader types it."""
    await rosa.sends("/propose")
    await rosa.sends("Huertos familiares")
    await rosa.taps("Women's enterprise")
    for answer in ("Mothers grow vegetables together.", "40 mothers", "carmen legua"):
        await rosa.sends(answer)
    await rosa.taps("Carmen de la Legua Reynoso")
    for answer in ("01/12/2026", "28/02/2027", "2500"):
        await rosa.sends(answer)


async def test_erasing_a_leader_removes_the_proposal_document_of_a_draft_never_sent(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await organization_of(bot, rosa)
    await proposal_at_the_document_step(rosa)
    await rosa.uploads_document(b"%PDF-1.4 names of the mothers", "propuesta.pdf", "application/pdf")
    stored = list(bot.runtime.files.root.rglob("*.enc"))
    assert len(stored) == 1

    await rosa.sends("/deletedata")
    await rosa.taps("Yes, erase my data")
    assert not stored[0].exists()


async def test_a_proposal_refuses_what_cannot_be_used_and_asks_the_same_question_again(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await organization_of(bot, rosa)
    await rosa.sends("/propose")
    await rosa.sends("\u200b\u200b")  # only invisible characters
    assert "invisible characters" in rosa.last_text and "What is the project called?" in rosa.last_text
    await rosa.sends("Huertos familiares")
    await rosa.sends("Women's enterprise")  # typed where a button is expected
    assert "Please answer with the buttons below." in rosa.last_text
    await rosa.taps("Women's enterprise")
    await rosa.sends("Mothers grow vegetables together.")
    await rosa.sends("40 mothers")
    await rosa.sends("Miraflores de Arequipa")
    assert "I found no district of Lima or Callao" in rosa.last_text
    await rosa.sends("comas")
    await rosa.taps("Comas")
    await rosa.sends("01/03/2027")
    await rosa.sends("01/02/2027")
    assert "The project must end after it starts." in rosa.last_text
    await rosa.sends("31/07/2027")
    await rosa.sends("mucho dinero")
    assert "Send the amount in soles, in digits" in rosa.last_text
    await rosa.sends("0")
    assert "The amount must be more than zero." in rosa.last_text
    await rosa.sends("1.500,50")
    await rosa.taps("Skip")
    assert "Amount requested: S/ 1,500.50" in rosa.last_text and "Comas" in rosa.last_text
