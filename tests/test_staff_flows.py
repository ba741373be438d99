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
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from bot.models.people import User
from bot.models.trainings import Enrollment, EnrollmentState, TrainingSession
from tests.test_broadcasts import coordinator, leaders_in

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
    await rosa.taps("📄 Certificate: Asamblea temprana")
    assert "Asamblea temprana" in PdfReader(io.BytesIO(rosa.documents[-1].content)).pages[0].extract_text()


async def bot_user_id(bot, person) -> int:  # noqa: ANN001
    async with await bot.session() as session:
        return await session.scalar(select(User.id).where(User.telegram_id == person.id))
