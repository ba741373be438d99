"""The flows staff and coordinators hit, each checked against the clock or the record as it is
when the press arrives: attendance follows the session's hours; a report's activity dates stay
inside its period; a funding schedule has no one-day period; staff hear of a new registration;
verifying or funding an organization whose board term ended, or that is still pending, asks
first and says why.

Setup rows go straight to the database where the chat walk is not the point.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta

from pypdf import PdfReader
from sqlalchemy import select, update

from bot.broadcasts.models import Broadcast, BroadcastState, NotificationSettings
from bot.organizations.models import Organization, VerificationStatus
from bot.people.models import User
from bot.projects.models import Project, ProjectStatus, ProjectTheme, ReportFrequency
from bot.projects.projects import periods
from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession
from tests.flows import consented, register_organization
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_broadcasts import coordinator, leaders_in
from tests.test_projects import funded_project, organization_of

CALLAO = "070101"
SEVEN_LIMA = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)         # Thursday 07:00 in Lima


async def session_at_seven(bot, *leaders) -> int:  # noqa: ANN001
    """A two-hour session at 07:00 in Lima with `leaders` holding seats."""
    now = bot.clock.now()
    async with await bot.session() as session:
        training = TrainingSession(topic="leadership", title="Asamblea temprana", starts_at=SEVEN_LIMA,
                                   ends_at=SEVEN_LIMA + timedelta(hours=2), venue="Casa comunal", district_ubigeo=CALLAO,
                                   capacity=10, created_at=now)
        session.add(training)
        await session.flush()
        for person in leaders:
            user_id = await session.scalar(select(User.id).where(User.telegram_id == person.id))
            session.add(Enrollment(session_id=training.id, user_id=user_id, state=EnrollmentState.ENROLLED, created_at=now))
        return training.id


async def states_of(bot, session_id: int) -> dict[int, EnrollmentState]:
    async with await bot.session() as session:
        rows = await session.execute(select(User.telegram_id, Enrollment.state).join(Enrollment, Enrollment.user_id == User.id)
                                     .where(Enrollment.session_id == session_id))
        return dict(rows.all())


async def test_attendance_follows_the_clock_check_in_opens_30_minutes_before_and_closing_and_certificates_wait_for_the_end(bot):
    luis = await coordinator(bot)
    rosa, ana = await leaders_in(bot, CALLAO, "en", "es")
    session_id = await session_at_seven(bot, rosa, ana)
    ana_id = await bot_user_id(bot, ana)

    bot.clock.set(SEVEN_LIMA - timedelta(minutes=39))               # 06:21 in Lima
    await luis.sends("/mysessions")
    await luis.taps("Asamblea temprana")
    assert "🕒 Check-in opens at 11/26/26, 6:30" in luis.last_text
    await luis.taps("🟢 Open check-in")
    assert "Check-in opens at" in luis.last_alert and "6:30" in luis.last_alert
    await luis.taps_data(f"trc:mark:{session_id}:{ana_id}:0")        # a no-show before it starts: refused
    assert "Check-in opens at" in luis.last_alert
    await luis.taps_data(f"trc:close:{session_id}")
    assert all(state is EnrollmentState.ENROLLED for state in (await states_of(bot, session_id)).values())

    bot.clock.set(SEVEN_LIMA - timedelta(minutes=25))               # 06:35: open
    await luis.taps("🟢 Open check-in")
    code = re.search(r"/checkin (\w+)", luis.last_text).group(1)
    await rosa.sends(f"/checkin {code}")
    assert "Checked in" in rosa.last_text
    bot.clock.set(SEVEN_LIMA + timedelta(minutes=30))               # 07:30: under way
    await luis.taps("Close check-in")
    assert "once the session has ended" in luis.last_alert and "9:00" in luis.last_alert
    await rosa.taps_data(f"tr:cert:{session_id}")
    assert "once the session has ended" in rosa.last_alert
    assert rosa.documents == []
    await rosa.sends("/mytrainings")
    assert not any(label.startswith("📄") for label in rosa.buttons)
    assert await states_of(bot, session_id) == {rosa.id: EnrollmentState.ATTENDED, ana.id: EnrollmentState.ENROLLED}

    bot.clock.set(SEVEN_LIMA + timedelta(hours=2, minutes=5))       # 09:05: it ended
    await ana.sends(f"/asistencia {code}")
    assert "se cerró" in ana.last_text                              # check-in closed with the session
    await luis.taps("Close check-in")
    assert "1 person did not come" in luis.texts_since_last_action[-1]
    assert await states_of(bot, session_id) == {rosa.id: EnrollmentState.ATTENDED, ana.id: EnrollmentState.NO_SHOW}
    assert "How useful was it" in rosa.last_text
    await rosa.sends("/mytrainings")
    await rosa.taps("📄 Certificate: Asamblea")
    assert "Asamblea temprana" in PdfReader(io.BytesIO(rosa.documents[-1].content)).pages[0].extract_text()


async def bot_user_id(bot, person) -> int:  # noqa: ANN001
    async with await bot.session() as session:
        return await session.scalar(select(User.id).where(User.telegram_id == person.id))


async def test_an_activity_date_outside_the_reports_period_is_refused_with_the_period_the_question_also_names(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await funded_project(bot, await organization_of(bot, rosa))     # monthly from 1 December 2026
    await rosa.sends("/report")
    await rosa.taps("report 1")
    assert "Send a date from 01/12/2026 to 31/12/2026." in rosa.last_text
    await rosa.sends("05/01/2027")                                  # the next period's: refused, asked again
    assert "outside this report's period. Send a date from 01/12/2026 to 31/12/2026." in rosa.last_text
    assert "on what date did it take place?" in rosa.last_text
    await rosa.sends("31/12/2026")                                  # the last day the hint names is accepted
    assert "Where did it take place?" in rosa.last_text


def test_a_funding_schedule_never_ends_with_a_one_day_period():
    assert periods(date(2027, 1, 31), date(2027, 3, 31), ReportFrequency.MONTHLY) == [
        (date(2027, 1, 31), date(2027, 2, 27)), (date(2027, 2, 28), date(2027, 3, 31)),
    ]
    assert periods(date(2026, 12, 1), date(2027, 3, 1), ReportFrequency.MONTHLY)[-1] == (date(2027, 2, 1), date(2027, 3, 1))
    assert periods(date(2027, 1, 1), date(2027, 4, 1), ReportFrequency.QUARTERLY) == [(date(2027, 1, 1), date(2027, 4, 1))]
    assert periods(date(2027, 1, 1), date(2027, 1, 1), ReportFrequency.MONTHLY) == [(date(2027, 1, 1), date(2027, 1, 1))]


async def test_staff_hear_of_a_new_registration_and_verifying_one_whose_board_term_ended_asks_once_and_says_why(bot):
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    await staff.sends("/start")
    rosa = bot.user(first_name="Rosa", language_code="es")
    await consented(rosa)
    await register_organization(rosa)
    assert "Mujeres Emprendedoras del Callao (Carmen de la Legua Reynoso) registered in Voces" in staff.last_text
    async with await bot.session() as session:                      # the board's term ends before staff get to it
        await session.execute(update(Organization).values(board_term_end=date(2026, 10, 31)))
    await staff.taps("📂 Open")
    await staff.taps("✅ Verify")
    assert "Before you verify it" in staff.last_text and "term ended on October 31, 2026" in staff.last_text
    assert await status_of(bot) is VerificationStatus.PENDING and "verific" not in rosa.last_text
    await staff.taps("✅ Yes, verify")
    assert "is now ✅ verified" in staff.last_text
    assert await status_of(bot) is VerificationStatus.VERIFIED and "verificó" in rosa.last_text
    told = len(rosa.messages)
    await staff.taps("✅ Yes, verify")                              # twice: already done, nobody told again
    assert "already done" in staff.last_alert and len(rosa.messages) == told


async def test_funding_a_project_of_an_organization_not_yet_verified_asks_once_and_says_why(bot):
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    await staff.sends("/start")
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    organization_id = await organization_of(bot, rosa)              # pending verification
    async with await bot.session() as session:
        session.add(Project(organization_id=organization_id, title="Huertos familiares", theme=ProjectTheme.WOMEN_ENTERPRISE,
                            status=ProjectStatus.SELECTED, starts_on=date(2026, 12, 1), ends_on=date(2027, 2, 28),
                            created_at=bot.clock.now()))
    await staff.sends("/proposals")
    await staff.taps("Huertos familiares")
    await staff.taps("Fund")
    await staff.sends("2000")
    await staff.taps("Monthly reports")
    assert "Before you fund it" in staff.last_text and "not been verified yet" in staff.last_text
    assert "term ended" not in staff.last_text
    assert await project_status(bot) is ProjectStatus.SELECTED and "is funded" not in rosa.last_text
    await staff.taps("✅ Yes, fund it")
    assert await project_status(bot) is ProjectStatus.FUNDED and "is funded: S/ 2,000.00" in rosa.last_text


async def status_of(bot) -> VerificationStatus:
    async with await bot.session() as session:
        return await session.scalar(select(Organization.status))


async def project_status(bot) -> ProjectStatus:
    async with await bot.session() as session:
        return await session.scalar(select(Project.status))


async def test_a_notice_in_quiet_hours_waits_for_the_recipients_morning_and_urgent_ones_do_not(bot):
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    await staff.sends("/start")
    rosa, ana, eva = await leaders_in(bot, CALLAO, "en", "en", "en")
    async with await bot.session() as session:
        await session.execute(update(Organization).values(status=VerificationStatus.PENDING))
        rosas, evas = [await session.scalar(select(Organization.id).where(Organization.name == f"Org of {person.first_name}"))
                       for person in (rosa, eva)]
        eva_id = await session.scalar(select(User.id).where(User.telegram_id == eva.id))
        session.add(NotificationSettings(user_id=eva_id, muted=[], quiet_start=time(0, 0), quiet_end=time(0, 0),  # none of her own
                                         updated_at=bot.clock.now()))
    session_id = await session_at_seven(bot, ana)
    bot.clock.set(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))         # 22:00 in Lima: quiet hours (21:00–08:00)
    seen = len(rosa.messages)
    await staff.taps_data(f"org:verify:{rosas}:pending")
    assert "is now ✅ verified" in staff.last_text
    assert len(rosa.messages) == seen and await status_of_org(bot, rosas) is VerificationStatus.VERIFIED
    await staff.taps_data(f"org:verify:{evas}:pending")             # Eva chose no quiet hours: told at once
    assert "verified Org of" in eva.last_text
    await staff.taps_data(f"trc:cancelok:{session_id}")             # urgent: a session cancelled goes at once
    assert "was cancelled" in ana.last_text

    bot.clock.set(datetime(2026, 11, 25, 12, 59, tzinfo=UTC))       # 07:59: still quiet
    await bot.run_reminders()
    assert len(rosa.messages) == seen
    bot.clock.set(datetime(2026, 11, 25, 13, 0, tzinfo=UTC))        # 08:00 in Lima
    await bot.run_reminders()
    await rosa.wait_for_reply()
    assert "The programme staff verified <b>" not in rosa.last_text and "verified Org of" in rosa.last_text
    await bot.run_reminders()
    assert len(rosa.messages) == seen + 1                            # once


async def status_of_org(bot, organization_id: int) -> VerificationStatus:
    async with await bot.session() as session:
        return await session.scalar(select(Organization.status).where(Organization.id == organization_id))


async def test_send_now_in_quiet_hours_tells_the_author_when_it_goes_out(bot):
    await leaders_in(bot, CALLAO, "es", "en")
    luis = await coordinator(bot)
    async with await bot.session() as session:
        author = await session.scalar(select(User.id).where(User.telegram_id == luis.id))
        draft = Broadcast(author_id=author, state=BroadcastState.DRAFT, texts={"es": "Hola", "en": "Hello"},
                          audience={"district": [CALLAO]}, buttons=[], created_at=bot.clock.now())
        session.add(draft)
        await session.flush()
    bot.clock.set(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))         # 22:00 in Lima
    await luis.taps_data(f"bc:now:{draft.id}")
    assert "It is quiet hours: it goes out to 2 people at 8:00" in luis.last_text
