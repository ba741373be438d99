"""The staff console (/org, /pending, /stats, /export, /indicators, /quiet, /audit), the
coordinator's districts, and every person's data rights (/mydata's file, erasure's totals,
retention)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from bot.console.models import AuditEntry, CoordinatorDistrict
from bot.messaging.models import Reminder, ReminderState
from bot.organizations.followup import CHECKIN_KIND
from bot.organizations.models import Organization
from bot.people import privacy
from bot.people.models import Role, User
from handlers import console
from handlers.commands import localized
from handlers.people import onboarding
from handlers.people.onboarding import STAFF_COMMANDS
from tests.flows import consented, register_organization

CALLAO_DISTRICT = "070103"  # Carmen de la Legua Reynoso


async def person(bot, telegram_id: int) -> User:
    async with await bot.session() as session:
        return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def two_organizations(bot, leader, other_leader) -> None:
    await consented(leader)
    await register_organization(leader)                                   # Carmen de la Legua, Callao
    await consented(other_leader)
    await register_organization(other_leader, name="Vecinos Unidos de Comas", district="comas", district_button="Comas",
                                number="001234568")


async def make_coordinator(bot, user, districts: list[str]) -> None:
    await consented(user)
    async with await bot.session() as session:
        found = await session.scalar(select(User).where(User.telegram_id == user.id))
        found.role = Role.COORDINATOR
        session.add_all(CoordinatorDistrict(user_id=found.id, district_ubigeo=code) for code in districts)


async def test_a_leader_is_refused_every_staff_command_and_crafted_console_buttons_in_spanish(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    # Every staff and coordinator command of the menus' tables, under its Spanish name.
    for name, _description in STAFF_COMMANDS + getattr(onboarding, "COORDINATOR_COMMANDS", ()):
        await newcomer.sends(f"/{localized(name, 'es')}")
        refusal = newcomer.last_text
        assert refusal.startswith("Solo ") and "equipo del programa" in refusal, (name, refusal)
    async with await bot.session() as session:
        organization_id = await session.scalar(select(Organization.id))
    for data in (f"con:org:{organization_id}", f"con:mark:{organization_id}:dissolved", "con:audit:a:p1", "con:ind:all",
                 "con:pending:p1", f"org:view:{organization_id}", f"con:audit:o{organization_id}:p1"):
        await newcomer.taps_data(data)
        assert "equipo" in (newcomer.last_alert or newcomer.last_text), data
    assert newcomer.documents == []
    async with await bot.session() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_staff_see_an_organization_by_part_of_its_name_and_the_read_is_audited(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await staff.sends("/org emprendedoras")                               # no accents, lower case
    card = staff.last_text
    assert "Mujeres Emprendedoras del Callao" in card
    assert "Carmen Rojas Pérez" in card and "****4567" in card and "001234567" not in card
    assert "Documentos listos" in card and "Marcar inactiva" in staff.buttons
    await staff.taps("Revisar el registro")                              # the registration card, as from /pending
    await staff.taps("✅ Verificar")
    await staff.sends("/auditoria emprendedoras")
    await staff.taps("🏠 Mujeres Emprendedoras")
    log = staff.last_text
    assert "leyó el estado de Mujeres Emprendedoras del Callao" in log and "abrió el registro de" in log and "verificó" in log
    async with await bot.session() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["org.read", "org.review.read", "org.verified", "audit.read"]


async def test_a_scoped_coordinator_sees_only_their_districts(bot, newcomer, staff):
    other = bot.user(first_name="Pedro", language_code="es")
    await two_organizations(bot, newcomer, other)
    luis = bot.user(first_name="Luis", language_code="es")
    await make_coordinator(bot, luis, [CALLAO_DISTRICT])

    await luis.sends("/org unidos")
    assert "Ninguna organización" in luis.last_text
    await luis.sends("/org e")
    assert "Mujeres Emprendedoras del Callao" in luis.last_text
    async with await bot.session() as session:
        comas = await session.scalar(select(Organization.id).where(Organization.name == "Vecinos Unidos de Comas"))
    await luis.taps_data(f"con:org:{comas}")                              # a crafted button out of scope
    assert "no está en los distritos" in (luis.last_alert or "")
    await luis.sends("/pendientes")
    assert "Mujeres Emprendedoras" in luis.last_text and "Comas" not in luis.last_text
    await luis.sends("/estadisticas")
    assert "Organizaciones acompañadas: 1" in " ".join(luis.texts_since_last_action)
    await luis.sends("/exportar")
    book = load_workbook(io.BytesIO(luis.documents[-1].content))
    names = [row[1] for row in book["Organizaciones"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Mujeres Emprendedoras del Callao"]

    await staff.sends("/pendientes")
    assert "Vecinos Unidos de Comas" in staff.last_text and "Mujeres Emprendedoras" in staff.last_text


async def test_stats_answer_with_numbers_and_a_chart_image(bot, newcomer, staff):
    other = bot.user(first_name="Pedro", language_code="es")
    await two_organizations(bot, newcomer, other)
    await staff.sends("/stats")
    texts = " ".join(staff.texts_since_last_action)
    assert "Organizaciones acompañadas: 2" in texts and "Comas: 1" in texts
    photo = next(m for m in reversed(staff.messages) if "photo" in m)
    content = bot.emulator._files[photo["photo"][-1]["file_id"]].content  # noqa: SLF001 - what the user would download
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG" and image.size[0] >= 600


async def test_the_export_opens_with_openpyxl_and_its_totals_equal_the_database(bot, newcomer, staff):
    other = bot.user(first_name="Pedro", language_code="es")
    await two_organizations(bot, newcomer, other)
    await staff.sends("/export")
    document = staff.documents[-1]
    assert document.file_name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(document.content))
    assert {"Organizaciones", "Dirigentes", "Juntas", "Proyectos", "Indicadores"} <= set(book.sheetnames)
    organizations = book["Organizaciones"]
    assert organizations.freeze_panes == "A2"
    rows = list(organizations.iter_rows(min_row=2, values_only=True))
    async with await bot.session() as session:
        count = await session.scalar(select(func.count()).select_from(Organization))
        members = await session.scalar(select(func.sum(Organization.members_peruvian + Organization.members_venezuelan + Organization.members_other)))
    assert len(rows) == count == 2
    headers = [cell.value for cell in organizations[1]]
    assert sum(row[headers.index("Miembros")] for row in rows) == members
    assert all(isinstance(row[headers.index("Fin del periodo de la junta")], datetime | date) for row in rows)
    board = list(book["Juntas"].iter_rows(min_row=2, values_only=True))
    assert all(str(row[-1]).startswith("****") for row in board) and "001234567" not in str(board)
    totals = {row[0]: row[1] for row in book["Indicadores"].iter_rows(min_row=2, values_only=True)}
    assert totals["Organizaciones acompañadas"] == 2


async def test_mydata_sends_every_record_as_json_and_a_readable_file(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.sends("/invite")
    await staff.sends("/org emprendedoras")                               # the leader sees who read their organization
    await newcomer.sends("/mydata")
    files = {f.file_name: f for f in newcomer.documents}
    data = json.loads(next(f.content for name, f in files.items() if name.endswith(".json")))
    records = data["records"]
    assert records["users"][0]["telegram_id"] == newcomer.id
    assert records["organizations"][0]["name"] == "Mujeres Emprendedoras del Callao"
    assert records["board_members"][0]["id_number_masked"] == "****4567"
    assert len(records["invites"]) == 1 and "token_hash" not in records["invites"][0]
    assert "001234567" not in json.dumps(data)
    assert [entry["action"] for entry in records["audit_entries"]] == ["org.read"]
    assert records["leaderships"][0]["role"] == "owner" and records["reminders"]           # board-term reminders
    readable = next(f.content for name, f in files.items() if name.endswith(".txt")).decode()
    assert "Mujeres Emprendedoras del Callao" in readable and "<b>" not in readable


async def test_after_erasure_programme_totals_stay_and_the_person_is_in_no_table(bot, newcomer, staff):
    other = bot.user(first_name="Pedro", language_code="es")
    await two_organizations(bot, newcomer, other)
    await staff.sends("/org emprendedoras")                               # an audit entry about the organization
    await staff.sends("/stats")
    before = " ".join(staff.texts_since_last_action)
    await newcomer.sends("/deletedata")
    await newcomer.taps("Sí, borrar mis datos")
    assert "Telegram" in newcomer.last_text                               # what Telegram itself keeps, and how to clear it
    await staff.sends("/stats")
    after = " ".join(staff.texts_since_last_action)
    assert "Organizaciones acompañadas: 2" in before and "Organizaciones acompañadas: 2" in after
    assert "Miembros: 60" in after and "peruanos: 20 · venezolanos: 40" in after.lower()
    from tests.test_consent_and_erasure import every_value_in_the_database

    everything = await every_value_in_the_database(bot)
    # (Pedro's organization, which stays, has the same board name and phone: flows.register_organization.)
    for trace in (str(newcomer.id), "001234567", "Mujeres Emprendedoras"):
        assert trace not in everything, trace


async def test_a_quiet_organization_is_checked_on_then_listed_then_marked_inactive(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await consented(staff)
    bot.clock.advance(timedelta(days=46))
    report = await console.run_followup(bot.runtime)
    assert len(report.checked_in) == 1
    await bot.run_reminders()
    assert "Hace un tiempo que no sabemos de Mujeres Emprendedoras del Callao" in newcomer.last_text
    await staff.sends("/quiet")
    assert "Ninguna organización" in staff.last_text                     # not yet: a week to answer
    bot.clock.advance(timedelta(days=8))
    report = await console.run_followup(bot.runtime)
    assert len(report.listed) == 1
    await staff.sends("/sin_contacto")
    assert "Mujeres Emprendedoras del Callao" in staff.last_text and "último contacto" in staff.last_text
    await staff.taps("1. Inactiva")
    assert "ahora está inactiva" in staff.last_text
    await staff.taps("1. Inactiva")                                       # a second tap
    assert "ya estaba hecho" in (staff.last_alert or "").lower() or "ya se hizo" in (staff.last_alert or "").lower()
    bot.clock.advance(timedelta(days=60))
    report = await console.run_followup(bot.runtime)
    assert report.checked_in == []                                        # no more check-ins
    await staff.sends("/stats")
    assert "inactiva: 1" in " ".join(staff.texts_since_last_action)


async def test_retention_erases_people_who_withdrew_and_never_came_back(bot, newcomer):
    await consented(newcomer)
    await register_organization(newcomer)
    async with await bot.session() as session:
        await privacy.withdraw_consent(session, telegram_id=newcomer.id, now=bot.clock.now(), claim=timedelta(hours=24))
    bot.clock.advance(timedelta(days=30))
    report = await console.run_retention(bot.runtime)
    assert report.people_erased == 0
    bot.clock.advance(timedelta(days=61))
    report = await console.run_retention(bot.runtime)
    assert report.people_erased == 1
    assert await person(bot, newcomer.id) is None
    async with await bot.session() as session:
        assert await session.scalar(select(func.count()).select_from(Organization)) == 0
        assert (await session.scalars(select(Reminder).where(Reminder.state == ReminderState.PENDING))).all() == []


async def test_the_playground_seeds_a_quiet_organization_and_a_scoped_coordinator(bot, staff):
    from bot.playground import seed

    await seed.seed(bot.runtime)
    await seed.seed(bot.runtime)                                           # seeding again adds nothing twice
    await staff.sends("/sin_contacto")
    assert "Comedor Popular Nueva Esperanza" in staff.last_text
    luis = bot.user(seed.COORDINATOR.telegram_id, first_name="Luis", language_code="es")
    await luis.sends("/org comedor")
    assert "Ninguna organización" in luis.last_text
    await luis.sends("/org canto grande")
    assert "Vecinos Unidos de Canto Grande" in luis.last_text
    await staff.sends("/pendientes")                                       # one of each kind waits for Carmen
    for waiting in ("Propuesta de proyecto: Comedor Popular Nueva Esperanza — Cocina mejorada",
                    "Documento del RUOS por revisar: Asociación Cultural Puentes Llaneros — Acta de elección",
                    "Difusión esperando aprobación", "Registro por verificar: Vecinos Unidos de Canto Grande"):
        assert waiting in staff.last_text, waiting
    await staff.taps("2. 📄 Asociación Cultural")
    assert staff.documents[-1].content.startswith(b"%PDF-")                 # the minutes to review
    await staff.sends("/pendientes")                                       # Luis's broadcast: Carmen approves it
    await staff.taps(next(label for label in staff.buttons if "Difusión" in label))
    assert "✅ Aprobar" in staff.buttons and "Hay nuevas capacitaciones" in staff.last_text
    await luis.sends("/pendientes")                                        # not his own to approve
    assert "Difusión esperando aprobación" not in luis.last_text
    # Every staff command on the seeded data, as Carmen would try them (no error, each answers).
    for line in ("/org emprendedoras", "/estadisticas", "/exportar", "/auditoria", "/distritos"):
        await staff.sends(line)
        assert staff.texts_since_last_action or staff.documents, line
    await staff.sends("/indicadores")
    await staff.taps("Desde el inicio")
    assert staff.documents[-1].file_name.startswith("voces-indicadores-desde-el-inicio-")


BENEFICIARIES = {
    "peruvian": {"total": 10, "sex": {"female": 6, "male": 4, "unstated": 0}, "age": {"0_11": 2, "12_17": 3, "18_59": 4, "60_plus": 1}},
    "venezuelan": {"total": 5, "sex": {"female": 3, "male": 2, "unstated": 0}, "age": {"0_11": 1, "12_17": 1, "18_59": 3, "60_plus": 0}},
    "other": {"total": 0, "sex": {}, "age": {}},
}


async def a_funded_project_with_an_approved_report_and_a_proposal(bot) -> None:
    from bot.projects.models import Project, ProjectReport, ProjectStatus, ReportStatus

    now = bot.clock.now()
    async with await bot.session() as session:
        organization_id = await session.scalar(select(Organization.id).where(Organization.name == "Mujeres Emprendedoras del Callao"))
        funded = Project(organization_id=organization_id, title="Huertos en casa", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                         report_due_on=None, created_at=now, status=ProjectStatus.FUNDED, granted_cents=500_000)
        proposal = Project(organization_id=organization_id, title="Taller de costura", starts_on=date(2027, 1, 1),
                           ends_on=date(2027, 6, 30), report_due_on=None, created_at=now, status=ProjectStatus.PROPOSAL, sent_at=now)
        session.add_all([funded, proposal])
        await session.flush()
        session.add_all([
            ProjectReport(project_id=funded.id, number=1, period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
                          due_on=date(2026, 7, 10), status=ReportStatus.APPROVED, version=1, approved_version=1,
                          beneficiaries=BENEFICIARIES, approved_beneficiaries=BENEFICIARIES, approved_spent_cents=250_000, updated_at=now),
            ProjectReport(project_id=funded.id, number=2, period_start=date(2026, 7, 1), period_end=date(2026, 12, 31),
                          due_on=date(2027, 1, 10), status=ReportStatus.SUBMITTED, version=1, submitted_at=now, updated_at=now),
        ])


async def test_projects_reports_and_beneficiaries_reach_pending_org_stats_and_export_and_outlive_erasure(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await a_funded_project_with_an_approved_report_and_a_proposal(bot)
    from bot.broadcasts.models import Broadcast, BroadcastState

    async with await bot.session() as session:
        session.add(Broadcast(state=BroadcastState.AWAITING_APPROVAL, texts={"es": "Hola"}, audience={}, created_at=bot.clock.now()))
    await staff.sends("/pending")
    waiting = staff.last_text
    assert "Taller de costura" in waiting and "Huertos en casa" in waiting and "Difusión esperando aprobación" in waiting
    buttons = [button["callback_data"] for row in staff.last_message["reply_markup"]["inline_keyboard"] for button in row]
    assert any(data.startswith("bc:show:") for data in buttons) and any(data.startswith("rep:rv:") for data in buttons)
    await staff.sends("/org emprendedoras")
    assert "Huertos en casa" in staff.last_text and "Informe 2" in staff.last_text
    await staff.sends("/stats")
    assert "Personas alcanzadas: 15" in " ".join(staff.texts_since_last_action)
    await staff.sends("/export")
    book = load_workbook(io.BytesIO(staff.documents[-1].content))
    beneficiaries = [row for row in book["Beneficiarios"].iter_rows(min_row=2, values_only=True) if isinstance(row[0], int)]
    assert [row[4] for row in beneficiaries] == [15]
    assert len([row for row in book["Informes"].iter_rows(min_row=2, values_only=True) if isinstance(row[0], int)]) == 2

    await newcomer.sends("/deletedata")
    await newcomer.taps("Sí, borrar mis datos")
    await staff.sends("/stats")
    after = " ".join(staff.texts_since_last_action)
    assert "Personas alcanzadas: 15" in after and "Proyectos financiados: 1" in after


async def a_session_the_leader_attended(bot, telegram_id: int) -> None:
    from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession

    now = bot.clock.now()
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
        training = TrainingSession(topic="leadership", title="Liderazgo comunitario", starts_at=now - timedelta(days=2),
                                   ends_at=now - timedelta(days=2) + timedelta(hours=2), venue="Local comunal", capacity=20, created_at=now)
        session.add(training)
        await session.flush()
        session.add(Enrollment(session_id=training.id, user_id=user_id, state=EnrollmentState.ATTENDED, created_at=now,
                               attended_at=now - timedelta(days=2)))


async def test_trainings_attended_reach_org_stats_and_export_and_outlive_erasure(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await a_session_the_leader_attended(bot, newcomer.id)
    await staff.sends("/org emprendedoras")
    assert "Liderazgo comunitario" in staff.last_text
    await staff.sends("/stats")
    assert "Personas capacitadas: 1" in " ".join(staff.texts_since_last_action)
    await staff.sends("/export")
    book = load_workbook(io.BytesIO(staff.documents[-1].content))
    rows = list(book["Inscripciones"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[6]) for row in rows] == [("Liderazgo comunitario", "asistió")]
    assert isinstance(rows[0][3], datetime)

    await newcomer.sends("/deletedata")
    await newcomer.taps("Sí, borrar mis datos")
    await staff.sends("/stats")
    assert "Personas capacitadas: 1" in " ".join(staff.texts_since_last_action)


async def test_staff_scope_a_coordinator_to_districts_with_scope(bot, newcomer, staff):
    other = bot.user(first_name="Pedro", language_code="es")
    await two_organizations(bot, newcomer, other)
    luis = bot.user(first_name="Luis", language_code="es")
    await make_coordinator(bot, luis, [])
    coordinator = await person(bot, luis.id)
    await staff.sends("/distritos")
    assert f"#{coordinator.id} Luis: todos los distritos" in staff.last_text
    await staff.sends(f"/distritos {coordinator.id} comas")
    assert "ahora acompaña Comas" in staff.last_text
    await luis.sends("/org e")
    assert "Vecinos Unidos de Comas" in luis.last_text and "Mujeres" not in luis.last_text
    await staff.sends(f"/distritos {coordinator.id} todos")
    await luis.sends("/org e")
    assert "¿Cuál?" in luis.last_text
    await luis.sends(f"/distritos {coordinator.id} comas")                 # a coordinator cannot widen their own scope
    assert "Solo el equipo del programa" in luis.last_text


async def test_a_person_corrects_their_name_and_a_bad_answer_is_asked_again(bot, newcomer):
    await consented(newcomer)
    await newcomer.sends("/corregir")
    assert "Carmen Rojas" in newcomer.last_text
    await newcomer.taps("✏️ Corregir mi nombre")
    await newcomer.sends("\u200b\u200b")                                    # only invisible characters
    assert "¿Cómo debe llamarte el programa?" in newcomer.last_text
    await bot.restart()                                                   # the step is durable
    await newcomer.sends("Carmen Rosa Rojas")
    assert "Carmen Rosa Rojas" in newcomer.last_text
    assert (await person(bot, newcomer.id)).display_name == "Carmen Rosa Rojas"


async def test_someone_who_withdrew_consent_is_sent_no_reminder(bot, newcomer):
    from bot.messaging import reminders as engine

    await consented(newcomer)
    async with await bot.session() as session:
        user = await session.scalar(select(User).where(User.telegram_id == newcomer.id))
        await privacy.withdraw_consent(session, telegram_id=newcomer.id, now=bot.clock.now(), claim=timedelta(hours=24))
        await engine.schedule(session, key="test:after-withdrawal", recipient_id=user.id, kind=CHECKIN_KIND,
                              payload={"organization_id": 1}, due_at=bot.clock.now(), urgent=True)
    before = len(newcomer.messages)
    await bot.run_reminders()
    assert len(newcomer.messages) == before


async def test_giving_someone_a_role_is_in_the_audit_log(bot, newcomer, staff):
    from bot.people import roles

    await consented(newcomer)
    await consented(staff)
    async with await bot.session() as session:
        lucia = await session.scalar(select(User).where(User.telegram_id == staff.id))
        carmen = await session.scalar(select(User).where(User.telegram_id == newcomer.id))
        await roles.change_role(session, staff_id=lucia.id, user_id=carmen.id, role=Role.COORDINATOR, now=bot.clock.now())
    await staff.sends("/audit")
    assert f"Lucía: cambió el rol de alguien (persona {carmen.id})" in staff.last_text


async def new_address(leader, address: str) -> None:
    await leader.sends("/myorg")
    await leader.taps("Editar un dato")
    await leader.taps("Dirección")
    await leader.sends(address)


async def test_retention_deletes_replaced_uploads_old_audit_entries_and_old_edits_but_keeps_current_documents(bot, newcomer, staff):
    from bot.organizations.models import OrganizationChange
    from bot.ruos.models import StoredFile
    from tests.test_consent_and_erasure import OTHER_PDF, PDF, upload_to_the_first_item

    await consented(newcomer)
    await register_organization(newcomer)
    await upload_to_the_first_item(newcomer, PDF, "solicitud.pdf")
    await newcomer.sends("/ruos")
    await newcomer.taps("Solicitud con declaración")
    await newcomer.taps("Retirar")
    await newcomer.taps("Sí, retirar")                                  # the first page is kept, superseded
    await upload_to_the_first_item(newcomer, OTHER_PDF, "solicitud-2.pdf")
    await staff.sends("/org emprendedoras")                               # an audit entry
    await new_address(newcomer, "Jr. Las Flores 456")                     # its history keeps the old one
    files_before = [path for path in bot.storage_dir.rglob("*") if path.is_file()]
    assert len(files_before) == 2

    bot.clock.advance(timedelta(days=181))
    report = await console.run_retention(bot.runtime)
    assert (report.uploads, report.audit_entries, report.organization_changes, report.people_erased) == (1, 0, 0, 0)
    async with await bot.session() as session:
        assert list(await session.scalars(select(StoredFile.original_name))) == ["solicitud-2.pdf"]
    assert len([path for path in bot.storage_dir.rglob("*") if path.is_file()]) == 1
    await new_address(newcomer, "Jr. Los Pinos 789")                      # 181 days after the first edit

    bot.clock.advance(timedelta(days=550))
    report = await console.run_retention(bot.runtime)
    assert (report.audit_entries, report.organization_changes) == (1, 1)
    async with await bot.session() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0
        # The first edit (and the first address in it) is gone; the later one is 550 days old.
        kept = (await session.execute(select(OrganizationChange.old_value, OrganizationChange.new_value))).all()
        assert kept == [("Jr. Las Flores 456", "Jr. Los Pinos 789")]
