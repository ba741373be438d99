"""The trainings on WhatsApp through the Cloud API stand-in: a consented leader lists the sessions
(/capacitaciones), opens one, enrolls and receives the .ics as a document; a second person on a
full session waits in line and takes the seat the first one freed; check-in by code
(/asistencia), a wrong code asked again; /miscapacitaciones with a certificate as a PDF, and
/verificar; the rating asked after a session and its comment; the topic vote (/temas); the menu
lists the commands."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.people.models import User
from bot.trainings import record_screens
from bot.trainings.models import (
    Ballot,
    Certificate,
    Enrollment,
    EnrollmentState,
    TopicVote,
    TrainingSession,
)
from handlers.whatsapp.outgoing import send_screen
from tests.whatsapp_harness import arrives, consented, wa  # noqa: F401 - the fixture

CALLAO = "070101"


async def add_session(wa, title: str, *, starts_in: timedelta, capacity: int = 10, code: str | None = None,  # noqa: ANN001, F811
                      enrolled: tuple[str, ...] = (), state: EnrollmentState = EnrollmentState.ENROLLED) -> int:
    """A two-hour session in Callao; `code`: its check-in open with it; `enrolled` (wa_ids) in `state`."""
    now = wa.clock.now()
    async with wa.session() as session:
        training = TrainingSession(topic="leadership", title=title, starts_at=now + starts_in,
                                   ends_at=now + starts_in + timedelta(hours=2), venue="Casa comunal",
                                   district_ubigeo=CALLAO, capacity=capacity, created_at=now,
                                   checkin_open=code is not None, checkin_code=code)
        session.add(training)
        await session.flush()
        for wa_id in enrolled:
            user_id = await session.scalar(select(User.id).where(User.wa_id == wa_id))
            session.add(Enrollment(session_id=training.id, user_id=user_id, state=state, created_at=now))
        return training.id


async def states_of(wa, session_id: int) -> dict[str, EnrollmentState]:  # noqa: ANN001, F811
    async with wa.session() as session:
        rows = await session.execute(select(User.wa_id, Enrollment.state).join(Enrollment, Enrollment.user_id == User.id)
                                     .where(Enrollment.session_id == session_id))
        return dict(rows.all())


async def test_a_leader_enrolls_gets_the_event_waits_in_line_takes_a_seat_and_checks_in(wa):  # noqa: F811
    ana, rosa = wa.person("Ana Torres"), wa.person("Rosa Quispe")
    await consented(ana)
    await consented(rosa)
    taller = await add_session(wa, "Taller de liderazgo", starts_in=timedelta(days=2), capacity=1)
    asamblea = await add_session(wa, "Asamblea de hoy", starts_in=timedelta(minutes=20), code="K7M2QX",
                                 enrolled=(ana.wa_id,))

    await ana.writes("menu")                               # the commands are on the menu
    assert {"cmd:trainings", "cmd:mytrainings", "cmd:checkin"} <= {c.id for c in ana.choices}

    await ana.writes("/capacitaciones")
    assert "Próximas capacitaciones" in ana.last.text and "Taller de liderazgo" in ana.last.text
    assert f"tr:open:{taller}" in {c.id for c in ana.choices}
    await ana.presses(f"tr:open:{taller}")
    assert "wa.me/" in ana.last.text                       # the link to share opens it on WhatsApp
    assert [c.id for c in ana.choices][0] == f"tr:enroll:{taller}"
    await ana.presses(f"tr:enroll:{taller}")
    ics = next(file for file in ana.files if file.file_name.endswith(".ics"))
    assert ics.file_name == f"capacitacion-{taller}.ics" and b"Taller de liderazgo" in ics.content
    assert f"tr:leave:{taller}" in {c.id for c in ana.choices}   # the card again, last

    await rosa.writes(f"/capacitaciones training_{taller}")   # the shared link's text
    await rosa.presses(f"tr:enroll:{taller}")               # full: in line
    assert "Eres el número 1 de la lista de espera" in rosa.texts[0]
    assert await states_of(wa, taller) == {ana.wa_id: EnrollmentState.ENROLLED, rosa.wa_id: EnrollmentState.WAITLISTED}

    await ana.presses(f"tr:leave:{taller}")                 # the seat is held for Rosa
    assert (await states_of(wa, taller))[rosa.wa_id] is EnrollmentState.OFFERED
    # The offer, on her channel, by the engine the WhatsApp channel runs (before the press counts as answered).
    offer = await arrives(rosa, lambda m: "Se liberó un cupo" in m.text, timeout=1)
    assert "Se liberó un cupo" in offer.text and [c.id for c in offer.choices] == [f"tr:take:{taller}", f"tr:pass:{taller}"]
    await rosa.presses(f"tr:take:{taller}")
    assert any(file.file_name.endswith(".ics") for file in rosa.files)
    assert await states_of(wa, taller) == {rosa.wa_id: EnrollmentState.ENROLLED}

    await ana.writes("/asistencia")                         # the code asked for…
    await ana.writes("ZZZZZZ")                              # …a wrong one said so, and asked again
    assert "⚠️" in ana.last.text and "código de asistencia" in ana.last.text
    await ana.writes("k7m2qx")
    assert "Asistencia registrada" in ana.last.text and "Asamblea de hoy" in ana.last.text
    assert (await states_of(wa, asamblea))[ana.wa_id] is EnrollmentState.ATTENDED
    await ana.writes("/asistencia K7M2QX")                  # typed with the command: already in
    assert "Asamblea de hoy" not in ana.last.text and "⚠️" in ana.last.text

    await ana.writes("/miscapacitaciones")
    assert "Asamblea de hoy — asististe" in ana.last.text and "Taller de liderazgo" not in ana.last.text  # she left it


async def test_a_leader_gets_her_certificate_as_a_pdf_and_anyone_verifies_it(wa):  # noqa: F811
    ana, rosa = wa.person("Ana Torres"), wa.person("Rosa Quispe")
    await consented(ana)
    await consented(rosa)
    oratoria = await add_session(wa, "Taller de oratoria", starts_in=-timedelta(days=3), enrolled=(ana.wa_id,),
                                 state=EnrollmentState.ATTENDED)

    charla = await add_session(wa, "Charla de hoy", starts_in=timedelta(hours=1))
    await rosa.writes(f"/capacitaciones training_{charla}")
    wa.clock.advance(hours=2)                                # it began while her card was open
    await rosa.presses(f"tr:enroll:{charla}")                # refused: said so on the card, again
    assert "⚠️ Las inscripciones para esta sesión están cerradas" in rosa.last.text and "Charla de hoy" in rosa.last.text
    assert f"tr:enroll:{charla}" not in {c.id for c in rosa.choices} and await states_of(wa, charla) == {}

    await ana.writes("/miscapacitaciones")
    await ana.presses(f"tr:cert:{oratoria}")
    pdf = ana.files[-1]
    assert pdf.file_name.endswith(".pdf") and pdf.content.startswith(b"%PDF")
    async with wa.session() as session:
        code = await session.scalar(select(Certificate.code).where(Certificate.session_id == oratoria))
    assert code in pdf.file_name

    await rosa.writes("/verificar")                          # the code asked for, then typed
    await rosa.writes(code.lower())
    assert "Certificado auténtico" in rosa.last.text and "Ana Torres" in rosa.last.text
    await rosa.writes("/verificar ZZZZ2345")
    assert "Certificado auténtico" not in rosa.last.text and "ZZZZ2345" in rosa.last.text

    async with wa.session() as session:                     # the rating, as the notice asks it
        person = await session.scalar(select(User).where(User.wa_id == ana.wa_id))
        training = await session.get(TrainingSession, oratoria)
    await send_screen(wa.runtime, wa.sender, person=person, screen=record_screens.rating_question(wa.runtime.translator("es"), training))
    await ana.wait_for_message()
    await ana.presses(f"tr:rate:{oratoria}:5")
    await ana.writes("Muy útil, gracias")
    assert "El equipo de coordinación lo leerá" in ana.last.text
    async with wa.session() as session:
        rated = await session.scalar(select(Enrollment).where(Enrollment.session_id == oratoria))
        assert (rated.rating, rated.comment) == (5, "Muy útil, gracias")
    await ana.writes("/omitir")                              # nothing to skip now: not understood
    assert "No conozco ese comando" in ana.last.text


async def test_a_leader_votes_for_the_next_topics(wa):  # noqa: F811
    assert ("temas", "Vota por los temas de las próximas capacitaciones") in wa.standin.commands  # the "/" list
    ana = wa.person("Ana Torres")
    await consented(ana)
    await ana.writes("/temas")
    assert "no hay ninguna votación de temas abierta" in ana.last.text
    async with wa.session() as session:
        vote = TopicVote(max_choices=1, opened_at=wa.clock.now())
        session.add(vote)
        await session.flush()
        vote_id = vote.id
    await ana.writes("/temas")
    first, second = [c.id for c in ana.choices][:2]
    assert first.startswith(f"vote:pick:{vote_id}:")
    await ana.presses(first)
    assert next(c for c in ana.choices if c.id == first).title.startswith("✅")
    await ana.presses(second)                               # one topic at most: said, the ballot again
    assert "⚠️" in ana.last.text and not next(c for c in ana.choices if c.id == second).title.startswith("✅")
    async with wa.session() as session:
        assert list(await session.scalars(select(Ballot.topic))) == [first.rsplit(":", 1)[1]]
