"""A programme year, scripted, then every screen staff read the figures on: /indicators, /stats,
/export and /proposals agree figure by figure, each figure from the one registry
(bot/console/figures/registry.py), and stay after an erasure. Registros Públicos: the
inscription is recorded when its last step is verified, shown on the card and counted.

The history is written straight to the database (a year through the chat would take the whole
suite's time); the screens, the verification and the inscription are the chat's."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from bot.console import figures as programme
from bot.core.validation import InvalidInput
from bot.organizations.models import (
    BoardMember,
    BoardRole,
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.people.models import Nationality, Role, Sex, User
from bot.people.people import CONSENT_NOTICE_VERSION
from bot.projects.models import Project, ProjectEvent, ProjectReport, ProjectStatus, ReportStatus
from bot.ruos.models import ChecklistItem, ItemStatus, RegistrationStage, RuosRegistration
from bot.ruos.public_registry import PROCEDURE, parse_partida
from bot.trainings.models import (
    Ballot,
    Certificate,
    Enrollment,
    EnrollmentState,
    TopicVote,
    TrainingSession,
)
from tests.test_staff_console import BENEFICIARIES

CALLAO, COMAS = "070101", "150110"
FEW = {"venezuelan": {"total": 5, "sex": {"female": 5, "male": 0, "unstated": 0}, "age": {"0_11": 5, "12_17": 0, "18_59": 0, "60_plus": 0}}}


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)


async def a_programme_year(bot) -> dict[str, int]:
    """Two organizations, three leaders, a board, five proposals through every stage, reports
    (one approved before its period ends), sessions, certificates and a topic vote."""
    now = bot.clock.now()
    cipher = bot.runtime.cipher
    async with await bot.session() as session:
        people = {}
        for name, sex, nationality in (("Ana", Sex.FEMALE, Nationality.VENEZUELAN), ("Bea", None, None), ("Carlos", Sex.MALE, Nationality.PERUVIAN),
                                       ("Diego", Sex.MALE, Nationality.VENEZUELAN), ("Eva", Sex.FEMALE, Nationality.PERUVIAN)):
            person = bot.user(first_name=name, language_code="es")
            people[name] = User(telegram_id=person.id, display_name=name, language="es", role=Role.LEADER, sex=sex, nationality=nationality,
                                consent_version=CONSENT_NOTICE_VERSION, consent_at=now, first_seen=now, last_seen=now)
        callao, comas = (Organization(name=name, kind=OrganizationKind.OSB, district_ubigeo=district, address="Av. 1", founded_year=2020,
                                      contact_phone="+51987654321", board_term_start=date(2025, 1, 1), board_term_end=date(2027, 1, 1),
                                      status=VerificationStatus.VERIFIED, created_at=at(date(2026, 2, 1)), updated_at=now,
                                      members_peruvian=10, members_venezuelan=20)
                         for name, district in (("Mujeres Emprendedoras del Callao", CALLAO), ("Vecinos Unidos de Comas", COMAS)))
        session.add_all([*people.values(), callao, comas])
        await session.flush()
        session.add_all([
            Leadership(user_id=people["Ana"].id, organization_id=callao.id, role=LeaderRole.OWNER, joined_at=at(date(2026, 2, 1)), acting=True),
            Leadership(user_id=people["Bea"].id, organization_id=callao.id, role=LeaderRole.CO_LEADER, joined_at=at(date(2026, 3, 1))),
            Leadership(user_id=people["Carlos"].id, organization_id=comas.id, role=LeaderRole.OWNER, joined_at=at(date(2026, 2, 1)), acting=True),
            *(BoardMember(organization_id=org.id, position=n, role=BoardRole.PRESIDENT if n == 0 else BoardRole.SECRETARY, full_name=f"Persona {n}",
                          id_document_type="DNI", id_number_encrypted=cipher.encrypt(f"4567890{n}")) for org, n in ((callao, 0), (callao, 1), (comas, 0))),
            RuosRegistration(organization_id=callao.id, stage=RegistrationStage.REGISTERED, ruos_number="RUOS-12", resolution_date=date(2026, 6, 1),
                             updated_at=now),
        ])
        # Five proposals: advised, selected, funded (one starting next year), not selected, closed.
        stages = {
            "Huertos": (callao, date(2026, 1, 1), date(2026, 12, 31), ["comment", "selected", "funded"]),
            "Costura": (comas, date(2027, 1, 1), date(2027, 6, 30), ["selected", "funded"]),
            "Murales": (comas, date(2026, 8, 1), date(2026, 12, 31), ["not_selected"]),
            "Radio": (callao, date(2026, 3, 1), date(2026, 9, 30), ["selected", "funded", "implementing", "closed"]),
            "Biblioteca": (callao, date(2027, 3, 1), date(2027, 9, 30), []),
        }
        projects = {}
        for title, (org, starts, ends, moves) in stages.items():
            status = ProjectStatus(next((m for m in reversed(moves) if m != "comment"), "proposal"))
            project = projects[title] = Project(organization_id=org.id, title=title, starts_on=starts, ends_on=ends, created_at=at(date(2026, 4, 1)),
                                                sent_at=at(date(2026, 4, 1)), status=status)
            session.add(project)
            await session.flush()
            for n, move in enumerate(moves):
                when = at(date(2026, 5, 1 + n))
                session.add(ProjectEvent(project_id=project.id, comment="Mejor así", at=when) if move == "comment" else
                            ProjectEvent(project_id=project.id, from_status="x", to_status=move, at=when))
        for number, (start, end, people_reached) in enumerate(((date(2026, 1, 1), date(2026, 6, 30), BENEFICIARIES),
                                                               (date(2026, 7, 1), date(2026, 12, 31), FEW)), start=1):
            report = ProjectReport(project_id=projects["Huertos"].id, number=number, period_start=start, period_end=end, due_on=end,
                                   status=ReportStatus.APPROVED, version=1, approved_version=1, beneficiaries=people_reached,
                                   approved_beneficiaries=people_reached, approved_spent_cents=1000, updated_at=now)
            session.add(report)
            await session.flush()
            # The second is approved today, before its period ends: it counts from today.
            session.add(ProjectEvent(project_id=projects["Huertos"].id, report_id=report.id, to_status="approved",
                                     at=at(date(2026, 7, 10)) if number == 1 else now))
        sessions = [TrainingSession(topic=topic, title=topic, starts_at=at(day), ends_at=at(day) + timedelta(hours=2), venue="Local",
                                    capacity=20, created_at=now, cancelled_at=now if cancelled else None)
                    for topic, day, cancelled in (("leadership", date(2026, 9, 1), False), ("tax", date(2026, 10, 1), False),
                                                  ("tax", date(2026, 10, 8), True), ("leadership", date(2026, 12, 20), False))]
        session.add_all(sessions)
        await session.flush()
        # Ana leads an organization; Diego and Eva lead none.
        for name, held in (("Ana", sessions[0]), ("Ana", sessions[1]), ("Diego", sessions[0]), ("Eva", sessions[1])):
            session.add(Enrollment(session_id=held.id, user_id=people[name].id, state=EnrollmentState.ATTENDED, created_at=now,
                                   attended_at=held.starts_at))
        session.add_all([Certificate(code=f"C{n}", session_id=sessions[0].id, user_id=people[name].id, holder_name=name, issued_at=at(date(2026, 9, 2)))
                         for n, name in enumerate(("Ana", "Diego"))])
        vote = TopicVote(max_choices=2, opened_at=at(date(2026, 11, 1)))
        session.add(vote)
        await session.flush()
        session.add_all([Ballot(vote_id=vote.id, user_id=people[name].id, topic=topic)
                         for name, topic in (("Ana", "tax"), ("Ana", "leadership"), ("Carlos", "tax"))])
        # Registros Públicos: every step verified but the last, which waits for staff.
        procedure = next(p for p in bot.runtime.requirements.formalization() if p.code == PROCEDURE)
        items = [item for item in procedure.items if item.required]
        for item in items:
            session.add(ChecklistItem(organization_id=callao.id, procedure_code=PROCEDURE, item_code=item.code, revision=1, updated_at=now,
                                      status=ItemStatus.UPLOADED if item is items[-1] else ItemStatus.VERIFIED, uploaded_at=now))
        await session.flush()
        last = await session.scalar(select(ChecklistItem.id).where(ChecklistItem.item_code == items[-1].code))
        return {**{name: people[name].telegram_id for name in ("Ana", "Bea", "Carlos")}, "last_item": last}


def sheet_of(content: bytes, name: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content))[name].iter_rows(values_only=True))


def figures_on(rows: list[tuple]) -> dict[str, object]:
    return {row[0]: row[1] for row in rows[2:] if row and row[0]}


async def every_screen(bot, staff) -> dict[str, dict[str, object]]:
    """Each registry figure as each screen shows it, by its Spanish name."""
    names = [bot.runtime.translator("es").gettext(figure.name) for figure in programme.FIGURES]
    await staff.sends("/indicadores")
    await staff.taps("Desde el inicio")
    indicators = figures_on(sheet_of(staff.documents[-1].content, "Indicadores"))
    in_chat = dict(line.rsplit(": ", 1) for text in staff.texts_since_last_action for line in text.splitlines()
                   if ": " in line and not line.startswith(" "))
    await staff.sends("/estadisticas")
    stats = dict(line.rsplit(": ", 1) for text in staff.texts_since_last_action for line in text.splitlines()
                 if ": " in line and not line.startswith(" "))
    await staff.sends("/exportar")
    export = figures_on(sheet_of(staff.documents[-1].content, "Indicadores"))
    return {
        "indicators": {name: indicators[name] for name in names},
        "every row": indicators,
        "indicators message": {name: int(in_chat[name]) for name in names},
        "stats": {name: int(stats[name]) for name in names},
        "export": {name: export[name] for name in names},
    }


async def test_a_programme_year_reads_the_same_on_every_screen_and_after_an_erasure(bot, staff):
    ids = await a_programme_year(bot)
    await staff.sends("/start")

    # Registros Públicos: verifying the last step offers to record the inscription.
    await staff.taps_data(f"ruos:ok:{ids['last_item']}:1")
    await staff.taps("📝 Registrar la inscripción")
    await staff.sends("15/11/2026")
    await staff.sends("Zona Registral IX, Lima")
    await staff.sends("partida 12-ab")                                     # not a partida: the same question again
    assert "no parece un número de partida" in staff.last_text and "partida electrónica" in staff.last_text
    await staff.sends("P.E. 11223344")
    assert "Inscrita en Registros Públicos el 15 nov 2026, Zona Registral IX, Lima, partida electrónica P.E. 11223344" in staff.last_text
    await staff.sends("/org emprendedoras")
    assert "partida electrónica P.E. 11223344" in staff.last_text

    screens = await every_screen(bot, staff)
    shown = screens["indicators"]
    for screen, values in screens.items():
        assert screen == "every row" or values == shown, screen
    expected = {
        "Organizaciones acompañadas": 2, "Inscritas en el RUOS": 1, "Inscritas en Registros Públicos": 1, "Dirigentes": 3,
        "Miembros de junta con documento de identidad": 3, "Propuestas recibidas": 5, "Propuestas asesoradas": 1,
        "Propuestas seleccionadas": 3, "Proyectos financiados": 3, "Propuestas no seleccionadas": 1, "Proyectos cerrados": 1,
        "Personas alcanzadas": 20, "Sesiones de capacitación realizadas": 2, "Personas capacitadas": 3, "Certificados emitidos": 2,
        "Votos emitidos": 2,
    }
    assert {name: shown.get(name) for name in expected} == expected, shown
    # Each figure's row says how it is counted.
    rows = sheet_of(staff.documents[-1].content, "Indicadores")
    notes = {row[0]: row[2] for row in rows}
    assert "aprobó por primera vez" in notes["Personas alcanzadas"] and notes["Personas alcanzadas"].endswith("Lo que ocurrió durante el periodo.")
    assert notes["Dirigentes"].endswith("Como estaba al final del periodo.")
    parts = figures_on(rows)
    assert (parts["Personas capacitadas: dirigentes de una organización"], parts["Personas capacitadas: otros miembros"]) == (1, 2)
    assert (parts["Dirigentes: titulares"], parts["Dirigentes: codirigentes"], parts["Dirigentes: sexo sin indicar"]) == (2, 1, 1)

    # /export's tables add up to the same people reached, name codes in Spanish, and show the inscription.
    book = staff.documents[-1].content
    reports = [row for row in sheet_of(book, "Informes") if isinstance(row[0], int)]
    assert sum(row[-1] for row in reports) == 20 and {row[8] for row in reports} == {"aprobado"}
    assert any("cuenta" in str(row[0]) for row in sheet_of(book, "Informes")[-1:])   # the note under the table
    organizations = sheet_of(book, "Organizaciones")
    header = organizations[0]
    assert "OSB" in organizations[1][header.index("Tipo")] and organizations[1][header.index("Partida electrónica")] == "P.E. 11223344"
    enrollments = sheet_of(book, "Inscripciones")
    assert {row[6] for row in enrollments[1:] if row and row[0]} == {"asistió"}
    assert "Peruana / mujeres / 0–11" in sheet_of(book, "Beneficiarios")[0]
    assert staff.documents[-1].file_name.startswith("voces-exportacion-")
    await staff.sends("/propuestas")
    assert "Personas alcanzadas: 20" in staff.last_text

    # Carlos erases his data, and his organization goes with it: every figure stays.
    carlos = bot.user(ids["Carlos"], first_name="Carlos", language_code="es")
    await carlos.sends("/misdatos")                                      # his files are named in his language
    assert {f.file_name.rsplit("-", 3)[0] for f in carlos.documents} == {"voces-mis-datos"}
    await carlos.sends("/borrardatos")
    await carlos.taps("Sí, borrar mis datos")
    async with await bot.session() as session:
        assert await session.scalar(select(Organization.id).where(Organization.district_ubigeo == COMAS)) is None
    after = await every_screen(bot, staff)
    assert after == screens
    # Then both leaders of the Callao organization: it goes, with its inscription, board, projects,
    # reports, trainings, certificates and ballots, and still every figure and every part stays.
    for name in ("Bea", "Ana"):
        leader = bot.user(ids[name], first_name=name, language_code="es")
        await leader.sends("/borrardatos")
        await leader.taps("Sí, borrar mis datos")
    async with await bot.session() as session:
        assert await session.scalar(select(Organization.id)) is None
    assert await every_screen(bot, staff) == screens


def test_a_partida_electronica_is_kept_as_typed_when_it_has_the_shape_of_one():
    assert parse_partida(" 11223344 ") == "11223344"
    assert parse_partida("Partida N° 11 223 344") == "Partida N° 11 223 344"
    for wrong in ("1122", "11223344556677", "abc11223344", "P.E. 1122-33", ""):
        try:
            parse_partida(wrong)
        except InvalidInput:
            continue
        raise AssertionError(wrong)


async def test_in_the_playground_carmen_sees_every_figure_with_something_in_it(bot):
    from bot.playground import seed

    await seed.seed(bot.runtime)
    await seed.seed(bot.runtime)                                           # seeding again adds nothing twice
    carmen = bot.user(seed.STAFF.telegram_id, first_name="Carmen", language_code="es")
    await carmen.sends("/indicadores")
    await carmen.taps("Desde el inicio")
    shown = figures_on(sheet_of(carmen.documents[-1].content, "Indicadores"))
    names = [bot.runtime.translator("es").gettext(figure.name) for figure in programme.FIGURES]
    empty = [name for name in names if not shown[name]]
    assert empty == [], empty
    assert shown["Inscritas en Registros Públicos"] == 1 and shown["Proyectos cerrados"] == 1 and shown["Certificados emitidos"] == 2
    await carmen.sends("/org emprendedoras")
    assert "Inscrita en Registros Públicos" in carmen.last_text
    rosa = bot.user(seed.LEADER.telegram_id, first_name="Rosa", language_code="es")
    await rosa.sends("/miorg")                                            # and so does Rosa's own card
    assert "Inscrita en Registros Públicos" in rosa.last_text and "partida electrónica 11223344" in rosa.last_text
