"""Trainings end to end through the chat: staff make a coordinator, who creates a session in a
guided conversation; leaders enroll, wait in line, leave, take or lose a freed seat; the .ics
and the 24 h / 1 h reminders; a moved session; check-in, feedback, the certificate and
/verify; a topic vote with one ballot per leader.

The test clock reads Monday 23 November 2026, 15:00 UTC: 10:00 in Lima.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.console.models import AuditEntry
from bot.messaging.models import Reminder, ReminderState
from bot.people.models import Role, User
from bot.trainings.models import Ballot, Enrollment, EnrollmentState, TrainingSession
from tests.flows import consented, newtraining_in_person_up_to_the_district
from tests.harness import STAFF_TELEGRAM_ID

THURSDAY_10_LIMA = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


async def leader(bot, name: str, language: str = "en"):  # noqa: ANN201
    person = bot.user(first_name=name, last_name="Test", language_code=language)
    await consented(person)
    return person


async def coordinator(bot, name: str = "Luis"):  # noqa: ANN201
    """Someone staff made a coordinator with /role, by Telegram id."""
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    person = await leader(bot, name)
    await staff.sends(f"/role {person.id}")
    await staff.taps("Coordinator")
    await staff.taps("Yes, confirm")
    assert "is now coordinator" in staff.last_text
    return person


async def add_session(bot, *, title: str = "Leading an assembly", starts_at: datetime = THURSDAY_10_LIMA,
                      capacity: int = 2, by=None, **values) -> int:  # noqa: ANN001 - by: the coordinator who created it
    if by is not None:  # only its author (and staff) may edit or cancel it
        async with await bot.session() as session:
            values["created_by_id"] = await session.scalar(select(User.id).where(User.telegram_id == by.id))
    async with await bot.session() as session:
        training = TrainingSession(
            topic="leadership", title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3),
            venue="Casa de la Juventud", district_ubigeo="150101", online=False, capacity=capacity,
            created_at=bot.clock.now(), **values,
        )
        session.add(training)
        await session.flush()
        return training.id


async def states(bot, session_id: int) -> dict[int, EnrollmentState]:
    async with await bot.session() as session:
        rows = await session.execute(
            select(User.telegram_id, Enrollment.state).join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.session_id == session_id)
        )
        return dict(rows.all())


def heard(user, part: str) -> bool:
    """The bot's answer to the user's last action says it (in any of its messages)."""
    return any(part in text for text in user.texts_since_last_action)


def told(user, part: str) -> int:
    return sum(part in text for text in (m.get("text", "") or m.get("caption", "") for m in user.messages))


async def test_staff_make_a_coordinator_who_gets_the_coordinator_menu_and_can_go_back_to_leader(bot):
    luis = await coordinator(bot)
    assert "Programme staff made you coordinator" in luis.last_text
    assert "newtraining" in luis.commands and "register" in luis.commands
    assert "role" not in luis.commands
    async with await bot.session() as session:
        person = await session.scalar(select(User).where(User.telegram_id == luis.id))
    assert person.role is Role.COORDINATOR and person.staff_from_settings is False

    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    await staff.sends("/role")                                     # from the list of people who wrote
    await staff.taps("Luis Test")
    await staff.taps("Leader")
    await staff.taps("Yes, confirm")
    await staff.taps_data(f"role:ok:{person.id}:leader")           # the same confirmation, again
    assert "already has that role" in staff.last_alert
    assert "newtraining" not in luis.commands


async def test_a_leader_cannot_open_the_coordinators_tools(bot):
    rosa = await leader(bot, "Rosa")
    await rosa.sends("/newtraining")
    assert "Only training coordinators" in rosa.last_text
    await rosa.sends("/role 1")
    assert "Only programme staff" in rosa.last_text
    await rosa.taps_data("role:who:p1")                             # a forged button lists nobody
    assert "Only programme staff" in rosa.last_text


async def test_a_coordinator_creates_a_session_and_three_leaders_enroll_one_waits_and_takes_a_freed_seat(bot):
    luis = await coordinator(bot)
    await newtraining_in_person_up_to_the_district(luis, "Casa de la Juventud, Jr. Huallaga 355")
    await luis.sends("Comas")
    await luis.sends("26/11/2026")                                  # no time: asked again
    assert "Send the date and time" in luis.texts_since_last_action[0]
    await luis.sends("26/11/2026 10:00")
    await luis.sends("9:00")                                        # before the start
    assert "The end must be after the start" in luis.texts_since_last_action[0]
    await luis.sends("13:00")
    await luis.sends("2")
    await luis.taps("Skip")
    await luis.taps("No, anyone can come")
    summary = luis.last_text
    assert "Check the session before saving" in summary and "Places: 2" in summary and "Comas" in summary
    await luis.taps("Save")
    link = re.search(r"t\.me/\S+\?start=(training_\d+)", luis.last_text)
    assert link, luis.last_text
    session_id = int(link.group(1).removeprefix("training_"))

    ana, rosa, yohana = [await leader(bot, name) for name in ("Ana", "Rosa", "Yohana")]
    for person in (ana, rosa):
        await person.sends(f"/start {link.group(1)}")               # the link pasted in a WhatsApp group
        assert "Leading an assembly" in person.last_text
        await person.taps("Enroll")
        assert heard(person, "You are enrolled")
        calendar = Calendar.from_ical(person.documents[-1].content)
        event = next(iter(calendar.walk("VEVENT")))
        assert event.decoded("dtstart") == THURSDAY_10_LIMA and "Huallaga" in str(event.get("location"))
        assert calendar.walk("VALARM")
    await yohana.sends(f"/start {link.group(1)}")
    assert "Full (2 places)" in yohana.last_text
    await yohana.taps("Join the waitlist")
    assert "number 1 on the waitlist" in yohana.last_text

    await ana.sends("/trainings")
    await ana.taps("Leading an assembly")
    await ana.taps("Leave this session")
    assert "You left the session" in ana.last_text
    assert "A seat freed up" in yohana.last_text
    await yohana.taps("Take the seat")
    assert "The seat is yours" in yohana.texts_since_last_action[0]
    assert yohana.documents[-1].file_name.endswith(".ics")
    assert await states(bot, session_id) == {rosa.id: EnrollmentState.ENROLLED, yohana.id: EnrollmentState.ENROLLED}

    # A day before, then an hour before: Rosa and Yohana hear it, Ana (who left) does not.
    bot.clock.set(THURSDAY_10_LIMA - timedelta(hours=24) + timedelta(minutes=1))
    await bot.run_reminders()
    assert told(rosa, "Tomorrow: Leading an assembly") == 1 and told(yohana, "Tomorrow") == 1
    bot.clock.set(THURSDAY_10_LIMA - timedelta(minutes=59))
    await bot.run_reminders()
    assert told(rosa, "In one hour") == 1 and told(yohana, "In one hour") == 1
    assert told(ana, "Tomorrow") == 0 and told(ana, "In one hour") == 0
    async with await bot.session() as session:                 # the coordinator's act is audited
        assert "training.create" in set(await session.scalars(select(AuditEntry.action)))


async def test_a_seat_not_claimed_in_time_passes_to_the_next_in_line(bot):
    session_id = await add_session(bot, capacity=1)
    ana, rosa, yohana = [await leader(bot, name) for name in ("Ana", "Rosa", "Yohana")]
    for person in (ana, rosa, yohana):
        await person.sends(f"/start training_{session_id}")
        await person.taps("Enroll" if person is ana else "Join the waitlist")
    assert "number 2 on the waitlist" in yohana.last_text

    await ana.taps("Leave this session")
    assert "held for you until" in rosa.last_text
    bot.clock.advance(hours=24, minutes=1)                          # the claim deadline (24 h) passes
    await bot.run_reminders()
    assert "went to the next person" in rosa.last_text
    await bot.run_reminders()                                       # the next in line is told
    assert "A seat freed up" in yohana.last_text
    await rosa.taps_data(f"tr:take:{session_id}")                   # too late
    assert "no longer held for you" in rosa.last_alert
    await yohana.taps("Take the seat")
    assert await states(bot, session_id) == {yohana.id: EnrollmentState.ENROLLED}


async def test_a_moved_session_tells_its_list_and_moves_the_reminders(bot):
    luis = await coordinator(bot)
    session_id = await add_session(bot, capacity=5, by=luis)
    rosa = await leader(bot, "Rosa")
    await rosa.sends(f"/start training_{session_id}")
    await rosa.taps("Enroll")

    await luis.sends("/mysessions")
    await luis.taps("Leading an assembly")
    await luis.taps("Edit")
    await luis.taps("Start")
    await luis.sends("03/12/2026 10:00")
    await luis.taps("End")
    await luis.sends("13:00")
    await luis.taps("Save")
    assert "Everyone on the list has been told" in luis.last_text
    assert "moved to a new date" in rosa.last_text and "December 3" in rosa.last_text

    bot.clock.set(THURSDAY_10_LIMA - timedelta(hours=23))           # the old day's reminder time
    await bot.run_reminders()
    assert told(rosa, "Tomorrow") == 0
    bot.clock.set(THURSDAY_10_LIMA + timedelta(days=7) - timedelta(hours=23))
    await bot.run_reminders()
    assert told(rosa, "Tomorrow: Leading an assembly") == 1


async def test_a_cancelled_session_tells_its_list_and_cancels_the_reminders(bot):
    luis = await coordinator(bot)
    session_id = await add_session(bot, capacity=5, by=luis)
    rosa = await leader(bot, "Rosa")
    await rosa.sends(f"/start training_{session_id}")
    await rosa.taps("Enroll")
    await luis.sends("/mysessions")
    await luis.taps("Leading an assembly")
    await luis.taps("Cancel the session")
    await luis.taps("Yes, cancel it")
    assert "was cancelled" in rosa.last_text
    async with await bot.session() as session:
        pending = await session.scalar(select(func.count()).select_from(Reminder).where(Reminder.state == ReminderState.PENDING))
    assert pending == 0


async def test_check_in_by_code_feedback_a_certificate_that_verify_accepts_and_the_lists(bot):
    luis = await coordinator(bot)
    session_id = await add_session(bot, capacity=5)
    rosa, ana = await leader(bot, "Rosa"), await leader(bot, "Ana")
    for person in (rosa, ana):
        await person.sends(f"/start training_{session_id}")
        await person.taps("Enroll")

    bot.clock.set(THURSDAY_10_LIMA - timedelta(minutes=20))         # check-in opens 30 minutes before
    await luis.sends("/mysessions")
    await luis.taps("Leading an assembly")
    await luis.taps("Open check-in")
    code = re.search(r"/checkin (\w+)", luis.last_text).group(1)
    await rosa.sends("/checkin WRONG1")
    assert "not the check-in code" in rosa.last_text
    await rosa.sends(f"/checkin {code.lower()}")
    assert "Checked in" in rosa.last_text
    bot.clock.set(THURSDAY_10_LIMA + timedelta(hours=3))            # attendance closes once it ended
    await luis.taps("Close check-in")
    assert "1 person did not come" in luis.texts_since_last_action[-1]
    assert await states(bot, session_id) == {rosa.id: EnrollmentState.ATTENDED, ana.id: EnrollmentState.NO_SHOW}

    assert "How useful was it" in rosa.last_text
    await rosa.taps("5 ⭐")
    await rosa.sends("Muy útil, gracias")
    assert "Thank you!" in rosa.last_text

    await luis.taps_data(f"trc:xlsx:{session_id}")
    sheet = load_workbook(io.BytesIO(luis.documents[-1].content))["Attended"]
    assert [cell.value for cell in sheet[2]][:1] == ["Rosa Test"]
    assert str(rosa.id) not in str([cell.value for cell in sheet[2]])   # the Telegram id is masked

    await rosa.sends("/mytrainings")
    assert "attended" in rosa.last_text
    await rosa.taps("Certificate")
    pdf = PdfReader(io.BytesIO(rosa.documents[-1].content))
    text = pdf.pages[0].extract_text()
    assert "Rosa Test" in text
    certificate = re.search(r"Verification code: (\w+)", text).group(1)

    stranger = bot.user(first_name="Notaria", language_code="en")  # no consent needed to verify
    await stranger.sends(f"/verify {certificate}")
    assert "Genuine certificate" in stranger.last_text and "Rosa Test" in stranger.last_text
    await stranger.sends(f"/start verify_{certificate}")
    assert "Genuine certificate" in stranger.last_text
    await stranger.sends("/verify ABCD2345")
    assert "No certificate" in stranger.last_text
    await ana.taps_data(f"tr:cert:{session_id}")
    assert "given to those who attended" in ana.last_alert
    async with await bot.session() as session:                 # the coordinator's acts are audited
        actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"training.checkin_open", "training.roster_read"} <= actions


async def test_a_topic_vote_keeps_one_ballot_per_leader_up_to_the_limit_and_closes_with_a_chart(bot):
    luis = await coordinator(bot)
    await luis.sends("/topicvote")
    await luis.taps("2")
    assert "The topic vote is open" in luis.last_text
    rosa, ana = await leader(bot, "Rosa"), await leader(bot, "Ana")
    await rosa.sends("/topics")
    await rosa.taps("Data protection")
    await rosa.taps("Leadership")
    await rosa.taps("Basic design")                                 # a third: refused
    assert "already chose 2 topics" in rosa.last_alert
    await rosa.taps("✅ Leadership")                                # changed her mind
    await rosa.taps("Basic design")
    await ana.sends("/topics")
    await ana.taps("Data protection")

    await luis.sends("/topicvote")
    assert "2 leaders voted" in luis.last_text
    await luis.taps("Close the vote")
    assert heard(luis, "final tally") and heard(luis, "• Data protection: 2")
    assert luis.messages[-1].get("photo")
    async with await bot.session() as session:
        ballots = sorted((await session.execute(select(User.telegram_id, Ballot.topic).join(Ballot, Ballot.user_id == User.id))).all())
    assert ballots == sorted([(rosa.id, "data_protection"), (rosa.id, "basic_design"), (ana.id, "data_protection")])
    await rosa.taps("Leadership")                                   # after it closed
    assert "closed" in rosa.last_alert


async def test_a_prerequisite_is_checked_and_the_spanish_names_work(bot):
    session_id = await add_session(bot, prerequisite_topic="data_protection")
    rosa = await leader(bot, "Rosa", language="es")
    await rosa.sends(f"/start training_{session_id}")
    await rosa.taps("Inscribirme")
    assert "Protección de datos" in rosa.last_alert
    await rosa.sends("/miscapacitaciones")
    assert "Todavía no te inscribiste" in rosa.last_text


async def test_in_the_playground_luis_runs_a_full_session_today_and_a_topic_vote_is_open(bot):
    from bot.playground import seed

    await seed.seed(bot.runtime)
    await seed.seed(bot.runtime)                                    # adds nothing the second time
    luis = bot.user(seed.COORDINATOR.telegram_id, first_name="Luis", language_code="es")
    await luis.sends("/sesiones")
    await luis.taps("Cultura")
    assert "Enlace para compartir" in luis.last_text and "en la lista: 3" in luis.last_text
    assert "en lista de espera: 1" in luis.last_text
    await luis.taps("Abrir la asistencia")
    code = re.search(r"/asistencia (\w+)", luis.last_text).group(1)
    rosa = bot.user(seed.LEADER.telegram_id, first_name="Rosa", language_code="es")
    await rosa.sends(f"/asistencia {code}")
    assert "Asistencia registrada" in rosa.last_text
    await luis.sends("/votaciontemas")
    assert "Votaron 3 dirigentes" in luis.last_text


async def test_erasing_a_leader_takes_her_enrollments_certificates_ballots_and_drafts(bot):
    session_id = await add_session(bot, capacity=5)
    rosa = await leader(bot, "Rosa")
    await rosa.sends(f"/start training_{session_id}")
    await rosa.taps("Enroll")
    await rosa.sends("/mydata")
    assert "1 training session you signed up for" in rosa.last_text and "Leading an assembly: enrolled" in rosa.last_text
    await rosa.sends("/deletedata")
    await rosa.taps("Yes, erase my data")
    async with await bot.session() as session:
        left = await session.scalar(select(func.count()).select_from(Enrollment))
    assert left == 0


async def test_staff_make_a_coordinator_by_replying_role_to_a_message_of_theirs_they_forwarded(bot):
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    luis = await leader(bot, "Luis")
    forwarded = await staff.forwards("Hola, soy Luis", sender=luis)
    await staff.replies_to(forwarded, "/role")
    assert "Luis Test" in staff.last_text and "Role now: leader" in staff.last_text
    await staff.taps("Coordinator")
    await staff.taps("Yes, confirm")
    assert "Programme staff made you coordinator" in luis.last_text

    hidden = await staff.forwards("Hola, soy Marta", hidden_name="Marta")   # her privacy hides her account
    await staff.replies_to(hidden, "/role")
    assert "does not say who wrote it" in staff.last_text


async def test_more_places_go_to_those_waiting_and_a_closed_enrollment_or_a_double_tap_changes_nothing(bot):
    import asyncio

    luis = await coordinator(bot)
    session_id = await add_session(bot, capacity=1, by=luis)
    rosa, ana = await leader(bot, "Rosa"), await leader(bot, "Ana")
    await rosa.sends(f"/start training_{session_id}")
    await asyncio.gather(rosa.taps("Enroll"), rosa.taps("Enroll"))      # a double tap
    assert "already on the list" in rosa.last_alert
    await ana.sends(f"/start training_{session_id}")
    await ana.taps("Join the waitlist")

    await luis.sends("/mysessions")
    await luis.taps("Leading an assembly")
    await luis.taps("Edit")
    await luis.taps("Places")
    await luis.sends("2")
    await luis.taps("Save")
    assert "A seat freed up" in ana.last_text                            # the new place is offered
    await ana.taps("Take the seat")
    assert await states(bot, session_id) == {rosa.id: EnrollmentState.ENROLLED, ana.id: EnrollmentState.ENROLLED}

    closed = await add_session(bot, title="Closed", enroll_until=bot.clock.now() + timedelta(hours=1))
    bot.clock.advance(hours=2)
    await rosa.sends(f"/start training_{closed}")
    await rosa.taps("Enroll")
    assert "Enrollment for this session is closed" in rosa.last_alert


def test_a_certificate_in_spanish_keeps_every_letter_and_its_code():
    from bot.documents.certificate import CertificateText, certificate_pdf

    text = CertificateText(
        heading="Certificado de asistencia", preamble="Se certifica que", holder="Begoña Núñez Pérez",
        organization_line="de Asociación Cultural Puentes Llaneros", attended="asistió a la capacitación",
        session_title="Contabilidad básica", details="el 26 de noviembre de 2026, 3 horas", issuer="Programa",
        code_line="Código de verificación: K7M2QXAB", verify_hint="Escanea el código QR",
        verify_url="https://t.me/voces_bot?start=verify_K7M2QXAB",
    )
    extracted = PdfReader(io.BytesIO(certificate_pdf(text))).pages[0].extract_text()
    assert "Begoña Núñez Pérez" in extracted and "Asociación" in extracted and "K7M2QXAB" in extracted
