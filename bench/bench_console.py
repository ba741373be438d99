"""How the staff console copes with a programme of 1 000 organizations.

    .venv/bin/python -m bench console
    VOCES_BENCH_POSTGRES_URL=postgresql://user@localhost/postgres .venv/bin/python -m bench console

Fills a fresh database (SQLite, and PostgreSQL when the variable is set) with 1 000
organizations in ten districts, each with a board of three, two leaders, a RUOS registration,
a funded project and two approved reports, and 2 000 training attendances; then times what a
staff member's commands do, without Telegram:

- figures: the one figures service behind /stats, /indicators and /export's totals;
- chart: the /stats image, drawn off-screen;
- export: every table of /export and the XLSX written (its size is shown);
- org: /org's search by part of a name and one organization's whole status;
- sweep: the daily follow-up pass over every organization.

Exits 1 when a target is missed.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time as wall
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

import bot.models  # noqa: F401  (every table, for create_all)
from bench import (
    Row,
    any_failed,
    create_postgres_database,
    drop_postgres_database,
    print_table,
    verdict,
)
from bot.console import audit, console, exports
from bot.console import figures as figures_service
from bot.core.db import Base, Database
from bot.documents import charts, workbook
from bot.organizations import followup
from bot.organizations.models import (
    BoardMember,
    BoardRole,
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.people.models import Role, User
from bot.projects.models import Project, ProjectReport, ProjectStatus, ReportStatus
from bot.ruos.models import RegistrationStage, RuosRegistration
from bot.ruos.requirements import RequirementsCatalogue
from bot.trainings.models import Enrollment, EnrollmentState, Topic, TrainingSession

ORGANIZATIONS = 1_000
DISTRICTS = ("070101", "150132", "150103", "150110", "150135", "150142", "150117", "150143", "070106", "150115")
ZONE = ZoneInfo("America/Lima")
TARGETS = {"figures_s": 1.0, "chart_s": 2.0, "export_s": 6.0, "org_s": 0.5, "sweep_s": 3.0}
BENEFICIARIES = {
    "peruvian": {"total": 10, "sex": {"female": 6, "male": 4, "unstated": 0}, "age": {"0_11": 2, "12_17": 3, "18_59": 4, "60_plus": 1}},
    "venezuelan": {"total": 5, "sex": {"female": 3, "male": 2, "unstated": 0}, "age": {"0_11": 1, "12_17": 1, "18_59": 3, "60_plus": 0}},
}


async def fill(database: Database, now: datetime) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with database.session() as session:
        session.add(User(telegram_id=1, display_name="Staff", language="es", role=Role.STAFF, first_seen=now, last_seen=now))
        await session.execute(insert(User), [
            {"telegram_id": 10_000 + n, "display_name": f"Leader {n}", "language": "es", "role": Role.LEADER, "consent_version": "x",
             "consent_at": now, "first_seen": now, "last_seen": now - timedelta(days=n % 90)} for n in range(2 * ORGANIZATIONS)
        ])
        await session.execute(insert(Organization), [
            {"name": f"Organización {n} de {'Mujeres' if n % 2 else 'Vecinos'}", "kind": OrganizationKind.OSB, "district_ubigeo": DISTRICTS[n % 10],
             "address": "Av. 1", "founded_year": 2020, "members_peruvian": 10, "members_venezuelan": 12, "members_other": 1,
             "focus_areas": [], "contact_phone": "+51987654321", "board_term_start": date(2025, 1, 1), "board_term_end": date(2027, 1, 1),
             "status": VerificationStatus.VERIFIED, "created_at": now - timedelta(days=n % 400), "updated_at": now} for n in range(ORGANIZATIONS)
        ])
        org_ids = list(await session.scalars(select(Organization.id).order_by(Organization.id)))
        user_ids = list(await session.scalars(select(User.id).where(User.role == Role.LEADER).order_by(User.id)))
        await session.execute(insert(BoardMember), [
            {"organization_id": o, "position": p, "role": BoardRole.PRESIDENT, "full_name": "Nombre Apellido", "id_document_type": "DNI",
             "id_number_encrypted": "gAAAAA-not-real-1234"} for o in org_ids for p in range(3)
        ])
        await session.execute(insert(Leadership), [
            {"user_id": user_ids[2 * i + k], "organization_id": o, "role": LeaderRole.OWNER if k == 0 else LeaderRole.CO_LEADER,
             "joined_at": now, "acting": True} for i, o in enumerate(org_ids) for k in range(2)
        ])
        await session.execute(insert(RuosRegistration), [
            {"organization_id": o, "stage": list(RegistrationStage)[i % 4], "updated_at": now} for i, o in enumerate(org_ids)
        ])
        await session.execute(insert(Project), [
            {"organization_id": o, "title": f"Proyecto {o}", "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31), "created_at": now,
             "status": ProjectStatus.FUNDED, "granted_cents": 500_000} for o in org_ids
        ])
        project_ids = list(await session.scalars(select(Project.id).order_by(Project.id)))
        await session.execute(insert(ProjectReport), [
            {"project_id": p, "number": k, "period_start": date(2026, 1, 1), "period_end": date(2026, 6, 30), "due_on": date(2026, 7, 10),
             "status": ReportStatus.APPROVED, "version": 1, "approved_version": 1, "approved_beneficiaries": BENEFICIARIES,
             "beneficiaries": BENEFICIARIES, "scratch": {}, "activities": [], "updated_at": now} for p in project_ids for k in (1, 2)
        ])
        if await session.get(Topic, "leadership") is None:
            session.add(Topic(code="leadership", name_es="Liderazgo", name_en="Leadership", created_at=now))
            await session.flush()
        sessions = [TrainingSession(topic="leadership", title=f"Sesión {n}", starts_at=now - timedelta(days=n), ends_at=now - timedelta(days=n),
                                    venue="Local", capacity=100, created_at=now) for n in range(20)]
        session.add_all(sessions)
        await session.flush()
        await session.execute(insert(Enrollment), [
            {"session_id": sessions[n % 20].id, "user_id": user_ids[n], "state": EnrollmentState.ATTENDED, "created_at": now,
             "attended_at": now - timedelta(days=n % 20)} for n in range(2 * ORGANIZATIONS)
        ])


async def timed(coroutine) -> tuple[float, object]:  # noqa: ANN001
    started = wall.perf_counter()
    result = await coroutine
    return wall.perf_counter() - started, result


async def measure(database_url: str, backend: str) -> list[Row]:
    database = Database(database_url)
    now = datetime.now(UTC)
    await fill(database, now)
    catalogue = RequirementsCatalogue.load(None)
    rows: list[Row] = []
    today = now.astimezone(ZONE).date()

    async def run_figures():  # noqa: ANN202
        async with database.session() as session:
            who = await audit.viewer(session, user_id=1)
            return await figures_service.compute(session, who=who, period=figures_service.Period(None, today),
                                         zone_of=lambda moment: moment.astimezone(ZONE).date(), now=now)

    seconds, figures = await timed(run_figures())
    assert figures.organizations == ORGANIZATIONS and figures.beneficiaries.total == 30 * ORGANIZATIONS  # type: ignore[attr-defined]
    rows.append((backend, "figures (1 000 organizations)", f"{seconds:.3f} s", f"< {TARGETS['figures_s']} s", verdict(seconds < TARGETS["figures_s"])))

    started = wall.perf_counter()
    images = charts.phone_charts([charts.Bars("Por distrito", [(d, c) for d, c in figures.by_district.items()]),  # type: ignore[attr-defined]
                                  charts.Bars("Por etapa", [(s, c) for s, c in figures.by_ruos_stage.items()])], empty="-")  # type: ignore[attr-defined]
    seconds = wall.perf_counter() - started
    rows.append((backend, f"charts ({sum(map(len, images)) // 1024} KB PNG)", f"{seconds:.3f} s", f"< {TARGETS['chart_s']} s", verdict(seconds < TARGETS["chart_s"])))

    async def run_export():  # noqa: ANN202
        async with database.session() as session:
            who = await audit.viewer(session, user_id=1)
            tables = await exports.tables(session, who=who, mask=lambda value: "****" + value[-4:], now=now)
        # Codes as their values here: the chat layer names them in the reader's language.
        return workbook.workbook([workbook.Sheet(t.title, [h if isinstance(h, str) else "/".join(c.value for c in h) for h in t.headers],
                                                 [[c.value if isinstance(c, exports.Code) else c for c in row] for row in t.rows])
                                  for t in tables], zone=ZONE)

    seconds, content = await timed(run_export())
    rows.append((backend, f"export ({len(content) // 1024} KB XLSX)", f"{seconds:.3f} s", f"< {TARGETS['export_s']} s",  # type: ignore[arg-type]
                 verdict(seconds < TARGETS["export_s"])))

    async def run_org():  # noqa: ANN202
        async with database.session() as session:
            who = await audit.viewer(session, user_id=1)
            found = await console.find(session, who=who, query="organizacion 99")
            return await console.status(session, who=who, organization_id=found[0].id, catalogue=catalogue, today=today, now=now)

    seconds, _status = await timed(run_org())
    rows.append((backend, "/org search and status", f"{seconds:.3f} s", f"< {TARGETS['org_s']} s", verdict(seconds < TARGETS["org_s"])))

    async def run_sweep():  # noqa: ANN202
        async with database.session() as session:
            return await followup.sweep(session, now=now, quiet_after=timedelta(days=45), listing_after=timedelta(days=7))

    seconds, report = await timed(run_sweep())
    rows.append((backend, f"follow-up sweep ({len(report.checked_in)} checked on)", f"{seconds:.3f} s", f"< {TARGETS['sweep_s']} s",  # type: ignore[attr-defined]
                 verdict(seconds < TARGETS["sweep_s"])))
    await database.dispose()
    return rows


async def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += await measure(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}", "sqlite")
    server = os.environ.get("VOCES_BENCH_POSTGRES_URL")
    if server:
        url = await create_postgres_database(server)
        try:
            rows += await measure(url, "postgres")
        finally:
            await drop_postgres_database(url)
    return rows


def main() -> int:
    rows = asyncio.run(run())
    print_table(rows)
    return 1 if any_failed(rows) else 0
